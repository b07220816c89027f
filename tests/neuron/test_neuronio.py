"""NeuronIO import: files in the published format (protocol-2 pickles, float16 times and voltages, dict-of-lists
input spikes) become the suite's trials with the authors' binning; a pickle that tries to run code is refused."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from repbench.benchmarks.neuron.data import neuronio
from repbench.benchmarks.neuron.kind import spike_target

N_SEG, MS = 6, 3000


def _simulation(rng) -> dict:
    return {
        "exInputSpikeTimes": {s: sorted(rng.choice(MS, 30, replace=False).tolist()) for s in range(N_SEG)},
        "inhInputSpikeTimes": {s: sorted(rng.choice(MS, 10, replace=False).tolist()) for s in range(N_SEG)},
        "outputSpikeTimes": np.array([100.7, 900.2, 2050.0], dtype=np.float16),
        "somaVoltageLowRes": (rng.normal(-70, 3, MS)).astype(np.float16),
        "nexusVoltageLowRes": (rng.normal(-65, 3, MS)).astype(np.float16),
        "dendriticVoltagesLowRes": rng.normal(-70, 3, (N_SEG, MS)).astype(np.float16),
    }


def _write(path, n_sims=3, seed=0) -> None:
    rng = np.random.default_rng(seed)
    data = {"Params": {"allSegmentsType": ["basal"] * 2 + ["apical"] * (N_SEG - 2), "totalSimDurationInSec": 3},
            "Results": {"listOfSingleSimulationDicts": [_simulation(rng) for _ in range(n_sims)]}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data, protocol=2))


@pytest.fixture
def published(tmp_path):
    root = tmp_path / "kaggle"
    for folder, n in (("full_ergodic_train_batch_1", 2), ("full_ergodic_train_batch_2", 3),
                      ("full_ergodic_train_batch_3", 3), ("Data_test", 2)):
        _write(root / folder / f"sim__{folder}_128_simulationRuns_6_secDuration.p", n, seed=len(folder) + n)
    return root


def test_import_splits_bins_and_keeps_inputs(published, tmp_path):
    counts = neuronio.import_files([published], root=tmp_path / "data")
    assert counts == {"train": 6, "val": 2, "test": 2}  # batch 1 validates, 2-10 train, Data_test tests
    [trial, *_] = neuronio.read_split("test", root=tmp_path / "data")
    source = pickle.loads((published / "Data_test").glob("*.p").__next__().read_bytes(), encoding="latin1")
    sim = source["Results"]["listOfSingleSimulationDicts"][0]
    # output spikes are binned at int(t - 0.5) ms, as the authors' loaders do
    expected = [int(float(t) - 0.5) for t in sim["outputSpikeTimes"]]
    assert np.flatnonzero(spike_target(trial.spike_times, MS)).tolist() == expected
    assert trial.inputs.n_inputs == 2 * N_SEG and trial.inputs.n_bins == MS
    dense = trial.inputs.dense()
    assert dense[3, sim["exInputSpikeTimes"][3]].all() and dense[N_SEG + 1, sim["inhInputSpikeTimes"][1]].all()
    assert dense.sum() == N_SEG * 40
    np.testing.assert_array_equal(trial.soma_v, sim["somaVoltageLowRes"].astype(np.float32))
    assert neuronio.import_files([published], root=tmp_path / "data") == counts  # a second import skips them


def test_a_pickle_that_runs_code_is_refused(tmp_path):
    class Exploit:
        def __reduce__(self):
            return os.system, ("echo owned > " + str(tmp_path / "owned"),)

    bad = tmp_path / "full_ergodic_train_batch_2" / "evil.p"
    bad.parent.mkdir()
    bad.write_bytes(pickle.dumps({"Params": Exploit()}, protocol=2))
    with pytest.raises(neuronio.UnsafePickleError, match=r"asks for posix.system|asks for os.system"):
        neuronio.import_files([bad], root=tmp_path / "data")
    assert not (tmp_path / "owned").exists()


def test_files_outside_the_published_folders_are_rejected(tmp_path):
    stray = tmp_path / "somewhere" / "x.p"
    _write(stray)
    with pytest.raises(ValueError, match="published folders"):
        neuronio.import_files([stray], root=tmp_path / "data")


def test_the_task_scores_a_method_on_the_imported_data(published, tmp_path, monkeypatch, registry):
    from repbench.execution.cell import CellOptions, run_cell
    from repbench.execution.planning import expand_cells

    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path / "data"))
    task = registry.get_task("neuronio")
    assert "import-neuronio" in task().missing_data()[0]
    neuronio.import_files([published])
    assert task().missing_data() == []
    cell = expand_cells(registry, "standard", ["neuronio"], ["ln"], {"steps": ["20"], "window_ms": ["200"],
                                                              "val_every": ["10"]}, seeds=1)[0]
    record = run_cell(cell, CellOptions(device="cpu"))
    assert record.status in ("ok", "degenerate"), record.reason
    names = set(record.values)
    assert "spike_auc" in names and "speedup_vs_neuron" not in names  # no NEURON timings for imported data
    assert all(r.comparable for r in task.reported)
