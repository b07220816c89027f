"""The leaderboard: aggregate run records into one table, written as CSV for machines and Markdown for people.

Same records in, byte-identical files out: rows are sorted on stable keys, floats printed with fixed
precision, and nothing time-dependent (such as the generation date) is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from repbench.analysis.statistics import ALPHA, ci95, holm, sample_std, welch
from repbench.plugins.base import Reported, find_metric
from repbench.plugins.registry import Registry
from repbench.results.provenance import folder_at_commit
from repbench.results.record import Cell, MetricValue, Record, Status, canonical_json

# fmt: off
COLUMNS = [
    "task", "profile", "task_params", "origin", "method", "method_params", "metric", "unit",
    "higher_is_better", "is_main", "n_seeds", "n_failed", "n_degenerate", "mean", "std", "ci95", "ci_low", "ci_high",
    "rank", "tied_with_best", "p_vs_best", "tune_trials", "tuned_params", "reported",
    "reported_source", "reported_comparable", "reported_note", "delta_vs_reported", "wall_s_mean", "commit", "code",
    "code_versions",
    "task_version", "method_version",
]
# fmt: on
FLOAT_FORMAT = "%.6g"
ReportedLookup = Mapping[str, Iterable[Reported]]  # task name -> values published for it
LEGEND = (
    "Mean ± 95 % confidence half-width over seeds (an interval that the metric's range cuts is printed as its "
    "ends); ↑ higher is better, ↓ lower is better, no arrow: an information column (never ranked). Rank is by "
    "the task's main metric (first column); rank 1* = not significantly worse than the best (Welch's "
    "one-sided t-test over seeds, Holm-corrected over the table, α = 0.05): these share rank 1. Degenerate "
    "rows (no better than the task's trivial baseline on validation) are shown but never ranked. Reported "
    "rows are published values, not our runs; rows marked † come from code outside this repository; rows marked "
    "‡ pool seeds that ran on different versions of the task's or method's source (`code_versions` in the CSV)."
)


def _commit(records: list[Record]) -> str:
    tags = set()
    for record in records:
        prov = record.provenance or {}
        commit = (prov.get("git_commit") or "unknown")[:12]
        tags.add(commit + ("+dirty" if prov.get("git_dirty") else ""))
    return ";".join(sorted(tags))


def _code_versions(records: list[Record]) -> int:
    """How many versions of the task's and method's code the seeds of one configuration ran on: their family
    folders' hashes where the records have them, else the folders' git trees at the records' commits (records
    written before family hashes existed), else the plugin files' sha256. Above 1, the row pools records of
    different code."""
    def version(record: Record) -> tuple:
        key = []
        for role, plugin in sorted((record.plugins or {}).items()):
            plugin = plugin or {}
            folder = str(Path(plugin.get("file") or "").parent)
            tree = None
            if not plugin.get("family_sha256") and plugin.get("origin") == "suite" and record.git_commit:
                tree = folder_at_commit(record.git_commit, folder)
            key.append((role, plugin.get("family_sha256") or tree or plugin.get("sha256")))
        return tuple(key)

    return len({version(r) for r in records if r.plugins})


def _code(records: list[Record]) -> str:
    """'repbench' when the suite's own plugins produced every record; otherwise which external code did."""
    tags = set()
    for record in records:
        for plugin in (record.plugins or {}).values():
            if plugin.get("origin") == "external":
                if plugin.get("distribution"):
                    tags.add(f"external: {plugin['distribution']} {plugin.get('version') or ''}".rstrip())
                else:
                    tags.add(f"external: {Path(plugin['file']).name} sha256:{(plugin.get('sha256') or '?')[:12]}")
    return ";".join(sorted(tags)) or "repbench"


