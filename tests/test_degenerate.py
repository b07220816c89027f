"""No silent failures: a model no better than the task's trivial baseline is `degenerate` (shown, never ranked),
and divergence is judged relative to a loss's own starting value."""

from __future__ import annotations

import math

import pytest

from repbench import Baseline, DivergedError, RunContext
from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.results import leaderboard as lb


def test_an_mlp_at_lr_10_on_digits_is_degenerate_and_never_ranked(registry):
    broken, fine = (expand_cells(registry, "quick", ["digits"], ["mlp"], {"lr": [lr]}, seeds=1)[0]
                    for lr in ("10", "0.001"))
    bad = run_cell(broken, CellOptions(device="cpu"))
    assert bad.status == "degenerate"
    assert "no better than the trivial baseline (always the most frequent class)" in bad.reason
    assert bad.validation.value > bad.validation.baseline - bad.validation.margin
    assert bad.metrics  # its numbers are kept and shown
    good = run_cell(fine, CellOptions(device="cpu"))
    assert good.status == "ok" and good.validation.value < 10
    table = lb.aggregate([bad, good])
    main = table[table["metric"] == "test_error"].set_index("method_params")
    assert main["n_degenerate"].tolist().count(1) == 1
    ranked = main[main["n_degenerate"] == 0]["rank"]
    assert ranked.tolist() == [1] and main[main["n_degenerate"] == 1]["rank"].isna().all()


@pytest.mark.parametrize(("score", "beaten"), [(70.0, False), (80.5, False), (81.5, True)])
def test_a_baseline_is_beaten_only_beyond_its_noise_margin(score, beaten):
    assert Baseline(80.0, "majority", margin=1.0).beaten_by(score, higher_is_better=True) is beaten
    assert Baseline(20.0, "majority", margin=1.0).beaten_by(100 - score, higher_is_better=False) is beaten


def test_divergence_is_relative_to_the_first_loss():
    ctx = RunContext(seed=0, profile="quick")
    ctx.check_loss(2.3, "loss (epoch 0)")
    ctx.check_loss(2e4, "loss (epoch 1)")  # 8,700x its start: a bad step, not yet divergence
    with pytest.raises(DivergedError, match="more than 1e\\+04 times its first value 2.3"):
        ctx.check_loss(3e4, "loss (epoch 2)")
    big = RunContext(seed=0, profile="quick")
    big.check_loss(5e9, "summed squared error")
    big.check_loss(9e9, "summed squared error")  # a large loss is not a diverging one
    with pytest.raises(DivergedError, match="became nan"):
        big.check_loss(math.nan, "summed squared error")
