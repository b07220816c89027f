from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items):
    """Under pytest-xdist each NEURON test module runs on one worker, in order: NEURON holds one cell per
    process, which a module's tests build once (module fixtures) and share."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture(scope="session", autouse=True)
def mechanisms(mechanisms_cache):
    """Compile the family's mechanisms once per test session and load them into this process."""
    from repbench.benchmarks.neuron.simulator.mechanisms import load_mechanisms

    return load_mechanisms(cache=mechanisms_cache)


@pytest.fixture
def data_dir(tmp_path, monkeypatch, mechanisms_cache):
    """A private data root for simulated datasets, whose compiled mechanisms are the session's (a subprocess
    would otherwise compile them again)."""
    root = tmp_path / "data"
    (root / "neuron").mkdir(parents=True)
    (root / "neuron" / "mechanisms").symlink_to(mechanisms_cache, target_is_directory=True)
    monkeypatch.setenv("REPBENCH_DATA", str(root))
    return root


# Hay et al. 2011's cell1.asc, which CI finds beside the repository (the suite downloads it for users)
SHARED_MORPHOLOGY = Path(__file__).resolve().parents[3] / "shared" / "data" / "morphologies" / "hay2011_cell1.asc"
