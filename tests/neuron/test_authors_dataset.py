"""The authors' cell as a dataset: the default model, its morphology found (or fetched) by checksum, and the
validation that `data simulate` prints beside the authors' own script."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from repbench.benchmarks.neuron.data.dataset import Dataset, DatasetSpec
from repbench.benchmarks.neuron.data.report import AUTHORS_SCRIPT, comparison
from repbench.benchmarks.neuron.simulator import morphology
from repbench.cli import main
from repbench.data.files import DataFileError
from tests.neuron.conftest import SHARED_MORPHOLOGY

needs_morphology = pytest.mark.skipif(not SHARED_MORPHOLOGY.is_file(), reason=f"no {SHARED_MORPHOLOGY}")


@pytest.fixture
def authors_root(data_dir):
    """A fresh data root holding Hay's cell1.asc where the suite looks for it (as after its first download)."""
    target = data_dir / morphology.HAY2011_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(SHARED_MORPHOLOGY, target)
    return data_dir


def test_without_the_morphology_and_its_mirrors_the_error_says_where_to_put_it(data_dir, monkeypatch):
    monkeypatch.setattr(morphology, "HAY2011_URLS", ("http://127.0.0.1:9/cell1.asc",))
    with pytest.raises(DataFileError, match=f"Put the file \\(sha256 {morphology.HAY2011_SHA256}\\) at .*hay2011"):
        DatasetSpec(cell="l5pc-nmda").identity()


@needs_morphology
def test_the_default_model_is_the_authors_on_hay_cell1(authors_root):
    spec = DatasetSpec(cell="l5pc-nmda", trial_ms=200, fixed_dt=0.1)
    ident = spec.identity()
    assert ident["model"] == "authors" and ident["morphology"]["sha256"] == morphology.HAY2011_SHA256
    assert "max_segment_um" not in ident  # the authors' segment rule has no knob
    demo = DatasetSpec(cell="l5pc-nmda", trial_ms=200, fixed_dt=0.1, model="demo")
    assert demo.identity()["morphology"]["file"] == "pyramid.nrn"
    a, b = Dataset.open(spec), Dataset.open(demo)
    assert a.name.startswith("l5pc-nmda-authors-") and b.name.startswith("l5pc-nmda-demo-")


@needs_morphology
def test_simulate_prints_the_counts_and_rates_beside_the_authors_script(authors_root, tmp_path, monkeypatch):
    monkeypatch.setenv("REPBENCH_RESULTS", str(tmp_path / "results"))
    result = CliRunner().invoke(main, ["data", "simulate", "--cell", "l5pc-nmda", "--seconds", "0.6", "--trial-ms",
                                       "600", "--fixed-dt", "0.1", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    table = result.output.split("beside the authors' own simulation script")[1].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in table[3:] if len(line.split()) == 3}
    for key in ("basal_segments", "apical_segments", "dendritic_segments", "synapses"):
        assert rows[key] == [str(AUTHORS_SCRIPT[key])] * 2  # ours == theirs: 262, 377, 639, 1278
    assert float(rows["exc_rate_hz"][1]) == AUTHORS_SCRIPT["exc_rate_hz"] and "output_rate_hz" in rows


def test_rates_are_compared_only_where_cell_and_inputs_are_the_authors():
    row = {"cell": "l5pc-ampa", "authors_cell": True, "basal_segments": 262, "exc_rate_hz": 20.0}
    table = comparison(row)
    assert table.loc["basal_segments", "authors' script"] == 262  # the same cell
    assert table.loc["exc_rate_hz", "authors' script"] != table.loc["exc_rate_hz", "authors' script"]  # NaN
    demo = comparison({**row, "cell": "l5pc-nmda", "authors_cell": False})
    assert demo["authors' script"].isna().all()


def test_quick_runs_only_the_if_control_and_standard_simulates_the_authors():
    from repbench.benchmarks.neuron.tasks import NeuronIF, NeuronNMDA
    from repbench.execution.planning import expand_cells
    from repbench.plugins.registry import discover

    assert NeuronNMDA(**NeuronNMDA.resolve("standard")).spec().model == "authors"
    assert NeuronNMDA(cell_model="demo").spec().model == "demo"  # still there on request
    quick = {c.task for c in expand_cells(discover(), "quick") if c.task.startswith("neuron")}
    assert quick == {"neuron-if"} and "quick" in NeuronIF.profiles
