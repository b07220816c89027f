from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# One torch thread per test process (worker processes inherit it): the tests' models are small, and on a busy
# two-core machine a second thread made them several times slower, never faster (the adversary test: 100 s
# with two threads beside two NEURON runs, 32 s with one).
os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402

torch.set_num_threads(1)

from repbench.plugins.registry import REGISTRY, discover  # noqa: E402
from repbench.results.record import Cell, MetricValue, Record, Status, canonical_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = Path(__file__).resolve().parent / "plugins"
TOY = PLUGINS / "toy.py"
BROKEN = PLUGINS / "broken.py"


@pytest.fixture(scope="session")
def registry():
    """The suite's plugins plus the toy test plugins."""
    return discover([TOY])


@pytest.fixture(scope="session")
def mechanisms_cache(request):
    """The neuron family's compiled mechanisms, in pytest's cache folder (never the data root's): kept between
    sessions, keyed by the .mod files' hash and built under a file lock, so parallel workers compile once."""
    return request.config.cache.mkdir("neuron-mechanisms")


@pytest.fixture
def clean_registry():
    """Undo registrations a test makes on the process-wide registry. The suite's plugins are loaded first:
    their modules register on import, once per process, so a state saved without them could not be refilled."""
    discover()
    saved = (dict(REGISTRY.tasks), dict(REGISTRY.methods), dict(REGISTRY.unavailable), set(REGISTRY._loaded))
    yield REGISTRY
    REGISTRY.tasks, REGISTRY.methods, REGISTRY.unavailable, REGISTRY._loaded = (
        saved[0], saved[1], saved[2], saved[3]
    )


def repbench_cli(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """The real `repbench` command in a child process, as a user runs it."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "repbench", *args], capture_output=True, text=True, env=full_env,
        cwd=ROOT, timeout=300, **kwargs,
    )


def as_record(data: dict) -> Record:
    """A `Record` from the few fields a study test writes (identity parts, status, {name, value} metrics,
    curves); the rest of the identity is filled in as a run would."""
    ident = {"task_version": "1", "method_version": "1", "task_params": {}, "method_params": {}, "profile": "standard",
             "replicate": data.get("seed", 0), **data["identity"]}
    cell = Cell.from_identity(json.loads(canonical_json(ident)))  # tuples as lists, as on disk
    metrics = [MetricValue(m["name"], m["value"]) for m in data.get("metrics", [])]
    return Record(cell.key, cell, data.get("seed", cell.seed), Status(data.get("status", "ok")),
                  reason=data.get("reason"), metrics=metrics, curves=data.get("curves"))


def records_of(records: list) -> list[Record]:
    return [r if isinstance(r, Record) else as_record(r) for r in records]
