"""Every paper's claims, declared once as data beside its recipe (`[[claim]]` tables in
benchmarks/recipes/NAME.toml), tested on the profile's records with the one statistics layer, in one table.

A claim names two sides (task, method and the method parameters that pick one configuration, from the tuned
finals or the untuned runs), the metric, which side the paper expects better (or that the two are the same),
the equivalence margin with its reason, and the Holm family it is corrected in. A contrast of contrasts (one
cell's gain minus another's) adds `minus_better` / `minus_than`. Sides scored on the same test items are
compared paired where their records kept per-item scores; otherwise the table says "unpaired".

    repbench claims [PAPER ...] [--profile standard]    # results/claims_<profile>.csv and .md
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from repbench.analysis.figures import difference_text, p_text
from repbench.analysis.statistics import (
    Decision,
    Difference,
    compare,
    decide_families,
    difference_of_differences,
    rank_p,
)
from repbench.data.paths import results_dir
from repbench.execution import recipes
from repbench.plugins.base import find_metric
from repbench.plugins.params import ParamError
from repbench.plugins.registry import Registry, discover
from repbench.results.frames import current_protocol, load_records
from repbench.results.record import Record, Status
from repbench.results.store import ResultStore

CLAIM_KEYS = {"claim", "family", "task", "metric", "better", "than", "minus_better", "minus_than", "select",
              "expect", "margin", "margin_why", "note", "profiles", "headline"}
SELECT = ("tuned", "untuned", "any")  # which final records a side draws from: tuned finals, fixed runs, either
EXPECT = ("higher", "lower", "same")
COLUMNS = ["paper", "family", "claim", "task", "metric", "side", "against", "mean", "mean_against", "seeds",
           "seeds_against", "degenerate_seeds", "diff", "ci_low", "ci_high", "p", "p_holm", "p_equivalent",
           "p_equivalent_holm", "rank_p_all_seeds", "alpha_corrected", "detectable", "margin", "margin_why", "test",
           "pairing", "verdict", "verdict_text", "headline", "note", "records"]


@dataclass(frozen=True)
class Side:
    """One configuration: records of `task` and `method` whose parameters match `params`, from `select`."""

    task: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    select: str = "any"

    @property
    def label(self) -> str:
        shown = ", ".join(f"{k}={_value(v)}" for k, v in self.params.items())
        return f"{self.method} ({shown})" if shown else self.method

    def matches(self, record: Record) -> bool:
        if record.task != self.task or record.method != self.method or record.stage != "final":
            return False
        if self.select != "any" and bool(record.tuning) != (self.select == "tuned"):
            return False
        return all(record.method_params.get(k, _MISSING) == v for k, v in self.params.items())


_MISSING = object()


def _value(v: Any) -> str:
    return "x".join(map(str, v)) if isinstance(v, list) else str(v)


@dataclass(frozen=True)
class Claim:
    paper: str
    text: str
    family: str
    metric: str
    better: Side
    than: Side
    expect: str  # "higher" / "lower": the `better` side's metric, as the paper expects it; "same": equivalent
    margin: float
    margin_why: str
    minus: tuple[Side, Side] | None = None
    note: str = ""
    profiles: tuple[str, ...] = ()
    headline: bool = False  # one of the few claims the README quotes

    @property
    def sign(self) -> int:
        return {"higher": 1, "lower": -1, "same": 0}[self.expect]


def margin_of(paper: str, metric: str, task: str | None = None) -> float:
    """The equivalence margin a paper's recipe declares for `metric` (on `task`, where it declares one)."""
    margin = _margin_entry(recipes.load(paper).margins, task, metric)
    if margin is None:
        raise ParamError(f"recipe {paper!r} declares no equivalence margin for {metric!r} in [margins]")
    return float(margin["value"])


def _margin_entry(margins: Mapping[str, Any], task: str | None, metric: str) -> Any:
    """A recipe's margin for `metric`: the task's own (`"task/metric"`) where declared, else the metric's."""
    return margins.get(f"{task}/{metric}", margins.get(metric))


