"""Carry out a plan: skip finished cells, run the rest on an executor, store every record as it arrives, choose
the tuned finals from the trials' records and run those, then rewrite the leaderboard. Records are read from
disk once per run; what the run writes is added to that index as it goes."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from repbench.data.paths import DATA_ENV, data_root, forwarded_env, results_dir
from repbench.execution.cell import CellOptions
from repbench.execution.checkpoints import DEFAULT_EVERY_S, drop_checkpoints
from repbench.execution.executors import DaskExecutor, Executor, make_executor
from repbench.execution.planning import Plan
from repbench.execution.tuning import Selection
from repbench.plugins.device import resolve_device
from repbench.plugins.params import ParamError
from repbench.plugins.profiles import get_profile
from repbench.plugins.registry import env_plugin_paths
from repbench.results.leaderboard import write_leaderboard
from repbench.results.provenance import cell_threads, code_provenance
from repbench.results.record import Cell, FailureKind, Record, Status
from repbench.results.store import ResultStore

if TYPE_CHECKING:
    import pandas as pd


class DataMissingError(ValueError):
    """Data files that selected tasks need are not in the data root."""


@dataclass(frozen=True)
class RunOptions:
    """How a run executes (what it computes is the plan's business): parallel jobs and the executor that runs
    them, the per-cell time limit (None: the profile's), the torch device, `force` to recompute finished cells,
    where results go (None: $REPBENCH_RESULTS or ./results), extra plugin files, the progress bar, how often a
    long cell checkpoints (seconds; 0: never), torch threads per cell, and whether to rewrite the leaderboard."""

    jobs: int = 1
    executor: str = "process"
    scheduler: str | None = None
    timeout: float | None = None
    device: str = "auto"
    force: bool = False
    results: str | Path | None = None
    plugin_paths: tuple[str, ...] = ()
    progress: bool = True
    checkpoint_every: float = DEFAULT_EVERY_S
    threads: int | None = None  # threads per cell, every pool; None: cell_threads (a cluster: its own)
    leaderboard: bool = True  # rewrite leaderboard.{csv,md} of the results folder at the end

    def __post_init__(self) -> None:
        object.__setattr__(self, "plugin_paths", tuple(self.plugin_paths))
        if self.timeout is not None and not self.timeout > 0:  # also refuses NaN
            raise ParamError(f"timeout must be a positive number of seconds, got {self.timeout}")
        if self.checkpoint_every < 0:
            raise ParamError(f"checkpoint_every must be >= 0 seconds, got {self.checkpoint_every}")

    @property
    def results_dir(self) -> Path:
        return Path(self.results or results_dir())


@dataclass
class RunSummary:
    planned: int = 0
    skipped: int = 0
    ok: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (cell label, reason)
    degenerate: list[tuple[str, str]] = field(default_factory=list)  # (cell label, reason): shown, never ranked
    kept: list[str] = field(default_factory=list)  # where failed attempts went because an ok record was kept
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else 1 if self.failed else 0

    def add(self, other: RunSummary) -> None:
        self.planned += other.planned
        self.skipped += other.skipped
        self.ok += other.ok
        self.failed += other.failed
        self.degenerate += other.degenerate
        self.kept += other.kept
        self.interrupted = self.interrupted or other.interrupted

    def line(self) -> str:
        return (f"{self.planned} cells: {self.ok} ran ok, {self.skipped} already done, {len(self.failed)} failed, "
                f"{len(self.degenerate)} degenerate (no better than the trivial baseline: shown, never ranked)")


@dataclass
class RunResult:
    """What `repbench.run` returns: the records of the run's cells (as stored, reused ones included), the counts,
    what tuning chose per group, and where the records and the leaderboard went."""

    records: list[Record]
    summary: RunSummary
    choices: list[Selection]
    results_dir: Path
    leaderboard: pd.DataFrame | None = None  # the table written to leaderboard.{csv,md}: every stored record

    @property
    def frame(self) -> pd.DataFrame:
        """The records as a tidy frame (one row per cell and metric; repbench/results/frames.py)."""
        from repbench.results.frames import tidy

        return tidy(self.records)

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code


def check_data(plan: Plan) -> None:
    """One error listing every missing data file of the plan's tasks, before any cell starts."""
    lines: dict[str, None] = {}
    for (name, _), cell in plan.tasks().items():
        task = plan.registry.get_task(name)(**cell.task_params)
        lines.update({f"  {name}: {line}": None for line in task.missing_data()})
    if lines:
        raise DataMissingError(
            f"data files are missing from the data root {data_root().resolve()}:\n" + "\n".join(lines)
            + f"\n`repbench data fetch` downloads them (checked against pinned sha256 sums), or put them there "
            f"(or set {DATA_ENV} to the folder that holds them)."
        )


def execute(plan: Plan, options: RunOptions) -> RunResult:
    """Run a plan: its first cells (untuned cells and trials) in one pool, then the finals tuning chose. Every
    finished record is on disk before the next result is awaited; Ctrl-C or SIGTERM keeps them all."""
    resolve_device(options.device)  # an unavailable device fails here, not once per cell
    first = plan.first()
    check_data(plan)
    engine = make_executor(options.executor, options.jobs, options.scheduler)
    store = ResultStore(options.results_dir)
    cell_options = CellOptions(
        device=options.device,
        timeout_s=options.timeout if options.timeout is not None else get_profile(plan.profile).timeout_s,
        threads=options.threads or (None if options.scheduler else cell_threads(options.jobs)),
        plugin_paths=(*options.plugin_paths, *env_plugin_paths()),
        env=forwarded_env(absolute_data_root=isinstance(engine, DaskExecutor)),  # Dask workers may start elsewhere
        code=code_provenance(),
        checkpoints=str(store.results_dir / "checkpoints") if options.checkpoint_every > 0 else None,
        checkpoint_every_s=options.checkpoint_every,
    )
    known = store.by_key()  # the one read of the stored records
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _stop)  # `kill` (or a cluster's scheduler) stops as cleanly as Ctrl-C
    choices: list[Selection] = []
    cells = list(first)
    try:
        summary = run_cells(first, store, engine, cell_options, known, options.force, options.progress)
        if any(part.groups for part in plan.parts):
            choices, finals = plan.finals(known)
            cells += finals
            if not summary.interrupted:
                summary.add(run_cells(finals, store, engine, cell_options, known, options.force, options.progress))
    finally:
        signal.signal(signal.SIGTERM, previous)
    table = write_leaderboard(known.values(), plan.registry, store.results_dir) if options.leaderboard else None
    ran = {cell.key for cell in cells}
    return RunResult([r for r in known.values() if r.key in ran], summary, choices, store.results_dir, table)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_cells(cells: Sequence[Cell], store: ResultStore, executor: Executor, options: CellOptions,
              known: dict[str, Record] | None = None, force: bool = False, progress: bool = True) -> RunSummary:
    """Run the cells without a finished record (all with `force`), writing each record as it arrives and adding
    it to `known` (the stored records by key; read from the store when not given)."""
    known = store.by_key() if known is None else known
    todo = [cell for cell in cells if force or not getattr(known.get(cell.key), "finished", False)]
    if force and options.checkpoints:  # forced: from scratch, not from a killed attempt's state
        for cell in todo:
            drop_checkpoints(options.checkpoints, cell.profile, cell.task, cell.method, cell.key)
    summary = RunSummary(planned=len(cells), skipped=len(cells) - len(todo))
    bar = tqdm(total=len(todo), unit="cell", disable=not progress or not todo, dynamic_ncols=True)
    records = executor.run(todo, options)
    try:
        for record in records:
            path = store.write(record)
            label, kept_apart = record.cell.label, path != store.path(record.cell)
            if not kept_apart:
                known[record.key] = record
            _drop_checkpoints(record, options)
            if record.status is Status.OK:
                summary.ok += 1
            elif record.status is Status.DEGENERATE:
                summary.degenerate.append((label, record.reason or ""))
                bar.write(f"DEGENERATE {label}: {record.reason}")
            else:
                summary.failed.append((label, record.reason or ""))
                bar.write(f"FAILED {label}: {record.reason}")
                if kept_apart:
                    summary.kept.append(str(path))
                    bar.write(f"  the earlier ok record is kept; this attempt is stored at {path}")
            bar.set_postfix(ok=summary.ok, failed=len(summary.failed))
            bar.update()
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        records.close()  # stops and reaps the executor's workers
        bar.close()
    return summary


def _drop_checkpoints(record: Record, options: CellOptions) -> None:
    """A stored record ends its cell's checkpoints, unless the cell was killed or failed for a reason a rerun
    may not meet again (a diverged fit diverges again: nothing to resume)."""
    if options.checkpoints and (record.finished or record.failure is FailureKind.DIVERGED):
        drop_checkpoints(options.checkpoints, record.profile, record.task, record.method, record.key)
