"""The trade-off front: y-accuracy against probe s-accuracy, a panel per task, and each method's tuned finals
tested against the plain network.

    repbench run --profile standard --task adult --task german --method nn --method nn-mmd --method cai \\
        --method uai --method vfae --method adv-forgetting --tune 8 --trial-set steps=10000 --seeds 5
    repbench study tradeoff [--profile standard] [--probe mlp]

Reads the run records of the profile made under the tasks' current settings (older protocols stay in the
results folder but out of the study) and writes
- results/invariance/tradeoff_<profile>.csv: one row per (task, method, stage, configuration): every tuning
  trial (one seed, the trial budget), every tuned final (the seeds), and any fixed grid such as
  `--grid delta=0.1,1,10`; mean and 95 % CI of y_acc and the probe's s-accuracy, the leak above the majority
  rate, and where model selection landed (`selected_step`, `stopped_step`, `budget_steps`);
- results/invariance/tradeoff_vs_nn_<profile>.csv: per task, every tuned method against tuned `nn` on y_acc and
  on the s-accuracy (Welch over seeds, Holm within the task), and on the y-accuracies under the task's test-time
  shifts where it has them (MNIST-ROT's unseen angles and MNIST-DIL; Holm within those), the smallest difference
  detectable, a verdict;
- results/invariance/tradeoff_finals_<profile>.md: the tuned finals per task as the docs' markdown tables;
- results/invariance/tradeoff_forgetting_vs_others_<profile>.csv: the paper's claim as tests, tuned
  adversarial forgetting against every other tuned method, with the same statistics;
- results/invariance/tradeoff_vs_least_leaky_<profile>.csv: per task, every tuned method against the task's
  least leaky one (lowest mean s-accuracy of its finals), with the same statistics: the invariance axis's
  significance against the best;
- results/plots/invariance_tradeoff_<profile>.png: trials as small rings, finals as filled dots with 95 % CIs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from repbench.studies import (
    Param,
    Record,
    ResultStore,
    Status,
    Study,
    StudyContext,
    ci95,
    compare_records,
    decide_families,
    error_bars,
    margin_of,
    pairing,
    register_study,
    save_figure,
    study_paths,
    write_table,
)

TASKS = ("mnist-rot", "digits-rot", "adult", "german")
METHODS = ("nn", "nn-mmd", "cai", "uai", "vfae", "adv-forgetting")
LANDING = ("selected_step", "stopped_step", "budget_steps")  # where model selection landed in each run
STAGES = ("trial", "tuned", "fixed")  # a tuning trial, a final of a tuned run, a run at given parameters
BASELINE = "nn"
CLAIMANT = "adv-forgetting"  # the paper's method: its claim is tested against every other method
SHIFTED = "y_acc_"  # metrics named y_acc_<shift>: y-accuracy on a shifted test set (unseen angles, MNIST-DIL)
PROBES = "s_acc_"  # metrics named s_acc_<probe>: one probe's s-accuracy on the representation
GAPS = {"dp_diff": "DP gap", "eo_diff": "EO gap"}  # fairness gaps of the predictions, where the task has them
MIN_SEEDS = 2  # finals a side needs before it is tested (Welch's variance)


def stage_of(record: Record) -> str:
    """Which part of a study a record is: the tuner's trials and finals carry it in their identity."""
    if record.stage == "trial":
        return "trial"
    return "tuned" if record.tuning else "fixed"


def seed_rows(records: list[Record], profile: str, probe: str) -> pd.DataFrame:
    """One row per finished record of the family's tasks and methods in `profile`, degenerate ones included (a
    seed that learnt nothing counts against its method, as on the leaderboard)."""
    rows = []
    for r in records:
        if not r.finished or r.profile != profile or r.task not in TASKS or r.method not in METHODS:
            continue
        values = r.values
        shifted = {k: v for k, v in values.items() if k.startswith(SHIFTED)}
        side = {k: v for k, v in values.items() if k in GAPS or (k.startswith(PROBES) and k != f"{PROBES}{probe}")}
        rows.append({"task": r.task, "method": r.method, "stage": stage_of(r), "record": r,
                     "config": json.dumps(r.method_params, sort_keys=True),
                     "tuned_params": json.dumps(r.tuning.get("params", [])),
                     "degenerate": r.status is Status.DEGENERATE,
                     "delta": r.method_params.get("delta", math.nan), "y_acc": values["y_acc"],
                     "s_acc": values[f"s_acc_{probe}"], "s_majority": values["s_majority"],
                     **{k: values.get(k, math.nan) for k in LANDING}, **shifted, **side})
    if not rows:
        raise ValueError(f"no finished records of {', '.join(TASKS)} in profile {profile!r} under the tasks' "
                         "current settings; run them first")
    return pd.DataFrame(rows)


