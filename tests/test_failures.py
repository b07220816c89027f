"""Each failing cell is recorded with its reason; the run goes on and its exit code says so."""

import multiprocessing
import os
import signal
import threading
import time

import pytest

from repbench.execution.batch import run_cells
from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.executors import InlineExecutor, ProcessExecutor
from repbench.execution.planning import expand_cells
from repbench.results.store import ResultStore
from tests.conftest import TOY


def _cells(registry, methods, grid=None):
    return expand_cells(registry, "quick", ["toy"], methods, grid, seeds=1)


def test_failures_are_isolated_across_processes(registry, tmp_path):
    cells = _cells(registry, ["toy-ok", "toy-raises", "toy-nan", "toy-sleeps"])
    store = ResultStore(tmp_path)
    options = CellOptions(device="cpu", timeout_s=4, plugin_paths=(str(TOY),))
    summary = run_cells(cells, store, ProcessExecutor(jobs=2), options, progress=False)

    by_method = {r.method: r for r in store.records()}
    assert by_method["toy-ok"].status == "ok"
    assert {m.name for m in by_method["toy-ok"].metrics} == {"accuracy", "margin", "fit_calls"}
    assert by_method["toy-raises"].reason == "RuntimeError: boom: this method always fails"
    assert "Traceback" in by_method["toy-raises"].traceback
    assert by_method["toy-nan"].reason.startswith("diverged: loss became nan")
    assert by_method["toy-sleeps"].reason == "timeout: exceeded 4 s"
    assert summary.ok == 1 and len(summary.failed) == 3 and summary.exit_code == 1


def test_a_worker_killed_by_a_signal_is_a_failed_cell(registry):
    cell = _cells(registry, ["toy-sleeps"], {"seconds": ["20"]})[0]

    def kill_workers():
        time.sleep(2)
        for child in multiprocessing.active_children():
            if child.name.startswith("repbench:"):
                os.kill(child.pid, signal.SIGKILL)

    threading.Thread(target=kill_workers, daemon=True).start()
    record = next(ProcessExecutor(jobs=1).run([cell], CellOptions(device="cpu", plugin_paths=(str(TOY),))))
    assert record.status == "failed"
    assert record.reason == "worker process was killed by SIGKILL (out of memory?)"


def test_undeclared_metric_and_missing_result_fail_clearly(registry, monkeypatch):
    cell = _cells(registry, ["toy-ok"])[0]
    toy = registry.get_task("toy")
    monkeypatch.setattr(toy, "evaluate", lambda self, method, ctx: {"accuracy": 1.0, "bogus": 2.0})
    record = run_cell(cell, CellOptions(device="cpu"))
    assert record.status == "failed" and "undeclared metrics ['bogus']" in record.reason


def test_interrupt_keeps_finished_records(registry, tmp_path):
    cells = _cells(registry, ["toy-ok"], {"shift": ["0", "1", "2"]})

    class InterruptAfterOne(InlineExecutor):
        def run(self, cells, options):
            yield from super().run(cells[:1], options)
            raise KeyboardInterrupt

    store = ResultStore(tmp_path)
    summary = run_cells(cells, store, InterruptAfterOne(), CellOptions(device="cpu"), progress=False)
    assert summary.interrupted and summary.exit_code == 130
    assert len(list(store.records())) == 1


@pytest.mark.parametrize("jobs", [0, -1])
def test_process_executor_rejects_bad_jobs(jobs):
    with pytest.raises(ValueError, match="at least 1"):
        ProcessExecutor(jobs)


def test_k_fold_tasks_average_fresh_fits_over_folds(registry, monkeypatch):
    """A task with n_folds() = 3 gets three loads (ctx.fold 0, 1, 2), three fresh methods, and fold means."""
    cell = _cells(registry, ["toy-ok"])[0]
    toy = registry.get_task("toy")
    folds_seen, fitted = [], []
    monkeypatch.setattr(toy, "n_folds", lambda self: 3)
    load = toy.load
    monkeypatch.setattr(toy, "load", lambda self, ctx: folds_seen.append(ctx.fold) or load(self, ctx))
    monkeypatch.setattr(toy, "evaluate", lambda self, method, ctx: fitted.append(method) or
                        {"accuracy": 10.0 * (ctx.fold + 1), "margin": 1.0})
    record = run_cell(cell, CellOptions(device="cpu"))
    assert record.status == "ok", record.reason
    assert folds_seen == [0, 1, 2] and len({id(m) for m in fitted}) == 3
    assert [f["accuracy"] for f in record.folds] == [10.0, 20.0, 30.0]
    assert record.values["accuracy"] == 20.0


