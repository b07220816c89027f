"""The depth study's table and figure: spike AUC against TCN depth, one line per cell, 95 % CI bands.

    repbench run --task neuron-nmda --task neuron-ampa --method tcn --grid depth=1,2,3,4,5,7 [--profile P]
    repbench study depth [--profile standard]

Reads the run records of the profile, writes results/neuron/depth_study_<profile>.csv and
results/plots/neuron_depth_study_<profile>.png.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from repbench.board import ci95
from repbench.figures import reference_lines, save_figure, study_paths, write_table

TASKS = ("neuron-nmda", "neuron-ampa", "neuron-if")


def depth_table(records: list[dict], profile: str, metric: str = "spike_auc") -> pd.DataFrame:
    rows = []
    for r in records:
        ident = r["identity"]
        if r.get("status") != "ok" or ident["method"] != "tcn" or ident["task"] not in TASKS:
            continue
        if ident["profile"] != profile or ident["method_params"].get("preset"):
            continue
        values = {m["name"]: m["value"] for m in r["metrics"]}
        rows.append({"task": ident["task"], "depth": ident["method_params"]["depth"], "seed": r["seed"],
                     metric: values[metric], "n_parameters": values.get("n_parameters")})
    if not rows:
        raise ValueError(f"no finished tcn records of {', '.join(TASKS)} in profile {profile!r}; run the study first")
    frame = pd.DataFrame(rows)
    return (frame.groupby(["task", "depth"])
            .agg(n_seeds=(metric, "size"), mean=(metric, "mean"), ci95=(metric, lambda v: ci95(v.to_numpy())),
                 n_parameters=("n_parameters", "first"))
            .reset_index())


def plot(table: pd.DataFrame, path: Path, title: str, references: list[tuple[str, float]] = ()) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for task, block in table.groupby("task"):
        block = block.sort_values("depth")
        ax.plot(block["depth"], block["mean"], "o-", label=task)
        half = block["ci95"].fillna(0)
        # an AUC lies in [0, 1]; with 2-3 seeds the Student-t band can reach past it
        ax.fill_between(block["depth"], (block["mean"] - half).clip(0, 1), (block["mean"] + half).clip(0, 1), alpha=0.2)
    ax.set_xlabel("TCN depth (hidden layers)")
    ax.set_ylabel("spike ROC AUC (test, after burn-in)")
    reference_lines(ax, list(references))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return save_figure(fig, path)


def published(task: str = "neuron-nmda") -> list[tuple[str, float]]:
    """The task's published spike AUCs of a TCN and of the LIF control, labelled with how they compare."""
    from repbench.registry import discover

    out = []
    for ref in discover().get_task(task).reported:
        if ref.metric == "spike_auc" and ("TCN" in ref.label or "LIF" in ref.label):
            tag = "" if ref.comparable else ", not comparable"
            out.append((f"reported: {ref.label.split(',')[0]} ({ref.source.split(' (')[0]}{tag})", ref.value))
    return out


def run_study(profile: str = "standard", results: Path | None = None) -> tuple[Path, Path]:
    """The table and figure of one profile's depth study, from its records; returns their paths."""
    from repbench.api import load_records

    table = depth_table(load_records(profile, results), profile)
    csv, png = study_paths("neuron", "depth_study", profile, results)
    write_table(table, csv)
    plot(table, png, f"spike AUC vs depth ({profile} profile; mean and 95 % CI over seeds)", published())
    return csv, png