def _config_rows(cell: Cell, group: list[Record]) -> list[dict[str, Any]]:
    """The rows of one task x method x params configuration: one per metric, over its seeds."""
    # degenerate cells (no better than the task's trivial baseline on validation) count in the statistics, so
    # nothing is hidden, but their configuration is never ranked
    ok = sorted((r for r in group if r.finished), key=lambda r: r.replicate)
    base = {
        "task": cell.task, "profile": cell.profile, "task_params": canonical_json(cell.task_params),
        "origin": "ours", "method": cell.method, "method_params": canonical_json(cell.method_params),
        "n_failed": len(group) - len(ok), "n_degenerate": sum(r.status is Status.DEGENERATE for r in ok),
        "tune_trials": cell.tuning.get("trials", 0),
        "tuned_params": ",".join(cell.tuning.get("params", [])),
        "task_version": str(cell.task_version),
        "method_version": str(cell.method_version),
    }
    if not ok:  # a configuration that only failed still shows up, so failures are never invisible
        return [{**base, "metric": "", "n_seeds": 0, "commit": _commit(group), "code": _code(group)}]
    metrics: dict[str, list[MetricValue]] = {}
    for record in ok:
        for entry in record.metrics:
            metrics.setdefault(entry.name, []).append(entry)
    walls = [r.wall_s for r in ok if r.wall_s is not None]
    rows = []
    for name, entries in metrics.items():
        values = np.array([e.value for e in entries], dtype=float)
        half = ci95(values)
        low, high = entries[0].bounds or (-math.inf, math.inf)
        rows.append({
            **base, "metric": name, "unit": entries[0].unit, "higher_is_better": entries[0].higher_is_better,
            "is_main": entries[0].is_main, "n_seeds": len(values), "mean": values.mean(),
            "std": sample_std(values) if len(values) > 1 else math.nan, "ci95": half,
            # the interval never leaves the metric's range (an AUC interval stops at 1)
            "ci_low": max(values.mean() - half, low), "ci_high": min(values.mean() + half, high),
            "wall_s_mean": float(np.mean(walls)) if walls else math.nan, "commit": _commit(ok), "code": _code(ok),
            "code_versions": _code_versions(ok),
            "_values": values,
        })
    return rows


def aggregate(records: Iterable[Record], reported: ReportedLookup | None = None) -> pd.DataFrame:
    """One row per task x method(+params) x metric, plus one row per published value."""
    groups: dict[str, list[Record]] = {}
    for record in records:
        if record.stage != "final":
            continue  # tuning trials choose parameters; they are not results
        groups.setdefault(record.cell.config_key, []).append(record)
    rows = [row for group in groups.values() for row in _config_rows(group[0].cell, group)]
    table = pd.DataFrame(rows, columns=[*COLUMNS, "_values"]).astype(
        {"reported_source": object, "reported_note": object, "reported_comparable": object, "origin": object,
         "tied_with_best": object})
    table = _add_reported(table, reported or {})
    return _rank_and_sort(table)


def with_declared_directions(records: Iterable[Record], registry: Registry) -> list[Record]:
    """Metric directions and ranges as the plugins declare them now: records stored before a metric became an
    information column (e.g. `n_parameters`) are then never ranked on it either."""
    out = []
    for record in records:
        declared = [*getattr(registry.tasks.get(record.task), "metrics", ()),
                    *getattr(registry.methods.get(record.method), "metrics", ())]
        metrics = []
        for entry in record.metrics:
            metric = find_metric(declared, entry.name)
            metrics.append(entry if metric is None else
                           replace(entry, higher_is_better=metric.higher_is_better, bounds=metric.range))
        out.append(replace(record, metrics=metrics))
    return out


def table_of(records: Iterable[Record], registry: Registry) -> pd.DataFrame:
    """The leaderboard of `records` under the plugins' current declarations, with their published values."""
    reported = {name: cls.reported for name, cls in registry.tasks.items()}
    return aggregate(with_declared_directions(records, registry), reported)


def write_leaderboard(records: Iterable[Record], registry: Registry, out_dir: Path) -> pd.DataFrame:
    """leaderboard.csv and leaderboard.md of every record, under `out_dir`."""
    table = table_of(records, registry)
    write_csv(table, out_dir / "leaderboard.csv")
    write_markdown(table, out_dir / "leaderboard.md")
    return table


