"""The paper's claims as tests: each claim is a pair of methods and a direction, decided on the final seeds
with Welch's t-test (Holm-corrected within each net's comparisons), the 95 % interval of the difference and the smallest
difference the seeds could have detected (80 % power).

    repbench reproduce golovko2016 --profile standard      # the tuned finals this reads
    repbench study claims [--profile standard]

Claims (Golovko, Kroshchanka & Treadwell 2016; the hybrid is the authors' later variant; "pretraining helps"
is the claim of the layer-wise literature they build on, Erhan et al. 2010): REBA pretrains better than the
classical rule it generalises (mean-field CD-1) and than sampled CD-1, the hybrid beats CD-1, pretraining
beats training from scratch, and REBA's nets converge faster (fine-tuning epochs to a validation error both
methods reach: 1.25 x the worse one's mean best); on 784-800-800-10 (tuned) and on the authors' deeper
784-1600-1600-800-800-10 (MNIST, at the authors' settings), where each method is also compared with itself
on the smaller net at the same settings. Writes results/pretraining/claims_<profile>.csv.

Degenerate seeds (no better than chance on validation) stay out of the t-test; where a side has any,
`p_rank_all_seeds` adds Mann-Whitney over every seed, and a side whose every seed stayed at chance loses
without a t-test.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from repbench.studies import (
    Record,
    Status,
    Study,
    StudyContext,
    holm,
    plugin_registry,
    register_study,
    study_paths,
    welch,
    write_table,
)

# (claim, method claimed better, the other, metric); every metric here is lower-is-better
CLAIMS = (
    ("REBA pretrains better than mean-field CD-1 (the rule it generalises)", "dbn-reba", "dbn-cd-mf", "test_error"),
    ("REBA pretrains better than sampled CD-1", "dbn-reba", "dbn-cd", "test_error"),
    ("the hybrid (CD-1 first layer, REBA above) beats sampled CD-1", "dbn-hybrid", "dbn-cd", "test_error"),
    ("pretraining with REBA beats training from scratch", "dbn-reba", "mlp-scratch", "test_error"),
    ("pretraining with mean-field CD-1 beats training from scratch", "dbn-cd-mf", "mlp-scratch", "test_error"),
    ("pretraining with sampled CD-1 beats training from scratch", "dbn-cd", "mlp-scratch", "test_error"),
    ("REBA's nets fine-tune faster than mean-field CD-1's", "dbn-reba", "dbn-cd-mf", "epochs_to_threshold"),
)
TASKS = ("mnist", "mnist-1k")
UNTESTABLE = "untestable (fewer than 2 seeds on a side)"
DEEPER = [1600, 1600, 800, 800]  # the authors' deeper MNIST net, 784-1600-1600-800-800-10
SHALLOW_NET, DEEPER_NET = "784-800-800-10", "784-1600-1600-800-800-10"


def seed_values(records: list[Record], profile: str, task: str, deeper: bool = False,
                authors: bool = False) -> dict[str, dict[str, list]]:
    """{method: {"test_error": per-seed values, "val_curves": per-seed validation curves, "degenerate": one
    entry per degenerate seed}} of one configuration per method: on 784-800-800-10 the tuned one (else the one
    with the most seeds), on the deeper net (or with `authors`) the one at the authors' settings (every searched
    parameter at the profile's value); only finished ("ok") seeds give values."""
    from repbench.benchmarks.pretraining.studies.convergence import one_config_per_method

    registry = plugin_registry()

    @cache
    def searched_defaults(name: str) -> dict:
        """The profile's values (the authors' published ones) of the parameters tuning searches, per method."""
        method = registry.get_method(name)
        defaults = method.resolve(profile)
        return {k: defaults[k] for k, spec in method.params.items() if spec.search}

    def authors_settings(record: Record) -> bool:
        return all(record.method_params.get(k, v) == v for k, v in searched_defaults(record.method).items())

    def on_net(record: Record) -> bool:
        if (record.method_params.get("hidden") == DEEPER) != deeper:
            return False
        return authors_settings(record) if deeper or authors else True

    out: dict[str, dict[str, list]] = {}
    for method, group in one_config_per_method(records, profile, task, on_net).items():
        entry = out.setdefault(method, {"test_error": [], "val_curves": [], "degenerate": []})
        for r in group:
            if not r.finished:
                continue
            error = r.values["test_error"]
            if r.status is Status.DEGENERATE:
                entry["degenerate"].append(error)
                continue
            entry["test_error"].append(error)
            if isinstance(r.curves, dict) and "val_error" in r.curves:
                entry["val_curves"].append(np.asarray(r.curves["val_error"], dtype=float))
    return out


def epochs_to_reach(curves: list[np.ndarray], threshold: float) -> list[float]:
    """Fine-tuning epochs (1-based) until each seed's validation error is at or below `threshold`; NaN for a
    seed that never gets there."""
    return [float(np.flatnonzero(c <= threshold)[0] + 1) if (c <= threshold).any() else math.nan for c in curves]


