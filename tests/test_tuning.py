"""Equal tuning budgets: N trials per task x method from declared search distributions, the winner chosen on
validation data only, the final seeds run with it; reruns pick the same winner without recomputing."""

from __future__ import annotations

import math

import numpy as np
import pytest

import repbench
from repbench import Metric, Task, register_task
from repbench.plugins.kinds import CLASSIFICATION
from repbench.plugins.params import Choice, LogUniform, Param, ParamError, Uniform
from tests.conftest import TOY


def _tune(tmp_path, n=16, **kwargs):
    return repbench.run("toy", ["toy-lr", "toy-ok"], profile="quick", seeds=3, jobs=0, tune=n, results=tmp_path,
                        plugin_paths=[str(TOY)], progress=False, **kwargs)


def test_tuning_finds_the_known_best_learning_rate(tmp_path, registry):
    result = _tune(tmp_path)
    records = result.frame
    [chosen] = result.choices  # toy-ok declares no search distribution: nothing to tune
    assert chosen.group.finals[0].method == "toy-lr" and chosen.n_ok == len(chosen.group.trials) == 16
    assert abs(math.log10(chosen.params["lr"]) + 2.0) < 0.3  # the optimum is lr = 0.01

    main = records[records["metric"] == "accuracy"]
    trials = main[main["stage"] == "trial"]
    finals = main[(main["stage"] == "final") & (main["method"] == "toy-lr")]
    assert len(trials) == 16 and trials["seed"].nunique() == 1  # one seed stream: trials differ in lr only
    assert trials["validation"].max() == chosen.score  # selection used the validation score
    assert len(finals) == 3 and set(finals["method.lr"]) == {chosen.params["lr"]}
    assert set(finals["tune_trials"]) == {16}

    table = repbench.leaderboard(profile="quick", results=tmp_path, plugin_paths=[str(TOY)])
    rows = table[(table["metric"] == "accuracy") & (table["origin"] == "ours")]
    assert set(rows["method"]) == {"toy-lr", "toy-ok"}  # trials are not results
    assert rows.set_index("method").loc["toy-lr", "tune_trials"] == 16
    assert "[tuned, 16 trials: lr=" in (tmp_path / "leaderboard.md").read_text()

    again = _tune(tmp_path)  # resumable and deterministic: everything is reused, the same winner is picked
    assert again.summary.skipped == 16 + 3 + 3 and again.summary.ok == 0
    assert again.choices[0].params == chosen.params


def test_a_fixed_grid_value_is_not_tuned(tmp_path, registry):
    result = _tune(tmp_path, n=4, grid={"lr": [0.5]})
    assert result.choices == [] and set(result.frame["stage"]) == {"final"}


def test_tuning_needs_a_validation_score_and_a_sane_budget(tmp_path, registry, clean_registry):
    with pytest.raises(ParamError, match="tune must be 0"):
        _tune(tmp_path, n=-1)

    @register_task("toy-no-validation")
    class NoValidation(Task):
        kind = CLASSIFICATION
        metrics = (Metric("accuracy", main=True),)

    with pytest.raises(ParamError, match=r"\['toy-no-validation'\] declare no validation score"):
        repbench.run("toy-no-validation", "toy-lr", tune=2, results=tmp_path, plugin_paths=[str(TOY)],
                     progress=False)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("search", [LogUniform(1e-4, 1e-1), Uniform(0.0, 2.0), Choice((16, 32, 64))])
def test_search_distributions_draw_valid_values(search):
    spec = Param(32 if isinstance(search, Choice) else 0.01, search=search, low=0.0)
    rng = np.random.default_rng(0)
    draws = [spec.draw("x", rng) for _ in range(200)]
    if isinstance(search, Choice):
        assert set(draws) == {16, 32, 64}
    else:
        assert min(draws) >= search.low and max(draws) <= search.high
    if isinstance(search, LogUniform):  # as many draws per decade
        per_decade = np.bincount(np.floor(np.log10(draws)).astype(int) + 4)
        assert len(per_decade) == 3 and per_decade.min() > 40


def test_trials_may_run_a_shorter_schedule_that_the_finals_do_not_keep(tmp_path, registry):
    result = _tune(tmp_path, n=3, trial_params={"shift": 0.25})
    records = result.frame
    main = records[records["metric"] == "accuracy"]
    trials, finals = main[main["stage"] == "trial"], main[(main["stage"] == "final") & (main["method"] == "toy-lr")]
    assert set(trials["method.shift"]) == {0.25} and set(finals["method.shift"]) == {0.0}
    assert set(finals["method.lr"]) == {result.choices[0].params["lr"]}


def test_selection_ranks_by_the_tasks_selection_score_when_a_record_has_one():
    """A task's declared rule (e.g. accuracy minus leakage) outranks the bare validation score."""
    from dataclasses import replace

    from repbench.execution.tuning import Group, select
    from repbench.results.record import Cell, Record, Status, Validation

    trials = tuple(Cell("toy", "1", {}, "toy-lr", "1", {"lr": lr}, "quick", 0, stage="trial") for lr in (0.1, 0.01))
    records = {t.key: Record(t.key, t, t.seed, Status.OK, validation=Validation("accuracy", value, selection))
               for t, value, selection in ((trials[0], 90.0, 60.0), (trials[1], 85.0, 84.0))}
    chosen = select(Group((), trials, ("lr",)), records, higher_is_better=True)
    assert chosen.params == {"lr": 0.01} and chosen.score == 84.0
    records = {k: replace(r, validation=replace(r.validation, selection=None)) for k, r in records.items()}
    assert select(Group((), trials, ("lr",)), records, higher_is_better=True).params == {"lr": 0.1}
