"""The data-scaling study: spike AUC and soma explained variance against the amount of training data, for a
shallow and a deep TCN on each cell, so the question "does the deep net's advantage appear or grow with data,
and how fast" gets an answer with its uncertainty instead of one brute-force point.

    repbench run --profile standard --task neuron-nmda --task neuron-ampa --method tcn --grid depth=1,7
                 --grid task.train_seconds=90,180,450 --seeds 3
    repbench study data-scaling [--profile standard]

The largest size is the whole training split (900 s in the standard profile): the depth study's records at
full data (`train_seconds` 0) are that point, so it is not trained twice.

Writes results/neuron/data_scaling_<profile>.csv (per cell, depth and size: means, intervals, and each depth's
difference from depth 1 with its verdict) and results/plots/neuron_data_scaling_<profile>.png. The rate is
the least-squares slope of the deep-minus-shallow AUC difference against log10(training seconds), with its
95 % interval over the per-size differences; no extrapolation to the authors' data scale is drawn, because
an AUC saturates at 1 and four sizes cannot say where a curve bends.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from repbench.benchmarks.neuron.studies.depth import TASKS, compare_with_depth1, seed_rows, summarise
from repbench.studies import (
    Record,
    ResultStore,
    Study,
    StudyContext,
    ci95,
    error_bars,
    register_study,
    save_figure,
    slope_interval,
    study_paths,
    write_table,
)


def scaling_table(records: list[Record], profile: str, store: ResultStore | None = None) -> pd.DataFrame:
    frame = seed_rows(records, profile)
    frame = frame[frame["fixed_field"] == 0]
    sliced = frame["train_seconds"] > 0
    # the depth study's full-data records are the largest size, for the depths the smaller sizes have
    frame = frame[sliced | frame["depth"].isin(set(frame.loc[sliced, "depth"]))]
    frame = frame.assign(train_seconds=frame["train_data_s"]).dropna(subset=["train_seconds"])
    if not sliced.any() or frame["train_seconds"].nunique() < 2:
        raise ValueError(f"the data-scaling study needs tcn records at two or more `task.train_seconds` values in "
                         f"profile {profile!r}; run it first (see `repbench study data-scaling --help`)")
    keys = ["task", "train_seconds", "depth"]
    table = compare_with_depth1(summarise(frame, keys), within=("task", "train_seconds"), store=store)
    soma = (frame.groupby(keys)["soma_explained_variance"]
            .agg(soma_ev_mean="mean", soma_ev_ci95=lambda v: ci95(v.to_numpy())).reset_index())
    return table.merge(soma, on=keys).sort_values(["task", "depth", "train_seconds"]).reset_index(drop=True)


def growth_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Per cell and deeper depth: the slope of its AUC difference from depth 1 per tenfold more training data,
    with a 95 % interval (t over the sizes); an interval holding 0 means no detectable growth."""
    rows = []
    for (task, depth), block in table[table["depth"] != 1].groupby(["task", "depth"]):
        x, y = np.log10(block["train_seconds"].to_numpy(float)), block["diff_vs_depth1"].to_numpy(float)
        slope, half = slope_interval(x, y)
        rows.append({"task": task, "depth": depth, "sizes": len(x), "slope_per_decade": slope, "slope_ci95": half})
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(table["task"]))
    fig, axes = plt.subplots(2, len(tasks), figsize=(4.2 * len(tasks), 6.5), squeeze=False, sharex=True)
    for col, task in enumerate(tasks):
        for depth, block in table[table["task"] == task].groupby("depth"):
            x = block["train_seconds"]
            for row, (mean, half, low, label) in enumerate((("mean", "ci95", 0.0, "spike ROC AUC (test)"),
                                                            ("soma_ev_mean", "soma_ev_ci95", -np.inf,
                                                             "soma explained variance"))):
                ax = axes[row][col]
                ax.plot(x, block[mean], "o-", label=f"depth {depth}")
                below, above = error_bars(block[mean], block[half], low, 1.0)
                ax.fill_between(x, block[mean] - below, block[mean] + above, alpha=0.2)
                ax.set_ylabel(label)
        axes[0][col].set_title(task, fontsize=10)
        axes[1][col].set_xscale("log")
        axes[1][col].set_xlabel("training data (simulated seconds)")
        axes[0][col].legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)


@register_study
class DataScaling(Study):
    """Spike AUC and soma explained variance against training data for depth 1 and deeper TCNs, with each
    size's deep-minus-shallow verdict and the growth rate of the difference per tenfold more data, from the
    records of `repbench run --task neuron-nmda --task neuron-ampa --method tcn --grid depth=1,7 --grid
    task.train_seconds=90,180,450 --profile P` (the depth study's full-data records are the largest size)."""

    name = "data-scaling"
    family = "neuron"
    tasks = TASKS
    methods = ("tcn",)
    outputs = ("neuron/data_scaling_{profile}.csv", "neuron/data_scaling_rates_{profile}.csv",
               "plots/neuron_data_scaling_{profile}.png")

    def run(self, ctx: StudyContext) -> tuple[Path, Path, Path]:
        return run_study(ctx.profile, ctx.results, ctx.records(ignore=("train_seconds",)))


def run_study(profile: str, results: Path, records: list[Record]) -> tuple[Path, Path, Path]:
    """The table, the growth rates and the figure of one profile's data-scaling study, from its records."""
    table = scaling_table(records, profile, ResultStore(results))
    csv, png = study_paths("neuron", "data_scaling", profile, results)
    write_table(table, csv)
    rates = csv.with_name(f"data_scaling_rates_{profile}.csv")
    write_table(growth_rates(table), rates)
    plot(table, png, f"TCN depth 1 vs deeper against training data ({profile} profile; mean and 95 % CI over "
                     "seeds)")
    return csv, rates, png
