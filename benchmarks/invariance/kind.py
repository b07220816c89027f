"""The `invariance` kind: inputs x, target y and the factor s to forget, for training and validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from repbench import Kind

SETTINGS = ("nuisance", "bias")


@dataclass(frozen=True)
class Resampler:
    """Training inputs drawn afresh each time a row is used, as the UAI code's on-the-fly rotations: `raw` holds
    the untransformed rows (aligned with `y_train`), `draw(raw_batch, generator)` returns the batch's inputs
    and their new nuisance labels s, on the batch's device."""

    raw: np.ndarray  # float32 [n, d]
    draw: Callable[[torch.Tensor, torch.Generator], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class InvarianceData:
    """What a task hands to `fit`: training and validation splits (the test split stays with the task).

    `hidden` and `z_dim` are the block width and representation size the task's protocol prescribes (50 and
    8 for the tabular sets, as in Louizos et al. 2016's VFAE setup that Jaiswal et al. follow); methods use
    them unless told otherwise, so one method definition fits 64-pixel digits and 100-column census rows.
    `image_shape` tells image inputs (flattened rows) from table rows, so methods can use convolutional blocks.
    `setting` is Jaiswal et al.'s: "nuisance" (s varies the input, e.g. an angle) or "bias" (s is a protected
    attribute). With `resample` set, `X_train`/`s_train` are one fixed draw (what probes and plugins that
    ignore `resample` use) and training may draw fresh inputs instead.
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
    image_shape: tuple[int, int] | None = None
    setting: str = "bias"
    resample: Resampler | None = None

    def __post_init__(self) -> None:
        for split, X, y, s in (("train", self.X_train, self.y_train, self.s_train),
                               ("val", self.X_val, self.y_val, self.s_val)):
            if not len(X) == len(y) == len(s):
                raise ValueError(f"{split}: {len(X)} inputs, {len(y)} targets, {len(s)} nuisance labels")
        if self.setting not in SETTINGS:
            raise ValueError(f"setting must be one of {SETTINGS}, got {self.setting!r}")
        if self.image_shape and int(np.prod(self.image_shape)) != self.X_train.shape[1]:
            raise ValueError(f"image_shape {self.image_shape} does not match {self.X_train.shape[1]} input columns")
        if self.resample is not None and len(self.resample.raw) != len(self.y_train):
            raise ValueError(f"resample.raw has {len(self.resample.raw)} rows, y_train {len(self.y_train)}")


INVARIANCE = Kind(
    "invariance",
    hands=InvarianceData,
    expects="predict(X) -> y labels; embed(X) -> the representation a post-hoc probe reads (n x d); a method "
            "that conditions on s (the VFAE) declares predict(X, s=None) and embed(X, s=None) and gets the rows' s",
    requires=("predict", "embed"),
    cheap_method="nn",
)