def claims_of(name: str, registry: Registry | None = None) -> list[Claim]:
    """The claims declared in recipe `name`, checked against the registry (tasks, methods, metrics)."""
    registry = registry or discover()
    recipe = recipes.load(name)
    margins = recipe.margins
    out = []
    for i, spec in enumerate(recipe.claims):
        where = f"recipe {name!r}, claim {i + 1}"
        unknown = set(spec) - CLAIM_KEYS
        missing = {"claim", "family", "metric", "better", "than"} - set(spec)
        if unknown or missing:
            raise ParamError(f"{where}: unknown keys {sorted(unknown)}, missing {sorted(missing)}; a claim takes "
                             f"{sorted(CLAIM_KEYS)}")
        select = spec.get("select", "any")
        if select not in SELECT:
            raise ParamError(f"{where}: select must be one of {SELECT}, not {select!r}")

        def side(key: str, spec=spec, select=select, where=where) -> Side:
            return _side(spec, key, select, where, registry)

        better, than = side("better"), side("than")
        metric = registry.get_task(better.task).metrics
        declared = find_metric(metric, spec["metric"])
        if declared is None:
            raise ParamError(f"{where}: task {better.task!r} declares no metric {spec['metric']!r}")
        expect = spec.get("expect") or {True: "higher", False: "lower", None: None}[declared.higher_is_better]
        if expect not in EXPECT:
            raise ParamError(f"{where}: metric {spec['metric']!r} has no direction; say `expect = \"higher\"`, "
                             "\"lower\" or \"same\"")
        margin = spec.get("margin", _margin_entry(margins, better.task, spec["metric"]))
        if margin is None:
            raise ParamError(f"{where}: no equivalence margin for {spec['metric']!r}: declare one in [margins] or "
                             "on the claim (`margin`, with `margin_why`)")
        value, why = (margin["value"], margin["why"]) if isinstance(margin, dict) else (margin, spec["margin_why"])
        minus = (side("minus_better"), side("minus_than")) if "minus_better" in spec else None
        out.append(Claim(name, spec["claim"], spec["family"], spec["metric"], better, than, expect, float(value),
                         spec.get("margin_why", why), minus, spec.get("note", ""), tuple(spec.get("profiles", ())),
                         bool(spec.get("headline", False))))
    return out


def _side(spec: Mapping[str, Any], key: str, select: str, where: str, registry: Registry) -> Side:
    params = dict(spec[key])
    task, method = params.pop("task", spec.get("task")), params.pop("method", None)
    chosen = params.pop("select", select)
    if task not in registry.tasks or method not in registry.methods:
        raise ParamError(f"{where}: `{key}` names task {task!r} and method {method!r}; both must be registered")
    return Side(task, method, params, chosen)


def side_records(records: Iterable[Record], side: Side) -> list[Record]:
    """The finished records of one configuration, degenerate ones included (a seed that learnt nothing is a
    result of its method: the table counts it, the t-test leaves it out). Several configurations matching is
    an error: a claim names one."""
    matched = [r for r in records if r.finished and side.matches(r)]
    configs = {r.cell.config_key for r in matched}
    if len(configs) > 1:
        raise ValueError(f"{side.task}/{side.label} matches {len(configs)} configurations; name the parameters "
                         f"that pick one (they differ in: {', '.join(_differing(matched))})")
    return sorted(matched, key=lambda r: r.seed)


def _differing(records: list[Record]) -> list[str]:
    keys = {k for r in records for k in (*r.method_params, "tuning")}
    values = lambda r, k: r.tuning.get("trials") if k == "tuning" else r.method_params.get(k)  # noqa: E731
    return sorted(k for k in keys if len({repr(values(r, k)) for r in records}) > 1)


def compare_records(a: list[Record], b: list[Record], metric: str, store: ResultStore | None = None) -> Difference:
    """mean(a) - mean(b) of `metric` over seeds, tested as the records allow: paired over seeds where both sides
    ran the same seeds; with the test items' noise paired where every record kept item scores for the metric
    on the same items, else from each side's bootstrap SE (`<metric>_boot_se`) where recorded. Degenerate
    seeds (stuck at chance: far from normal) are left out of the t-test; `rank_p_all_seeds` counts them."""
    a, b = ([r for r in side if r.status is Status.OK and metric in r.values] for side in (a, b))
    paired_seeds = len(a) > 1 and sorted(r.seed for r in a) == sorted(r.seed for r in b)
    if paired_seeds:  # matched by seed
        a, b = (sorted(side, key=lambda r: r.seed) for side in (a, b))
    va, vb = ([r.values[metric] for r in side] for side in (a, b))
    items = None
    if store is not None:
        scores = [[store.item_scores(r).get(metric) for r in side] for side in (a, b)]
        if all(s is not None for side in scores for s in side) and len({s.n_items for side in scores
                                                                            for s in side}) == 1:
            items = (scores[0], scores[1])
    boot = [[r.values.get(f"{metric}_boot_se", math.nan) for r in side] for side in (a, b)]
    item_se = tuple(float(np.mean(s)) if s else math.nan for s in boot)
    return compare(va, vb, paired_seeds=paired_seeds, items=items, item_se=item_se)


