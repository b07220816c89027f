"""The depth study's table and figure: spike AUC against TCN depth, one line per cell, 95 % CI bands.

    repbench run --task neuron-nmda --task neuron-ampa --method tcn --grid depth=1,2,3,4,5,7 [--profile P]
    repbench run --task neuron-nmda --task neuron-ampa --method tcn --grid depth=1,3 --grid receptive_field=153
    repbench study depth [--profile standard]

Reads the run records of the profile, writes results/neuron/depth_study_<profile>.csv,
results/neuron/depth_fixed_field_<profile>.csv (the control: depth at one receptive field, when run) and
results/plots/neuron_depth_study_<profile>.png. Each depth is compared with depth 1 of its cell by the suite's
statistics layer: the difference of mean AUCs with its Student-t interval over seeds plus the test set's
sampling error (paired over test trials where the records kept per-trial scores, else each side's bootstrap SE
added as if independent), Holm within the cell, the smallest difference detectable at that corrected level
(80 % power), and a verdict (holds: deeper is better; fails; no meaningful difference within the declared
margin; inconclusive). With both cells run, results/neuron/depth_claim_<profile>.csv holds the paper's claim
itself from `repbench claims`: whether each depth's gain over one layer is larger on the NMDA cell.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from repbench.methods.neuron.nets import receptive_field
from repbench.studies import (
    Record,
    ResultStore,
    Status,
    Study,
    StudyContext,
    ci95,
    claims_table,
    compare_records,
    current_protocol,
    decide_family,
    error_bars,
    margin_of,
    pairing,
    plugin_registry,
    reference_lines,
    register_study,
    save_figure,
    study_paths,
    write_table,
)

TASKS = ("neuron-nmda", "neuron-ampa", "neuron-if")


def under_current_settings(records: list[Record], profile: str) -> list[Record]:
    """The neuron tasks' records on the profile's current dataset and split; `train_seconds` is the
    data-scaling axis, so it may differ."""
    return current_protocol(records, profile, TASKS, ignore=("train_seconds",))


def depth_table(records: list[Record], profile: str, metric: str = "spike_auc",
                store: ResultStore | None = None) -> pd.DataFrame:
    """Depth with the paper's kernel rule (the receptive field grows with depth), on the full training data."""
    frame = seed_rows(records, profile, metric)
    frame = frame[(frame["train_seconds"] == 0) & (frame["fixed_field"] == 0)]  # data scaling has the rest
    if frame.empty:
        raise ValueError(f"no finished tcn records of {', '.join(TASKS)} on their full training data in profile "
                         f"{profile!r}; run the study first")
    return compare_with_depth1(summarise(frame, ["task", "depth"], metric), store=store)


def fixed_field_table(records: list[Record], profile: str, metric: str = "spike_auc",
                      store: ResultStore | None = None) -> pd.DataFrame:
    """The control that separates depth from temporal context: every depth at one receptive field (the runs
    with `receptive_field=R`, joined by the paper-rule nets whose field happens to be R), each depth compared
    with depth 1 at the same field. Empty when no run fixed the field."""
    frame = seed_rows(records, profile, metric)
    frame = frame[frame["train_seconds"] == 0]
    fields = set(frame.loc[frame["fixed_field"] > 0, "field_ms"])
    frame = frame[frame["field_ms"].isin(fields)]
    if frame.empty:
        return pd.DataFrame()
    return compare_with_depth1(summarise(frame, ["task", "field_ms", "depth"], metric), within=("task", "field_ms"),
                               store=store)


def summarise(frame: pd.DataFrame, keys: list[str], metric: str = "spike_auc") -> pd.DataFrame:
    """Mean, 95 % interval and spread over seeds, and the mean test-set bootstrap SE, per `keys`."""
    return (frame.groupby(keys)
            .agg(n_seeds=(metric, "size"), mean=(metric, "mean"), ci95=(metric, lambda v: ci95(v.to_numpy())),
                 seed_sd=(metric, lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else math.nan),
                 test_boot_se=("boot_se", "mean"), n_parameters=("n_parameters", "first"),
                 records=("record", list))
            .reset_index())


