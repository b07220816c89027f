"""The studies' layer: the `Study` base class, its registration and the facade a study uses (records of the
current protocol, the statistics every table shares, figure helpers). A study module imports from here only;
it never imports the command line or an executor."""

from repbench.analysis.figures import error_bars, reference_lines, save_figure, study_paths, write_table
from repbench.analysis.statistics import ci95, decide_families, decide_family, holm, slope_interval, welch
from repbench.execution.dask import DaskUnavailable
from repbench.execution.planning import Sweep
from repbench.plugins.params import Param
from repbench.plugins.registry import Registry, discover, register_study
from repbench.results.frames import current_protocol
from repbench.results.record import Record, Status
from repbench.results.store import ResultStore
from repbench.studies.base import Study, StudyContext
from repbench.studies.claims import claims_table, compare_records, margin_of, pairing

__all__ = [
    "DaskUnavailable", "Param", "Record", "ResultStore", "Status", "Study", "StudyContext", "Sweep", "ci95",
    "claims_table", "compare_records", "current_protocol", "decide_families", "decide_family", "error_bars", "holm",
    "margin_of", "pairing", "plugin_registry", "reference_lines", "register_study", "save_figure", "slope_interval",
    "study_paths", "welch", "write_table",
]


def plugin_registry() -> Registry:
    """The registered tasks and methods (e.g. for a task's published values)."""
    return discover()
