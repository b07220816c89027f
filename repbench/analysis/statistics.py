"""The one statistics layer every table, study and claim uses: Student-t intervals over seeds, Welch's and the
paired t-test, a paired bootstrap over shared test items, the difference of two differences, Holm's correction
within a declared family, the smallest difference detectable at the family's corrected level, an equivalence
test (TOST) against a declared margin, and the verdict words that follow from them.

Sources: Welch (1947) and Satterthwaite (1946) for unequal variances; Holm (1979), Scand. J. Statist. 6:65-70;
Schuirmann (1987), J. Pharmacokinet. Biopharm. 15:657-680, and Lakens (2017), Soc. Psychol. Personal. Sci.
8:355-362, for two one-sided tests; Efron & Tibshirani (1993), An Introduction to the Bootstrap, for the paired
bootstrap. Hand-rolled on scipy's t distribution because the combinations needed here (seed noise plus paired
test-item noise, differences of differences) are not in scipy or statsmodels; the tests check each piece
against them where they have it."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

ALPHA = 0.05  # two-sided level of every verdict, before correction
POWER = 0.8  # power of the smallest detectable difference


def ci95(values: np.ndarray) -> float:
    """Half-width of the two-sided 95 % Student-t confidence interval of the mean (NaN for one seed)."""
    n = len(values)
    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.975, n - 1) * sample_std(values) / math.sqrt(n))


def sample_std(values: np.ndarray) -> float:
    """Sample standard deviation; exactly 0 for identical values (not the 1e-16 that rounding leaves)."""
    values = np.asarray(values, dtype=float)
    return 0.0 if np.ptp(values) == 0 else float(values.std(ddof=1))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (agrees with statsmodels' `multipletests(method="holm")`). A NaN (an
    untestable comparison, e.g. one seed) stays NaN and does not count in the family."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), math.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    out[order] = np.maximum.accumulate((len(order) - np.arange(len(order))) * p[order]).clip(max=1.0)
    return out


@dataclass(frozen=True)
class Difference:
    """A difference of means (side a minus side b) with its standard error and degrees of freedom, and how it
    was tested. `df` is infinite where only bootstrap (large-sample) terms enter."""

    diff: float
    se: float
    df: float
    test: str
    n_a: int = 0
    n_b: int = 0

    @property
    def testable(self) -> bool:
        return math.isfinite(self.diff) and math.isfinite(self.se) and self.df > 0

    def half_width(self, alpha: float = ALPHA) -> float:
        """Half-width of the two-sided (1 - alpha) interval."""
        return _t(1 - alpha / 2, self.df) * self.se if self.testable else math.nan

    def p(self) -> float:
        """Two-sided p of "no difference"."""
        if not self.testable:
            return math.nan
        if self.se == 0:
            return 1.0 if self.diff == 0 else 0.0
        return float(2 * stats.t.sf(abs(self.diff) / self.se, self.df))

    def p_one_sided(self, sign: int) -> float:
        """One-sided p of "the true difference is not on the `sign` side of 0" (+1: a > b; -1: a < b)."""
        if not self.testable:
            return math.nan
        if self.se == 0:
            return 0.0 if np.sign(self.diff) == sign else 1.0
        return float(stats.t.sf(sign * self.diff / self.se, self.df))

    def detectable(self, alpha: float = ALPHA, power: float = POWER) -> float:
        """The smallest true difference this design detects with `power` in a two-sided test at `alpha` (the
        family's corrected level: pass it, or the table promises power it does not have)."""
        if not self.testable:
            return math.nan
        return (_t(1 - alpha / 2, self.df) + _t(power, self.df)) * self.se

    def p_equivalent(self, margin: float) -> float:
        """Two one-sided tests (TOST) of |true difference| < margin: the larger of the two one-sided p-values.
        Small p: the difference is within ±margin."""
        if not self.testable or not margin > 0:
            return math.nan
        if self.se == 0:
            return 0.0 if abs(self.diff) < margin else 1.0
        lower = stats.t.sf((self.diff + margin) / self.se, self.df)
        upper = stats.t.cdf((self.diff - margin) / self.se, self.df)
        return float(max(lower, upper))

    def plus_items(self, item_var: float, how: str) -> Difference:
        """This seed-level difference with the test items' sampling variance added (bootstrap: infinite df, so
        Satterthwaite's df grows with its share of the variance)."""
        if not math.isfinite(item_var) or item_var <= 0:
            return self
        seed_var, total = self.se**2, self.se**2 + item_var
        df = math.inf if seed_var == 0 else total**2 / (seed_var**2 / self.df)
        return replace(self, se=math.sqrt(total), df=df, test=f"{self.test} + {how}")


def _t(q: float, df: float) -> float:
    return float(stats.norm.ppf(q) if math.isinf(df) else stats.t.ppf(q, df))


def untestable(a, b, why: str) -> Difference:
    mean = float(np.mean(a) - np.mean(b)) if len(a) and len(b) else math.nan
    return Difference(mean, math.nan, math.nan, why, len(a), len(b))


def welch(a, b) -> Difference:
    """Welch's unequal-variance t-test of mean(a) - mean(b), Welch-Satterthwaite df (agrees with
    `scipy.stats.ttest_ind(a, b, equal_var=False)`)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        return untestable(a, b, "untestable (fewer than 2 seeds on a side)")
    va, vb = sample_std(a) ** 2 / len(a), sample_std(b) ** 2 / len(b)
    diff = float(a.mean() - b.mean())
    if va + vb == 0:  # no spread on either side: the difference is exact
        return Difference(diff, 0.0, math.inf, "welch t (seeds)", len(a), len(b))
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return Difference(diff, math.sqrt(va + vb), df, "welch t (seeds)", len(a), len(b))


def paired_t(a, b) -> Difference:
    """The paired t-test of mean(a - b) over matched seeds, n - 1 df (agrees with `scipy.stats.ttest_rel`)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) != len(b):
        raise ValueError(f"a paired test needs matched pairs: {len(a)} values against {len(b)}")
    if len(a) < 2:
        return untestable(a, b, "untestable (fewer than 2 pairs)")
    d = a - b
    return Difference(float(d.mean()), sample_std(d) / math.sqrt(len(d)), len(d) - 1.0, "paired t (seeds)",
                      len(a), len(b))


