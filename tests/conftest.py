from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from repbench.plugins.registry import REGISTRY, discover

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = Path(__file__).resolve().parent / "plugins"
TOY = PLUGINS / "toy.py"
BROKEN = PLUGINS / "broken.py"


@pytest.fixture(scope="session")
def registry():
    """The suite's plugins plus the toy test plugins."""
    return discover([TOY])


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
