"""The baselines against the paper's deep TCN, cell by cell: the linear-nonlinear filter (`ln`), the leaky
integrate-and-fire point neuron (`lif`), the Branch-ELM and plain ELM neurons (`elm`, `elm` with
`n_branches=0`; Spieler et al. 2024) and an LSTM, trained on the same data with the same step budget and
stopping rule as the TCNs, each compared with the TCN at the paper's depth 7 (and depth 1 listed beside).

    repbench run --profile standard --task neuron-nmda --task neuron-ampa --method ln --method lif --method elm
                 --method lstm --seeds 3
    repbench run --profile standard --task neuron-nmda --task neuron-ampa --method elm --grid n_branches=0 --seeds 3
    repbench study baselines [--profile standard]

Writes results/neuron/baselines_<profile>.csv (per cell and model: mean spike AUC with its 95 % interval over
seeds, the test set's bootstrap SE, soma explained variance, parameters, where training stopped, the
difference from the depth-7 TCN with its interval, smallest detectable difference and verdict, and the value
published on the authors' data for that model, which is not comparable) and
results/plots/neuron_baselines_<profile>.png.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from repbench.benchmarks.neuron.studies.depth import compare_with, summarise
from repbench.studies import (
    Record,
    ResultStore,
    Status,
    Study,
    StudyContext,
    error_bars,
    plugin_registry,
    register_study,
    save_figure,
    study_paths,
    write_table,
)

CELLS = ("neuron-nmda", "neuron-ampa")
REFERENCE = "tcn depth 7"
PUBLISHED_LABEL = {"tcn depth 7": "TCN", "elm": "Branch-ELM", "elm n_branches=0": "ELM", "lstm": "LSTM", "lif": "LIF"}


def model_label(method: str, params: dict) -> str | None:
    """The row a record belongs to; None for runs that are another study's (TCN depths other than 1 and 7, the
    fixed-field control, presets)."""
    if method == "tcn":
        if params.get("preset") or params.get("receptive_field", 0) or params["depth"] not in (1, 7):
            return None
        return f"tcn depth {params['depth']}"
    if method == "elm" and params.get("n_branches") == 0:
        return "elm n_branches=0"
    return method


def seed_rows(records: list[Record], profile: str) -> pd.DataFrame:
    """One row per finished record on a cell's full training data."""
    rows = []
    for r in records:
        if r.status is not Status.OK or r.task not in CELLS or r.profile != profile:
            continue
        if r.task_params.get("train_seconds", 0):
            continue  # the data-scaling slices
        label = model_label(r.method, r.method_params)
        if label is None:
            continue
        values = r.values
        rows.append({"task": r.task, "model": label, "seed": r.seed, "record": r, "spike_auc": values["spike_auc"],
                     "boot_se": values.get("spike_auc_boot_se", math.nan),
                     "n_parameters": values.get("n_parameters"),
                     "soma_explained_variance": values.get("soma_explained_variance", math.nan),
                     "selected_step": values.get("selected_step", math.nan),
                     "steps_run": values.get("steps_run", math.nan)})
    frame = pd.DataFrame(rows)
    if frame.empty or frame["model"].str.startswith("tcn").all():
        raise ValueError(f"no finished baseline records of {', '.join(CELLS)} in profile {profile!r}; run them "
                         "first (see `repbench study baselines --help`)")
    return frame


def baseline_table(records: list[Record], profile: str, store: ResultStore | None = None) -> pd.DataFrame:
    """Each model's summary per cell, compared with the depth-7 TCN of its cell by the statistics layer (Holm
    within the cell; `verdict` holds where the model is significantly worse than the TCN, as Beniaguev et al.
    expect of a simpler model)."""
    frame = seed_rows(records, profile)
    table = summarise(frame, ["task", "model"])
    extra = (frame.groupby(["task", "model"])
             .agg(soma_ev_mean=("soma_explained_variance", "mean"), selected_step_median=("selected_step", "median"),
                  steps_run_median=("steps_run", "median")).reset_index())
    table = table.merge(extra, on=["task", "model"])
    table = compare_with(table, table["model"] == REFERENCE, ("task",), "diff_vs_tcn7", expected=-1, store=store)
    values = {task: published(task) for task in set(table["task"])}
    table["published_authors_data"] = [values[task].get(model, math.nan)
                                       for task, model in zip(table["task"], table["model"], strict=True)]
    return table.sort_values(["task", "mean"], ascending=[True, False]).reset_index(drop=True)


def published(task: str) -> dict[str, float]:
    """The spike AUCs published for each model on the authors' data (a different cell, data and budget: shown
    beside ours, never compared), by our row label."""
    values = {}
    for ref in plugin_registry().get_task(task).reported:
        if ref.metric != "spike_auc":
            continue
        for label, name in PUBLISHED_LABEL.items():
            if ref.label.split(" ")[0].rstrip(",") == name:
                values[label] = ref.value
    return values


def plot(table: pd.DataFrame, path: Path, title: str) -> Path:
    """One panel per cell: each model's mean AUC with its interval (seeds and test set), best at the top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(table["task"]))
    fig, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 3.2), sharex=True, squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        block = table[table["task"] == task].sort_values("mean")
        bars = error_bars(block["mean"], block["ci95"], 0.0, 1.0)
        for y, (model, mean) in enumerate(zip(block["model"], block["mean"], strict=True)):
            colour = "tab:orange" if model.startswith("tcn") else "tab:blue"
            ax.errorbar(mean, y, xerr=bars[:, [y]], fmt="o", capsize=3, color=colour)
        ax.set_yticks(range(len(block)), block["model"])
        ax.set_title(task, fontsize=9)
        ax.set_xlabel("spike ROC AUC (test; mean and 95 % Student-t interval over seeds)")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)


@register_study
class Baselines(Study):
    """Each surrogate (ln, lif, elm, elm n_branches=0, lstm) against the depth-7 TCN of its cell, on the same
    data and budget, from the records of `repbench reproduce beniaguev2021 --profile P`."""

    name = "baselines"
    family = "neuron"
    tasks = CELLS
    outputs = ("neuron/baselines_{profile}.csv", "plots/neuron_baselines_{profile}.png")

    def run(self, ctx: StudyContext) -> tuple[Path, Path]:
        return run_study(ctx.profile, ctx.results, ctx.records(ignore=("train_seconds",)))


def run_study(profile: str, results: Path, records: list[Record]) -> tuple[Path, Path]:
    table = baseline_table(records, profile, ResultStore(results))
    csv, png = study_paths("neuron", "baselines", profile, results)
    write_table(table, csv)
    plot(table, png, f"surrogates on the same data and budget ({profile} profile)")
    return csv, png
