"""repbench: one registry, runner and leaderboard for reproducing and comparing deep-learning methods.

Plugin authors need only the classes and decorators exported here. Scripts and notebooks use the library
API: `repbench.run(...)`, `repbench.load_results(...)` and `repbench.leaderboard(...)` (repbench/api.py),
each returning a pandas DataFrame; the `repbench` command is a thin layer over them.
"""

from typing import Any

from repbench.params import Choice, LogUniform, Param, Uniform
from repbench.plugin import Baseline, DivergedError, Kind, Method, Metric, Reported, RunContext, Task, info
from repbench.registry import register_command, register_method, register_task
from repbench.training import BestCheckpoint

__version__ = "0.1.0"

__all__ = [
    "Baseline",
    "BestCheckpoint",
    "Choice",
    "DivergedError",
    "Kind",
    "LogUniform",
    "Method",
    "Metric",
    "Param",
    "Reported",
    "RunContext",
    "Task",
    "Uniform",
    "info",
    "leaderboard",
    "load_results",
    "register_command",
    "register_method",
    "register_task",
    "run",
    "__version__",
]
_API = ("run", "load_results", "leaderboard")


def __getattr__(name: str) -> Any:
    """The library API loads on first use (it needs pandas), so plugins and `repbench list` stay light."""
    if name in _API:
        from repbench import api

        return getattr(api, name)
    raise AttributeError(f"module 'repbench' has no attribute {name!r}")