def pair_values(a: dict[str, list], b: dict[str, list], metric: str) -> tuple[list[float], list[float], float]:
    """The two methods' per-seed values of `metric`. For "epochs_to_threshold" the bar is 1.25 x the worse of
    the two methods' mean best validation error, so both can reach it and the count measures speed, not the
    final level; seeds that never reach it are left out (returned threshold; NaN for other metrics)."""
    if metric != "epochs_to_threshold":
        return a[metric], b[metric], math.nan
    threshold = 1.25 * max(np.mean([c.min() for c in side["val_curves"]]) for side in (a, b))
    reach = [[v for v in epochs_to_reach(side["val_curves"], threshold) if not math.isnan(v)] for side in (a, b)]
    return reach[0], reach[1], threshold


def claims_table(records: list[Record], profile: str) -> pd.DataFrame:
    """Every claim on each task's 784-800-800-10 and on MNIST's deeper net (where run), and per method "the
    deeper net beats 784-800-800-10"; Holm within each net's comparisons."""
    rows = []

    def add(task: str, net: str, claim: str, better: dict, other: dict, metric: str, **names: str) -> None:
        stuck = next((n for side, n in ((better, "method"), (other, "against")) if not side.get("test_error")), None)
        if stuck:  # a side whose every seed stayed at chance has no value to test, but is a result
            side = better if stuck == "method" else other
            if metric != "test_error" or not (better.get("test_error") or other.get("test_error")) \
                    or not side.get("degenerate"):
                return
        a, b, threshold = pair_values(better, other, metric)
        rows.append({"task": task, "net": net, "claim": claim, "metric": metric, **names, "threshold": threshold,
                     "mean": np.mean(a) if a else math.nan, "mean_against": np.mean(b) if b else math.nan,
                     "seeds": len(a), "seeds_against": len(b),
                     "degenerate_seeds": len(better["degenerate"]) + len(other["degenerate"]), **welch(a, b),
                     "p_rank_all_seeds": _rank_p(better, other) if metric == "test_error" else math.nan,
                     "at_chance": _at_chance(names[stuck], len(side["degenerate"]), len(a or b), stuck == "method")
                     if stuck else ""})

    for task in TASKS:
        nets = {SHALLOW_NET: seed_values(records, profile, task)}
        if task == "mnist":
            nets[DEEPER_NET] = seed_values(records, profile, task, deeper=True)
        for net, values in nets.items():
            for claim, better, other, metric in CLAIMS:
                add(task, net, claim, values.get(better, {}), values.get(other, {}), metric,
                    method=better, against=other)
        if DEEPER_NET in nets:  # depth at equal footing: both nets at the authors' settings
            shallow = seed_values(records, profile, task, authors=True)
            for method, deep in nets[DEEPER_NET].items():
                add(task, DEEPER_NET, "the deeper net beats 784-800-800-10 (both at the authors' settings)", deep,
                    shallow.get(method, {}), "test_error", method=method, against=f"{method} on {SHALLOW_NET}")
    if not rows:
        raise ValueError(f"no tuned final records of the pretraining methods on {', '.join(TASKS)} in profile "
                         f"{profile!r}; run `repbench reproduce golovko2016 --profile {profile}` first")
    table = pd.DataFrame(rows)
    table["p_holm"] = math.nan
    for _, family in table[table["p"].notna()].groupby("net"):  # one family per study: each net's comparisons
        table.loc[family.index, "p_holm"] = holm(family["p"].to_numpy())
    table["verdict"] = [_verdict(r) for r in table.itertuples()]
    return table


def _rank_p(better: dict, other: dict) -> float:
    """Where a side has degenerate seeds: Mann-Whitney's two-sided p over every seed, a stuck seed counted at its
    test error (the verdict's Welch test leaves such seeds out, which favours the side that has them)."""
    a, b = (side["test_error"] + side["degenerate"] for side in (better, other))
    if not (better["degenerate"] or other["degenerate"]) or len(a) < 2 or len(b) < 2:
        return math.nan
    return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def _at_chance(stuck: str, stuck_seeds: int, trained_seeds: int, stuck_is_claimed: bool) -> str:
    """The verdict where one side has no trained seed, every one having stayed at chance (degenerate): the
    other side wins if each side has 2 or more seeds."""
    if trained_seeds < 2 or stuck_seeds < 2:
        return UNTESTABLE
    return f"{'fails' if stuck_is_claimed else 'holds'} (every seed of {stuck} stayed at chance)"


def _verdict(row) -> str:
    if row.at_chance:
        return row.at_chance
    if math.isnan(row.p_holm):
        return UNTESTABLE
    if row.p_holm >= 0.05:
        return f"inconclusive (could detect {row.min_detectable:.2g} or more)"
    return "holds" if row.diff < 0 else "fails (the opposite is significant)"


@register_study
class Claims(Study):
    """The paper's claims (REBA vs mean-field and sampled CD-1, hybrid vs CD-1, pretraining vs scratch, faster
    fine-tuning) tested on the tuned final seeds of mnist and mnist-1k: difference, interval, Holm-corrected p,
    smallest detectable difference and a verdict."""

    name = "claims"
    family = "pretraining"
    tasks = ("mnist", "mnist-1k")
    outputs = ("pretraining/claims_{profile}.csv",)

    def run(self, ctx: StudyContext) -> tuple[Path]:
        return run_study(ctx.profile, ctx.results, ctx.records(finished=False, current=False))


def run_study(profile: str, results: Path, records: list[Record]) -> tuple[Path]:
    table = claims_table(records, profile)
    csv, _ = study_paths("pretraining", "claims", profile, results)
    write_table(table, csv)
    return (csv,)