def seed_rows(records: list[Record], profile: str, metric: str = "spike_auc") -> pd.DataFrame:
    """One row per finished tcn record of the profile (presets aside): task, depth, receptive field (and whether
    it was fixed), the `train_seconds` asked for and the training data seen, seed, the metric, its bootstrap SE,
    the soma's explained variance and the parameter count."""
    rows = []
    for r in records:
        if r.status is not Status.OK or r.method != "tcn" or r.task not in TASKS:
            continue
        if r.profile != profile or r.method_params.get("preset"):
            continue
        values = r.values
        params = r.method_params
        depth, fixed = params["depth"], params.get("receptive_field", 0)
        paper_rule = receptive_field(depth, params.get("kernel_first", 45), params.get("kernel_rest", 19))
        rows.append({"task": r.task, "depth": depth, "seed": r.seed, "record": r,
                     "fixed_field": fixed, "field_ms": values.get("receptive_field_ms", fixed or paper_rule),
                     metric: values[metric], "n_parameters": values.get("n_parameters"),
                     "boot_se": values.get(f"{metric.replace('_auc', '')}_auc_boot_se", math.nan),
                     "soma_explained_variance": values.get("soma_explained_variance", math.nan),
                     "train_seconds": r.task_params.get("train_seconds", 0.0),
                     "train_data_s": _training_data_s(r.task_params)})
    if not rows:
        raise ValueError(f"no finished tcn records of {', '.join(TASKS)} in profile {profile!r}; run the study first")
    return pd.DataFrame(rows)


def _training_data_s(task_params: dict) -> float:
    """Seconds of training data the record's net saw: its `train_seconds` slice, else the whole training split."""
    from repbench.benchmarks.neuron.tasks import full_training_seconds

    try:
        return task_params.get("train_seconds") or full_training_seconds(task_params)
    except KeyError:  # a record without the dataset's parameters
        return math.nan


def compare_with_depth1(table: pd.DataFrame, within: tuple[str, ...] = ("task",),
                        store: ResultStore | None = None) -> pd.DataFrame:
    """Add each depth's difference from depth 1 of its group (`within`: the task, or task and data size), with
    the statistics layer's interval, Holm p within the group, detectable difference and verdict (the paper
    expects deeper to be better)."""
    return compare_with(table, table["depth"] == 1, within, "diff_vs_depth1", expected=1, store=store)


def compare_with(table: pd.DataFrame, reference: pd.Series, within: tuple[str, ...], column: str, expected: int,
                 store: ResultStore | None = None, metric: str = "spike_auc") -> pd.DataFrame:
    """A copy of `table` (from `summarise`, which keeps each row's records) with every row compared with the
    reference row of its group (`reference` marks one row per group of `within`): the difference in `column`,
    `diff_ci95`, `p_holm` (Holm within the group), `min_detectable_diff` (at the group's corrected level),
    `pairing` and `verdict` (holds: the difference has the `expected` sign, significantly). Test items are
    paired where the records kept item scores (`store`), else each side's bootstrap SE is added as if
    independent, else seeds only. Groups without a reference row are left blank."""
    table = table.copy()
    for name in (column, "diff_ci95", "p_holm", "min_detectable_diff"):
        table[name] = math.nan
    table["pairing"], table["verdict"] = "", ""
    margin = margin_of("beniaguev2021", metric)  # as the paper's claims declare it
    for _, block in table.groupby(list(within)):
        base = block.index[reference[block.index]]
        if base.empty:
            continue
        others = block.index.drop(base[0])
        diffs = [compare_records(table.at[i, "records"], table.at[base[0], "records"], metric, store) for i in others]
        decisions = decide_family(diffs, [expected] * len(diffs), [margin] * len(diffs))
        for i, d, decision in zip(others, diffs, decisions, strict=True):
            table.loc[i, [column, "diff_ci95", "p_holm", "min_detectable_diff"]] = (
                d.diff, d.half_width(), decision.p_holm, decision.detectable)
            table.at[i, "pairing"], table.at[i, "verdict"] = pairing(d.test), decision.phrase
    return table.drop(columns="records")


