"""Run a planned set of cells: skip finished ones, execute the rest, store every record as it arrives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from repbench.cells import Cell
from repbench.checkpoint import drop_checkpoints
from repbench.execute import ExecOptions
from repbench.executors import Executor
from repbench.store import FINISHED, ResultStore


@dataclass
class RunSummary:
    planned: int
    skipped: int
    ok: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (cell label, reason)
    degenerate: list[tuple[str, str]] = field(default_factory=list)  # (cell label, reason): shown, never ranked
    kept: list[str] = field(default_factory=list)  # where failed attempts went because an ok record was kept
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else 1 if self.failed else 0


def run_cells(
    cells: Sequence[Cell],
    store: ResultStore,
    executor: Executor,
    options: ExecOptions,
    force: bool = False,
    progress: bool = True,
) -> RunSummary:
    """Every finished record is on disk before the next cell's result is awaited; Ctrl-C keeps them all."""
    todo = [cell for cell in cells if force or not store.is_finished(cell)]
    if force and options.checkpoints:  # forced: from scratch, not from a killed attempt's state
        for cell in todo:
            drop_checkpoints(options.checkpoints, cell.profile, cell.task, cell.method, cell.key)
    summary = RunSummary(planned=len(cells), skipped=len(cells) - len(todo))
    labels = {cell.key: cell.label for cell in todo}
    bar = tqdm(total=len(todo), unit="cell", disable=not progress or not todo, dynamic_ncols=True)
    records = executor.run(todo, options)
    try:
        for record in records:
            path = store.write(record)
            _drop_checkpoints(record, options)
            if record["status"] == "ok":
                summary.ok += 1
            elif record["status"] == "degenerate":
                summary.degenerate.append((labels.get(record["key"], record["key"]), record["reason"]))
                bar.write(f"DEGENERATE {summary.degenerate[-1][0]}: {record['reason']}")
            else:
                summary.failed.append((labels.get(record["key"], record["key"]), record["reason"]))
                bar.write(f"FAILED {summary.failed[-1][0]}: {record['reason']}")
                if path != store.record_path(record):
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


def _drop_checkpoints(record: dict, options: ExecOptions) -> None:
    """A stored record ends its cell's checkpoints, unless the cell was killed or failed for a reason a rerun
    may not meet again (a diverged fit diverges again: nothing to resume)."""
    if not options.checkpoints:
        return
    if record["status"] in FINISHED or str(record.get("reason") or "").startswith("diverged"):
        ident = record["identity"]
        drop_checkpoints(options.checkpoints, ident["profile"], ident["task"], ident["method"], record["key"])
