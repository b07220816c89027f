"""What one model update costs each invariance method at MNIST-ROT's standard sizes (28 x 28 images rotated on
the fly, batch 128, z of 32, the UAI-family convolutional blocks with the standard profile's 1/8-width decoder),
adversary round included, one thread as in a standard-profile cell. It sizes the MNIST-ROT study's CPU budget.

    pytest benchmarks/timings/test_invariance_update.py --benchmark-only --benchmark-group-by=group

Each row's extra_info holds the update's FLOPs and the fraction of this run's SGEMM rate it reaches
(`fraction_of_sgemm`). Random images stand in for MNIST: the cost does not depend on the pixels. Measured
numbers are in docs/jaiswal2020.md.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from benchmarks.timings.before import on_the_fly_per_batch_grid
from repbench.benchmarks.invariance.data.images import TRAIN_ANGLES, on_the_fly
from repbench.benchmarks.invariance.kind import InvarianceData
from repbench.plugins.registry import discover

N, SIDE, BATCH = 1024, 28, 128
METHODS = ["nn", "nn-mmd", "vfae", "cai", "uai", "adv-forgetting"]


@pytest.fixture(scope="module")
def images() -> InvarianceData:
    rng = np.random.default_rng(0)
    raw = rng.random((N, SIDE, SIDE), dtype=np.float32)
    y, s = rng.integers(10, size=N), rng.integers(5, size=N)
    flat = raw.reshape(N, -1)
    return InvarianceData(flat, y, s, flat[:BATCH], y[:BATCH], s[:BATCH], n_classes=10, n_s=5, hidden=256,
                          z_dim=32, image_shape=(SIDE, SIDE), setting="nuisance", resample=on_the_fly(raw))


@pytest.mark.benchmark(group="invariance-update")
@pytest.mark.parametrize("name", METHODS)
def test_model_update(benchmark, against_sgemm, images, name):
    cls = discover().get_method(name)
    method = cls(**cls.resolve("standard"))
    method.prepare(images, torch.device("cpu"), torch.Generator().manual_seed(0))
    batch = torch.arange(BATCH)

    def update() -> None:
        method.train_step(*method.batch(batch))

    benchmark.extra_info.update(method=name, threads=1, adversary_steps=getattr(method, "adversary_steps", 0))
    benchmark.pedantic(update, rounds=10, iterations=1, warmup_rounds=2)
    against_sgemm(benchmark, update)


@pytest.mark.benchmark(group="invariance-draw")
@pytest.mark.parametrize("grids", ["per-angle", "per-batch-before"])
def test_rotated_batch_draw(benchmark, one_thread, images, grids):
    """One training batch drawn with fresh rotations: grids computed once per angle against per batch."""
    raw = images.resample.raw.reshape(N, SIDE, SIDE)
    stream = on_the_fly(raw) if grids == "per-angle" else on_the_fly_per_batch_grid(raw, TRAIN_ANGLES)
    batch, gen = torch.as_tensor(stream.raw[:BATCH]), torch.Generator().manual_seed(0)
    benchmark.extra_info.update(grids=grids, threads=1)
    benchmark.pedantic(lambda: stream.draw(batch, gen), rounds=50, iterations=1, warmup_rounds=5)
