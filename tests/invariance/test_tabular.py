import numpy as np
import pytest

from repbench.benchmarks.invariance.data import tabular
from repbench.benchmarks.invariance.probes import majority_rate
from repbench.benchmarks.invariance.tasks import Adult, German
from repbench.plugins.base import RunContext

from .conftest import needs_data

pytestmark = needs_data


def test_adult_matches_the_published_protocol(uci):
    train, test = tabular.adult_frames()
    assert (len(train), len(test)) == (30162, 15060)  # rows without "?"
    y, s = tabular.adult_targets(test)
    assert majority_rate(y) == pytest.approx(0.754, abs=5e-4)  # PAPERS.md C
    assert majority_rate(s) == pytest.approx(0.674, abs=5e-4)
    names = tabular.adult_encoder().fit(train).get_feature_names_out()
    assert not any("sex" in n or "income" in n for n in names)


def test_german_targets_and_inputs(uci):
    frame = tabular.german_frame()
    y, s = tabular.german_targets(frame)
    assert majority_rate(s) == pytest.approx(0.81) and y.mean() == pytest.approx(0.7)
    age = f"num__x{tabular.GERMAN_AGE}"  # scikit-learn names integer columns x0, x1, ...
    assert age not in tabular.german_encoder().fit(frame).get_feature_names_out()
    assert age in tabular.german_encoder(keep_age=True).fit(frame).get_feature_names_out()


def test_german_folds_partition_the_rows(uci):
    task = German()
    assert task.n_folds() == 5
    sizes = []
    for fold in range(5):
        data = task.load(RunContext(seed=0, profile="standard", fold=fold))
        sizes.append(len(task.X_test_))
        assert len(data.X_train) + len(data.X_val) + len(task.X_test_) == 1000
    assert sum(sizes) == 1000


class _Echo:
    """Predicts s itself: the most unfair classifier possible."""

    def __init__(self, task):
        self.task = task

    def predict(self, X):
        return self.task.s_test_

    def embed(self, X):
        return np.zeros((len(X), 2))


def test_fairness_gaps_use_predictions_and_groups_in_the_right_order(uci):
    task = Adult(probe_max_train=200)
    task.load(RunContext(seed=0, profile="standard"))
    scores = task.evaluate(_Echo(task), RunContext(seed=0, profile="standard"))
    assert scores["dp_diff"] == pytest.approx(1.0)
    assert scores["eo_diff"] == pytest.approx(1.0)
    assert scores["s_acc_mlp"] == pytest.approx(scores["s_majority"])  # a constant representation


def _raw_probe(task, fold=0):
    """The MLP probe's test accuracy on s from the task's raw inputs x (a method that keeps x whole)."""
    from repbench.benchmarks.invariance.probes import probe_accuracies

    data = task.load(RunContext(seed=0, profile="standard", fold=fold))
    return 100 * probe_accuracies(data.X_train, data.s_train, task.X_test_, task.s_test_, seed=0,
                                  probes=("logreg",))["s_acc_logreg"], 100 * majority_rate(task.s_test_)


def test_german_as_configured_gives_methods_something_to_remove(uci):
    """Without the age column the other columns predict age > 25 at about the majority rate (nothing to
    remove, so no method can be told apart); with it, well above."""
    with_age, majority = _raw_probe(German())
    without_age, _ = _raw_probe(German(protected_in_inputs=False))
    assert with_age > majority + 10
    assert without_age < majority + 5


class _Leaky:
    """Predicts y perfectly on validation rows; its code is s itself, or a constant."""

    def __init__(self, task, leak):
        self.task, self.leak = task, leak

    def predict(self, X):
        return self.task.val_[1] if len(X) == len(self.task.val_[1]) else np.zeros(len(X), np.int64)

    def embed(self, X):
        if not self.leak:
            return np.zeros((len(X), 1))
        s = self.task.s_train_ if len(X) == len(self.task.s_train_) else self.task.val_[2]
        return s[:, None].astype(float)


def test_selection_rule_charges_a_leaky_code_one_point_per_point_of_leak(uci):
    task = German(select_margin=1.0)
    task.load(RunContext(seed=0, profile="standard"))
    ctx = RunContext(seed=0, profile="standard")
    majority = 100 * majority_rate(task.val_[2])
    assert task.selection_score(_Leaky(task, False), ctx) == pytest.approx(100.0)  # within the margin: no charge
    leaky = task.selection_score(_Leaky(task, True), ctx)
    assert leaky == pytest.approx(100.0 - (100.0 - majority - 1.0))  # the probe reads s perfectly
