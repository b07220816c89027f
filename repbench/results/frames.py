"""Records as tables: the tidy frame (one row per cell and metric) that scripts, notebooks and studies read,
and the filter that keeps only the records made under a profile's current task settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from repbench.data.paths import results_dir
from repbench.plugins.profiles import get_profile
from repbench.plugins.registry import Registry, discover
from repbench.results.record import Record
from repbench.results.store import ResultStore

TIDY_COLUMNS = [
    "task", "method", "profile", "stage", "tune_trials", "replicate", "seed", "key", "status", "reason",
    "validation", "metric", "value", "unit",
    "higher_is_better", "is_main", "wall_s", "device", "git_commit", "code_origin", "date_utc",
]


def load_records(profile: str | None = None, root: str | Path | None = None) -> list[Record]:
    """The records under a results folder (default: $REPBENCH_RESULTS or ./results), of one profile if given."""
    if profile is not None:
        get_profile(profile)
    return list(ResultStore(root or results_dir()).records(profile))


def current_protocol(records: Iterable[Record], profile: str, tasks: Iterable[str] | None = None,
                     ignore: Iterable[str] = (), registry: Registry | None = None) -> list[Record]:
    """The records of `tasks` (default: all) made with the task parameters the profile resolves to now, the
    names in `ignore` aside (a study's own axis). A study reading them does not pool the records of an older
    protocol (another dataset, split or selection rule), which the results folder keeps for the record."""
    registry, skip = registry or discover(), set(ignore)
    records = list(records)

    def setting(params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if k not in skip}

    names = set(tasks) if tasks is not None else {r.task for r in records}
    current = {t: setting(registry.get_task(t).resolve(profile, {})) for t in names if t in registry.tasks}
    return [r for r in records if current.get(r.task) == setting(r.task_params)]


def tidy(records: Iterable[Record]) -> pd.DataFrame:
    """Records -> one row per (cell, metric); parameters as `task.NAME` / `method.NAME` columns."""
    rows = []
    for record in records:
        prov = record.provenance or {}
        base = {
            "task": record.task, "method": record.method, "profile": record.profile, "stage": record.stage,
            "tune_trials": record.tuning.get("trials", 0),
            "validation": record.validation.value if record.validation else None, "replicate": record.replicate,
            "seed": record.seed, "key": record.key, "status": record.status.value, "reason": record.reason,
            "wall_s": record.wall_s, "device": record.device,
            "git_commit": prov.get("git_commit"), "date_utc": prov.get("date_utc"),
            "code_origin": "external" if record.external else "suite",
            **{f"task.{k}": _cell_value(v) for k, v in record.task_params.items()},
            **{f"method.{k}": _cell_value(v) for k, v in record.method_params.items()},
        }
        if not record.metrics:
            rows.append(base)
        for entry in record.metrics:
            rows.append({**base, "metric": entry.name, "value": entry.value, "unit": entry.unit,
                         "higher_is_better": entry.higher_is_better, "is_main": entry.is_main})
    frame = pd.DataFrame(rows)
    params = sorted(c for c in frame.columns if c not in TIDY_COLUMNS)
    return frame.reindex(columns=[*TIDY_COLUMNS, *params])


def _cell_value(value: Any) -> Any:
    return "x".join(map(str, value)) if isinstance(value, (list, tuple)) else value
