import numpy as np

from repbench.benchmarks.invariance.probes import majority_rate, probe_accuracies


def _split(n, rng, informative: bool):
    s = (rng.random(n) < 0.7).astype(np.int64)  # majority rate 0.7
    Z = rng.normal(size=(n, 5))
    if informative:
        Z[:, 0] += 4.0 * s
    return Z, s


def test_probes_find_s_when_the_representation_holds_it():
    rng = np.random.default_rng(0)
    (Zt, st), (Zv, sv) = _split(1500, rng, True), _split(500, rng, True)
    scores = probe_accuracies(Zt, st, Zv, sv, seed=0)
    assert scores["s_acc_mlp"] > 0.97 and scores["s_acc_logreg"] > 0.97


def test_probes_fall_to_the_majority_rate_when_it_does_not():
    rng = np.random.default_rng(1)
    (Zt, st), (Zv, sv) = _split(1500, rng, False), _split(500, rng, False)
    scores = probe_accuracies(Zt, st, Zv, sv, seed=0)
    floor = majority_rate(sv)
    for value in scores.values():
        assert abs(value - floor) < 0.04


def test_probe_training_subset_is_capped_and_seeded():
    rng = np.random.default_rng(2)
    (Zt, st), (Zv, sv) = _split(3000, rng, True), _split(300, rng, True)
    a = probe_accuracies(Zt, st, Zv, sv, seed=3, max_train=500)
    assert a == probe_accuracies(Zt, st, Zv, sv, seed=3, max_train=500)


def test_majority_rate():
    assert majority_rate(np.array([0, 1, 1, 2, 1])) == 0.6