def rank_p_all_seeds(a: list[Record], b: list[Record], metric: str) -> float:
    """Where a side has degenerate seeds: Mann-Whitney's two-sided p over every finished seed, stuck ones at
    their value (the t-test leaves them out, which favours the side that has them); NaN otherwise."""
    if not any(r.status is Status.DEGENERATE for r in (*a, *b)):
        return math.nan
    return rank_p([r.values[metric] for r in a], [r.values[metric] for r in b])


def _at_chance(claim: Claim, sides: tuple[list[Record], ...]) -> str:
    """The verdict where one side of a plain claim has no trained seed (every one stayed at chance) and the other
    has 2 or more: the trained side wins without a t-test. '' otherwise."""
    if claim.minus:
        return ""
    trained = [sum(r.status is Status.OK for r in side) for side in sides[:2]]
    stuck = [sum(r.status is Status.DEGENERATE for r in side) for side in sides[:2]]
    for i in (0, 1):
        if trained[i] == 0 and stuck[i] >= 2 and trained[1 - i] >= 2:
            label = (claim.better if i == 0 else claim.than).label
            held = i == 1 and claim.sign != 0
            return f"{'holds' if held else 'fails'} (every seed of {label} stayed at chance)"
    return ""


def pairing(test: str) -> str:
    if "paired bootstrap" in test:
        return "paired (test items)"
    if "paired t (seeds)" in test:
        return "paired (seeds)"
    return "unpaired"


@dataclass
class _Row:
    claim: Claim
    difference: Difference
    sides: tuple[list[Record], ...]


def claims_table(profile: str, papers: Iterable[str] | None = None, results: Path | None = None,
                 registry: Registry | None = None) -> pd.DataFrame:
    """One row per claim of `papers` (default: every recipe) that applies to `profile`, decided per Holm
    family on the profile's records made under the tasks' current settings."""
    registry = registry or discover()
    root = Path(results) if results is not None else results_dir()
    store = ResultStore(root)
    records = current_protocol(load_records(profile, root), profile, registry=registry)
    rows = []
    for paper in papers or recipes.available():
        for claim in claims_of(paper, registry):
            if claim.profiles and profile not in claim.profiles:
                continue
            sides = [side_records(records, s) for s in (claim.better, claim.than, *(claim.minus or ()))]
            if not all(sides):
                continue  # not run in this profile
            difference = compare_records(sides[0], sides[1], claim.metric, store)
            if claim.minus:
                difference = difference_of_differences(
                    difference, compare_records(sides[2], sides[3], claim.metric, store))
            rows.append(_Row(claim, difference, tuple(sides)))
    if not rows:
        raise ValueError(f"no claim has records of both its sides in profile {profile!r}; run the papers' recipes "
                         f"first: repbench reproduce NAME --profile {profile}")
    decisions = decide_families([(r.claim.paper, r.claim.family) for r in rows], [r.difference for r in rows],
                                [r.claim.sign for r in rows], [r.claim.margin for r in rows],
                                [_unit(r.claim, registry) for r in rows])
    table = pd.DataFrame([_as_row(row, decisions[i]) for i, row in enumerate(rows)], columns=COLUMNS)
    for i, row in enumerate(rows):
        if verdict := _at_chance(row.claim, row.sides):
            table.loc[i, ["verdict", "verdict_text"]] = verdict.split(" ")[0], verdict
    return table


def _unit(claim: Claim, registry: Registry) -> str:
    metric = find_metric(registry.get_task(claim.better.task).metrics, claim.metric)
    unit = metric.unit if metric else ""
    return "points" if unit == "%" else unit


