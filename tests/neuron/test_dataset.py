"""Datasets: seeded content, atomic chunks and resume, manifest checks, the validation report, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from repbench.benchmarks.neuron.data.dataset import (
    Dataset,
    DatasetError,
    DatasetSpec,
    generate,
    simulate_one,
    with_inputs,
)
from repbench.benchmarks.neuron.data.report import above_runs, validation_row
from tests.conftest import repbench_cli

IF = DatasetSpec(cell="if", trial_ms=1000, trials_per_chunk=2)


def _same(a, b) -> bool:
    return np.array_equal(a.soma_v, b.soma_v) and np.array_equal(a.spike_times, b.spike_times) and np.array_equal(
        a.inputs.input_index, b.inputs.input_index
    )


def test_same_seed_same_spikes_whatever_the_chunk_order(data_dir):
    a = Dataset.open(IF)
    generate(a, 6, progress=False)
    first = list(a.trials(6))
    assert len(first) == 6 and [t.index for t in first] == list(range(6))
    assert not _same(first[0], first[1])  # each trial has its own stream
    b = Dataset.open(IF, root=data_dir / "other")
    for chunk in (2, 0, 1):  # trials simulated out of order, in another dataset folder
        b.write_chunk(chunk, [simulate_one(b.spec, i) for i in reversed(b.chunk_trials(chunk))][::-1])
    assert all(_same(x, y) for x, y in zip(first, b.trials(6), strict=True))
    c = Dataset.open(DatasetSpec(cell="if", trial_ms=1000, trials_per_chunk=2, seed=1))
    generate(c, 2, progress=False)
    assert c.path != a.path and not _same(first[0], next(c.trials(1)))


def test_an_interrupted_generation_resumes_and_fills_the_gaps(data_dir):
    ds = Dataset.open(IF)
    generate(ds, 6, progress=False)
    reference = [t.soma_v.copy() for t in ds.trials(6)]
    ds.chunk_path(1).unlink()
    (ds.path / ".chunk_00001.partial.tmp").write_bytes(b"half a chunk")  # what a kill mid-write leaves
    before = ds.chunk_path(0).stat().st_mtime_ns
    assert ds.missing(6) == [1]
    assert generate(ds, 6, progress=False) == [1]
    assert ds.chunk_path(0).stat().st_mtime_ns == before  # finished chunks are not rewritten
    assert all(np.array_equal(r, t.soma_v) for r, t in zip(reference, ds.trials(6), strict=True))
    assert generate(ds, 10, progress=False) == [3, 4]  # asking for more extends the dataset


def test_different_settings_never_share_a_folder(data_dir):
    a = Dataset.open(IF)
    b = Dataset.open(with_inputs(IF, ex_max=150.0))
    assert a.path != b.path and a.key != b.key


def test_a_manifest_mismatch_is_refused(data_dir):
    ds = Dataset.open(IF)
    manifest = json.loads((ds.path / "manifest.json").read_text())
    manifest["identity"]["inputs"]["ex_max"] = 999.0  # as if made with other settings
    (ds.path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match=r"refusing to mix them:\n  inputs.ex_max: 999.0 \(on disk\) != 200.0"):
        Dataset.open(IF)


def test_a_chunk_from_another_dataset_or_a_corrupt_chunk_is_refused(data_dir):
    a, b = Dataset.open(IF), Dataset.open(DatasetSpec(cell="if", trial_ms=1000, trials_per_chunk=2, seed=7))
    generate(b, 2, progress=False)
    b.chunk_path(0).rename(a.chunk_path(0))
    with pytest.raises(DatasetError, match="belongs to another dataset"):
        list(a.trials(2))
    a.chunk_path(0).write_bytes(b"not a zip")
    with pytest.raises(DatasetError, match="unreadable"):
        list(a.trials(2))


def test_parallel_generation_equals_serial(data_dir):
    serial = Dataset.open(IF)
    generate(serial, 8, progress=False)
    parallel = Dataset.open(IF, root=data_dir / "parallel")
    generate(parallel, 8, jobs=2, progress=False)
    assert all(_same(x, y) for x, y in zip(serial.trials(8), parallel.trials(8), strict=True))


def test_plateaus_are_runs_above_minus_40_mv_longer_than_20_ms():
    v = np.full(200, -70.0)
    v[10:15] = -20.0  # a 5 ms back-propagating spike: not a plateau
    v[50:80] = -30.0  # 30 ms: a plateau
    v[100:121] = -35.0  # 21 ms: a plateau
    v[150:170] = -35.0  # 20 ms: not longer than 20
    assert above_runs(v, -40.0, 20) == [(50, 80), (100, 121)]


def test_validation_row_of_the_if_control(data_dir):
    ds = Dataset.open(IF)
    generate(ds, 4, progress=False)
    row = validation_row(ds, 4)
    assert row["trials"] == 4 and row["analysed_s"] == 4 * 0.5  # 500 ms burn-in per trial
    assert 5 < row["exc_rate_hz"] < 25 and 0 < row["output_rate_hz"] < 50
    assert np.isnan(row["plateau_fraction_per_site"])  # a point neuron has no dendrites


def test_cli_simulate_writes_dataset_and_report(tmp_path):
    env = {"REPBENCH_DATA": str(tmp_path / "data"), "REPBENCH_RESULTS": str(tmp_path / "results")}
    done = repbench_cli("data", "simulate", "--cell", "if", "--seconds", "3.5", "--trial-ms", "1000", "--jobs", "2",
                        "--no-progress", env=env)
    assert done.returncode == 0, done.stderr
    assert "3.5 s is rounded up to 4 whole trials of 1000 ms = 4 s" in done.stdout
    assert "simulated 4 s" in done.stdout  # the same amount as the report's
    table = pd.read_csv(tmp_path / "results/neuron/validation.csv")
    assert table["cell"].tolist() == ["if"] and table["trials"].tolist() == [4] and table["simulated_s"].tolist() == [4]
    assert len(list((tmp_path / "results/neuron").glob("if-*_sample.png"))) == 1
    listed = repbench_cli("data", "list", env=env)
    assert "cell=if" in listed.stdout and "4 s simulated" in listed.stdout
    bad = repbench_cli("data", "simulate", "--cell", "nmda", env=env)
    assert bad.returncode == 2 and "l5pc-nmda" in bad.stderr


def test_the_command_a_task_prints_makes_exactly_its_dataset(tmp_path, monkeypatch):
    from repbench.benchmarks.neuron.tasks import NeuronIF

    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path / "data"))
    task = NeuronIF(seconds=4.0, trial_ms=1000)
    args = task.simulate_command().replace("--jobs N", "--jobs 1").split()[1:]
    done = repbench_cli(*args, "--no-report", "--no-progress", env={"REPBENCH_DATA": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert Dataset.open(task.spec()).missing(4.0) == []  # the task finds the generated chunks: no resimulation


def test_the_commands_offer_exactly_the_simulated_cells():
    """`data simulate --cell` lists the cells without importing the simulator; they must stay in step."""
    from repbench.benchmarks.neuron.commands import CELLS, MODELS
    from repbench.benchmarks.neuron.simulator import cell
    from repbench.benchmarks.neuron.simulator.variants import VARIANTS

    assert set(CELLS) == set(VARIANTS) and set(MODELS) == set(cell.MODELS)


def test_a_failing_trial_stops_generation_with_its_reason_and_keeps_finished_chunks(data_dir, monkeypatch):
    from repbench.benchmarks.neuron.data import dataset as module

    real = module.simulate_one

    def fails_on_trial_3(spec, index):
        if index == 3:
            raise RuntimeError("boom on trial 3")
        return real(spec, index)

    monkeypatch.setattr(module, "simulate_one", fails_on_trial_3)
    ds = Dataset.open(IF)
    with pytest.raises(DatasetError, match="trial 3 .* failed: RuntimeError: boom on trial 3"):
        generate(ds, 6, progress=False)
    assert ds.missing(6) == [1, 2]  # chunk 0 (trials 0-1) was written before trial 3 failed