def tradeoff_table(frame: pd.DataFrame, probe: str = "mlp") -> pd.DataFrame:
    """Mean and 95 % CI over seeds (the rows of `seed_rows`) of y_acc and s_acc_<probe> per (task, method, stage,
    configuration), the leak (s-accuracy minus the majority rate: 0 is perfect invariance), the mean shifted-test
    accuracies, and where model selection landed."""
    stats = {"delta": ("delta", "first"), "n_seeds": ("y_acc", "size"), "n_degenerate": ("degenerate", "sum"),
             "s_majority": ("s_majority", "mean")}
    for col in ("y_acc", "s_acc"):
        stats[col] = (col, "mean")
        stats[f"{col}_ci95"] = (col, lambda v: ci95(v.to_numpy()))
    stats.update({k: (k, "mean") for k in (*LANDING, *shifted_metrics(frame))})
    table = frame.groupby(["task", "method", "stage", "config"]).agg(**stats).reset_index()
    table["config"] = short_labels(table)
    table["leak"] = table["s_acc"] - table["s_majority"]
    table["stage"] = pd.Categorical(table["stage"], STAGES)
    table = table.sort_values(["task", "method", "stage", "delta", "config"], na_position="first")
    s_metric = f"s_acc_{probe}"
    return table.reset_index(drop=True).rename(columns={"s_acc": s_metric, "s_acc_ci95": f"{s_metric}_ci95"})


def short_labels(table: pd.DataFrame) -> list[str]:
    """Each configuration named by the parameters that vary between a (task, method)'s configurations, the
    update budget aside (trials and finals differ in it by design): "delta=0.0292, lr=4.98e-05"."""
    params = [json.loads(c) for c in table["config"]]
    labels = []
    for i, (task, method) in enumerate(zip(table["task"], table["method"], strict=True)):
        group = [params[j] for j in np.flatnonzero((table["task"] == task) & (table["method"] == method))]
        varying = sorted(k for k in params[i] if k != "steps" and any(p.get(k) != params[i][k] for p in group))
        labels.append(", ".join(f"{k}={params[i][k]:.3g}" if isinstance(params[i][k], float)
                                else f"{k}={params[i][k]}" for k in varying) or "defaults")
    return labels


def shifted_metrics(frame: pd.DataFrame, complete: bool = False) -> list[str]:
    """The shifted-test accuracies in `frame`; with `complete`, only those every row has (one task's rows)."""
    return [c for c in frame.columns if c.startswith(SHIFTED) and (not complete or frame[c].notna().all())]


def side_metrics(frame: pd.DataFrame) -> list[str]:
    """The other probes' s-accuracies and the fairness gaps that every row of `frame` has."""
    return [c for c in frame.columns if (c.startswith(PROBES) or c in GAPS) and frame[c].notna().all()]


def versus_baseline(frame: pd.DataFrame, probe: str = "mlp", store: ResultStore | None = None) -> pd.DataFrame:
    """Every tuned method against the tuned plain network (see `compare`)."""
    return compare(frame, [(m, BASELINE) for m in METHODS if m != BASELINE], probe, store)


def forgetting_versus_others(frame: pd.DataFrame, probe: str = "mlp",
                             store: ResultStore | None = None) -> pd.DataFrame:
    """The paper's own claim, stated as tests: tuned adversarial forgetting against every other tuned method."""
    return compare(frame, [(CLAIMANT, m) for m in METHODS if m != CLAIMANT], probe, store)


