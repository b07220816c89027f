import json
import os
from dataclasses import replace

import pytest

from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.results.record import MetricValue, Status
from repbench.results.store import ResultStore


@pytest.fixture
def record(registry):
    cell = expand_cells(registry, "quick", ["toy"], ["toy-ok"], seeds=1)[0]
    return cell, run_cell(cell, CellOptions(device="cpu"))


def test_record_carries_identity_metrics_timings_and_provenance(record):
    cell, rec = record
    assert rec.key == cell.key and rec.seed == cell.seed and rec.status is Status.OK and rec.failure is None
    data = rec.to_dict()
    assert data["identity"] == cell.identity() and data["status"] == "ok"
    assert set(data["identity"]) >= {"task", "task_version", "method", "method_version", "profile", "replicate"}
    main = [m for m in rec.metrics if m.is_main]
    assert [m.name for m in main] == ["accuracy"] and main[0].unit == "%"
    assert set(data["timings"]) == {"load_s", "train_s", "eval_s", "wall_s"}
    assert rec.memory["peak_rss_mb"] > 0
    prov = rec.provenance
    assert set(prov) >= {"git_commit", "git_dirty", "suite_version", "python", "packages", "cpu", "gpu", "date_utc"}
    assert set(prov["packages"]) >= {"torch", "numpy", "neuron"}


def test_write_is_atomic_and_finished_cells_are_recognised(record, tmp_path, monkeypatch):
    cell, rec = record
    store = ResultStore(tmp_path)
    assert not store.is_finished(cell)
    path = store.write(rec)
    assert path == store.path(cell) and store.is_finished(cell)

    def crash(src, dst):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    changed = replace(rec, reason="should never land")  # a finished record replacing a finished one
    with pytest.raises(OSError, match="disk vanished"):
        store.write(changed)
    monkeypatch.undo()
    assert json.loads(path.read_text()) == rec.to_dict()  # the old record is intact
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # and no temporary file is left


def test_unserialisable_record_leaves_nothing(record, tmp_path):
    _, rec = record
    store = ResultStore(tmp_path)
    with pytest.raises(ValueError):
        store.write(replace(rec, metrics=[MetricValue("accuracy", float("nan"))]))
    assert list(tmp_path.rglob("*")) == [tmp_path / "runs", tmp_path / "runs" / "quick"]


def test_failed_and_corrupt_records_are_not_finished(record, tmp_path):
    cell, rec = record
    store = ResultStore(tmp_path)
    store.write(replace(rec, status=Status.FAILED, reason="x"))
    assert not store.is_finished(cell)
    store.path(cell).write_text("{ truncated")
    with pytest.warns(UserWarning, match="unreadable record"):
        assert not store.is_finished(cell)
    with pytest.warns(UserWarning):
        assert list(store.records()) == []


def test_code_provenance_is_the_one_taken_when_the_run_started(registry):
    cell = expand_cells(registry, "quick", ["toy"], ["toy-ok"], seeds=1)[0]
    code = {"git_commit": "f" * 40, "git_dirty": False, "suite_version": "0.0.test"}
    record = run_cell(cell, CellOptions(device="cpu", code=code))
    assert {k: record.provenance[k] for k in code} == code
    assert record.provenance["cpu"] and record.provenance["packages"]["torch"]
