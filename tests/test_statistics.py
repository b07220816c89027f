"""The statistics layer against reference implementations (scipy, statsmodels) and known cases."""

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from repbench.analysis import statistics as st

sm_multitest = pytest.importorskip("statsmodels.stats.multitest")
sm_weightstats = pytest.importorskip("statsmodels.stats.weightstats")
sm_power = pytest.importorskip("statsmodels.stats.power")

A = np.array([0.91, 0.93, 0.92, 0.95, 0.90])
B = np.array([0.88, 0.90, 0.86, 0.89, 0.91, 0.87])


def test_student_t_interval_not_z():
    three = np.array([0.80, 0.82, 0.84])
    assert st.ci95(three) == pytest.approx(4.302653 * three.std(ddof=1) / math.sqrt(3), rel=1e-6)
    assert math.isnan(st.ci95(np.array([1.0])))


def test_welch_matches_scipy():
    d = st.welch(A, B)
    ref = stats.ttest_ind(A, B, equal_var=False)
    assert d.diff == pytest.approx(A.mean() - B.mean())
    assert d.p() == pytest.approx(ref.pvalue)
    assert d.df == pytest.approx(ref.df)
    low, high = ref.confidence_interval(0.95)
    assert d.half_width() == pytest.approx((high - low) / 2)


def test_paired_t_matches_scipy():
    a, b = A, A - np.array([0.01, 0.012, 0.009, 0.011, 0.010])
    d = st.paired_t(a, b)
    ref = stats.ttest_rel(a, b)
    assert d.p() == pytest.approx(ref.pvalue) and d.df == len(a) - 1
    with pytest.raises(ValueError, match="matched pairs"):
        st.paired_t(A, B)


def test_holm_matches_statsmodels_and_leaves_untestable_out():
    p = np.array([0.01, 0.04, 0.03, 0.5, 0.002])
    np.testing.assert_allclose(st.holm(p), sm_multitest.multipletests(p, method="holm")[1])
    with_nan = st.holm(np.array([0.01, np.nan, 0.04]))
    assert math.isnan(with_nan[1])
    np.testing.assert_allclose(with_nan[[0, 2]], sm_multitest.multipletests([0.01, 0.04], method="holm")[1])


def test_tost_matches_statsmodels_for_welch_and_paired():
    margin = 0.05
    p_ind = sm_weightstats.ttost_ind(A, B, -margin, margin, usevar="unequal")[0]
    assert st.welch(A, B).p_equivalent(margin) == pytest.approx(p_ind)
    b = A - np.array([0.01, 0.012, 0.009, 0.011, 0.010])
    assert st.paired_t(A, b).p_equivalent(0.02) == pytest.approx(sm_weightstats.ttost_paired(A, b, -0.02, 0.02)[0])


def test_tost_known_case_equivalent_inside_the_margin_not_outside():
    rng = np.random.default_rng(1)
    a, b = 0.5 + rng.normal(0, 0.01, 10), 0.5 + rng.normal(0, 0.01, 10)
    d = st.welch(a, b)
    assert d.p() > 0.05  # not different
    assert d.p_equivalent(0.03) < 0.01  # and equivalent within ±0.03 (the 90 % interval is well inside)
    assert d.p_equivalent(0.001) > 0.5  # but not within a margin below its own noise


def test_detectable_difference_matches_statsmodels_power_and_grows_at_the_corrected_level():
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 3.0, 4.0, 5.0])  # equal n and variances: the pooled case
    d = st.welch(a, b)
    sd = a.std(ddof=1)
    effect = sm_power.TTestIndPower().solve_power(nobs1=4, alpha=0.05, power=0.8, ratio=1.0)
    # statsmodels uses the noncentral t (exact power); t(1-a/2) + t(power) is the usual normal-shift
    # approximation, within a few percent here
    assert d.detectable() == pytest.approx(effect * sd, rel=0.06)
    assert d.detectable(0.05 / 14) > 1.3 * d.detectable()