def versus_least_leaky(frame: pd.DataFrame, probe: str = "mlp", store: ResultStore | None = None) -> pd.DataFrame:
    """Per task, every tuned method against the one whose finals leak least (see `compare`): which methods the
    least leaky cannot be told apart from. Empty when no task has two methods with `MIN_SEEDS` finals."""
    tables = []
    for _, block in frame[frame["stage"] == "tuned"].groupby("task", sort=True):
        finals = block.groupby("method")["s_acc"].agg(["mean", "size"])
        leak = finals.loc[finals["size"] >= MIN_SEEDS, "mean"]
        if len(leak) > 1:
            best = leak.idxmin()
            tables.append(compare(block, [(m, best) for m in leak.index if m != best], probe, store))
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def compare(frame: pd.DataFrame, pairs: list[tuple[str, str]], probe: str = "mlp",
            store: ResultStore | None = None) -> pd.DataFrame:
    """Each (method, against) pair of tuned finals, per task (the rows of `seed_rows`): the difference of means in
    y_acc and in s-accuracy, and in each shifted-test accuracy the task has, tested by the statistics layer
    (Student-t interval over seeds; paired over test items where the records kept item scores), Holm within two
    families per task (the y and s tests; the shifted tests, so adding them costs the main comparison no power),
    the smallest difference detectable at the family's corrected level (80 % power), and a verdict for `method`
    (holds: more accurate, or less leakage; no meaningful difference: within the margin the paper's claims
    declare). A side with fewer than `MIN_SEEDS` finished finals (a tuned run still in progress) is left out."""
    frame = frame[frame["stage"] == "tuned"]
    tests = []
    for task, block in frame.groupby("task", sort=True):
        seeds = {m: g for m, g in block.groupby("method") if len(g) >= MIN_SEEDS}
        metrics = [("y_acc", "main", 1), ("s_acc", "main", -1),
                   *((m, "shifted", 1) for m in shifted_metrics(block, complete=True))]
        for method, against in ((m, a) for m, a in pairs if m in seeds and a in seeds):
            mine, theirs = seeds[method], seeds[against]
            for metric, family, expected in metrics:
                name = f"s_acc_{probe}" if metric == "s_acc" else metric
                test = compare_records(list(mine["record"]), list(theirs["record"]), name, store)
                tests.append(({"task": task, "method": method, "against": against, "metric": name, "family": family,
                               "mean": mine[metric].mean(), "mean_against": theirs[metric].mean(),
                               "s_majority": block["s_majority"].mean(), "seeds": len(mine),
                               "seeds_against": len(theirs)}, test, expected, _margin(name)))
    if not tests:
        raise ValueError(f"no task has tuned finals of both sides of any of {pairs}; run them with --tune")
    rows = []
    decided = decide_families([(row["task"], row["family"]) for row, *_ in tests], [t[1] for t in tests],
                              [t[2] for t in tests], [t[3] for t in tests], ["points"] * len(tests))
    for i, (row, test, _, _) in enumerate(tests):
        decision = decided[i]
        rows.append({**row, "diff": test.diff, "diff_ci95": test.half_width(), "p": decision.p,
                     "p_holm": decision.p_holm, "min_detectable": decision.detectable, "pairing": pairing(test.test),
                     "verdict": decision.phrase})
    return pd.DataFrame(rows)


def _margin(metric: str) -> float:
    """The equivalence margin the paper's claims declare for `metric` (NaN where none is declared)."""
    try:
        return margin_of("jaiswal2020", metric)
    except ValueError:
        return math.nan


def _pm(values: pd.Series) -> str:
    """Mean ± 95 % half-width at the interval's precision (two significant digits), as on the leaderboard."""
    mean, half = values.mean(), ci95(values.to_numpy())
    if not half or not math.isfinite(half):
        return f"{mean:.2f}"
    decimals = max(0, 1 - math.floor(math.log10(half)))
    return f"{mean:.{decimals}f} ± {half:.{decimals}f}"


