"""Does the sparse (embedding-bag) first layer pay? One training step of the TCN's first layer at the L5PC's
input density (588 inputs, ~2 % active per 1 ms bin, kernel 45, batch 16 x 560 ms), sparse vs dense.

    pytest benchmarks/timings/test_neuron_first_layer.py --benchmark-only --benchmark-group-by=group

On 2 CPU cores (median of 3 after a warm-up): width 64 sparse 1.24 s vs dense 0.47 s per step; width 128
1.77 vs 0.77 s. Dense wins.
"""

from __future__ import annotations

import pytest
import torch

from repbench.methods.neuron.nets import CausalConv, SparseCausalConv


@pytest.mark.benchmark(group="neuron-first-layer")
@pytest.mark.parametrize("width", [64, 128])
@pytest.mark.parametrize("layer", ["sparse", "dense"])
def test_first_layer_step(benchmark, layer, width):
    torch.manual_seed(0)
    x = (torch.rand(16, 588, 560) < 0.022).float()
    conv = (SparseCausalConv if layer == "sparse" else CausalConv)(588, width, 45)
    opt = torch.optim.SGD(conv.parameters(), lr=0.1)

    def step() -> None:
        loss = conv(x).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    benchmark.extra_info.update(layer=layer, width=width, threads=torch.get_num_threads())
    benchmark.pedantic(step, rounds=3, iterations=1, warmup_rounds=1)
