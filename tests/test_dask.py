"""The Dask executor: the same records as local execution; a worker killed mid-run loses no finished cell."""

import pytest

from repbench.execution.batch import run_cells
from repbench.execution.cell import CellOptions
from repbench.execution.executors import DaskExecutor, InlineExecutor
from repbench.execution.planning import expand_cells
from repbench.results.store import ResultStore
from tests.conftest import TOY

pytest.importorskip("distributed")
OPTIONS = CellOptions(device="cpu", plugin_paths=(str(TOY),), threads=1)


def _comparable(record):
    return record.key, record.seed, record.values, record.status


def test_local_cluster_gives_the_records_of_the_local_executor(registry, tmp_path):
    cells = expand_cells(registry, "quick", ["toy"], ["toy-ok"], {"shift": ["0", "0.5"]}, seeds=2)
    local = sorted(map(_comparable, InlineExecutor().run(cells, OPTIONS)))
    store = ResultStore(tmp_path)
    summary = run_cells(cells, store, DaskExecutor(jobs=2), OPTIONS, progress=False)
    assert summary.ok == 4 and not summary.failed
    assert sorted(map(_comparable, store.records())) == local


def test_a_killed_worker_loses_no_finished_cell_and_the_rerun_completes(registry, tmp_path):
    import dask

    quick = expand_cells(registry, "quick", ["toy"], ["toy-ok"], {"shift": ["0", "1", "2"]}, seeds=1)
    dies = expand_cells(registry, "quick", ["toy"], ["toy-dies-once"], {"marker": [str(tmp_path / "died")]}, seeds=1)
    store = ResultStore(tmp_path)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # no silent retry: see the failure
        first = run_cells([*dies, *quick], store, DaskExecutor(jobs=2), OPTIONS, progress=False)
    # the dead worker's cell fails (Dask may also count a cell it had queued on that worker)
    assert first.failed and all("KilledWorker" in reason for _, reason in first.failed)
    records = {r.key: r.status for r in store.records()}
    assert records[dies[0].key] == "failed" and len(records) == 4
    finished = {key for key, status in records.items() if status == "ok"}
    assert len(finished) == first.ok >= 1
    rerun = run_cells([*dies, *quick], store, DaskExecutor(jobs=2), OPTIONS, progress=False)
    assert rerun.skipped == len(finished) and rerun.ok == 4 - len(finished) and not rerun.failed
    assert all(r.status == "ok" for r in store.records())


def test_by_default_dask_retries_a_cell_whose_worker_died(registry, tmp_path):
    dies = expand_cells(registry, "quick", ["toy"], ["toy-dies-once"], {"marker": [str(tmp_path / "died")]}, seeds=1)
    summary = run_cells(dies, ResultStore(tmp_path), DaskExecutor(jobs=1), OPTIONS, progress=False)
    assert summary.ok == 1 and (tmp_path / "died").exists()
