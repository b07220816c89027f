"""Every committed record loads through `Record` and is written back byte for byte; failures carry a kind."""

import json
from pathlib import Path

import pytest

from repbench.results.record import Cell, FailureKind, Record, Status
from repbench.results.store import ResultStore

COMMITTED = sorted((Path(__file__).parents[1] / "results" / "runs").glob("*/*.json"))


def test_every_committed_record_loads_and_round_trips():
    assert len(COMMITTED) >= 676
    for path in COMMITTED:
        text = path.read_text()
        record = Record.from_dict(json.loads(text))
        assert record.cell.key == record.key, path  # the identity still names the file it is in
        assert json.dumps(record.to_dict(), indent=1, sort_keys=True, allow_nan=False) + "\n" == text, path


def test_the_store_reads_records_as_records():
    store = ResultStore(Path(__file__).parents[1] / "results")
    records = list(store.records("standard"))
    assert records and all(isinstance(r, Record) and r.profile == "standard" for r in records)
    assert {r.status for r in records} <= {Status.OK, Status.DEGENERATE}


@pytest.mark.parametrize(("reason", "kind"), [
    ("diverged: loss became nan", FailureKind.DIVERGED), ("timeout: exceeded 600 s", FailureKind.TIMEOUT),
    ("worker process was killed by SIGKILL (out of memory?)", FailureKind.KILLED),
    ("dask: KilledWorker: ...", FailureKind.ENGINE), ("ValueError: bad", FailureKind.EXCEPTION),
])
def test_an_old_failed_record_gets_its_failure_kind_from_its_reason(reason, kind):
    cell = Cell("digits", "1", {}, "mlp", "1", {}, "quick", 0)
    data = {**Record.start(cell).to_dict(), "reason": reason}
    data.pop("failure", None)
    record = Record.from_dict(data)
    assert record.failure is kind and "failure" not in record.to_dict()  # the file keeps its old shape


def test_a_new_failed_record_stores_its_kind():
    cell = Cell("digits", "1", {}, "mlp", "1", {}, "quick", 0)
    record = Record.start(cell)
    record.reason, record.failure = "timeout: exceeded 1 s", FailureKind.TIMEOUT
    data = json.loads(json.dumps(record.to_dict()))
    assert data["failure"] == "timeout" and Record.from_dict(data).failure is FailureKind.TIMEOUT
    assert data["status"] == "failed" and not Record.from_dict(data).finished
