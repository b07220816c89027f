"""Paper recipes: the suite's three load and plan; a dry run lists exactly the cells (trials, then finals) and
estimates the time left from stored records; a real run then finds them done."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import repbench
from repbench import api
from repbench.cli import main
from repbench.execution import recipes
from repbench.plugins.params import ParamError
from repbench.results.record import Cell, Record, Status, Timings
from tests.conftest import TOY

TOY_RECIPE = """
title = "Toy paper"
citation = "Nobody (2026)"

[[run]]
profiles = ["quick"]
tasks = ["toy"]
methods = ["toy-lr", "toy-ok"]
seeds = 2
tune = 3

[[study]]
profiles = ["quick"]
name = "tradeoff"
options = { probe = "logreg" }
"""


@pytest.fixture
def toy_recipes(tmp_path, monkeypatch):
    folder = tmp_path / "recipes"
    folder.mkdir()
    (folder / "toypaper.toml").write_text(TOY_RECIPE)
    monkeypatch.setattr(recipes, "recipe_dir", lambda: folder)
    return folder


@pytest.mark.parametrize("name", ["golovko2016", "beniaguev2021", "jaiswal2020"])
def test_the_suites_recipes_load_and_plan_their_quick_profile(name, registry):
    recipe = recipes.load(name)
    assert recipe.title and recipe.citation and "quick" in recipe.profiles() and "standard" in recipe.profiles()
    plan = api.plan(recipe.runs["quick"], "quick")
    for part, listing in zip(plan.parts, plan.listing({}), strict=True):
        assert listing and all(not c.done for c in listing)
        assert [c.cell.key for c in listing if c.stage == "final"] == [c.key for c in part.cells]
    for step in recipe.studies.get("quick", []):
        assert step.name in registry.studies


def test_dry_run_lists_trials_then_finals_and_a_real_run_finds_them_done(toy_recipes, tmp_path, registry):
    runner = CliRunner()
    results = tmp_path / "results"
    dry = runner.invoke(main, ["reproduce", "toypaper", "--profile", "quick", "--dry-run", "--results", str(results),
                               "--plugin-path", str(TOY)])
    assert dry.exit_code == 0, dry.output
    lines = [line for line in dry.output.splitlines() if line.startswith(("todo", "done"))]
    trials = [line for line in lines if "[trial]" in line]
    finals = [line for line in lines if "[final]" in line]
    assert len(trials) == 3 and all("toy-lr" in line for line in trials)  # toy-ok declares nothing to tune
    assert len(finals) == 2 + 2 and sum("(after tuning)" in line for line in finals) == 2
    assert "no stored record" in dry.output
    assert "then: repbench study tradeoff --probe logreg --profile quick" in dry.output

    repbench.run("toy", ["toy-lr", "toy-ok"], profile="quick", seeds=2, tune=3, jobs=0, results=results,
                 plugin_paths=[str(TOY)], progress=False)
    again = runner.invoke(main, ["reproduce", "toypaper", "--profile", "quick", "--dry-run", "--results",
                                 str(results), "--plugin-path", str(TOY)])
    lines = [line for line in again.output.splitlines() if line.startswith(("todo", "done"))]
    assert len(lines) == 7 and all(line.startswith("done") for line in lines), again.output
    assert "(after tuning)" not in again.output and "0 to do" in again.output


def test_unknown_recipes_and_keys_are_named(toy_recipes):
    with pytest.raises(ParamError, match="unknown recipe 'toypapr'.*'toypaper'"):
        recipes.load("toypapr")
    (toy_recipes / "bad.toml").write_text('[[run]]\nprofiles = ["quick"]\nmethod = ["x"]\n')
    with pytest.raises(ParamError, match="unknown keys \\['method'\\]"):
        recipes.load("bad")
    done = CliRunner().invoke(main, ["reproduce", "toypaper", "--profile", "paper", "--dry-run"])
    assert done.exit_code == 2 and "nothing for profile 'paper'" in done.output


def test_time_estimates_come_from_the_closest_stored_configuration(registry):
    """Other seeds of the same configuration first; then records differing only in tuned parameters (the same
    shift, another lr); then any record of the task and method, marked rough (another shift may cost more)."""
    plan = api.plan(api.Sweep.of("toy", "toy-lr", {"shift": ["0.5"], "lr": ["2.0"]}, 1, 0), "quick", [str(TOY)])

    def estimate(stored):
        [[cell]] = plan.listing({r.key: r for r in stored})
        return cell

    planned = estimate([]).cell.identity()

    def record(wall_s, replicate, **params):
        identity = {**planned, "replicate": replicate, "method_params": {**planned["method_params"], **params}}
        cell = Cell.from_identity(identity)
        return Record(cell.key, cell, cell.seed, Status.OK, timings=Timings(wall_s=wall_s))

    same, other_lr, other_shift = record(1.0, 9), record(2.0, 0, lr=3.0), record(3.0, 0, shift=0.0)
    assert (estimate([same, other_lr, other_shift]).estimate_s, estimate([same]).rough) == (1.0, False)
    assert (estimate([other_lr, other_shift]).estimate_s, estimate([other_lr]).rough) == (2.0, False)
    assert (estimate([other_shift]).estimate_s, estimate([other_shift]).rough) == (3.0, True)
    assert (estimate([]).estimate_s, estimate([]).rough) == (None, False)


def test_sweeps_share_one_pool_and_a_shared_cell_runs_once(tmp_path, monkeypatch, registry):
    """Untuned cells and tuning trials of every sweep start together; the tuned finals follow; a cell two
    sweeps both ask for (toy-ok, seed 0) runs once."""
    from repbench.execution import batch

    batches = []
    real = batch.run_cells

    def spy(cells, *args, **kwargs):
        batches.append(sorted((c.method, c.stage) for c in cells))
        return real(cells, *args, **kwargs)

    monkeypatch.setattr(batch, "run_cells", spy)
    sweeps = [api.Sweep.of("toy", "toy-ok", seeds=2), api.Sweep.of("toy", "toy-lr", seeds=1, tune=2),
              api.Sweep.of("toy", "toy-ok", seeds=1)]
    result = batch.execute(api.plan(sweeps, "quick", [str(TOY)]),
                           api.RunOptions(jobs=0, results=tmp_path, plugin_paths=(str(TOY),), progress=False))
    assert batches == [[("toy-lr", "trial"), ("toy-lr", "trial"), ("toy-ok", "final"), ("toy-ok", "final")],
                       [("toy-lr", "final")]]
    assert len(result.choices[0].group.trials) == 2 and result.summary.ok == 5


def test_no_sweeps_is_an_empty_run(tmp_path):
    """A recipe profile with studies but no runs: nothing to run, and no crash on the leaderboard."""
    from repbench.execution import batch

    result = batch.execute(api.plan([], "quick"), api.RunOptions(jobs=0, results=tmp_path, progress=False))
    assert result.frame.empty and result.summary.planned == 0


def _cells(output: str) -> list[str]:
    """The cell labels a dry run lists, in order."""
    return [line.split("] ", 1)[1].split("  ")[0] for line in output.splitlines() if line.startswith(("todo", "done"))]


def test_dry_runs_and_the_real_run_share_one_planner(toy_recipes, tmp_path, registry):
    """`repbench run --dry-run`, `repbench reproduce --dry-run` and the run itself: the same cells, in the same
    order; once the trials ran, both dry runs list exactly the finals the run chose."""
    runner = CliRunner()
    results = tmp_path / "results"
    common = ["--profile", "quick", "--results", str(results), "--plugin-path", str(TOY)]
    run_args = ["--task", "toy", "--method", "toy-lr", "--method", "toy-ok", "--seeds", "2", "--tune", "3"]
    before_run = runner.invoke(main, ["run", *run_args, "--dry-run", *common])
    before_reproduce = runner.invoke(main, ["reproduce", "toypaper", "--dry-run", *common])
    assert before_run.exit_code == 0 and before_reproduce.exit_code == 0, before_run.output + before_reproduce.output
    assert _cells(before_run.output) == _cells(before_reproduce.output) and len(_cells(before_run.output)) == 7

    result = repbench.run("toy", ["toy-lr", "toy-ok"], profile="quick", seeds=2, tune=3, jobs=0, results=results,
                          plugin_paths=[str(TOY)], progress=False)
    ran = {r.cell.label for r in result.records}
    after_run = runner.invoke(main, ["run", *run_args, "--dry-run", *common])
    after_reproduce = runner.invoke(main, ["reproduce", "toypaper", "--dry-run", *common])
    assert set(_cells(after_run.output)) == set(_cells(after_reproduce.output)) == ran
    assert {c for c in _cells(before_run.output) if "after tuning" not in c} <= ran
