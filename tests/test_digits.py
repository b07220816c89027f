"""The first real task: sensible errors, no test leakage, bit-identical seeded runs."""

import numpy as np
import pytest
import torch

from repbench.execution.cell import CellOptions, fit_seeded, run_cell
from repbench.execution.planning import expand_cells
from repbench.plugins.base import RunContext


def _main(record):
    assert record.status == "ok", record.reason
    return next(m.value for m in record.metrics if m.is_main)


@pytest.mark.parametrize(("method", "ceiling"), [("logreg", 6.0), ("mlp", 6.0)])
def test_methods_learn_digits(registry, method, ceiling):
    cell = expand_cells(registry, "quick", ["digits"], [method], seeds=1)[0]
    assert 0.0 <= _main(run_cell(cell, CellOptions(device="cpu"))) < ceiling


def test_split_is_fixed_stratified_and_disjoint(registry):
    task = registry.get_task("digits")()
    data = task.load(RunContext(seed=1, profile="quick"))
    again = registry.get_task("digits")().load(RunContext(seed=2, profile="quick"))
    assert np.array_equal(data.X_train, again.X_train)  # fixed: independent of the cell's seed
    sizes = len(data.X_train), len(data.X_val), len(task.X_test)
    assert sum(sizes) == 1797 and abs(sizes[1] - sizes[2]) <= 1
    rows = {row.tobytes() for row in data.X_train}
    assert not any(row.tobytes() in rows for row in task.X_test)
    assert set(np.bincount(task.y_test)) <= {35, 36, 37}  # stratified: ~10 % of each class
    assert not hasattr(data, "X_test")  # methods never see the test split


def test_seeded_mlp_runs_are_bit_identical(registry):
    cell = expand_cells(registry, "quick", ["digits"], ["mlp"], {"max_epochs": ["5"]}, seeds=1)[0]
    assert run_cell(cell, CellOptions(device="cpu")).metrics == run_cell(cell).metrics

    data = registry.get_task("digits")().load(RunContext(seed=0, profile="quick"))

    def weights(seed):
        method = fit_seeded(registry.get_method("mlp")(max_epochs=3), data, RunContext(seed=seed, profile="quick"))
        return [p.detach().clone() for p in method.net_.parameters()]

    same, again, other = weights(7), weights(7), weights(8)
    assert all(torch.equal(a, b) for a, b in zip(same, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(same, other, strict=True))
