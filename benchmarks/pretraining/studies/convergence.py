"""Convergence of the pretraining rules: reconstruction error per pretraining epoch (layer 1) and validation
error per fine-tuning epoch, mean and 95 % interval over seeds, and the fine-tuning epochs each method needs to
reach a fixed validation error (Golovko et al. 2016 claim REBA converges faster than CD).

    repbench run --profile P --task mnist --method dbn-cd --method dbn-cd-mf --method dbn-reba \\
        --method dbn-hybrid --method mlp-scratch --seeds 5 [--tune N]
    repbench study convergence [--profile P] [--task mnist]

Reads the records' learning curves; writes results/pretraining/convergence_<profile>.csv and
results/plots/pretraining_convergence_<profile>.png.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from repbench.studies import (
    Param,
    Record,
    Status,
    Study,
    StudyContext,
    ci95,
    decide_family,
    register_study,
    save_figure,
    study_paths,
    welch,
    write_table,
)

METHODS = ("dbn-cd", "dbn-cd-mf", "dbn-reba", "dbn-hybrid", "sae", "dbn-pcd", "mlp-scratch")
REBA = "dbn-reba"
EPOCHS_MARGIN = 1.0  # one fine-tuning epoch: the curves' resolution, so a smaller difference cannot be resolved


def one_config_per_method(records: list[Record], profile: str, task: str, keep=lambda record: True
                          ) -> dict[str, list[Record]]:
    """{method: its final records of one configuration}: the tuned configuration if the method was tuned, else
    the one with the most seeds, so a grid over architectures or learning rates is never pooled. `keep`
    narrows the records considered (e.g. one architecture)."""
    configs: dict[str, dict[str, list[Record]]] = {}
    for r in records:
        if (r.profile == profile and r.task == task and r.method in METHODS and r.stage == "final" and keep(r)):
            configs.setdefault(r.method, {}).setdefault(r.cell.config_key, []).append(r)
    return {method: max(by_config.values(), key=lambda rs: (bool(rs[0].tuning), len(rs)))
            for method, by_config in configs.items()}


def curves(records: list[Record], profile: str, task: str) -> dict[str, dict[str, list[np.ndarray]]]:
    """{method: {curve name: [one array per seed]}} of the finished records of one configuration per method
    (`one_config_per_method`) that kept curves."""
    usable = [r for r in records if r.status is Status.OK and isinstance(r.curves, dict)]
    out: dict[str, dict[str, list[np.ndarray]]] = {}
    for method, group in one_config_per_method(usable, profile, task).items():
        for r in group:
            for name, values in r.curves.items():
                out.setdefault(method, {}).setdefault(name, []).append(np.asarray(values, dtype=float))
    if not out:
        raise ValueError(f"no finished records of {', '.join(METHODS)} with learning curves on {task!r} in profile "
                         f"{profile!r}; run them first (records made before curves were kept have none)")
    return out


def epochs_to(errors: np.ndarray, threshold: float) -> float:
    """The first fine-tuning epoch (1-based) whose validation error is at or below `threshold`; NaN if none."""
    hits = np.flatnonzero(errors <= threshold)
    return float(hits[0] + 1) if len(hits) else math.nan


def convergence_table(data: dict[str, dict[str, list[np.ndarray]]], threshold: float | None = None) -> pd.DataFrame:
    """Per method: seeds, final validation error, epochs to reach `threshold` (default: 1.25 x the best final
    mean validation error of all methods, so every method is measured against the same bar)."""
    finals = {m: np.array([c.min() for c in d["val_error"]]) for m, d in data.items() if "val_error" in d}
    threshold = threshold if threshold is not None else 1.25 * min(v.mean() for v in finals.values())
    rows = []
    for method, d in data.items():
        if "val_error" not in d:
            continue
        reach = np.array([epochs_to(c, threshold) for c in d["val_error"]])
        reached = reach[~np.isnan(reach)]
        recon = [c[-1] for c in d.get("recon_err_l1", [])]
        rows.append({
            "method": method, "n_seeds": len(reach), "threshold_val_error": threshold,
            "best_val_error": finals[method].mean(), "best_val_error_ci95": ci95(finals[method]),
            "seeds_reaching": len(reached), "epochs_to_threshold": reached.mean() if len(reached) else math.nan,
            "epochs_to_threshold_ci95": ci95(reached) if len(reached) else math.nan,
            "final_recon_err_l1": float(np.mean(recon)) if recon else math.nan,
        })
    table = pd.DataFrame(rows).sort_values("best_val_error").reset_index(drop=True)
    return versus_reba(table, {m: [epochs_to(c, threshold) for c in d["val_error"]] for m, d in data.items()
                               if "val_error" in d})


def versus_reba(table: pd.DataFrame, epochs: dict[str, list[float]]) -> pd.DataFrame:
    """Golovko et al.'s claim that REBA's nets fine-tune faster, per other method: REBA's mean epochs to the
    threshold minus the method's (seeds that never reach it left out), tested by the statistics layer (Welch,
    Holm over the methods, detectable difference at that level; verdict "holds" when REBA needs fewer)."""
    others = [m for m in table["method"] if m != REBA and REBA in epochs]
    diffs = [welch([e for e in epochs[REBA] if math.isfinite(e)], [e for e in epochs[m] if math.isfinite(e)])
             for m in others]
    decisions = decide_family(diffs, [-1] * len(diffs), [EPOCHS_MARGIN] * len(diffs), units=["epochs"] * len(diffs))
    table = table.assign(reba_minus_this_epochs=math.nan, p_holm=math.nan, detectable=math.nan, verdict="")
    for method, d, decision in zip(others, diffs, decisions, strict=True):
        i = table.index[table["method"] == method][0]
        table.loc[i, ["reba_minus_this_epochs", "p_holm", "detectable"]] = d.diff, decision.p_holm, decision.detectable
        table.at[i, "verdict"] = decision.phrase
    return table


def _band(ax, series: list[np.ndarray], label: str, color: str) -> None:
    n = min(len(s) for s in series)
    stack = np.stack([s[:n] for s in series])
    mean = stack.mean(0)
    half = np.array([ci95(stack[:, i]) for i in range(n)]) if len(stack) > 1 else np.zeros(n)
    x = np.arange(1, n + 1)
    ax.plot(x, mean, label=label, color=color)
    low = np.maximum(mean - np.nan_to_num(half), mean / 10)  # a t-band over few seeds can cross 0 on a log axis
    ax.fill_between(x, low, mean + np.nan_to_num(half), color=color, alpha=0.15)


def plot(data: dict[str, dict[str, list[np.ndarray]]], threshold: float, path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = dict(zip(METHODS, plt.get_cmap("tab10").colors, strict=False))  # one per method, both panels
    for method, d in sorted(data.items()):
        if "recon_err_l1" in d:
            _band(left, d["recon_err_l1"], method, colors[method])
        if "val_error" in d:
            _band(right, d["val_error"], method, colors[method])
    top = max(8.0, 3 * threshold)  # the first epochs of an unstable run would squash the differences that matter
    right.set_ylim(0.6 * threshold, top)
    left.set_xlabel("pretraining epoch (layer 1)")
    left.set_ylabel("reconstruction error per image (2,048 inputs)")
    left.set_yscale("log")
    right.axhline(threshold, color="grey", ls="--", lw=1, label=f"threshold {threshold:.3g} %")
    right.set_xlabel("fine-tuning epoch")
    right.set_ylabel(f"validation error (%; clipped at {top:g})")
    right.set_yscale("log")
    right.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    right.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    for ax in (left, right):
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)


@register_study
class Convergence(Study):
    """Reconstruction error per pretraining epoch and validation error per fine-tuning epoch of the pretraining
    rules, with the epochs each needs to reach a common validation error (from the records' learning curves)."""

    name = "convergence"
    family = "pretraining"
    methods = METHODS
    outputs = ("pretraining/convergence_{profile}.csv", "plots/pretraining_convergence_{profile}.png")
    options = {"task": Param("mnist", "The task whose records' curves are read.",
                             choices=("mnist", "mnist-1k", "digits"))}

    def run(self, ctx: StudyContext) -> tuple[Path, Path]:
        return run_study(ctx.profile, ctx.options["task"], ctx.results,
                         ctx.records(tasks=(ctx.options["task"],), finished=False, current=False))


def run_study(profile: str, task: str, results: Path, records: list[Record]) -> tuple[Path, Path]:
    data = curves(records, profile, task)
    table = convergence_table(data)
    csv, png = study_paths("pretraining", "convergence", profile, results)
    write_table(table.assign(task=task), csv)
    plot(data, float(table["threshold_val_error"].iloc[0]), png,
         f"{task}, {profile} profile: mean and 95 % interval over seeds")
    return csv, png
