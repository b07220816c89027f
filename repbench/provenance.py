"""Where a number came from: code version, package versions, hardware and date."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import repbench

PACKAGES = ("torch", "numpy", "scipy", "scikit-learn", "pandas", "neuron")
SOURCE_ROOT = Path(repbench.__file__).resolve().parent.parent


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(SOURCE_ROOT), *args], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpu_model() -> str | None:
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001 - a broken CUDA setup must not lose the record
        return None
    return None


@functools.lru_cache(maxsize=1)
def code_provenance() -> dict[str, Any]:
    """Which code ran. A run takes this once, when it starts, so commits made meanwhile relabel nothing."""
    commit = _git("rev-parse", "HEAD")
    # results/ and data/ change with every run; only code changes make a tree dirty
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!results", ":!data")
    return {
        "git_commit": commit,
        "git_dirty": None if status is None else bool(status),
        "suite_version": repbench.__version__,
    }


@functools.lru_cache(maxsize=1)
def environment() -> dict[str, Any]:
    """Where it ran: taken by the process that executes the cell."""
    return {
        "python": platform.python_version(),
        "packages": {name: _package_version(name) for name in PACKAGES},
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpu": _gpu_model(),
    }


def provenance(code: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        **(code or code_provenance()),
        **environment(),
        "date_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