def difference_of_differences(first: Difference, second: Difference) -> Difference:
    """first - second for two independent differences (e.g. depth's gain on one cell minus its gain on another):
    variances add; Satterthwaite's df from the two parts."""
    if not (first.testable and second.testable):
        return Difference(first.diff - second.diff, math.nan, math.nan, "untestable (a gain is untestable)",
                          first.n_a + first.n_b, second.n_a + second.n_b)
    v1, v2 = first.se**2, second.se**2
    parts = [v**2 / df for v, df in ((v1, first.df), (v2, second.df)) if v > 0 and math.isfinite(df)]
    df = math.inf if not parts else (v1 + v2) ** 2 / sum(parts)
    test = first.test if first.test == second.test else f"{first.test}; {second.test}"
    return Difference(first.diff - second.diff, math.sqrt(v1 + v2), df, f"difference of differences: {test}",
                      first.n_a + first.n_b, second.n_a + second.n_b)


class ItemScores:
    """What a record keeps of its test items so a metric can be recomputed on any resample of them: `value`
    maps bootstrap weights [B, n_items] (how often each item is drawn) to the metric on each resample."""

    n_items: int

    def value(self, weights: np.ndarray) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class ItemMeans(ItemScores):
    """A metric that is the mean of per-item scores (accuracy, error rate, log-loss)."""

    scores: np.ndarray

    @property
    def n_items(self) -> int:
        return len(self.scores)

    def value(self, weights: np.ndarray) -> np.ndarray:
        return weights @ self.scores / weights.sum(axis=1)