def claim_table(profile: str, results: Path) -> pd.DataFrame:
    """The paper's claim that depth gains more on the NMDA cell than on the AMPA-only control, one row per
    depth: the claims layer's rows of that family (`repbench claims`), so the study and the claims table
    cannot disagree. Empty unless both cells were run."""
    try:
        table = claims_table(profile, ["beniaguev2021"], results)
    except ValueError:
        return pd.DataFrame()
    return table[table["family"] == "NMDA vs AMPA depth gain"].reset_index(drop=True)


def plot(table: pd.DataFrame, path: Path, title: str, references: list[tuple[str, float]] = (),
         fixed: pd.DataFrame | None = None) -> Path:
    """Solid lines: the paper's kernels (field grows with depth); dashed: the fixed-field control, if run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    lines = [(f"{task}", block, "o-") for task, block in table.groupby("task")]
    if fixed is not None and not fixed.empty:
        lines += [(f"{task}, field fixed at {field:g} ms", block, "s--")
                  for (task, field), block in fixed.groupby(["task", "field_ms"])]
    for label, block, style in lines:
        block = block.sort_values("depth")
        ax.plot(block["depth"], block["mean"], style, label=label)
        below, above = error_bars(block["mean"], block["ci95"], 0.0, 1.0)
        ax.fill_between(block["depth"], block["mean"] - below, block["mean"] + above, alpha=0.2)
    ax.set_xlabel("TCN depth (hidden layers)")
    ax.set_ylabel("spike ROC AUC (test, after burn-in)")
    reference_lines(ax, list(references))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return save_figure(fig, path)


def published(task: str = "neuron-nmda") -> list[tuple[str, float]]:
    """The task's published spike AUCs of a TCN and of the LIF control, labelled with how they compare."""
    out = []
    for ref in plugin_registry().get_task(task).reported:
        if ref.metric == "spike_auc" and ("TCN" in ref.label or "LIF" in ref.label):
            tag = "" if ref.comparable else ", not comparable"
            out.append((f"reported: {ref.label.split(',')[0]} ({ref.source.split(' (')[0]}{tag})", ref.value))
    return out


@register_study
class Depth(Study):
    """Spike AUC against TCN depth per cell, each depth against depth 1, the NMDA-vs-AMPA claim, and the fixed
    receptive-field control, from the records of `repbench run --task neuron-nmda --task neuron-ampa --method
    tcn --grid depth=1,2,3,4,5,7 --profile P` (and `--grid depth=1,3 --grid receptive_field=153`)."""

    name = "depth"
    family = "neuron"
    tasks = TASKS
    methods = ("tcn",)
    outputs = ("neuron/depth_study_{profile}.csv", "neuron/depth_claim_{profile}.csv",
               "neuron/depth_fixed_field_{profile}.csv", "plots/neuron_depth_study_{profile}.png")

    def run(self, ctx: StudyContext) -> tuple[Path, Path]:
        return run_study(ctx.profile, ctx.results, ctx.records(ignore=("train_seconds",)))


def run_study(profile: str, results: Path, records: list[Record]) -> tuple[Path, Path]:
    """The table and figure of one profile's depth study, from its records; returns their paths."""
    store = ResultStore(results)
    table = depth_table(records, profile, store=store)
    fixed = fixed_field_table(records, profile, store=store)
    csv, png = study_paths("neuron", "depth_study", profile, results)
    write_table(table, csv)
    claim = claim_table(profile, results)
    if not claim.empty:
        write_table(claim, csv.with_name(f"depth_claim_{profile}.csv"))
    if not fixed.empty:
        write_table(fixed, csv.with_name(f"depth_fixed_field_{profile}.csv"))
    plot(table, png, f"spike AUC vs depth ({profile} profile; mean and 95 % CI over seeds)", published(), fixed)
    return csv, png
