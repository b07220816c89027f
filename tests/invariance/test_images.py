import numpy as np
import pytest
import torch
from scipy import ndimage

from repbench.benchmarks.invariance.data import images
from repbench.benchmarks.invariance.tasks import DigitsRot
from repbench.plugins.base import RunContext


def test_rotation_is_exact_at_zero_degrees():
    imgs = np.random.default_rng(0).random((5, 8, 8)).astype(np.float32)
    assert np.array_equal(images.rotate(imgs, 0.0), imgs)


def test_rotation_turns_counter_clockwise():
    imgs = np.zeros((1, 9, 9), np.float32)
    imgs[0, 4, 7] = 1.0  # right of the centre
    up = images.rotate(imgs, 90.0)[0]
    assert np.unravel_index(up.argmax(), up.shape) == (1, 4)  # now above the centre


def test_rotation_agrees_with_scipy_inside_the_frame_and_with_rot90():
    """Bilinear about the centre, as scipy's order-1 rotation (which differs only in how it fills at the
    frame's edge); a quarter turn is numpy's rot90."""
    imgs = np.random.default_rng(1).random((3, 12, 12)).astype(np.float32)
    one = np.stack([np.clip(ndimage.rotate(i, 22.5, reshape=False, order=1), 0, 1) for i in imgs])
    np.testing.assert_allclose(images.rotate(imgs, 22.5)[:, 3:-3, 3:-3], one[:, 3:-3, 3:-3], atol=1e-5)
    np.testing.assert_allclose(images.rotate(imgs, 90.0), np.rot90(imgs, 1, axes=(1, 2)), atol=1e-5)


def test_each_row_gets_its_own_angle():
    imgs = np.random.default_rng(2).random((4, 10, 10)).astype(np.float32)
    index = np.array([0, 3, 2, 4])
    together = images.rotate_each(imgs, index)
    for i, k in enumerate(index):
        np.testing.assert_allclose(together[i], images.rotate(imgs[i:i + 1], images.TRAIN_ANGLES[k])[0], atol=1e-6)


def test_on_the_fly_draws_give_one_image_independent_angles_from_the_training_set():
    raw = np.random.default_rng(3).random((1, 8, 8)).astype(np.float32)
    stream = images.on_the_fly(raw)
    gen = torch.Generator().manual_seed(0)
    batch = torch.as_tensor(stream.raw).repeat(2000, 1)  # the same image, used 2,000 times
    x, s = stream.draw(batch, gen)
    counts = np.bincount(s.numpy(), minlength=len(images.TRAIN_ANGLES))
    assert counts.min() > 330 and counts.max() < 470  # uniform over the 5 training angles (400 each)
    assert np.mean(s[:-1].numpy() == s[1:].numpy()) < 0.3  # successive uses independent (0.2 expected)
    for k, angle in enumerate(images.TRAIN_ANGLES):  # each draw is the image at its drawn angle
        row = int(np.flatnonzero(s.numpy() == k)[0])
        np.testing.assert_allclose(x[row].numpy().reshape(8, 8), images.rotate(raw, angle)[0], atol=1e-6)


def test_precomputed_angle_grids_give_the_per_batch_rotation_bit_for_bit():
    """The training stream samples on one grid per angle (computed once): the same numbers as building the
    grid of every batch from its angles (the UAI-style per-batch transform the stream replaced)."""
    raw = np.random.default_rng(4).random((300, 28, 28)).astype(np.float32)
    stream = images.on_the_fly(raw)
    x, s = stream.draw(torch.as_tensor(stream.raw[:128]), torch.Generator().manual_seed(1))
    per_batch = images.rotate_batch(torch.as_tensor(raw[:128]), torch.tensor(images.TRAIN_ANGLES)[s])
    assert torch.equal(x, per_batch.reshape(128, -1))


def test_angle_labels_match_the_applied_rotation():
    task = DigitsRot()
    data = task.load(RunContext(seed=0, profile="quick"))
    raw_train = task.images()[0]
    for k, angle in enumerate(images.TRAIN_ANGLES):
        rows = np.flatnonzero(data.s_train == k)[:20]
        assert len(rows) > 0
        expected = images.rotate(raw_train[rows], angle).reshape(len(rows), -1)
        np.testing.assert_array_equal(data.X_train[rows], expected)
        others = [a for a in images.TRAIN_ANGLES if a != angle]
        wrong = images.rotate(raw_train[rows], others[0]).reshape(len(rows), -1)
        assert not np.allclose(data.X_train[rows], wrong)
    assert set(np.unique(data.s_train)) == set(range(len(images.TRAIN_ANGLES)))


@pytest.mark.parametrize("kernel", images.DIL_KERNELS)
def test_erosion_thins_and_dilation_thickens_strokes(kernel):
    imgs = np.zeros((1, 10, 10), np.float32)
    imgs[0, 3:7, 4:6] = 1.0
    ink = images.stroke(imgs, kernel).sum()
    assert ink < imgs.sum() if kernel < 0 else ink > imgs.sum()
