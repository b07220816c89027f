"""Does the sparse first layer pay? One training step of the TCN at the authors' cell's input size (1,278
inputs, ~1.5 % active per 1 ms bin) and the standard profile's sizes (batch 8, 400 ms windows plus the
receptive field, width 32), with the first layer sparse or dense, one thread as in a standard-profile cell.

    pytest benchmarks/timings/test_neuron_first_layer.py --benchmark-only --benchmark-group-by=group

Each row's extra_info holds the step's FLOPs (the sparse layer's counted as the products over its active
inputs only, forward and weight gradient) and the fraction of this run's SGEMM rate it reaches
(`fraction_of_sgemm`). Measured numbers are in the README (neuron family, part 2).
"""

from __future__ import annotations

import pytest
import torch

from benchmarks.timings.before import SparseMmConv
from repbench.methods.neuron.nets import TCN, CausalConv, ELMNeuron, SparseCausalConv

N_INPUTS, DENSITY, BATCH, WINDOW, WIDTH = 1278, 0.015, 8, 400, 32


def _step(module, x):
    opt = torch.optim.NAdam(module.parameters(), lr=1e-3)

    def step() -> None:
        out = module(x)
        loss = sum(o.square().mean() for o in out) if isinstance(out, tuple) else out.square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


FIRST_LAYERS = {"sparse": SparseCausalConv, "sparse-mm-before": SparseMmConv, "dense": CausalConv}


def _sparse_gflop(module, x) -> float:
    """Useful FLOPs of a sparse first layer's step: a multiply-add per active input, lag and output channel,
    forward and for the weight gradient."""
    layers = [m for m in module.modules() if isinstance(m, SparseCausalConv)]
    return sum(4 * int(x.count_nonzero()) * m.weight.shape[0] * m.weight.shape[2] for m in layers) / 1e9


@pytest.mark.benchmark(group="neuron-first-layer")
@pytest.mark.parametrize("layer", list(FIRST_LAYERS))
def test_first_layer_step(benchmark, against_sgemm, layer):
    torch.manual_seed(0)
    x = (torch.rand(BATCH, N_INPUTS, WINDOW + 44) < DENSITY).float()
    conv = FIRST_LAYERS[layer](N_INPUTS, WIDTH, 45)
    benchmark.extra_info.update(layer=layer, width=WIDTH, threads=1)
    benchmark.pedantic(_step(conv, x), rounds=5, iterations=1, warmup_rounds=1)
    against_sgemm(benchmark, _step(conv, x), _sparse_gflop(conv, x))


@pytest.mark.benchmark(group="neuron-tcn-step")
@pytest.mark.parametrize("depth", [1, 7])
@pytest.mark.parametrize("layer", ["sparse", "dense"])
def test_tcn_step(benchmark, against_sgemm, layer, depth):
    torch.manual_seed(0)
    net = TCN(N_INPUTS, depth, WIDTH, 45, 19, sparse_first=layer == "sparse")
    x = (torch.rand(BATCH, N_INPUTS, WINDOW + net.receptive_field) < DENSITY).float()
    benchmark.extra_info.update(layer=layer, depth=depth, width=WIDTH, threads=1)
    benchmark.pedantic(_step(net, x), rounds=5, iterations=1, warmup_rounds=1)
    against_sgemm(benchmark, _step(net, x), _sparse_gflop(net, x))


@pytest.mark.benchmark(group="neuron-elm-step")
@pytest.mark.parametrize("n_branches", [0, 45], ids=["plain-elm", "branch-elm"])
def test_elm_step(benchmark, against_sgemm, n_branches):
    """The ELM baselines at the standard profile's sizes: the plain ELM's 1,278-wide MLP input is projected
    before the time loop (see ELMNeuron.forward), which made its step ~7x faster than the step-by-step update."""
    torch.manual_seed(0)
    net = ELMNeuron(N_INPUTS, N_INPUTS // 2, n_branches, 20, 64)
    x = (torch.rand(BATCH, N_INPUTS, WINDOW + net.receptive_field) < DENSITY).float()
    benchmark.extra_info.update(n_branches=n_branches, threads=1)
    benchmark.pedantic(_step(net, x), rounds=5, iterations=1, warmup_rounds=1)
    against_sgemm(benchmark, _step(net, x))
