"""repbench: one registry, runner and leaderboard for reproducing and comparing deep-learning methods.

Plugin authors need only what is exported here.
"""

from repbench.params import Param
from repbench.plugin import DivergedError, Kind, Method, Metric, Reported, RunContext, Task
from repbench.registry import register_command, register_method, register_task

__version__ = "0.1.0"

__all__ = [
    "DivergedError",
    "Kind",
    "Method",
    "Metric",
    "Param",
    "Reported",
    "RunContext",
    "Task",
    "register_command",
    "register_method",
    "register_task",
    "__version__",
]
