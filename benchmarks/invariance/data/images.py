"""Rotated, eroded and dilated digits (the MNIST-ROT / MNIST-DIL protocols of Jaiswal et al.). Rotations are
one torch function for the fixed splits and the on-the-fly training draws alike, so training and test images
are rotated the same way, on whatever device the batch lives."""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import ndimage
from torch.nn import functional as F

from repbench.benchmarks.invariance.kind import Resampler

TRAIN_ANGLES = (-45.0, -22.5, 0.0, 22.5, 45.0)  # s = the index of the angle
UNSEEN_ANGLES = (55.0, 65.0)  # each tested at + and -
DIL_KERNELS = (-2, 2, 3, 4)  # negative = erosion with a k x k square, positive = dilation (the UAI paper's)


def rotation_grids(degrees: torch.Tensor, size: int) -> torch.Tensor:
    """Where each output pixel of a `size` x `size` image rotated counter-clockwise by each angle samples the
    input: [n, size, size, 2], in grid_sample's normalised coordinates (y pointing down, so the inverse
    rotation of each output position)."""
    rad = degrees.to(torch.float32) * (math.pi / 180.0)
    cos, sin, zero = torch.cos(rad), torch.sin(rad), torch.zeros_like(rad)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    return F.affine_grid(theta, [len(degrees), 1, size, size], align_corners=False)


def sample_rotated(images: torch.Tensor, grids: torch.Tensor, unrotated: torch.Tensor) -> torch.Tensor:
    """Images [n, h, w] resampled on their grids: bilinear, zero outside, clamped to [0, 1]; rows flagged
    `unrotated` come back unchanged."""
    out = F.grid_sample(images[:, None], grids, mode="bilinear", padding_mode="zeros", align_corners=False)[:, 0]
    return torch.where(unrotated[:, None, None], images, out.clamp(0.0, 1.0))


def rotate_batch(images: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate each square image [n, h, w] counter-clockwise by its own angle about the centre: bilinear, zero
    outside, same size (what the UAI code's Keras affine transform does for digits on a black background).
    Rows at 0 degrees come back unchanged."""
    n, h, w = images.shape
    if h != w:
        raise ValueError(f"rotation expects square images, got {h} x {w}")
    grids = rotation_grids(degrees, h).to(images.dtype)
    return sample_rotated(images, grids, degrees == 0)


def rotate(images: np.ndarray, angle: float) -> np.ndarray:
    """A stack [n, h, w] rotated by one angle (degrees, counter-clockwise)."""
    tensor = torch.as_tensor(images)
    return rotate_batch(tensor, torch.full((len(tensor),), float(angle))).numpy()


def rotate_each(images: np.ndarray, angle_index: np.ndarray, angles=TRAIN_ANGLES) -> np.ndarray:
    """Image i rotated by angles[angle_index[i]]."""
    degrees = torch.as_tensor(np.asarray(angles, dtype=np.float32)[angle_index])
    return rotate_batch(torch.as_tensor(images), degrees).numpy()


def draw_angles(n: int, rng: np.random.Generator, n_angles: int = len(TRAIN_ANGLES)) -> np.ndarray:
    return rng.integers(n_angles, size=n)


def on_the_fly(raw_images: np.ndarray, angles=TRAIN_ANGLES) -> Resampler:
    """Fresh angles every time an image is used (the UAI code's streamed rotations): draw(batch) rotates each
    flattened image by an angle drawn uniformly from `angles` and returns (images, angle classes). The
    sampling grid of each angle is computed once, not per batch (the same numbers: a test checks it)."""
    n, h, w = raw_images.shape
    if h != w:
        raise ValueError(f"rotation expects square images, got {h} x {w}")
    table = torch.tensor(angles, dtype=torch.float32)
    grids, unrotated = rotation_grids(table, h), table == 0
    on_device: dict[torch.device, tuple[torch.Tensor, torch.Tensor]] = {}

    def draw(batch: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        s = torch.randint(len(angles), (len(batch),), generator=generator, device=batch.device)
        if batch.device not in on_device:
            on_device[batch.device] = grids.to(batch.device), unrotated.to(batch.device)
        g, keep = on_device[batch.device]
        rotated = sample_rotated(batch.view(-1, h, w), g[s], keep[s])
        return rotated.reshape(len(batch), -1), s

    return Resampler(raw_images.reshape(n, h * w), draw)


def stroke(images: np.ndarray, kernel: int) -> np.ndarray:
    """Erode (kernel < 0) or dilate (kernel > 0) the digits' strokes with a |k| x |k| square."""
    size = (1, abs(kernel), abs(kernel))
    op = ndimage.grey_erosion if kernel < 0 else ndimage.grey_dilation
    return op(images, size=size)
