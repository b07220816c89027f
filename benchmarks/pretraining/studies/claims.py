"""The paper's claims as tests: each claim is a pair of tuned methods and a direction, decided on the final
seeds with Welch's t-test (Holm-corrected over the table), the 95 % interval of the difference and the smallest
difference the seeds could have detected (80 % power).

    repbench reproduce golovko2016 --profile standard      # the tuned finals this reads
    repbench study claims [--profile standard]

Claims (Golovko, Kroshchanka & Treadwell 2016; the hybrid is the authors' later variant; "pretraining helps"
is the claim of the layer-wise literature they build on, Erhan et al. 2010): REBA pretrains better than the
classical rule it generalises (mean-field CD-1) and than sampled CD-1, the hybrid beats CD-1, pretraining
beats training from scratch, and REBA's nets converge faster (fine-tuning epochs to a common validation
error). Writes results/pretraining/claims_<profile>.csv.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from repbench.board import holm
from repbench.figures import study_paths, write_table

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
Z_80 = stats.norm.ppf(0.8)


def seed_values(records: list[dict], profile: str, task: str) -> dict[str, dict[str, list[float]]]:
    """{method: {metric: per-seed values}} of the tuned final cells that finished ("ok"; degenerate seeds are
    counted apart, under "degenerate"). Fine-tuning epochs to a validation error of 1.25 x the best method's
    mean: a seed that never gets there counts as one epoch past its schedule (censored)."""
    out: dict[str, dict[str, list[float]]] = {}
    curves: dict[str, list[np.ndarray]] = {}
    for r in records:
        ident = r["identity"]
        if (ident["profile"] != profile or ident["task"] != task or ident.get("stage", "final") != "final"
                or not ident.get("tuning")):
            continue
        entry = out.setdefault(ident["method"], {"test_error": [], "degenerate": []})
        if r.get("status") == "degenerate":
            entry["degenerate"].append(1.0)
        if r.get("status") != "ok":
            continue
        values = {m["name"]: m["value"] for m in r["metrics"]}
        entry["test_error"].append(values["test_error"])
        if isinstance(r.get("curves"), dict) and "val_error" in r["curves"]:
            curves.setdefault(ident["method"], []).append(np.asarray(r["curves"]["val_error"], dtype=float))
    if curves:
        threshold = 1.25 * min(np.mean([c.min() for c in cs]) for cs in curves.values())
        for method, cs in curves.items():
            out[method]["epochs_to_threshold"] = [
                float(np.flatnonzero(c <= threshold)[0] + 1) if (c <= threshold).any() else float(len(c) + 1)
                for c in cs]
    return out


def welch(better: list[float], other: list[float]) -> dict[str, float]:
    """Difference of means (better - other), its 95 % interval (Welch-Satterthwaite df), the two-sided p and
    the smallest difference detectable with 80 % power at these seeds and spreads."""
    a, b = np.asarray(better, float), np.asarray(other, float)
    if len(a) < 2 or len(b) < 2:
        return {"diff": float(a.mean() - b.mean()) if len(a) and len(b) else math.nan,
                "diff_ci95": math.nan, "p": math.nan, "min_detectable": math.nan}
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        diff = float(a.mean() - b.mean())  # no spread on either side: the difference is exact
        return {"diff": diff, "diff_ci95": 0.0, "p": 1.0 if diff == 0 else 0.0, "min_detectable": 0.0}
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    t95 = stats.t.ppf(0.975, df)
    p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    return {"diff": float(a.mean() - b.mean()), "diff_ci95": t95 * se, "p": p,
            "min_detectable": (t95 + stats.t.ppf(0.8, df)) * se}


def claims_table(records: list[dict], profile: str) -> pd.DataFrame:
    rows = []
    for task in TASKS:
        values = seed_values(records, profile, task)
        for claim, better, other, metric in CLAIMS:
            a, b = values.get(better, {}).get(metric, []), values.get(other, {}).get(metric, [])
            if not a or not b:
                continue
            rows.append({"task": task, "claim": claim, "metric": metric, "method": better, "against": other,
                         "mean": np.mean(a), "mean_against": np.mean(b), "seeds": len(a), "seeds_against": len(b),
                         "degenerate_seeds": len(values[better]["degenerate"]) + len(values[other]["degenerate"]),
                         **welch(a, b)})
    if not rows:
        raise ValueError(f"no tuned final records of the pretraining methods on {', '.join(TASKS)} in profile "
                         f"{profile!r}; run `repbench reproduce golovko2016 --profile {profile}` first")
    table = pd.DataFrame(rows)
    tested = table["p"].notna()
    table["p_holm"] = math.nan
    table.loc[tested, "p_holm"] = holm(table.loc[tested, "p"].to_numpy())
    table["verdict"] = [_verdict(r) for r in table.itertuples()]
    return table


def _verdict(row) -> str:
    if math.isnan(row.p_holm):
        return "inconclusive (fewer than 2 seeds)"
    if row.p_holm >= 0.05:
        return f"inconclusive (could detect {row.min_detectable:.2g} or more)"
    return "holds" if row.diff < 0 else "fails (the opposite is significant)"


def run_study(profile: str = "standard", results: Path | None = None) -> tuple[Path]:
    from repbench.api import load_records

    table = claims_table(load_records(profile, results), profile)
    csv, _ = study_paths("pretraining", "claims", profile, results)
    write_table(table, csv)
    return (csv,)
