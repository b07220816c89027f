"""The convergence study: epochs to a common validation error, from the records' learning curves."""

import math

import numpy as np
import pytest

from repbench.benchmarks.pretraining.studies.convergence import convergence_table, epochs_to, plot
from repbench.benchmarks.pretraining.studies.convergence import curves as _curves
from tests.conftest import records_of


def curves(records, *args, **kwargs):
    return _curves(records_of(records), *args, **kwargs)

def _record(method, val_error, recon, profile="standard", stage="final", status="ok", params=None, seed=0,
            tuning=None):
    identity = {"task": "mnist", "method": method, "profile": profile, "stage": stage, "replicate": seed,
                "method_params": params or {}}
    return {"status": status, "identity": identity | ({"tuning": tuning} if tuning else {}),
            "curves": {"val_error": val_error, "recon_err_l1": recon}}


def test_epochs_to_threshold_is_the_first_epoch_at_or_below_it():
    assert epochs_to(np.array([9.0, 5.0, 2.0, 1.0]), 2.0) == 3 and math.isnan(epochs_to(np.array([9.0]), 2.0))


def test_convergence_table_and_figure(tmp_path):
    records = [_record("dbn-reba", [4.0, 2.0, 1.0], [3.0, 2.0]), _record("dbn-reba", [4.0, 1.8, 1.0], [3.0, 2.2]),
               _record("dbn-cd", [4.0, 3.0, 2.0, 1.2], [3.0, 2.5]), _record("dbn-cd", [9.0], [1.0], stage="trial"),
               _record("dbn-cd", [9.0], [1.0], profile="quick"), _record("dbn-cd", [9.0], [1.0], status="failed")]
    data = curves(records, "standard", "mnist")
    assert len(data["dbn-cd"]["val_error"]) == 1  # trials, other profiles and failures are left out
    table = convergence_table(data).set_index("method")
    assert table["threshold_val_error"].iloc[0] == pytest.approx(1.25)  # 1.25 x the best final mean (1.0)
    assert table.loc["dbn-reba", "epochs_to_threshold"] == 3 and table.loc["dbn-cd", "epochs_to_threshold"] == 4
    assert table.loc["dbn-reba", "seeds_reaching"] == 2
    assert plot(data, 1.25, tmp_path / "c.png", "test").stat().st_size > 0
    with pytest.raises(ValueError, match="no finished records"):
        curves(records, "paper", "mnist")


def test_one_configuration_per_method_the_tuned_one_first():
    """A grid over architectures is never pooled: the tuned configuration wins, else the one with most seeds."""
    tuned = [_record("dbn-cd", [2.0, 1.0], [1.0], params={"lr": 0.05}, seed=s, tuning={"trials": 8}) for s in (0, 1)]
    deeper = [_record("dbn-cd", [5.0, 4.0], [1.0], params={"lr": 0.05, "hidden": [1600]}, seed=s) for s in range(3)]
    untuned = [_record("dbn-reba", [3.0], [1.0], params={"lr": lr}, seed=s) for lr, s in [(0.1, 0), (0.2, 0), (0.2, 1)]]
    data = curves(tuned + deeper + untuned, "standard", "mnist")
    assert [c.tolist() for c in data["dbn-cd"]["val_error"]] == [[2.0, 1.0], [2.0, 1.0]]
    assert len(data["dbn-reba"]["val_error"]) == 2  # lr 0.2: two seeds
