"""On a CUDA GPU: every quick-profile cell trains there, and a seed gives the same numbers twice.

CI has no GPU, so these skip there; on a machine with one, `pytest tests/test_cuda.py` runs them (about three
minutes on an H200; every run is cut to a few steps or epochs). Peak GPU memory tells that a method really put
its work on the GPU rather than silently on the CPU.
"""

from __future__ import annotations

import pytest
import torch

from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.plugins.base import find_metric

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

QUICK_TASKS = ("digits", "digits-rot", "neuron-if")
SHORT = {"steps": "100", "val_every": "50", "pretrain_epochs": "2", "finetune_epochs": "2", "max_epochs": "5"}
CPU_ONLY = {"logreg"}  # scikit-learn's solver: no torch, so nothing on the GPU by design
# a convolution, a scatter-add, sampling, an adversary and a recurrence: the kernels most likely to be
# non-deterministic on a GPU
REPEATED = [("digits", "dbn-cd"), ("digits-rot", "adv-forgetting"), ("neuron-if", "tcn"), ("neuron-if", "elm"),
            ("neuron-if", "lstm")]


def _short_cell(registry, task: str, method: str):
    """The quick cell of task x method, cut to a few steps or epochs: enough to touch every kernel."""
    grid = {k: [v] for k, v in SHORT.items() if k in registry.methods[method].params}
    return expand_cells(registry, "quick", [task], [method], grid, seeds=1)[0]


def _quick_cells(registry):
    pairs = {(c.task, c.method) for c in expand_cells(registry, "quick", list(QUICK_TASKS), None, seeds=1)}
    suite = [(t, m) for t, m in sorted(pairs) if registry.methods[m].__module__.startswith("repbench.")]
    return [_short_cell(registry, t, m) for t, m in suite]  # the suite's methods, not the toy test plugins


def _run(cell) -> dict:
    torch.cuda.reset_peak_memory_stats()
    record = run_cell(cell, CellOptions(device="cuda"))
    # a run cut this short may be no better than chance ("degenerate"), but it trained and was measured
    assert record.status in ("ok", "degenerate"), f"{cell.label}: {record.reason}\n{record.traceback}"
    assert record.metrics
    return record


def test_every_quick_cell_trains_on_the_gpu(registry):
    cells = _quick_cells(registry)
    assert {c.method for c in cells} >= {"mlp", "dbn-reba", "tcn", "adv-forgetting"}
    off_gpu = []
    for cell in cells:
        record = _run(cell)
        assert record.device == "cuda"
        if cell.method not in CPU_ONLY and not record.memory["peak_gpu_mb"]:
            off_gpu.append(cell.label)
    assert not off_gpu, f"these cells used no GPU memory although --device cuda was asked for: {off_gpu}"


def _model_metrics(record: dict, declared: tuple) -> dict[str, float]:
    """Every metric but those declared `timed` (wall seconds, throughputs, speed-ups): no seed fixes those."""
    return {m.name: m.value for m in record.metrics
            if not getattr(find_metric(declared, m["name"]), "timed", False)}


@pytest.mark.parametrize(("task", "method"), REPEATED)
def test_a_seed_repeats_on_the_gpu(registry, task, method):
    cell = _short_cell(registry, task, method)
    declared = registry.tasks[task].metrics + registry.methods[method].metrics
    assert _model_metrics(_run(cell), declared) == _model_metrics(_run(cell), declared)


def test_the_sparse_first_layer_runs_as_the_dense_conv_on_the_gpu():
    from repbench.methods.neuron.nets import SparseCausalConv

    torch.manual_seed(0)
    layer = SparseCausalConv(50, 4, 7).double()
    x = (torch.rand(3, 50, 40) < 0.05).double()
    on_cpu = layer(x)  # the sparse product
    assert torch.allclose(layer.cuda()(x.cuda()).cpu(), on_cpu, atol=1e-12)
