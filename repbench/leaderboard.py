"""Aggregate run records into the leaderboard: CSV for machines, Markdown for people.

Same records in, byte-identical files out: rows are sorted on stable keys, floats printed with fixed
precision, and nothing time-dependent (such as the generation date) is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from repbench.cells import canonical_json
from repbench.plugin import Reported

COLUMNS = [
    "task",
    "profile",
    "task_params",
    "method",
    "method_params",
    "metric",
    "unit",
    "higher_is_better",
    "is_main",
    "n_seeds",
    "n_failed",
    "mean",
    "std",
    "ci95",
    "rank",
    "reported",
    "reported_source",
    "delta_vs_reported",
    "wall_s_mean",
    "commit",
    "task_version",
    "method_version",
]
FLOAT_FORMAT = "%.6g"
ReportedLookup = Mapping[str, Iterable[Reported]]  # task name -> values published for it


def ci95(values: np.ndarray) -> float:
    """Half-width of the two-sided 95 % Student-t confidence interval of the mean (NaN for one seed)."""
    n = len(values)
    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n))


def _commit(records: list[dict[str, Any]]) -> str:
    tags = set()
    for record in records:
        prov = record.get("provenance") or {}
        commit = (prov.get("git_commit") or "unknown")[:12]
        tags.add(commit + ("+dirty" if prov.get("git_dirty") else ""))
    return ";".join(sorted(tags))


def aggregate(records: Iterable[dict[str, Any]], reported: ReportedLookup | None = None) -> pd.DataFrame:
    """One row per task x method(+params) x metric, plus one reference row per published value."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record in records:
        ident = record["identity"]
        key = (
            ident["task"],
            ident["profile"],
            canonical_json(ident["task_params"]),
            ident["method"],
            canonical_json(ident["method_params"]),
            str(ident["task_version"]),
            str(ident["method_version"]),
        )
        groups.setdefault(key, []).append(record)

    rows = []
    for (task, profile, task_params, method, method_params, task_v, method_v), group in groups.items():
        ok = sorted((r for r in group if r["status"] == "ok"), key=lambda r: r["identity"]["replicate"])
        failed = len(group) - len(ok)
        metrics: dict[str, list[dict[str, Any]]] = {}
        for record in ok:
            for entry in record["metrics"]:
                metrics.setdefault(entry["name"], []).append(entry)
        walls = [r["timings"]["wall_s"] for r in ok if r["timings"].get("wall_s") is not None]
        for name, entries in metrics.items():
            values = np.array([e["value"] for e in entries], dtype=float)
            rows.append(
                {
                    "task": task,
                    "profile": profile,
                    "task_params": task_params,
                    "method": method,
                    "method_params": method_params,
                    "metric": name,
                    "unit": entries[0]["unit"],
                    "higher_is_better": entries[0]["higher_is_better"],
                    "is_main": entries[0]["is_main"],
                    "n_seeds": len(values),
                    "n_failed": failed,
                    "mean": values.mean(),
                    "std": values.std(ddof=1) if len(values) > 1 else math.nan,
                    "ci95": ci95(values),
                    "wall_s_mean": float(np.mean(walls)) if walls else math.nan,
                    "commit": _commit(ok),
                    "task_version": task_v,
                    "method_version": method_v,
                }
            )
        if not ok:  # a configuration that only failed still shows up, so failures are never invisible
            rows.append(
                {
                    "task": task,
                    "profile": profile,
                    "task_params": task_params,
                    "method": method,
                    "method_params": method_params,
                    "metric": "",
                    "n_seeds": 0,
                    "n_failed": failed,
                    "commit": _commit(group),
                    "task_version": task_v,
                    "method_version": method_v,
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = _add_reported(table, reported or {})
    return _rank_and_sort(table)


def _add_reported(table: pd.DataFrame, reported: ReportedLookup) -> pd.DataFrame:
    references = []
    for (task, profile), block in table.groupby(["task", "profile"], sort=True):
        for ref in reported.get(task, ()):
            ours = (block["metric"] == ref.metric) & (block["method"] == ref.method)
            table.loc[block.index[ours.to_numpy()], ["reported", "reported_source"]] = [ref.value, ref.source]
            sample = block[block["metric"] == ref.metric].head(1)
            references.append(
                {
                    "task": task,
                    "profile": profile,
                    "task_params": "",
                    "method": f"{ref.label} (reported)",
                    "method_params": "",
                    "metric": ref.metric,
                    "mean": ref.value,
                    "reported": ref.value,
                    "reported_source": ref.source,
                    "n_seeds": 0,
                    "n_failed": 0,
                    "unit": sample["unit"].iloc[0] if len(sample) else "",
                    "higher_is_better": sample["higher_is_better"].iloc[0] if len(sample) else None,
                    "is_main": sample["is_main"].iloc[0] if len(sample) else None,
                }
            )
    table["delta_vs_reported"] = table["mean"] - table["reported"]
    if references:
        table = pd.concat([table, pd.DataFrame(references, columns=COLUMNS)], ignore_index=True)
    return table


def _rank_and_sort(table: pd.DataFrame) -> pd.DataFrame:
    ours = table["n_seeds"] > 0
    table["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    for _, block in table[ours].groupby(["task", "profile", "task_params", "metric"], sort=False):
        ascending = not bool(block["higher_is_better"].iloc[0])
        table.loc[block.index, "rank"] = block["mean"].rank(method="min", ascending=ascending).astype("Int64")
    table["_reference"] = ~ours
    table["_main"] = ~table["is_main"].fillna(False).astype(bool)
    table = table.sort_values(
        [
            "task",
            "profile",
            "task_params",
            "_main",
            "metric",
            "_reference",
            "rank",
            "method",
            "method_params",
        ],
        na_position="last",
        kind="mergesort",
    )
    return table.drop(columns=["_reference", "_main"]).reset_index(drop=True)[COLUMNS]


def write_csv(table: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def _num(value: Any, fmt: str = "%.4g") -> str:
    return "" if value is None or pd.isna(value) else fmt % value


def _varying_params(block: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Per method, show only the parameters that differ between its configurations in this table."""
    labels = {}
    for method, rows in block.groupby("method", sort=False):
        parsed = {p: json.loads(p) if p else {} for p in rows["method_params"].unique()}
        keys = sorted(
            {
                k
                for d in parsed.values()
                for k in d
                if len({canonical_json(x.get(k)) for x in parsed.values()}) > 1
            }
        )
        for raw, params in parsed.items():
            shown = ", ".join(f"{k}={params.get(k)}" for k in keys)
            labels[(method, raw)] = f"{method} ({shown})" if shown else method
    return labels


def to_markdown(table: pd.DataFrame) -> str:
    """One table per task and profile: method configurations as rows, metrics as columns (mean ± 95 % CI)."""
    out = [
        "# Leaderboard",
        "",
        "Mean ± 95 % confidence half-width over seeds; ↑ higher is better, ↓ lower is better. "
        "Rank is by the task's main metric (first column). Reported rows are published values, "
        "not our runs.",
        "",
    ]
    configs = table[table["n_seeds"] > 0].groupby(["task", "profile"])["task_params"].nunique()
    for (task, profile, task_params), block in table.groupby(["task", "profile", "task_params"], sort=False):
        block = block[block["metric"] != ""]
        metrics = list(dict.fromkeys(block["metric"]))
        if not metrics:
            continue
        several = configs.get((task, profile), 0) > 1 and task_params  # name the task settings when they vary
        out += [f"## {task} · profile `{profile}`" + (f" · `{task_params}`" if several else ""), ""]
        heads = []
        for metric in metrics:
            first = block[block["metric"] == metric].iloc[0]
            arrow = "↑" if first["higher_is_better"] else "↓"
            unit = f" ({first['unit']})" if first["unit"] else ""
            heads.append(f"{metric}{unit} {arrow}")
        out.append("| rank | method | " + " | ".join(heads) + " | seeds | failed | wall s |")
        out.append("|---:|---|" + "---:|" * len(heads) + "---:|---:|---:|")
        labels = _varying_params(block)
        sources: dict[str, int] = {}
        for (method, params), rows in block.groupby(["method", "method_params"], sort=False):
            by_metric = {r["metric"]: r for _, r in rows.iterrows()}
            main = by_metric.get(metrics[0])
            cells = []
            for metric in metrics:
                r = by_metric.get(metric)
                if r is None:
                    cells.append("")
                elif r["n_seeds"] == 0:
                    note = sources.setdefault(r["reported_source"], len(sources) + 1)
                    cells.append(f"{_num(r['mean'])} [{note}]")
                else:
                    ci = f" ± {_num(r['ci95'])}" if not pd.isna(r["ci95"]) else ""
                    cells.append(f"{_num(r['mean'])}{ci}")
            any_row = rows.iloc[0]
            rank = "" if main is None or pd.isna(main["rank"]) else str(int(main["rank"]))
            seeds = "" if any_row["n_seeds"] == 0 else str(int(any_row["n_seeds"]))
            failed = "" if any_row["n_seeds"] == 0 else str(int(any_row["n_failed"]))
            label = labels.get((method, params), method)
            out.append(
                f"| {rank} | {label} | "
                + " | ".join(cells)
                + f" | {seeds} | {failed} | {_num(any_row['wall_s_mean'], '%.3g')} |"
            )
        out.append("")
        for source, note in sources.items():
            out.append(f"[{note}] {source}  ")
        if sources:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_markdown(table: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(table))


def records_from_benchmark_json(path: Path) -> list[dict[str, Any]]:
    """Records that `pytest benchmarks --benchmark-json FILE` stored in each benchmark's extra_info."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read pytest-benchmark JSON {path}: {err}") from None
    records = [b.get("extra_info", {}).get("record") for b in data.get("benchmarks", [])]
    records = [r for r in records if r]
    if not records:
        raise ValueError(
            f"{path} holds no repbench records; produce it with "
            "`pytest benchmarks --benchmark-only --benchmark-json FILE`"
        )
    return records