def finals_markdown(frame: pd.DataFrame, versus: pd.DataFrame, probe: str = "mlp") -> str:
    """The tuned finals per task as markdown tables for the docs: y, the probe's s-accuracy, the difference from
    `nn` (with its verdict), where selection landed; the other probes, the fairness gaps
    and the degenerate seeds; and, where the task has them, the shifted-test accuracies with their differences
    from `nn`. Generated, so the docs' tables can be refreshed whenever records land instead of being copied by
    hand."""
    lookup = versus.set_index(["task", "method", "metric"])

    def against_nn(task: str, method: str, metric: str) -> str:
        if (task, method, metric) not in lookup.index:
            return ""
        row = lookup.loc[(task, method, metric)]
        verdict = row["verdict"] if row["verdict"].startswith("inconclusive") else f"**{row['verdict']}**"
        return f"{row['diff']:+.2g}, {verdict}".replace("-", "−")

    out = []
    for task, block in frame[frame["stage"] == "tuned"].groupby("task", sort=True):
        configs = [(m, c, g) for m in METHODS for c, g in block[block["method"] == m].groupby("config", sort=False)]
        shifted = shifted_metrics(block, complete=True)
        side = side_metrics(block)
        out += [f"### {task}", "", f"s majority {block['s_majority'].mean():.2f} %; mean ± 95 % CI over seeds; "
                "vs nn: difference, verdict after Holm (an inconclusive one says what the design could detect, "
                "80 % power at the family's corrected level).", "",
                f"| method (tuned values) | seeds | y-acc (%) | s-acc, {probe} probe (%) | y vs nn | s vs nn "
                "| kept / stopped update (median) |", "|---|---|---|---|---|---|---|"]
        for method, config, g in configs:
            params, tuned = json.loads(config), json.loads(g["tuned_params"].iloc[0])
            values = ", ".join(f"{k} {_short(params[k])}" for k in tuned)
            out.append(f"| `{method}`{f' ({values})' if values else ''} | {len(g)} | {_pm(g['y_acc'])} | "
                       f"{_pm(g['s_acc'])} | {against_nn(task, method, 'y_acc')} | "
                       f"{against_nn(task, method, f's_acc_{probe}')} | "
                       f"{g['selected_step'].median():,.0f} / {g['stopped_step'].median():,.0f} |")
        names = [f"s-acc, {k[len(PROBES):]} probe (%)" if k.startswith(PROBES) else GAPS[k] for k in side]
        out += ["", "| method | " + " | ".join([*names, "degenerate seeds"]) + " |", "|---|" + "---|" * (len(side) + 1)]
        for method, _, g in configs:
            out.append(f"| `{method}` | " + " | ".join([*(_pm(g[k]) for k in side), str(g["degenerate"].sum())]) + " |")
        if shifted:
            out += ["", "| method | " + " | ".join(shifted) + " |", "|---|" + "---|" * len(shifted)]
            for method, _, g in configs:
                cells = [_pm(g[k]) + (f" ({versus})" if (versus := against_nn(task, method, k)) else "")
                         for k in shifted]
                out.append(f"| `{method}` | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def _short(value) -> str:
    return f"{value:.2g}" if isinstance(value, float) else str(value)


def _bars(rows: pd.DataFrame, metric: str) -> np.ndarray:
    """A percentage's 95 % CI as error bars, cut at 0 and 100 %."""
    return error_bars(rows[metric], rows[f"{metric}_ci95"], 0.0, 100.0)


def plot(table: pd.DataFrame, path: Path, probe: str, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s_metric = f"s_acc_{probe}"
    tasks = list(dict.fromkeys(table["task"]))
    colours = {m: f"C{i}" for i, m in enumerate(METHODS)}
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.2 * len(tasks), 4.4), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        block = table[table["task"] == task]
        for method in (m for m in METHODS if m in set(block["method"])):
            rows, colour = block[block["method"] == method], colours[method]
            trials, finals = rows[rows["stage"] == "trial"], rows[rows["stage"] == "tuned"]
            fixed = rows[rows["stage"] == "fixed"].sort_values("delta")
            ax.scatter(trials[s_metric], trials["y_acc"], s=18, facecolors="none", edgecolors=colour, alpha=0.6)
            ax.errorbar(finals[s_metric], finals["y_acc"], xerr=_bars(finals, s_metric),
                        yerr=_bars(finals, "y_acc"), fmt="o", ms=7, capsize=2, color=colour,
                        label=f"{method} (tuned, {int(finals['n_seeds'].max())} seeds)" if len(finals) else None)
            if len(fixed):
                ax.errorbar(fixed[s_metric], fixed["y_acc"], xerr=_bars(fixed, s_metric),
                            yerr=_bars(fixed, "y_acc"), fmt="s--", ms=5, capsize=2, color=colour,
                            label=f"{method} (fixed)")
                for _, row in fixed.dropna(subset=["delta"]).iterrows():
                    ax.annotate(f"δ={row['delta']:g}", (row[s_metric], row["y_acc"]), fontsize=7,
                                xytext=(3, 3), textcoords="offset points")
        ax.axvline(block["s_majority"].iloc[0], color="grey", ls="--", lw=1, label="s majority rate (ideal)")
        ax.scatter([], [], s=18, facecolors="none", edgecolors="grey", label="tuning trials (1 seed each)")
        finals = block[block["stage"] == "tuned"]
        if len(finals):  # frame the finals; trials far off (collapsed ones) would squash them into a corner
            pad = max(1.0, 0.25 * np.ptp(finals["y_acc"]))
            ax.set_ylim(finals["y_acc"].min() - 3 * pad, finals["y_acc"].max() + pad)
        ax.set_title(task)
        ax.set_xlabel(f"s-accuracy of the {probe} probe (%), lower = more invariant")
        ax.set_ylabel("y-accuracy (%)")
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)