@dataclass(frozen=True)
class PairwiseAUC(ItemScores):
    """ROC AUC over units (e.g. 1 ms bins) grouped into items (e.g. test trials), which are the resampling unit:
    `correct[i, j]` counts the (positive unit in item i, negative unit in item j) pairs ranked correctly, ties
    as 1/2, times 2 (integers); `positives`, `negatives` count each item's units. AUC of a resample with weights
    w: w'Cw / (2 (w'P)(w'N)), exact (the Mann-Whitney count restricted to the drawn items)."""

    correct: np.ndarray
    positives: np.ndarray
    negatives: np.ndarray

    @property
    def n_items(self) -> int:
        return len(self.positives)

    @classmethod
    def from_scores(cls, scores: np.ndarray, labels: np.ndarray) -> PairwiseAUC:
        """From [n_items, n_units] scores and 0/1 labels."""
        scores, labels = np.asarray(scores, dtype=float), np.asarray(labels).astype(bool)
        negatives = [np.sort(s[~y]) for s, y in zip(scores, labels, strict=True)]
        correct = np.zeros((len(scores), len(scores)), dtype=np.int64)
        for i, (s, y) in enumerate(zip(scores, labels, strict=True)):
            pos = s[y]
            if not len(pos):
                continue
            for j, neg in enumerate(negatives):
                below = np.searchsorted(neg, pos, side="left")
                upto = np.searchsorted(neg, pos, side="right")
                correct[i, j] = int((below + upto).sum())  # 2 x (below + ties / 2)
        return cls(correct, labels.sum(axis=1).astype(np.int64), (~labels).sum(axis=1).astype(np.int64))

    def value(self, weights: np.ndarray) -> np.ndarray:
        w = np.asarray(weights, dtype=float)
        pairs = np.einsum("bi,ij,bj->b", w, self.correct.astype(float), w)
        with np.errstate(invalid="ignore", divide="ignore"):
            return pairs / (2 * (w @ self.positives) * (w @ self.negatives))


def bootstrap_weights(n_items: int, n_boot: int = 2000, seed: int = 0) -> np.ndarray:
    """[n_boot, n_items] counts of each item in a resample drawn with replacement."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_items, np.full(n_items, 1.0 / n_items), size=n_boot).astype(float)


def paired_item_variance(a: list[ItemScores], b: list[ItemScores], n_boot: int = 2000, seed: int = 0) -> float:
    """Variance of mean_seeds(a) - mean_seeds(b) when the test items are resampled, the same resample for both
    sides (they were scored on the same items, so the shared part of their test-set error cancels)."""
    sizes = {s.n_items for s in (*a, *b)}
    if len(sizes) != 1:
        raise ValueError(f"paired items need the same test items on both sides; item counts differ: {sorted(sizes)}")
    weights = bootstrap_weights(sizes.pop(), n_boot, seed)
    diff = np.mean([s.value(weights) for s in a], axis=0) - np.mean([s.value(weights) for s in b], axis=0)
    diff = diff[np.isfinite(diff)]  # a resample without a positive unit has no AUC
    return float(diff.var(ddof=1)) if len(diff) > 1 else math.nan


def compare(a, b, *, paired_seeds: bool = False, items: tuple[list[ItemScores], list[ItemScores]] | None = None,
            item_se: tuple[float, float] | None = None) -> Difference:
    """mean(a) - mean(b) over seeds, tested the way the design allows: a paired t when the sides share their
    seeds (`paired_seeds`), else Welch; plus the test items' noise, paired where both sides kept item scores on
    the same items (`items`), else unpaired from each side's bootstrap SE where known (`item_se`, which treats
    the shared test set as independent and so overstates the noise)."""
    seeds = paired_t(a, b) if paired_seeds else welch(a, b)
    if not seeds.testable:
        return seeds
    if items is not None and items[0] and items[1]:
        return seeds.plus_items(paired_item_variance(*items), "paired bootstrap (test items)")
    if item_se is not None and all(math.isfinite(s) for s in item_se):
        return seeds.plus_items(item_se[0] ** 2 + item_se[1] ** 2, "unpaired test-set SE")
    return seeds


class Verdict:
    """The one vocabulary of every claim: the paper's direction significant after correction, the opposite
    significant, equivalence within the declared margin, or neither (with what the design could detect)."""

    HOLDS = "holds"
    FAILS = "fails"
    EQUIVALENT = "no meaningful difference"
    INCONCLUSIVE = "inconclusive"
    UNTESTABLE = "untestable"


@dataclass(frozen=True)
class Decision:
    """One comparison of a family, decided: p and Holm-adjusted p, the equivalence p (Holm-adjusted too), the
    detectable difference at the family's corrected level, and the verdict (word and phrase)."""

    p: float
    p_holm: float
    p_equivalent: float
    p_equivalent_holm: float
    alpha_corrected: float
    detectable: float
    verdict: str
    phrase: str


