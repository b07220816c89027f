"""`repbench check`, the free smoke test, for every registered plugin: each method a few steps on a tiny task,
each task with its kind's cheap method; a plugin from --plugin-path gets the same check."""

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from repbench.cli import main
from repbench.execution.check import checks, run_check, verify
from repbench.plugins.registry import discover
from tests.conftest import TOY

REGISTRY = discover()
CHECKS = checks(REGISTRY)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory, mechanisms_cache):
    """The canonical data (read-only, linked) and a writable root for what the checks simulate, sharing the
    session's compiled NEURON mechanisms."""
    root = tmp_path_factory.mktemp("data")
    source = Path(os.environ.get("REPBENCH_DATA") or "data")
    for entry in source.iterdir() if source.is_dir() else ():
        if entry.name != "neuron":
            (root / entry.name).symlink_to(entry.resolve())
    (root / "neuron").mkdir()
    (root / "neuron" / "mechanisms").symlink_to(mechanisms_cache)
    return root


@pytest.mark.parametrize("check", CHECKS, ids=[f"{c.role}-{c.plugin}" for c in CHECKS])
def test_every_registered_plugin_passes_its_smoke_test(check, data_root, monkeypatch):
    monkeypatch.setenv("REPBENCH_DATA", str(data_root))
    if check.skip:
        pytest.skip(check.skip)
    outcome = run_check(REGISTRY, check)
    assert outcome.passed, outcome.problems


def test_every_method_and_task_of_the_suite_has_a_check():
    def suite(table):  # other tests register plugins of their own on the same registry
        return {name for name, cls in table.items() if cls.__module__.startswith("repbench.")}

    assert {c.plugin for c in CHECKS if c.role == "method"} == suite(REGISTRY.methods)
    assert {c.plugin for c in CHECKS if c.role == "task"} == suite(REGISTRY.tasks)
    assert all(c.cell is not None for c in CHECKS if c.role == "method")  # every kind has a tiny task


def test_a_plugin_from_the_plugin_path_is_checked_and_a_broken_one_fails():
    runner = CliRunner()
    ok = runner.invoke(main, ["check", "toy-ok", "--plugin-path", str(TOY)])
    assert ok.exit_code == 0 and "ok    method toy-ok: " in ok.output and "1 passed" in ok.output, ok.output
    bad = runner.invoke(main, ["check", "toy-raises", "--plugin-path", str(TOY)])
    assert bad.exit_code == 1 and "FAIL  method toy-raises" in bad.output and "boom" in bad.output
    unknown = runner.invoke(main, ["check", "toy-okk", "--plugin-path", str(TOY)])
    assert unknown.exit_code == 2 and "Did you mean 'toy-ok'" in unknown.output


def test_a_missing_or_non_finite_metric_is_a_failure(registry):
    from dataclasses import replace

    from repbench.results.record import MetricValue

    [check] = checks(registry, ["logreg"])
    record = run_check(registry, check).record
    assert verify(registry, record) == ()
    assert verify(registry, replace(record, metrics=[])) == (
        "task 'digits' declares metric 'test_error' but did not report it",)
    nan = [replace(m, value=float("nan")) if m.is_main else m for m in record.metrics]
    assert verify(registry, replace(record, metrics=nan)) == ("metric 'test_error' is nan",)
    assert "not declared" in verify(registry, replace(record, metrics=[*record.metrics, MetricValue("x", 1.0)]))[0]
