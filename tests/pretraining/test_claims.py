"""The claims table: each claim a Welch test between two tuned methods, with a verdict that follows the numbers."""

import math

import pytest
from scipy import stats

from repbench.analysis.statistics import welch
from repbench.benchmarks.pretraining.studies.claims import claims_table as _claims_table
from repbench.benchmarks.pretraining.studies.claims import seed_values as _seed_values
from tests.conftest import records_of


def claims_table(records, *args, **kwargs):
    return _claims_table(records_of(records), *args, **kwargs)


def seed_values(records, *args, **kwargs):
    return _seed_values(records_of(records), *args, **kwargs)

def _record(method, error, seed, task="mnist", val=None, status="ok", tuned=True, hidden=(800, 800), lr=0.01):
    identity = {"task": task, "method": method, "profile": "standard", "stage": "final", "replicate": seed,
                "method_params": {"hidden": list(hidden), "lr": lr}}
    return {"status": status, "identity": identity | ({"tuning": {"trials": 8}} if tuned else {}),
            "metrics": [{"name": "test_error", "value": error}], "curves": {"val_error": val or [5.0, 2.0, 1.0]}}


def test_welch_matches_scipy_and_its_interval_and_power_follow_the_t_distribution():
    a, b = [1.0, 1.2, 1.1, 1.3], [1.5, 1.7, 1.4, 1.8, 1.6]
    out = welch(a, b)
    assert out["diff"] == pytest.approx(1.15 - 1.6)
    assert out["p"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    se = math.sqrt(stats.tvar(a) / 4 + stats.tvar(b) / 5)
    assert out["diff_ci95"] / se == pytest.approx(stats.t.ppf(0.975, 7), rel=0.05)  # df near 7 here
    assert out["min_detectable"] > out["diff_ci95"]
    assert math.isnan(welch([1.0], b)["p"])


def test_claims_hold_fail_or_stay_inconclusive_as_the_seeds_say():
    """REBA clearly better than mean-field CD, clearly worse than sampled CD, and tied with scratch."""
    records = []
    for s, noise in enumerate((-0.02, -0.01, 0.0, 0.01, 0.02)):
        records += [_record("dbn-reba", 1.5 + noise, s), _record("dbn-cd-mf", 2.0 + noise, s),
                    _record("dbn-cd", 1.2 + noise, s), _record("mlp-scratch", 1.5 + 10 * noise, s)]
    records += [_record("dbn-cd", 0.1, 9, tuned=False),  # untuned configurations stay out
                _record("mlp-scratch", 89.0, 7, status="degenerate")]
    table = claims_table(records, "standard").set_index(["task", "method", "against", "metric"])
    assert table.loc[("mnist", "dbn-reba", "dbn-cd-mf", "test_error"), "verdict"] == "holds"
    assert table.loc[("mnist", "dbn-reba", "dbn-cd", "test_error"), "verdict"].startswith("fails")
    tie = table.loc[("mnist", "dbn-reba", "mlp-scratch", "test_error")]
    assert tie["verdict"].startswith("inconclusive (could detect") and tie["degenerate_seeds"] == 1
    assert tie["seeds_against"] == 5
    assert tie["p_rank_all_seeds"] == pytest.approx(stats.mannwhitneyu(
        [1.48, 1.49, 1.5, 1.51, 1.52], [1.3, 1.4, 1.5, 1.6, 1.7, 89.0], alternative="two-sided").pvalue)
    assert math.isnan(table.loc[("mnist", "dbn-reba", "dbn-cd", "test_error"), "p_rank_all_seeds"])  # none stuck
    assert table.loc[("mnist", "dbn-reba", "dbn-cd", "test_error"), "mean_against"] == pytest.approx(1.2)
    with pytest.raises(ValueError, match="no tuned final records"):
        claims_table(records, "paper")


def test_fine_tuning_speed_is_measured_against_a_bar_both_methods_reach():
    """REBA's seeds end at 1.0 and 1.2, mean-field CD's at 2.0 and 2.2: the bar is 1.25 x 2.1; REBA gets under it
    at epochs 2 and 1, CD at epochs 3 and 4; a seed that never gets there is left out."""
    from repbench.benchmarks.pretraining.studies.claims import pair_values

    records = [_record("dbn-reba", 1.0, 0, val=[3.0, 2.0, 1.0, 1.0]),
               _record("dbn-reba", 1.0, 1, val=[2.5, 1.2, 1.2, 1.2]),
               _record("dbn-cd-mf", 2.0, 0, val=[5.0, 4.0, 2.6, 2.0]),
               _record("dbn-cd-mf", 2.0, 1, val=[5.0, 4.0, 3.0, 2.2])]
    values = seed_values(records, "standard", "mnist")
    reba, cd, bar = pair_values(values["dbn-reba"], values["dbn-cd-mf"], "epochs_to_threshold")
    assert bar == pytest.approx(1.25 * 2.1) and reba == [2.0, 1.0] and cd == [3.0, 4.0]
    row = claims_table(records, "standard").set_index("metric").loc["epochs_to_threshold"]
    assert row["diff"] == pytest.approx(-2.0) and row["threshold"] == pytest.approx(2.625)
    import numpy as np

    from repbench.benchmarks.pretraining.studies.claims import epochs_to_reach
    assert epochs_to_reach([np.array([3.0, 2.0]), np.array([9.0, 9.0])], 2.0)[0] == 2.0
    assert math.isnan(epochs_to_reach([np.array([9.0, 9.0])], 2.0)[0])  # never there: left out of the test


def test_the_deeper_net_gets_the_claims_and_a_comparison_with_the_smaller_one():
    """On 784-1600-1600-800-800-10 at the authors' settings (REBA lr 0.04, mean-field CD 0.01) REBA beats
    mean-field CD clearly; each deeper method is also compared with itself on 784-800-800-10 at the same
    settings (none for mean-field CD here); deeper runs at other values (even with more seeds) stay out."""
    deep = (1600, 1600, 800, 800)
    records = []
    for s, noise in enumerate((-0.02, -0.01, 0.0, 0.01, 0.02)):
        records += [_record("dbn-reba", 1.7 + noise, s), _record("dbn-cd-mf", 1.8 + noise, s, lr=0.009),
                    _record("dbn-reba", 1.3 + noise, s, tuned=False, hidden=deep, lr=0.04),
                    _record("dbn-cd-mf", 1.6 + noise, s, tuned=False, hidden=deep, lr=0.01)]
    records += [_record("dbn-reba", 9.0, s, tuned=False, hidden=deep, lr=0.5) for s in range(6)]
    records += [_record("dbn-reba", 1.6 + noise, s, tuned=False, lr=0.04) for s, noise in enumerate((-0.01, 0.01))]
    table = claims_table(records, "standard").query("metric == 'test_error'").set_index(["net", "method", "against"])
    row = table.loc[("784-1600-1600-800-800-10", "dbn-reba", "dbn-cd-mf")]
    assert row["mean"] == pytest.approx(1.3) and row["seeds"] == 5 and row["verdict"] == "holds"
    depth = table.loc[("784-1600-1600-800-800-10", "dbn-reba", "dbn-reba on 784-800-800-10")]
    assert depth["mean_against"] == pytest.approx(1.6)  # the small net at the same (authors') settings, not tuned
    assert depth["diff"] == pytest.approx(-0.3) and depth["verdict"] == "holds"
    assert ("784-1600-1600-800-800-10", "dbn-cd-mf", "dbn-cd-mf on 784-800-800-10") not in table.index
    assert table.loc[("784-800-800-10", "dbn-reba", "dbn-cd-mf"), "mean"] == pytest.approx(1.7)


def test_a_method_whose_every_seed_stayed_at_chance_loses_without_a_t_test():
    """Scratch on the deeper net never leaves chance (all seeds degenerate): pretraining holds against it, and
    the deeper scratch fails against the smaller one; a single stuck seed, or one trained seed, decides nothing."""
    deep = (1600, 1600, 800, 800)
    records = [_record("dbn-cd", 1.5 + 0.01 * s, s, tuned=False, hidden=deep) for s in range(3)]
    records += [_record("mlp-scratch", 89.7, s, status="degenerate", tuned=False, hidden=deep) for s in range(3)]
    records += [_record("mlp-scratch", 2.2 + 0.1 * s, s, tuned=False) for s in range(3)]  # small net, trained
    table = claims_table(records, "standard").set_index(["net", "method", "against"])
    row = table.loc[("784-1600-1600-800-800-10", "dbn-cd", "mlp-scratch")]
    assert row["verdict"] == "holds (every seed of mlp-scratch stayed at chance)"
    assert row["seeds"] == 3 and row["seeds_against"] == 0 and row["degenerate_seeds"] == 3
    assert math.isnan(row["p_holm"])  # no t-test, so nothing to correct
    # the stuck seeds count, at their test error; every seed apart, the tied 89.7s need the normal approximation
    assert row["p_rank_all_seeds"] == pytest.approx(
        stats.mannwhitneyu([1.5, 1.51, 1.52], [89.7] * 3, alternative="two-sided").pvalue)
    assert row["p_rank_all_seeds"] < 0.1
    depth = table.loc[("784-1600-1600-800-800-10", "mlp-scratch", "mlp-scratch on 784-800-800-10")]
    assert depth["verdict"] == "fails (every seed of mlp-scratch stayed at chance)"

    one_stuck = records[:3] + records[3:4]
    row = claims_table(one_stuck, "standard").set_index(["net", "method", "against"]).loc[
        ("784-1600-1600-800-800-10", "dbn-cd", "mlp-scratch")]
    assert row["verdict"].startswith("untestable")