def decide_family(differences: list[Difference], expected: list[int], margins: list[float],
                  alpha: float = ALPHA, units: list[str] | None = None) -> list[Decision]:
    """Decide a declared family of comparisons together. `expected[i]` is the sign the claim expects for
    differences[i] (+1: a > b; -1: a < b; 0: no difference expected, any significant one fails it); `margins[i]`
    the equivalence margin (NaN: none declared). Holm corrects both the difference and the equivalence tests;
    the detectable difference is computed at Holm's first-step level alpha / k, the power every member has.
    `units[i]` names the unit in the verdict's text ("points" for percentages)."""
    p = np.array([d.p() for d in differences], dtype=float)
    p_eq = np.array([d.p_equivalent(m) for d, m in zip(differences, margins, strict=True)], dtype=float)
    p_holm, p_eq_holm = holm(p), holm(p_eq)
    k = int(np.isfinite(p).sum())
    corrected = alpha / k if k else alpha
    out = []
    units = units or [""] * len(differences)
    for d, sign, margin, unit, pv, ph, pe, peh in zip(differences, expected, margins, units, p, p_holm, p_eq,
                                                       p_eq_holm, strict=True):
        detectable = d.detectable(corrected)
        if not math.isfinite(ph):
            word, phrase = Verdict.UNTESTABLE, d.test
        elif ph < alpha and sign != 0 and np.sign(d.diff) == sign:
            word = phrase = Verdict.HOLDS
        elif ph < alpha:
            word, phrase = Verdict.FAILS, "fails (the opposite is significant)" if sign else "fails (a difference " \
                                                                                            "is significant)"
        elif math.isfinite(peh) and peh < alpha:
            word, phrase = Verdict.EQUIVALENT, f"no meaningful difference (within ±{_amount(margin, unit)})"
        else:
            word, phrase = Verdict.INCONCLUSIVE, f"inconclusive (could detect {_amount(detectable, unit)})"
        out.append(Decision(float(pv), float(ph), float(pe), float(peh), corrected, detectable, word, phrase))
    return out


def decide_families(families: list, differences: list[Difference], expected: list[int], margins: list[float],
                    units: list[str] | None = None, alpha: float = ALPHA) -> list[Decision]:
    """`decide_family` for comparisons of several declared families at once (`families[i]` names the family of
    comparison i, any hashable): each family is corrected on its own; the decisions come back in input order."""
    units = units or [""] * len(differences)
    members: dict = {}
    for i, family in enumerate(families):
        members.setdefault(family, []).append(i)
    out: list[Decision | None] = [None] * len(differences)
    for group in members.values():
        decided = decide_family([differences[i] for i in group], [expected[i] for i in group],
                                [margins[i] for i in group], alpha, [units[i] for i in group])
        for i, decision in zip(group, decided, strict=True):
            out[i] = decision
    return out


def _amount(value: float, unit: str) -> str:
    """0.042, 1 point, 4.4 points, 2.5 ms."""
    text = f"{value:.2g}" if abs(value) < 10 else f"{value:,.0f}"
    if not unit:
        return text
    return f"{text} {unit[:-1] if unit.endswith('s') and text == '1' else unit}"


def rank_p(a, b) -> float:
    """Mann-Whitney's two-sided p (for a side whose values are not near-normal, e.g. seeds stuck at chance)."""
    if len(a) < 2 or len(b) < 2:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def slope_interval(x, y, level: float = 0.95) -> tuple[float, float]:
    """Least-squares slope of y on x and the half-width of its Student-t interval (n - 2 df); NaN below 3
    points."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or np.isnan(y).any():
        return math.nan, math.nan
    fit = stats.linregress(x, y)
    return float(fit.slope), float(stats.t.ppf(0.5 + level / 2, len(x) - 2) * fit.stderr)
