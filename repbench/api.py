"""The library API for scripts and notebooks; the `repbench` command is a thin layer over it.

    import repbench

    if __name__ == "__main__":  # cells run in worker processes, which import this script again
        result = repbench.run(["digits"], ["mlp", "logreg"], profile="quick", seeds=3)  # runs, stores, returns
        print(result.summary.line())
        frame = result.frame                                         # the run's records, tidy
        table = repbench.leaderboard(profile="quick")                # one row per metric
        everything = repbench.load_results(profile="standard")       # every stored record, tidy

Records are tidy in frames: one row per cell and metric, with the cell's identity, its parameters as
`task.NAME` / `method.NAME` columns, the status (a failed cell is one row with its reason and no metric) and
provenance. `load_records` gives the `Record` objects themselves (repbench/results/record.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from repbench.execution.batch import RunOptions, RunResult, execute
from repbench.execution.planning import Plan, Sweep, make_plan
from repbench.plugins.registry import discover
from repbench.results.frames import load_records, tidy
from repbench.results.leaderboard import table_of
from repbench.results.record import Record

__all__ = ["RunOptions", "RunResult", "Sweep", "leaderboard", "load_records", "load_results", "plan", "run"]


def plan(sweeps: Sweep | Sequence[Sweep], profile: str = "quick", plugin_paths: Sequence[str] = ()) -> Plan:
    """The plan of one sweep or several: what `run` executes and what a dry run lists; raises RegistryError /
    ParamError / ValueError on any bad input."""
    return make_plan(discover(plugin_paths), profile, [sweeps] if isinstance(sweeps, Sweep) else list(sweeps))


def run(
    tasks: str | Iterable[str] | None = None,
    methods: str | Iterable[str] | None = None,
    *,
    profile: str = "quick",
    grid: Mapping[str, Any] | None = None,
    seeds: int | None = None,
    tune: int | None = None,
    trial_params: Mapping[str, Any] | None = None,
    **options: Any,
) -> RunResult:
    """Run every compatible task x method x grid x seed cell (finished cells are reused unless `force=True`),
    store one record per cell, rewrite the leaderboard files, and return the run's records, counts and tuning
    choices (`RunResult`; `.frame` is the tidy DataFrame).

    `tune=N` (default: the profile's) first runs N tuning trials per task x method (repbench/execution/tuning.py) and
    then the final seeds with each winner; `trial_params` (e.g. {"finetune_epochs": 10}) shorten the trials'
    schedule, the same for every method. `options` are `RunOptions` fields: jobs, executor, scheduler,
    timeout, device, force, results, plugin_paths, progress, checkpoint_every, threads. With jobs >= 1 cells
    run in worker processes that import the calling script again: call `run` under
    `if __name__ == "__main__":` in a script.
    """
    try:
        run_options = RunOptions(**options)
    except TypeError as err:
        raise TypeError(f"{err}; options are the fields of repbench.RunOptions") from None
    the_plan = plan(Sweep.of(tasks, methods, grid, seeds, tune, trial_params), profile, run_options.plugin_paths)
    return execute(the_plan, run_options)


def load_results(profile: str | None = None, root: str | Path | None = None) -> pd.DataFrame:
    """The tidy records of a results folder (default: $REPBENCH_RESULTS or ./results): one row per cell and
    metric (see the module docstring)."""
    return tidy(load_records(profile, root))


def leaderboard(
    records: Iterable[Record] | None = None,
    *,
    profile: str | None = None,
    results: str | Path | None = None,
    plugin_paths: Sequence[str] = (),
) -> pd.DataFrame:
    """The leaderboard table (one row per task x method configuration x metric, plus published values) of
    `records`, or of every record under `results` (of one `profile` if given)."""
    registry = discover(plugin_paths)
    if records is None:
        records = load_records(profile, results)
    elif profile is not None:
        records = [r for r in records if r.profile == profile]
    return table_of(records, registry)