@register_study
class Tradeoff(Study):
    """y-accuracy against the probe's s-accuracy per task and method (tuning trials and tuned finals), each tuned
    method tested against `nn`, against the task's least leaky method, and adversarial forgetting against every
    other method, from the records of `repbench reproduce jaiswal2020 --profile P`."""

    name = "tradeoff"
    family = "invariance"
    tasks = TASKS
    methods = METHODS
    outputs = ("invariance/tradeoff_{profile}.csv", "invariance/tradeoff_vs_nn_{profile}.csv",
               "invariance/tradeoff_finals_{profile}.md", "invariance/tradeoff_forgetting_vs_others_{profile}.csv",
               "invariance/tradeoff_vs_least_leaky_{profile}.csv", "plots/invariance_tradeoff_{profile}.png")
    options = {"probe": Param("mlp", "The post-hoc probe whose s-accuracy is plotted and tested.",
                              choices=("mlp", "logreg"))}

    def run(self, ctx: StudyContext) -> tuple[Path, ...]:
        return run_study(ctx.profile, ctx.options["probe"], ctx.results, ctx.records())


def run_study(profile: str, probe: str, results: Path, records: list[Record]) -> tuple[Path, ...]:
    """The trade-off table, the comparison with `nn` and the figure of one profile, from its records under the
    tasks' current settings; returns their paths."""
    frame = seed_rows(records, profile, probe)
    store = ResultStore(results)
    table = tradeoff_table(frame, probe)
    csv, png = study_paths("invariance", "tradeoff", profile, results)
    written = [write_table(table, csv)]
    tuned = set(frame.loc[frame["stage"] == "tuned", "method"])
    if BASELINE in tuned and len(tuned) > 1:
        versus_nn = versus_baseline(frame, probe, store)
        csv_nn = study_paths("invariance", "tradeoff_vs_nn", profile, results)[0]
        written.append(write_table(versus_nn, csv_nn))
        markdown = csv_nn.with_name(f"tradeoff_finals_{profile}.md")
        markdown.write_text(finals_markdown(frame, versus_nn, probe))
        written.append(markdown)
    if CLAIMANT in tuned and len(tuned) > 1:
        csv_claim = study_paths("invariance", "tradeoff_forgetting_vs_others", profile, results)[0]
        written.append(write_table(forgetting_versus_others(frame, probe, store), csv_claim))
    least_leaky = versus_least_leaky(frame, probe, store)
    if not least_leaky.empty:
        csv_best = study_paths("invariance", "tradeoff_vs_least_leaky", profile, results)[0]
        written.append(write_table(least_leaky, csv_best))
    written.append(plot(table, png, probe, f"y- against s-accuracy ({profile} profile; filled: tuned finals with "
                                           "95 % CIs over seeds; rings: the tuning trials)"))
    return tuple(written)
