"""Rotated, eroded and dilated digits (the MNIST-ROT / MNIST-DIL protocols of Jaiswal et al.)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

TRAIN_ANGLES = (-45.0, -22.5, 0.0, 22.5, 45.0)  # s = the index of the angle
UNSEEN_ANGLES = (55.0, 65.0)  # each tested at + and -
DIL_KERNELS = (-2, 2, 3, 4)  # negative = erosion with a k x k square, positive = dilation (the UAI paper's)


def rotate(images: np.ndarray, angle: float) -> np.ndarray:
    """Rotate a stack [n, h, w] counter-clockwise by `angle` degrees about the centre, same size, bilinear,
    zero outside. At 0 degrees the images come back unchanged."""
    if angle == 0:
        return images.copy()
    out = ndimage.rotate(images, angle, axes=(2, 1), reshape=False, order=1, mode="constant", cval=0.0)
    return np.clip(out, 0.0, 1.0).astype(images.dtype)


def rotate_each(images: np.ndarray, angle_index: np.ndarray, angles=TRAIN_ANGLES) -> np.ndarray:
    """Image i rotated by angles[angle_index[i]] (one batched rotation per angle)."""
    out = np.empty_like(images)
    for k, angle in enumerate(angles):
        rows = angle_index == k
        out[rows] = rotate(images[rows], angle)
    return out


def draw_angles(n: int, rng: np.random.Generator, n_angles: int = len(TRAIN_ANGLES)) -> np.ndarray:
    return rng.integers(n_angles, size=n)


def stroke(images: np.ndarray, kernel: int) -> np.ndarray:
    """Erode (kernel < 0) or dilate (kernel > 0) the digits' strokes with a |k| x |k| square."""
    size = (1, abs(kernel), abs(kernel))
    op = ndimage.grey_erosion if kernel < 0 else ndimage.grey_dilation
    return op(images, size=size)
