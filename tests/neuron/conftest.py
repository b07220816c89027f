from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def mechanisms(tmp_path_factory):
    """Compile the family's mechanisms once per test session into a temporary cache (never the data root)."""
    from repbench.benchmarks.neuron.mechanisms import load_mechanisms

    return load_mechanisms(cache=tmp_path_factory.mktemp("mechanisms"))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private data root for simulated datasets."""
    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path / "data"))
    return tmp_path / "data"
