"""The invariance family's building blocks, sized by the data, so every method is built from the same parts.

Tables: MLPs with one hidden layer (50 units, z of 8: Louizos et al. 2016's VFAE setup that Jaiswal et al.
follow). Images: the convolutional family of the authors' predecessor code (UAI, Jaiswal et al. 2018, NeurIPS):
encoder Conv(c, 5x5, stride 2, same) -> BN -> ReLU -> dense (tanh); predictor BN -> Dense(128) -> BN -> ReLU ->
Dense; decoder Dense(c1 * h/2 * w/2) -> BN -> ReLU -> upsample x2 -> Conv(c2, 3x3) -> BN -> ReLU -> Conv(1, 1x1)
-> sigmoid. The channel counts are parameters (theirs: c = 64, c1 = 256, c2 = 128).

Image blocks keep their feature maps channels-last (NHWC in memory), where oneDNN's convolution and batch norm
run several times faster on a CPU; the dense layers beside them read and write the maps in (h, w, c) order, so
no layout copy is made between them. The dense layers are freshly initialised, so that order is only a
relabelling of their units.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from repbench.benchmarks.invariance.kind import InvarianceData


class Permute(nn.Module):
    """Reorders dimensions (a view: (N, C, H, W) <-> (N, H, W, C) is free for a channels-last tensor)."""

    def __init__(self, *dims: int) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(*self.dims)


def mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    """One hidden layer of ReLUs."""
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


@dataclass(frozen=True)
class Blocks:
    """Factories for one data set: `encoder` (x -> code), `decoder` (code -> x), `predictor` (code -> classes)
    and `head` (a small MLP, for adversaries and auxiliary maps, the same on every data set)."""

    n_in: int
    hidden: int
    image_shape: tuple[int, int] | None = None
    conv_channels: int = 64
    decoder_channels: tuple[int, int] = (256, 128)

    @classmethod
    def of(cls, data: InvarianceData, hidden: int, conv_channels: int = 64,
           decoder_channels: tuple[int, int] = (256, 128)) -> Blocks:
        return cls(data.X_train.shape[1], hidden, data.image_shape, conv_channels, tuple(decoder_channels))

    def _half(self) -> tuple[int, int]:
        h, w = self.image_shape
        return (h + 1) // 2, (w + 1) // 2

    def encoder(self, n_out: int, squash: nn.Module | None = None) -> nn.Sequential:
        """x -> code; `squash` is the output's activation (default: none for tables, tanh for images)."""
        if self.image_shape is None:
            body = mlp(self.n_in, self.hidden, n_out)
            return nn.Sequential(*body, squash) if squash is not None else body
        h2, w2 = self._half()
        c = self.conv_channels
        return nn.Sequential(
            nn.Unflatten(1, (1, *self.image_shape)), nn.Conv2d(1, c, 5, stride=2, padding=2), nn.BatchNorm2d(c),
            nn.ReLU(), Permute(0, 2, 3, 1), nn.Flatten(), nn.Linear(c * h2 * w2, n_out),
            squash if squash is not None else nn.Tanh()).to(memory_format=torch.channels_last)

    def decoder(self, n_code: int) -> nn.Module:
        if self.image_shape is None:
            return mlp(n_code, self.hidden, self.n_in)
        h2, w2 = self._half()
        c1, c2 = self.decoder_channels
        return nn.Sequential(
            nn.Linear(n_code, c1 * h2 * w2), nn.BatchNorm1d(c1 * h2 * w2), nn.ReLU(), nn.Unflatten(1, (h2, w2, c1)),
            Permute(0, 3, 1, 2), nn.Upsample(size=self.image_shape), nn.Conv2d(c1, c2, 3, padding=1),
            nn.BatchNorm2d(c2), nn.ReLU(), nn.Conv2d(c2, 1, 1), nn.Sigmoid(), nn.Flatten(),
        ).to(memory_format=torch.channels_last)

    def predictor(self, n_code: int, n_classes: int) -> nn.Module:
        if self.image_shape is None:
            return mlp(n_code, self.hidden, n_classes)
        return nn.Sequential(nn.BatchNorm1d(n_code), nn.Linear(n_code, 128), nn.BatchNorm1d(128), nn.ReLU(),
                             nn.Linear(128, n_classes))

    def head(self, n_in: int, n_out: int) -> nn.Sequential:
        return mlp(n_in, self.hidden, n_out)