def _as_row(row: _Row, decision: Decision) -> dict[str, Any]:
    claim, d, sides = row.claim, row.difference, row.sides
    half = d.half_width()
    values = [[r.values[claim.metric] for r in side if r.status is Status.OK] or [math.nan] for side in sides]
    if claim.minus:
        side = f"{claim.better.task} {claim.better.label} − {claim.than.label}"
        against = f"{claim.minus[0].task} {claim.minus[0].label} − {claim.minus[1].label}"
        mean, mean_against = np.mean(values[0]) - np.mean(values[1]), np.mean(values[2]) - np.mean(values[3])
        task = f"{claim.better.task} vs {claim.minus[0].task}"
    else:
        side, against = claim.better.label, claim.than.label
        mean, mean_against, task = np.mean(values[0]), np.mean(values[1]), claim.better.task
    return {
        "paper": claim.paper, "family": claim.family, "claim": claim.text, "task": task, "metric": claim.metric,
        "side": side, "against": against, "mean": mean, "mean_against": mean_against,
        "seeds": sum(r.status is Status.OK for r in sides[0]),
        "seeds_against": sum(r.status is Status.OK for r in sides[1]),
        "degenerate_seeds": sum(r.status is Status.DEGENERATE for s in sides for r in s),
        "diff": d.diff, "ci_low": d.diff - half, "ci_high": d.diff + half, "p": decision.p, "p_holm": decision.p_holm,
        "p_equivalent": decision.p_equivalent, "p_equivalent_holm": decision.p_equivalent_holm,
        "alpha_corrected": decision.alpha_corrected, "detectable": decision.detectable, "margin": claim.margin,
        "margin_why": claim.margin_why, "test": d.test, "pairing": pairing(d.test), "verdict": decision.verdict,
        "verdict_text": decision.phrase, "headline": claim.headline, "note": claim.note,
        "rank_p_all_seeds": rank_p_all_seeds(sides[0], sides[1], claim.metric) if not claim.minus else math.nan,
        "records": " ".join(r.key for s in sides for r in s),
    }


def write_claims(table: pd.DataFrame, profile: str, results: Path) -> tuple[Path, Path]:
    """results/claims_<profile>.csv (every column) and .md (one readable table per paper)."""
    csv = results / f"claims_{profile}.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv, index=False, float_format="%.4g", lineterminator="\n")
    md = csv.with_suffix(".md")
    md.write_text(claims_markdown(table, profile))
    return csv, md


def claims_markdown(table: pd.DataFrame, profile: str) -> str:
    out = [f"# The papers' claims, tested ({profile} profile)", "",
           f"Generated by `repbench claims --profile {profile}` from the records; do not edit. Difference = side "
           "minus against, 95 % interval; p after Holm within the family; *detectable*: the smallest difference "
           "the design finds with 80 % power at the family's corrected level; verdicts: holds / fails (the "
           "opposite is significant) / no meaningful difference (equivalent within ±margin, two one-sided tests) "
           "/ inconclusive.", ""]
    for paper in table["paper"].unique():
        out += [f"## {paper}", paper_table(table, paper)]
    return "\n".join(out)


def paper_table(table: pd.DataFrame, paper: str) -> str:
    """One paper's claims as a markdown table (family, claim, task, difference with 95 % interval, Holm p,
    seeds, pairing, verdict): the claims file's and the paper pages' table."""
    out = ["", "| family | claim | task | difference (95 % CI) | Holm p | seeds | test | verdict |",
           "|---|---|---|---|---|---|---|---|"]
    for r in table[table["paper"] == paper].itertuples():
        seeds = f"{r.seeds} vs {r.seeds_against}" + (f" ({r.degenerate_seeds} degenerate)" if r.degenerate_seeds
                                                     else "")
        out.append(f"| {r.family} | {r.claim} | {r.task} | {difference_text(r.diff, r.ci_low, r.ci_high)} | "
                   f"{p_text(r.p_holm)} | {seeds} | {r.pairing} | **{r.verdict_text}** |")
    return "\n".join(out) + "\n"


__all__ = ["Claim", "Side", "claims_of", "claims_table", "compare_records", "margin_of", "pairing", "paper_table",
           "side_records", "write_claims"]
