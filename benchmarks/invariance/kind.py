"""The `invariance` kind: inputs x, target y and the factor s to forget, for training and validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repbench import Kind


@dataclass(frozen=True)
class InvarianceData:
    """What a task hands to `fit`. `hidden` and `z_dim` are the block width and representation size the
    task's protocol prescribes (PAPERS.md C: 50 and 8 for the tabular sets); methods use them unless told
    otherwise, so one method definition fits 64-pixel digits and 100-column census rows alike."""

    X_train: np.ndarray
    y_train: np.ndarray
    s_train: np.ndarray
    X_val: np.ndarray
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
)
