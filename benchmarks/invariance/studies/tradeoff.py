"""The trade-off front: y-accuracy against probe s-accuracy across delta, one line per method and a panel per
task, with the majority rate of s marked (the ideal s-accuracy).

    repbench run --profile standard --task adult --method nn --method cai --method adv-forgetting \\
        --grid delta=0.1,1,10
    repbench study tradeoff [--profile standard] [--probe mlp]

Reads the run records of the profile, writes results/invariance/tradeoff_<profile>.csv and
results/plots/invariance_tradeoff_<profile>.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from repbench.board import ci95
from repbench.figures import save_figure, study_paths, write_table

TASKS = ("mnist-rot", "digits-rot", "adult", "german")
METHODS = ("nn", "nn-mmd", "cai", "uai", "vfae", "adv-forgetting")
LANDING = ("selected_step", "stopped_step", "budget_steps")  # where model selection landed in each run


def tradeoff_table(records: list[dict], profile: str, probe: str = "mlp") -> pd.DataFrame:
    """Mean and 95 % CI over seeds of y_acc and s_acc_<probe> per (task, method, configuration), labelled by
    delta where the method has one, with where model selection landed (mean selected and stopping update,
    and the budget)."""
    s_metric = f"s_acc_{probe}"
    rows = []
    for r in records:
        ident = r["identity"]
        if r.get("status") != "ok" or ident["profile"] != profile:
            continue
        if ident["task"] not in TASKS or ident["method"] not in METHODS:
            continue
        values = {m["name"]: m["value"] for m in r["metrics"]}
        rows.append({"task": ident["task"], "method": ident["method"],
                     "config": json.dumps(ident["method_params"], sort_keys=True),
                     "delta": ident["method_params"].get("delta", float("nan")), "y_acc": values["y_acc"],
                     "s_acc": values[s_metric], "s_majority": values["s_majority"],
                     **{k: values.get(k, float("nan")) for k in LANDING}})
    if not rows:
        raise ValueError(f"no finished records of {', '.join(TASKS)} in profile {profile!r}; run them first")
    frame = pd.DataFrame(rows)
    stats = {"delta": ("delta", "first"), "n_seeds": ("y_acc", "size"), "s_majority": ("s_majority", "mean")}
    for col in ("y_acc", "s_acc"):
        stats[col] = (col, "mean")
        stats[f"{col}_ci95"] = (col, lambda v: ci95(v.to_numpy()))
    stats.update({k: (k, "mean") for k in LANDING})
    table = frame.groupby(["task", "method", "config"]).agg(**stats).reset_index().drop(columns="config")
    table = table.sort_values(["task", "method", "delta"], na_position="first").reset_index(drop=True)
    return table.rename(columns={"s_acc": s_metric, "s_acc_ci95": f"{s_metric}_ci95"})


def plot(table: pd.DataFrame, path: Path, probe: str, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s_metric = f"s_acc_{probe}"
    tasks = list(dict.fromkeys(table["task"]))
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.5 * len(tasks), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        block = table[table["task"] == task]
        for method, line in block.groupby("method", sort=False):
            line = line.sort_values("delta")
            ax.errorbar(line[s_metric], line["y_acc"], xerr=line[f"{s_metric}_ci95"].fillna(0),
                        yerr=line["y_acc_ci95"].fillna(0), fmt="o-", capsize=2, label=method)
            if len(line) > 1:
                for _, row in line.iterrows():
                    ax.annotate(f"{row['delta']:g}", (row[s_metric], row["y_acc"]), fontsize=7,
                                xytext=(3, 3), textcoords="offset points")
        ax.axvline(block["s_majority"].iloc[0], color="grey", ls="--", lw=1, label="s majority rate")
        ax.set_title(task)
        ax.set_xlabel(f"s-accuracy of the {probe} probe (%), lower = more invariant")
        ax.set_ylabel("y-accuracy (%)")
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)


def run_study(profile: str = "standard", probe: str = "mlp", results: Path | None = None) -> tuple[Path, Path]:
    """The trade-off table and figure of one profile, from its records; returns their paths."""
    from repbench.api import load_records

    table = tradeoff_table(load_records(profile, results), profile, probe)
    csv, png = study_paths("invariance", "tradeoff", profile, results)
    write_table(table, csv)
    plot(table, png, probe, f"y- vs s-accuracy across delta ({profile} profile; numbers are delta; 95 % CI over seeds)")
    return csv, png