def _add_reported(table: pd.DataFrame, reported: ReportedLookup) -> pd.DataFrame:
    published = []
    for (task, profile), block in table.groupby(["task", "profile"], sort=True):
        for ref in reported.get(task, ()):
            same_metric = block[block["metric"] == ref.metric]
            matched = same_metric.index[(same_metric["method"] == ref.method).to_numpy()]
            table.loc[matched, "reported"] = ref.value
            table.loc[matched, "reported_source"] = ref.source
            table.loc[matched, "reported_comparable"] = ref.comparable
            table.loc[matched, "reported_note"] = ref.note
            if ref.comparable:  # a difference is only meaningful on the same data and protocol
                table.loc[matched, "delta_vs_reported"] = table.loc[matched, "mean"] - ref.value
            first = same_metric.iloc[0] if len(same_metric) else {}
            published.append({
                "task": task, "profile": profile, "task_params": "", "origin": "reported", "method": ref.label,
                "method_params": "", "metric": ref.metric, "unit": first.get("unit", ""),
                "higher_is_better": first.get("higher_is_better"), "is_main": first.get("is_main"),
                "n_seeds": 0, "n_failed": 0, "mean": ref.value, "reported": ref.value,
                "reported_source": ref.source, "reported_comparable": ref.comparable, "reported_note": ref.note,
            })
    if published:
        table = pd.concat([table, pd.DataFrame(published, columns=COLUMNS)], ignore_index=True)
    return table


