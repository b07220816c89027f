"""docs/plugins.md as a user follows it: each kind's example plugin runs on a quick task, and the example
pyproject.toml installs a distribution whose records carry its name, version and sha256."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.plugins.registry import discover
from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "plugins.md").read_text()
EXAMPLES = dict(re.findall(r"<!-- example: (\S+) -->\n```\w+\n(.+?)```", GUIDE, re.S))


def _run(tmp_path, kind: str, task: str, method: str) -> dict:
    path = tmp_path / f"{method.replace('-', '_')}.py"
    path.write_text(EXAMPLES[kind])
    registry = discover([path])
    cell = expand_cells(registry, "quick", [task], [method], seeds=1)[0]
    record = run_cell(cell, CellOptions(device="cpu", plugin_paths=(str(path),)))
    assert record.status == "ok", record.reason
    assert record.plugins["method"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record.plugins["method"]["origin"] == "external"
    return record.values


def test_every_kind_has_an_example():
    assert set(EXAMPLES) == {"classification", "invariance", "neuron-io", "pyproject"}


def test_classification_example(tmp_path, clean_registry):
    metrics = _run(tmp_path, "classification", "digits", "knn")
    assert metrics["test_error"] < 5.0 and metrics["selected_k"] in (1.0, 3.0, 5.0)


def test_invariance_example(tmp_path, clean_registry):
    metrics = _run(tmp_path, "invariance", "digits-rot", "pca-logreg")
    assert metrics["y_acc"] > 50.0  # 10 classes: chance is 10 %
    assert {"s_acc_mlp", "s_acc_logreg", "s_majority"} <= set(metrics)


def test_neuron_io_example(tmp_path, clean_registry, monkeypatch):
    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path / "data"))  # the I&F dataset is simulated here
    metrics = _run(tmp_path, "neuron-io", "neuron-if", "filtered-counts")
    assert metrics["spike_auc"] > 0.75 and metrics["soma_explained_variance"] > 0.2


def test_pyproject_example_installs_a_traceable_distribution(tmp_path, clean_registry, monkeypatch):
    src = tmp_path / "src"
    (src / "repbench_knn").mkdir(parents=True)
    (src / "pyproject.toml").write_text(EXAMPLES["pyproject"])
    (src / "repbench_knn" / "__init__.py").write_text(EXAMPLES["classification"])
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "--target", str(site), str(src)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    monkeypatch.syspath_prepend(str(site))
    registry = discover()
    assert registry.get_method("knn").__module__ == "repbench_knn"
    record = run_cell(expand_cells(registry, "quick", ["digits"], ["knn"], seeds=1)[0], CellOptions(device="cpu"))
    assert record.status == "ok", record.reason
    plugin = record.plugins["method"]
    installed = site / "repbench_knn" / "__init__.py"
    assert (plugin["distribution"], plugin["version"]) == ("repbench-knn", "0.1.0")
    assert plugin["sha256"] == hashlib.sha256(installed.read_bytes()).hexdigest()