def test_difference_of_differences_has_satterthwaite_df():
    g1, g2 = st.welch(A, B), st.welch(B, A[:3])
    dd = st.difference_of_differences(g1, g2)
    assert dd.diff == pytest.approx(g1.diff - g2.diff)
    assert dd.se == pytest.approx(math.hypot(g1.se, g2.se))
    v1, v2 = g1.se**2, g2.se**2
    assert dd.df == pytest.approx((v1 + v2) ** 2 / (v1**2 / g1.df + v2**2 / g2.df))
    assert min(g1.df, g2.df) <= dd.df <= g1.df + g2.df


def test_pairwise_auc_is_exact_on_every_resample():
    rng = np.random.default_rng(0)
    labels = rng.random((8, 300)) < 0.05
    scores = np.round(rng.random((8, 300)) + labels * 0.4, 2)  # rounding makes ties
    items = st.PairwiseAUC.from_scores(scores, labels)
    weights = st.bootstrap_weights(8, n_boot=5, seed=3)
    for w, value in zip(weights, items.value(weights), strict=True):
        pick = np.repeat(np.arange(8), w.astype(int))
        assert value == pytest.approx(roc_auc_score(labels[pick].ravel(), scores[pick].ravel()))


def test_paired_bootstrap_decides_where_the_unpaired_test_cannot():
    """Two models scored on the same 40 test trials: model b is a's scores minus a small shift on positives.
    Their AUCs move together across test trials, so the unpaired test (adding both test-set SEs) is inconclusive
    while the paired bootstrap finds the difference."""
    rng = np.random.default_rng(0)
    labels = rng.random((40, 200)) < 0.05
    base = rng.random((40, 200)) + labels * rng.uniform(0.0, 1.0, (40, 1))  # trials differ a lot in difficulty
    sides = []
    for shift in (0.0, 0.08):
        seeds = [base - shift * labels + rng.normal(0, 0.01, base.shape) for _ in range(3)]
        sides.append([st.PairwiseAUC.from_scores(s, labels) for s in seeds])
    full = np.ones((1, 40))
    auc = [[float(s.value(full)[0]) for s in side] for side in sides]
    weights = st.bootstrap_weights(40, 2000, seed=1)
    se = [float(np.std(np.mean([s.value(weights) for s in side], axis=0), ddof=1)) for side in sides]
    unpaired = st.compare(auc[0], auc[1], item_se=(se[0], se[1]))
    paired = st.compare(auc[0], auc[1], items=(sides[0], sides[1]))
    assert "paired bootstrap" in paired.test and "unpaired" in unpaired.test
    assert unpaired.p() > 0.05 and paired.p() < 0.01


def test_paired_t_over_shared_seeds_decides_where_welch_cannot():
    seed_effect = np.array([0.80, 0.86, 0.83, 0.90, 0.78])  # each seed's data draw moves both sides alike
    a, b = seed_effect + 0.01, seed_effect + np.array([0.001, -0.001, 0.0005, 0.0, -0.0005])
    assert st.compare(a, b).p() > 0.5
    assert st.compare(a, b, paired_seeds=True).p() < 0.001


def test_decide_family_words():
    clear = st.welch([1.0, 1.1, 0.9, 1.05], [0.0, 0.1, -0.1, 0.05])
    same = st.welch([0.5, 0.51, 0.49, 0.5, 0.505], [0.5, 0.49, 0.51, 0.5, 0.495])
    noisy = st.welch([0.0, 1.0], [0.5, -0.6])
    none = st.welch([1.0], [0.0, 1.0])
    decisions = st.decide_family([clear, clear, same, noisy, none], [1, -1, 1, 1, 1], [0.1, 0.1, 0.1, 0.1, 0.1])
    words = [d.verdict for d in decisions]
    assert words == ["holds", "fails", "no meaningful difference", "inconclusive", "untestable"]
    assert decisions[3].alpha_corrected == pytest.approx(0.05 / 4)  # four testable members
    assert decisions[3].phrase.startswith("inconclusive (could detect ")
    assert decisions[3].detectable == pytest.approx(noisy.detectable(0.05 / 4))
    # without a margin, "no difference" cannot be a finding
    assert st.decide_family([same], [1], [math.nan])[0].verdict == "inconclusive"


def test_one_sided_p_halves_the_two_sided_one_in_the_right_direction():
    d = st.welch(A, B)
    assert d.p_one_sided(+1) == pytest.approx(d.p() / 2)
    assert d.p_one_sided(-1) == pytest.approx(1 - d.p() / 2)
