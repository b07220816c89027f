"""The result store: one JSON record per cell, written atomically, named by the cell's identity hash."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from repbench.atomic import atomic_write
from repbench.cells import Cell

FINISHED = ("ok", "degenerate")  # a cell that ran to the end; rerunning it gives the same record


class ResultStore:
    """`results/runs/<profile>/<task>__<method>__<key>.json`; an 'ok' record is reused unless forced.

    A record that did not finish (status `failed`) never replaces one that did (`ok` or `degenerate`): such an
    attempt is stored beside it, under `runs/<profile>/attempts/`, where the leaderboard does not read it.
    """

    def __init__(self, results_dir: str | Path) -> None:
        self.results_dir = Path(results_dir)
        self.runs_dir = self.results_dir / "runs"

    def path(self, cell: Cell) -> Path:
        return self._path(cell.profile, cell.task, cell.method, cell.key)

    def record_path(self, record: dict[str, Any]) -> Path:
        identity = record["identity"]
        return self._path(identity["profile"], identity["task"], identity["method"], record["key"])

    def _path(self, profile: str, task: str, method: str, key: str) -> Path:
        return self.runs_dir / profile / f"{task}__{method}__{key}.json"

    def read(self, path: Path) -> dict[str, Any] | None:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            warnings.warn(
                f"ignoring unreadable record {path}: {err}; delete it or rerun with --force", stacklevel=2
            )
            return None
        if not isinstance(record, dict) or "key" not in record or "identity" not in record:
            warnings.warn(f"ignoring {path}: not a repbench record", stacklevel=2)
            return None
        return record

    def is_finished(self, cell: Cell) -> bool:
        path = self.path(cell)
        if not path.exists():
            return False
        record = self.read(path)
        return record is not None and record.get("key") == cell.key and record.get("status") in FINISHED

    def write(self, record: dict[str, Any]) -> Path:
        """Temporary file + fsync + rename: a reader sees the old record or the new one, never half of one.
        Returns where the record went: its own path, or the attempts folder when an ok record is kept."""
        path = self.record_path(record)
        if record.get("status") not in FINISHED and path.exists() and (self.read(path) or {}).get("status") in FINISHED:
            stamp = (record.get("started_utc") or "unknown").replace(":", "")
            path = path.parent / "attempts" / f"{path.stem}__{record.get('status')}__{stamp}.json"
        with atomic_write(path) as handle:
            json.dump(record, handle, indent=1, sort_keys=True, allow_nan=False)
            handle.write("\n")
        return path

    def records(self) -> Iterator[dict[str, Any]]:
        if not self.runs_dir.is_dir():
            return
        for path in sorted(self.runs_dir.glob("*/*.json")):
            record = self.read(path)
            if record is not None:
                yield record
