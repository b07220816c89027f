"""The statistics every table shares (the leaderboard's and the studies'): Student-t intervals over seeds,
Welch's difference test with its detectable difference, and Holm's correction within a family of tests."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def ci95(values: np.ndarray) -> float:
    """Half-width of the two-sided 95 % Student-t confidence interval of the mean (NaN for one seed)."""
    n = len(values)
    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.975, n - 1) * sample_std(values) / math.sqrt(n))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (hand-rolled: a few lines, where statsmodels would be a new
    dependency). A NaN (an untestable comparison, e.g. one seed) stays NaN and does not count in the family."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), math.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested])]
    out[order] = np.maximum.accumulate((len(order) - np.arange(len(order))) * p[order]).clip(max=1.0)
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


def sample_std(values: np.ndarray) -> float:
    """Sample standard deviation; exactly 0 for identical values (not the 1e-16 that rounding leaves)."""
    return 0.0 if np.ptp(values) == 0 else float(values.std(ddof=1))
