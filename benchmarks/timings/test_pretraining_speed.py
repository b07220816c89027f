"""Speed of one RBM pretraining epoch on MNIST (784-800, batch 128): ours (CD-1, REBA) vs scikit-learn.

    pytest benchmarks/timings/test_pretraining_speed.py --benchmark-only --benchmark-group-by=group

Targets: our CD-1 epoch at least 5x faster than scikit-learn's BernoulliRBM (PCD, float64),
a REBA epoch at most 1.25x a CD-1 epoch. Measured, not asserted: compare the rows of the 'rbm-epoch' group.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from repbench.data.files import DataFileError
from repbench.methods.pretraining.rbm import RBM, Momentum, train_epoch
from repbench.plugins.device import resolve_device

N_HIDDEN, BATCH = 800, 128


@pytest.fixture(scope="module")
def mnist_train() -> np.ndarray:
    from repbench.benchmarks.classic.data import load_mnist

    try:
        return load_mnist()[0]
    except DataFileError as err:
        pytest.skip(f"MNIST not available: {err}")


def _ours(X: np.ndarray, rule: str) -> None:
    device = resolve_device("auto")
    gen = torch.Generator(device=device).manual_seed(0)
    V = torch.as_tensor(X, device=device)
    rbm = RBM.create(V.shape[1], N_HIDDEN, generator=gen, device=device)
    batches = list(torch.randperm(len(V), generator=gen, device=device).split(BATCH))
    train_epoch(rbm, Momentum(rbm), V, batches, rule, lr=0.01, momentum=0.5, gen=gen)
    if device.startswith("cuda"):
        torch.cuda.synchronize()


@pytest.mark.benchmark(group="rbm-epoch")
@pytest.mark.parametrize("rule", ["cd", "reba"])
def test_epoch_ours(benchmark, mnist_train, rule):
    benchmark.extra_info.update(rule=rule, device=resolve_device("auto"), threads=torch.get_num_threads())
    benchmark.pedantic(_ours, args=(mnist_train, rule), rounds=3, iterations=1, warmup_rounds=1)


@pytest.mark.benchmark(group="rbm-epoch")
def test_epoch_sklearn_bernoulli_rbm(benchmark, mnist_train):
    from sklearn.neural_network import BernoulliRBM

    def one_epoch():
        BernoulliRBM(n_components=N_HIDDEN, batch_size=BATCH, learning_rate=0.01, n_iter=1, random_state=0).fit(
            mnist_train
        )

    benchmark.extra_info.update(rule="pcd (scikit-learn)", dtype="float64")
    benchmark.pedantic(one_epoch, rounds=1, iterations=1)
