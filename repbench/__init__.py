"""repbench: one registry, runner and leaderboard for reproducing and comparing deep-learning methods.

Plugin authors need only the classes and decorators exported here. Scripts and notebooks use the library
API: `repbench.run(...)` (a `RunResult`), `repbench.load_results(...)` and `repbench.leaderboard(...)`
(DataFrames), in repbench/api.py; the `repbench` command is a thin layer over them.

The package is built in floors, each a folder that imports only from the floors below it (a test checks):
`plugins/` (parameters, the Task/Method/Kind/Metric contract, profiles, the registry) -> `data/` (data root,
public data files) -> `analysis/` (statistics, figure helpers) -> `results/` (the record, the store, the
leaderboard, the results page) -> `execution/` (planning, tuning, running cells, executors, checkpoints) ->
`studies/` (the Study base and its facade) -> `api.py` -> `cli.py`.
"""

from typing import Any

from repbench.data.files import RemoteFile, register_source
from repbench.plugins.base import Baseline, DivergedError, Kind, Method, Metric, Reported, RunContext, Task, info
from repbench.plugins.early_stopping import BestCheckpoint
from repbench.plugins.kinds import CLASSIFICATION, ClassificationData
from repbench.plugins.params import Choice, LogUniform, Param, Uniform
from repbench.plugins.registry import register_command, register_method, register_study, register_task

__version__ = "0.1.0"

__all__ = [
    "CLASSIFICATION",
    "Baseline",
    "BestCheckpoint",
    "Choice",
    "ClassificationData",
    "DivergedError",
    "Kind",
    "LogUniform",
    "Method",
    "Metric",
    "Param",
    "Record",
    "RemoteFile",
    "Reported",
    "RunContext",
    "RunOptions",
    "RunResult",
    "Study",
    "StudyContext",
    "Sweep",
    "Task",
    "Uniform",
    "info",
    "leaderboard",
    "load_records",
    "load_results",
    "plan",
    "register_command",
    "register_method",
    "register_source",
    "register_study",
    "register_task",
    "run",
    "__version__",
]
_LAZY = {  # loaded on first use (they need pandas), so plugins and `repbench list` stay light
    "run": "repbench.api", "plan": "repbench.api", "load_results": "repbench.api", "load_records": "repbench.api",
    "leaderboard": "repbench.api", "RunOptions": "repbench.api", "RunResult": "repbench.api",
    "Sweep": "repbench.api", "Record": "repbench.results.record",
    "Study": "repbench.studies", "StudyContext": "repbench.studies",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'repbench' has no attribute {name!r}")
