"""Generic task kinds shared by several families. A family may define its own `Kind` beside its tasks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repbench.plugins.base import Baseline, Kind


@dataclass(frozen=True)
class ClassificationData:
    """Labelled training and validation data; the test split stays with the task.

    Methods select hyper-parameters and stop early on the validation split only. `X_unlabelled`, when a
    task provides it, is extra input data without labels (for unsupervised pretraining); methods that
    pretrain use it instead of X_train, the others ignore it.
    """

    X_train: np.ndarray  # float32 [n, d], features in [0, 1] for the digit tasks
    y_train: np.ndarray  # int64 [n], classes 0 .. n_classes-1
    X_val: np.ndarray  # float32 [m, d]
    y_val: np.ndarray  # int64 [m]
    n_classes: int
    X_unlabelled: np.ndarray | None = None  # float32 [u, d] or None

    @property
    def X_pretrain(self) -> np.ndarray:
        return self.X_train if self.X_unlabelled is None else self.X_unlabelled

    def __post_init__(self) -> None:
        for split, X, y in (("train", self.X_train, self.y_train), ("val", self.X_val, self.y_val)):
            if len(X) != len(y):
                raise ValueError(f"{split}: {len(X)} inputs but {len(y)} labels")


CLASSIFICATION = Kind(
    "classification",
    hands=ClassificationData,
    expects="predict(X) -> integer labels in [0, n_classes)",
    requires=("predict",),
    cheap_method="logreg",
)


def majority_baseline(y_val: np.ndarray, as_error: bool) -> Baseline:
    """Always predicting the most frequent validation class, in % (error or accuracy), with a margin of two
    binomial standard errors of that rate on this many samples."""
    rate = np.bincount(y_val).max() / len(y_val)
    margin = 2 * 100.0 * float(np.sqrt(rate * (1 - rate) / len(y_val)))
    value = 100.0 * (1 - rate if as_error else rate)
    return Baseline(float(value), "always the most frequent class", margin)