def _rank_and_sort(table: pd.DataFrame) -> pd.DataFrame:
    # information columns (counts, diagnostics: no direction) are never ranked
    measured = (table["n_seeds"] > 0) & table["higher_is_better"].notna() & (table["n_degenerate"].fillna(0) == 0)
    table["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    for _, block in table[measured].groupby(["task", "profile", "task_params", "metric"], sort=False):
        ascending = not bool(block["higher_is_better"].iloc[0])
        table.loc[block.index, "rank"] = block["mean"].rank(method="min", ascending=ascending).astype("Int64")
        if bool(block["is_main"].iloc[0]):
            _compare_with_best(table, block, higher_is_better=not ascending)
    table["_not_main"] = ~table["is_main"].fillna(False).astype(bool)
    table["_worse"] = np.where(table["higher_is_better"].fillna(True).astype(bool), -table["mean"], table["mean"])
    table = table.sort_values(  # within a shared rank, the better mean first
        ["task", "profile", "origin", "task_params", "_not_main", "metric", "rank", "_worse", "method",
         "method_params"], na_position="last", kind="mergesort",
    )
    return table.reset_index(drop=True)[COLUMNS]


def _compare_with_best(table: pd.DataFrame, block: pd.DataFrame, higher_is_better: bool) -> None:
    """Welch's one-sided t-test of every configuration against the best mean, Holm-corrected over the block;
    those not significantly worse at ALPHA share rank 1. With fewer than 2 seeds on either side nothing can be
    shown: p stays empty and the configuration counts as tied."""
    best = block["mean"].idxmax() if higher_is_better else block["mean"].idxmin()
    best_values = table.at[best, "_values"]
    others = [i for i in block.index if i != best]
    raw = []
    for i in others:  # one-sided: is this configuration worse than the best? (the shared statistics layer)
        better = welch(best_values, table.at[i, "_values"])
        raw.append(better.p_one_sided(1 if higher_is_better else -1))
    adjusted = holm(np.array(raw, dtype=float))
    table.at[best, "tied_with_best"] = True
    for i, p in zip(others, adjusted, strict=True):
        table.at[i, "p_vs_best"] = p
        table.at[i, "tied_with_best"] = bool(math.isnan(p) or p >= ALPHA)
        if table.at[i, "tied_with_best"]:
            table.at[i, "rank"] = 1


def write_csv(table: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def _num(value: Any, fmt: str = "%.4g") -> str:
    """4 significant digits; values from 1,000 up in full with thousands separators (925,100, not 9.251e+05)."""
    if value is None or pd.isna(value):
        return ""
    if math.isfinite(value) and abs(value) >= 1e3:
        return f"{value:,.0f}"
    return fmt % value


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _rank_label(row: pd.Series) -> str:
    """The rank, with `*` where the row was tested and is not significantly worse than the best."""
    if pd.isna(row["rank"]):
        return ""
    tied = row["tied_with_best"] is True and not pd.isna(row["p_vs_best"])
    return f"{int(row['rank'])}{'*' if tied else ''}"


def _pm(row: pd.Series) -> str:
    """Mean and interval with the interval's precision (two significant digits): `1.62 ± 0.22`; an interval
    clipped at the metric's range is printed as its ends, `0.97 (0.93–1.00)`."""
    mean, half = row["mean"], row["ci95"]
    if pd.isna(half) or half == 0 or not math.isfinite(mean):
        return _num(mean)
    decimals = max(0, 1 - math.floor(math.log10(half)))
    if row["ci_low"] > mean - half or row["ci_high"] < mean + half:
        return f"{mean:.{decimals}f} ({row['ci_low']:.{decimals}f}–{row['ci_high']:.{decimals}f})"
    return f"{mean:.{decimals}f} ± {half:.{decimals}f}"


def _varying_params(block: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Per method, name only the parameters that differ between its configurations in this table."""
    labels = {}
    for method, rows in block.groupby("method", sort=False):
        parsed = {raw: json.loads(raw) for raw in rows["method_params"].unique()}
        keys = sorted(
            k for k in {k for p in parsed.values() for k in p}
            if len({canonical_json(p.get(k)) for p in parsed.values()}) > 1
        )
        tuned = {raw: (int(n), names.split(",") if names else [])
                 for raw, n, names in rows[["method_params", "tune_trials", "tuned_params"]].drop_duplicates()
                 .itertuples(index=False) if n and not pd.isna(n)}
        for raw, params in parsed.items():
            shown = ", ".join(f"{k}={params.get(k)}" for k in keys if k not in tuned.get(raw, (0, []))[1])
            label = f"{method} ({shown})" if shown else method
            if raw in tuned:
                n, names = tuned[raw]
                chosen = ", ".join(f"{k}={_short(params.get(k))}" for k in names)
                label += f" [tuned, {n} trials: {chosen}]"
            labels[(method, raw)] = label
    return labels


@dataclass(frozen=True)
class TableRow:
    """One row of a rendered leaderboard table (Markdown here, HTML in page.py)."""

    origin: str  # "ours" or "reported"
    method: str
    method_params: str
    rank: str
    label: str
    cells: list[str]
    counts: tuple[str, str, str, str]  # seeds, failed, degenerate, wall s ("" for published rows)


def table_rows(block: pd.DataFrame) -> tuple[list[str], list[TableRow], dict[str, int]]:
    """Column heads, rows (ours by rank, then published ones) and the published sources' footnote numbers of
    one task x profile x setting block: what every rendering of the leaderboard shows."""
    metrics = list(dict.fromkeys(m for m in block["metric"] if m))
    heads = []
    for metric in metrics:
        first = block[block["metric"] == metric].iloc[0]
        unit = f" ({first['unit']})" if first["unit"] else ""
        direction = first["higher_is_better"]
        arrow = "" if direction is None or pd.isna(direction) else " ↑" if direction else " ↓"
        heads.append(f"{metric}{unit}{arrow}")
    labels = _varying_params(block[block["origin"] == "ours"])
    sources: dict[str, int] = {}
    rows = []
    for (origin, method, params), group in block.groupby(["origin", "method", "method_params"], sort=False):
        by_metric = {r["metric"]: r for _, r in group.iterrows()}
        cells = []
        for metric in metrics:
            r = by_metric.get(metric)
            if r is None:
                cells.append("")
            elif origin == "reported":
                cells.append(f"{_num(r['mean'])} [{sources.setdefault(r['reported_source'], len(sources) + 1)}]")
            else:
                cells.append(_pm(r))
        first = group.iloc[0]
        if origin == "reported":
            tag = "reported" if first["reported_comparable"] else "reported, not comparable"
            note = f": {first['reported_note']}" if first["reported_note"] else ""
            rows.append(TableRow(origin, method, params, "", f"{method} ({tag}{note})", cells, ("", "", "", "")))
            continue
        main = by_metric.get(metrics[0]) if metrics else None
        external = "" if first["code"] == "repbench" or pd.isna(first["code"]) else f" † {first['code']}"
        if not pd.isna(first.get("code_versions")) and first["code_versions"] > 1:
            external += f" ‡ {int(first['code_versions'])} code versions"
        counts = (str(int(first["n_seeds"])), str(int(first["n_failed"])), str(int(first["n_degenerate"])),
                  _num(first["wall_s_mean"], "%.3g"))
        rows.append(TableRow(origin, method, params, "" if main is None else _rank_label(main),
                             labels.get((method, params), method) + external, cells, counts))
    return heads, rows, sources


def _markdown_table(block: pd.DataFrame) -> list[str]:
    """Method configurations as rows (ours by rank, then published ones), metrics as columns."""
    heads, rows, sources = table_rows(block)
    lines = [
        "| rank | method | " + " | ".join(heads) + " | seeds | failed | degenerate | wall s |",
        "|---:|---|" + "---:|" * len(heads) + "---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row.rank} | {row.label} | " + " | ".join(row.cells) + " | " + " | ".join(row.counts) + " |")
    lines.append("")
    lines += [f"[{note}] {source}  " for source, note in sources.items()]
    return lines


def blocks(table: pd.DataFrame) -> Iterable[tuple[str, str, str, pd.DataFrame]]:
    """(task, profile, task settings or "", rows) per table, published rows joined to each setting's."""
    for (task, profile), block in table.groupby(["task", "profile"], sort=False):
        ours, published = block[block["origin"] == "ours"], block[block["origin"] == "reported"]
        configs = list(dict.fromkeys(ours["task_params"])) or [""]
        for task_params in configs:
            setting = task_params if len(configs) > 1 else ""
            yield task, profile, setting, pd.concat([ours[ours["task_params"] == task_params], published])


def to_markdown(table: pd.DataFrame) -> str:
    """One table per task and profile (and per task setting, where several were run)."""
    out = ["# Leaderboard", "", LEGEND, ""]
    for task, profile, setting, rows in blocks(table):
        title = f"## {task} · profile `{profile}`" + (f" · `{setting}`" if setting else "")
        out += [title, "", *_markdown_table(rows), ""]
    return "\n".join(out).rstrip() + "\n"


@dataclass(frozen=True)
class SummaryBlock:
    """One task's lines of the end-of-run summary: (rank, configuration, mean ± interval, notes) per row."""

    title: str
    rows: list[tuple[str, str, str, str]]


def summary_blocks(table: pd.DataFrame) -> list[SummaryBlock]:
    """Per task the main metric of each configuration, ranked, with its interval, seeds, failures and tie marks
    (the full tables are in leaderboard.md); a configuration that failed on every seed gets its own line."""
    out = []
    main = table[(table["origin"] == "ours") & table["is_main"].fillna(False).astype(bool)]
    for (task, profile, params), block in main.groupby(["task", "profile", "task_params"], sort=False):
        first = block.iloc[0]
        direction = "higher is better" if first["higher_is_better"] else "lower is better"
        unit = f" {first['unit']}" if first["unit"] else ""
        setting = f" {params}" if len(main[(main.task == task) & (main.profile == profile)]
                                      .task_params.unique()) > 1 else ""
        labels = _varying_params(block)
        rows = []
        for _, row in block.iterrows():
            notes = [f"{int(row['n_seeds'])} seeds"]
            notes += [f"{int(row[c])} {w}" for c, w in (("n_failed", "failed"), ("n_degenerate", "degenerate"))
                      if row[c]]
            rows.append((_rank_label(row), labels.get((row["method"], row["method_params"]), row["method"]),
                         _pm(row), ", ".join(notes)))
        out.append(SummaryBlock(f"{task} [{profile}]{setting}: {first['metric']}{unit}, {direction}", rows))
    failed_only = table[(table["origin"] == "ours") & (table["n_seeds"] == 0)]
    for _, row in failed_only.iterrows():
        out.append(SummaryBlock(f"{row['task']} [{row['profile']}]: {row['method']} failed on every seed "
                                f"({int(row['n_failed'])})", []))
    return out


SUMMARY_NOTE = "* not significantly worse than the best (Welch, Holm, alpha 0.05)"


def compact(table: pd.DataFrame) -> str:
    """The end-of-run summary as plain text (the CLI prints the same blocks as rich tables)."""
    out = []
    for block in summary_blocks(table):
        out.append(block.title)
        if block.rows:
            width = max(len(r[1]) for r in block.rows)
            value_width = max(len(r[2]) for r in block.rows)
            out += [f"  {rank:>3}  {name:<{width}}  {value:>{value_width}}  ({notes})"
                    for rank, name, value, notes in block.rows]
    return "\n".join(out) + "\n" + SUMMARY_NOTE


def write_markdown(table: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(table))


def records_from_benchmark_json(path: Path) -> list[Record]:
    """Records that `pytest benchmarks --benchmark-json FILE` stored in each benchmark's extra_info."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read pytest-benchmark JSON {path}: {err}") from None
    records = [Record.from_dict(r) for b in data.get("benchmarks", []) if (r := b.get("extra_info", {}).get("record"))]
    if not records:
        raise ValueError(
            f"{path} holds no repbench records; produce it with "
            "`pytest benchmarks --benchmark-only --benchmark-json FILE`"
        )
    return records
