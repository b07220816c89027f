"""The `invariance` kind: inputs x, target y and the factor s to forget, for training and validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repbench import Kind


@dataclass(frozen=True)
class InvarianceData:
    """What a task hands to `fit`: training and validation splits (the test split stays with the task).

    `hidden` and `z_dim` are the block width and representation size the task's protocol prescribes (50 and
    8 for the tabular sets, as in Louizos et al. 2016's VFAE setup that Jaiswal et al. follow); methods use
    them unless told otherwise, so one method definition fits 64-pixel digits and 100-column census rows.
    """

    X_train: np.ndarray  # float32 [n, d]: flattened images in [0, 1] or standardised / one-hot table rows
    y_train: np.ndarray  # int64 [n]: target classes 0 .. n_classes-1
    s_train: np.ndarray  # int64 [n]: the factor to forget, 0 .. n_s-1 (angle class, sex, age > 25)
    X_val: np.ndarray  # the validation split, same layout: for model selection only
    y_val: np.ndarray
    s_val: np.ndarray
    n_classes: int
    n_s: int
    hidden: int
    z_dim: int

    def __post_init__(self) -> None:
        for split, X, y, s in (("train", self.X_train, self.y_train, self.s_train),
                               ("val", self.X_val, self.y_val, self.s_val)):
            if not len(X) == len(y) == len(s):
                raise ValueError(f"{split}: {len(X)} inputs, {len(y)} targets, {len(s)} nuisance labels")


INVARIANCE = Kind(
    "invariance",
    hands=InvarianceData,
    expects="predict(X) -> y labels; embed(X) -> the representation a post-hoc probe reads (n x d)",
    requires=("predict", "embed"),
)
