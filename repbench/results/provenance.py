"""Where a number came from: code version, package versions, hardware and date."""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path
from typing import Any

import repbench

PACKAGES = ("torch", "numpy", "scipy", "scikit-learn", "pandas", "neuron")
SOURCE_ROOT = Path(repbench.__file__).resolve().parent.parent
SUITE_PACKAGES = ("repbench.benchmarks.", "repbench.methods.")  # where the suite's own plugins live


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


def usable_cpus() -> int:
    """The cores this process may run on (`taskset`, a cgroup cpuset, a batch scheduler's allocation), which
    can be fewer than the machine's `os.cpu_count()`."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity API (macOS, Windows)
        return os.cpu_count() or 1


def cell_threads(jobs: int) -> int:
    """Threads per cell when `jobs` cells run at once: the usable cores shared among the jobs, less the cores
    other programs keep busy (the 1-minute load average), at least one. A cell with more threads than free
    cores waits on its slowest thread: an invariance update ran 12x slower with 2 threads on a loaded machine."""
    usable = usable_cpus()
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(usable, round(usable - busy)) // max(jobs, 1))


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
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@functools.cache
def module_distributions() -> dict[str, list[str]]:
    """Which installed distributions provide each top-level module. Building it reads every installed package's
    file list (about a second), so it is built once per process; the forkserver builds it for its workers."""
    return dict(packages_distributions())


def _distribution(top: str) -> str | None:
    """The distribution that installed top-level module `top`, if any; the map is rebuilt once for a module it
    lacks (a plugin package installed since it was built)."""
    if top not in module_distributions():
        module_distributions.cache_clear()
    dists = module_distributions().get(top, [])
    return dists[0] if dists else None


@functools.cache
def plugin_provenance(cls: type) -> dict[str, Any]:
    """Which code a task or method class came from: its source file's sha256 and, for code installed as a
    distribution (a plugin package with entry points), that distribution's name and version. `origin` is
    "suite" for the plugins shipped in this repository and "external" for everything else, whose results
    the suite's git commit does not describe."""
    module = sys.modules.get(cls.__module__)
    source = inspect.getsourcefile(cls) or getattr(module, "__file__", None)
    path = Path(source).resolve() if source else None
    suite = cls.__module__.startswith(SUITE_PACKAGES)
    # a --plugin-path file (repbench_external.*) belongs to no distribution: no lookup, no rebuild of the map
    dist = None if cls.__module__.startswith("repbench_external.") else _distribution(cls.__module__.split(".")[0])
    try:
        shown = str(path.relative_to(SOURCE_ROOT)) if suite and path else str(path)
    except ValueError:
        shown = str(path)
    return {
        "module": cls.__module__,
        "class": cls.__qualname__,
        "file": shown,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest() if path and path.is_file() else None,
        # the whole family folder (a change to a shared module changes results as much as one to this file)
        "family_sha256": _folder_sha256(path.parent) if suite and path else None,
        "origin": "suite" if suite else "external",
        "distribution": dist,
        "version": _package_version(dist) if dist else None,
    }


def _folder_sha256(folder: Path) -> str:
    """sha256 over the paths and contents of the Python files under `folder`."""
    digest = hashlib.sha256()
    for file in sorted(folder.rglob("*.py")):
        digest.update(str(file.relative_to(folder)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


@functools.cache
def folder_at_commit(commit: str, folder: str) -> str | None:
    """The git tree hash of `folder` (relative to the suite's checkout) at `commit`: equal hashes, equal code.
    None outside a git checkout or for a commit it does not have."""
    return _git("rev-parse", f"{commit}:{folder}")