def test_a_failing_force_rerun_never_replaces_an_ok_record(registry, tmp_path):
    marker = tmp_path / "fail-now"
    cells = _cells(registry, ["toy-fails-if"], {"marker": [str(marker)]})
    store = ResultStore(tmp_path / "results")
    options = CellOptions(device="cpu", plugin_paths=(str(TOY),))
    assert run_cells(cells, store, InlineExecutor(), options, progress=False).ok == 1
    good = store.path(cells[0]).read_text()
    marker.touch()
    summary = run_cells(cells, store, InlineExecutor(), options, force=True, progress=False)
    assert len(summary.failed) == 1 and len(summary.kept) == 1
    assert store.path(cells[0]).read_text() == good  # the ok record is untouched
    [attempt] = (store.path(cells[0]).parent / "attempts").glob("*.json")
    assert str(attempt) == summary.kept[0] and "asked to fail" in attempt.read_text()
    assert [r.status for r in store.records()] == ["ok"]  # the leaderboard reads the ok record only


def test_a_5_fold_cell_is_flagged_against_the_noise_of_its_fold_mean(registry, monkeypatch):
    """Each fold's validation beats the trivial baseline by 4 points; one fold's noise margin is 7.25 points
    (German: 160 validation rows), the 5-fold mean's is 7.25 / sqrt(5) = 3.24: the cell is better than chance."""
    from repbench.plugins.base import Baseline

    cell = _cells(registry, ["toy-ok"])[0]
    toy = registry.get_task("toy")
    monkeypatch.setattr(toy, "n_folds", lambda self: 5)
    monkeypatch.setattr(toy, "validate", lambda self, method, ctx: 74.0)
    monkeypatch.setattr(toy, "baseline", lambda self, ctx: Baseline(70.0, "majority", 7.25))
    record = run_cell(cell, CellOptions(device="cpu"))
    assert record.validation.margin == pytest.approx(7.25 / 5**0.5)
    assert record.status == "ok", record.reason
    monkeypatch.setattr(toy, "validate", lambda self, method, ctx: 72.0)  # 2 points: within the mean's noise
    assert run_cell(cell, CellOptions(device="cpu")).status == "degenerate"


@pytest.mark.parametrize("threads", [1, 2])
def test_a_cell_holds_every_thread_pool_to_its_thread_budget(registry, threads):
    """torch's threads and every OpenMP/BLAS pool (scikit-learn's L-BFGS ran 18x slower with two jobs each
    starting a thread per core); the caller's settings come back afterwards."""
    from threadpoolctl import threadpool_info

    before = [pool["num_threads"] for pool in threadpool_info()]
    record = run_cell(_cells(registry, ["toy-threads"])[0], CellOptions(device="cpu", threads=threads))
    values = {m.name: m.value for m in record.metrics}
    assert record.status == "ok" and record.threads == threads
    assert values["pool_threads"] == threads and values["torch_threads"] == threads
    assert [pool["num_threads"] for pool in threadpool_info()] == before


def test_threads_per_cell_leave_busy_cores_alone(monkeypatch):
    from repbench.results import provenance

    monkeypatch.setattr(provenance, "usable_cpus", lambda: 4)
    for load, jobs, expected in [(0.2, 1, 4), (0.2, 2, 2), (2.0, 1, 2), (3.6, 1, 1), (9.0, 2, 1), (0.0, 8, 1)]:
        monkeypatch.setattr(provenance.os, "getloadavg", lambda load=load: (load, load, load))
        assert provenance.cell_threads(jobs) == expected, (load, jobs)
