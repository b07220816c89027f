"""The result store: one JSON record per cell, written atomically, named by the cell's identity hash."""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from repbench.analysis import statistics
from repbench.data.atomic import atomic_write
from repbench.results.record import Cell, Record

ITEM_KINDS = {cls.__name__: cls for cls in (statistics.ItemMeans, statistics.PairwiseAUC)}


def cell_folder(profile: str, task: str, method: str, key: str) -> Path:
    """`<profile>/<task>__<method>__<key>`: where a cell's files live under `runs/` (its record, `.json`) and
    under `checkpoints/` (its mid-cell states, a folder); the one place this scheme is written."""
    return Path(profile) / f"{task}__{method}__{key}"


class ResultStore:
    """`results/runs/<profile>/<task>__<method>__<key>.json`; a finished record is reused unless forced.

    A record that did not finish (status `failed`) never replaces one that did (`ok` or `degenerate`): such an
    attempt is stored beside it, under `runs/<profile>/attempts/`, where the leaderboard does not read it.
    """

    def __init__(self, results_dir: str | Path) -> None:
        self.results_dir = Path(results_dir)
        self.runs_dir = self.results_dir / "runs"

    def path(self, cell: Cell) -> Path:
        return self.runs_dir / cell_folder(cell.profile, cell.task, cell.method, cell.key).with_suffix(".json")

    def read(self, path: Path) -> Record | None:
        """The record in `path`; None (with a warning saying what to do) when it is unreadable or not a record."""
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            warnings.warn(
                f"ignoring unreadable record {path}: {err}; delete it or rerun with --force", stacklevel=2
            )
            return None
        try:
            return Record.from_dict(data)
        except (TypeError, KeyError, ValueError, AttributeError) as err:
            warnings.warn(f"ignoring {path}: not a repbench record ({type(err).__name__}: {err})", stacklevel=2)
            return None

    def is_finished(self, cell: Cell) -> bool:
        path = self.path(cell)
        record = self.read(path) if path.exists() else None
        return record is not None and record.key == cell.key and record.finished

    def write(self, record: Record) -> Path:
        """Temporary file + fsync + rename: a reader sees the old record or the new one, never half of one.
        Returns where the record went: its own path, or the attempts folder when a finished record is kept."""
        path = self.path(record.cell)
        if not record.finished and path.exists() and getattr(self.read(path), "finished", False):
            stamp = (record.started_utc or "unknown").replace(":", "")
            path = path.parent / "attempts" / f"{path.stem}__{record.status}__{stamp}.json"
        if record.item_scores and record.finished:  # the per-item scores first: a record never names a missing file
            record.items = self._write_items(path, record.item_scores)
        with atomic_write(path) as handle:
            json.dump(record.to_dict(), handle, indent=1, sort_keys=True, allow_nan=False)
            handle.write("\n")
        return path

    @staticmethod
    def _write_items(path: Path, folds: list[dict]) -> dict:
        """`<record>.items.npz` (compressed): each fold's item scores as arrays named metric/fold/field."""
        arrays, kinds = {}, {}
        for fold, scores in enumerate(folds):
            for metric, items in scores.items():
                kinds[metric] = type(items).__name__
                if kinds[metric] not in ITEM_KINDS:
                    raise TypeError(f"item scores of {metric!r} are a {kinds[metric]}; use one of {sorted(ITEM_KINDS)}")
                for f in dataclasses.fields(items):
                    arrays[f"{metric}/{fold}/{f.name}"] = np.asarray(getattr(items, f.name))
        target = path.with_name(f"{path.stem}.items.npz")
        with atomic_write(target, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        return {"file": target.name, "kinds": kinds, "folds": len(folds)}

    def item_scores(self, record: Record) -> dict[str, statistics.ItemScores]:
        """The test items' scores kept beside `record`, per metric ({} if it kept none). A k-fold record's folds
        are joined (their test items are disjoint) where the metric is a mean of item scores."""
        if not record.items:
            return {}
        path = self.path(record.cell).with_name(record.items["file"])
        try:
            with np.load(path) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError) as err:
            warnings.warn(f"ignoring the item scores of {record.key}: {path}: {err}", stacklevel=2)
            return {}
        out = {}
        for metric, kind in record.items["kinds"].items():
            cls = ITEM_KINDS[kind]
            folds = [cls(**{f.name: arrays[f"{metric}/{fold}/{f.name}"] for f in dataclasses.fields(cls)})
                     for fold in range(record.items["folds"])]
            if len(folds) == 1:
                out[metric] = folds[0]
            elif cls is statistics.ItemMeans:
                out[metric] = cls(np.concatenate([f.scores for f in folds]))
        return out

    def by_key(self) -> dict[str, Record]:
        """Every readable record by its key: the index a run or a dry run reads once."""
        return {r.key: r for r in self.records()}

    def records(self, profile: str | None = None) -> Iterator[Record]:
        """Every readable record (of one profile if given), in path order; attempts are not records."""
        if not self.runs_dir.is_dir():
            return
        for path in sorted(self.runs_dir.glob(f"{profile or '*'}/*.json")):
            record = self.read(path)
            if record is not None:
                yield record
