"""The one evaluation protocol for every method: freeze it, read its representation, train fresh probes to
predict s from training embeddings, report their test accuracy beside the majority rate."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

PROBES = {
    # the paper's post-hoc adversary: an MLP with two hidden layers of 50 units, after standardisation
    "mlp": lambda seed: make_pipeline(StandardScaler(), MLPClassifier(
        (50, 50), max_iter=300, early_stopping=True, n_iter_no_change=10, random_state=seed)),
    "logreg": lambda seed: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
}


def majority_rate(labels: np.ndarray) -> float:
    """Accuracy of always guessing the most frequent class: the floor an invariant representation reaches."""
    return float(np.bincount(labels).max() / len(labels))


def probe_accuracies(Z_train: np.ndarray, s_train: np.ndarray, Z_test: np.ndarray, s_test: np.ndarray,
                     seed: int, max_train: int | None = None, probes=None) -> dict[str, float]:
    """{"s_acc_<probe>": test accuracy} for each probe (default: all), trained on (at most `max_train`)
    training embeddings."""
    if max_train and len(Z_train) > max_train:
        keep = np.random.default_rng(seed).choice(len(Z_train), max_train, replace=False)
        Z_train, s_train = Z_train[keep], s_train[keep]
    scores = {}
    for name in probes or PROBES:
        make = PROBES[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            probe = make(seed).fit(Z_train, s_train)
        scores[f"s_acc_{name}"] = float(accuracy_score(s_test, probe.predict(Z_test)))
    return scores
