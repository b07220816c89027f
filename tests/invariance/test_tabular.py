import numpy as np
import pytest

from repbench.benchmarks.invariance.data import tabular
from repbench.benchmarks.invariance.probes import majority_rate
from repbench.benchmarks.invariance.tasks import Adult, German
from repbench.plugin import RunContext

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
    names = tabular.german_encoder().fit(frame).get_feature_names_out()
    assert not any(n.endswith(f"__{tabular.GERMAN_AGE}") for n in names)


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
