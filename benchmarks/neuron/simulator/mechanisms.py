"""Compile the family's .mod files once into a cache keyed by their contents, and load them.

The cache lives under the data root (`<data>/neuron/mechanisms/<hash>/`), never in the source tree, so an
edited .mod file gets a fresh build while every process and worker reuses an existing one. A file lock
serialises concurrent first builds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from repbench.data.paths import data_root

MOD_DIR = Path(__file__).with_name("mod")
_loaded: str | None = None  # hash of the mechanism set loaded into this process (NEURON allows one)


class MechanismError(RuntimeError):
    """The .mod files could not be compiled or loaded."""


def mod_files() -> list[Path]:
    return sorted(MOD_DIR.glob("*.mod"))


def mechanisms_hash() -> str:
    """sha256 over the .mod files' names and contents: the identity of a compiled mechanism set."""
    digest = hashlib.sha256()
    for path in mod_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _nrnivmodl() -> str:
    beside_python = Path(sys.executable).with_name("nrnivmodl")
    found = str(beside_python) if beside_python.exists() else shutil.which("nrnivmodl")
    if not found:
        raise MechanismError(
            "nrnivmodl not found: it comes with the `neuron` package (pip install neuron) and needs a C compiler "
            "(apt install gcc / build-essential)"
        )
    return found


def _library(build: Path) -> Path | None:
    hits = sorted(build.glob(f"{platform.machine()}/.libs/libnrnmech.*")) + sorted(build.glob("*/libnrnmech.*"))
    return hits[0] if hits else None


def compile_mechanisms(cache: Path | None = None) -> Path:
    """The build folder of the current .mod files, compiling them with nrnivmodl if not cached yet."""
    key = mechanisms_hash()
    build = (cache or data_root() / "neuron" / "mechanisms") / key[:16]
    if _library(build):
        return build
    build.mkdir(parents=True, exist_ok=True)
    with open(build / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be compiling the same set
        if _library(build):
            return build
        for path in mod_files():
            shutil.copy2(path, build / path.name)
        result = subprocess.run(
            [_nrnivmodl(), "."], cwd=build, capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": "-j2"}
        )
        if result.returncode != 0 or not _library(build):
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
            raise MechanismError(
                f"nrnivmodl failed to compile the mechanisms in {MOD_DIR} (build folder {build}, exit "
                f"{result.returncode}); a C compiler (gcc) must be installed. Last lines:\n{tail}"
            )
    return build


def load_mechanisms(cache: Path | None = None) -> str:
    """Compile (if needed) and load the mechanisms into this process; returns their hash. Idempotent."""
    global _loaded
    key = mechanisms_hash()
    if _loaded == key:
        return key
    if _loaded is not None:
        raise MechanismError(
            "a different set of mechanisms is already loaded in this process (NEURON cannot unload them); "
            "start a new process after editing .mod files"
        )
    from neuron import load_mechanisms as nrn_load

    build = compile_mechanisms(cache)
    if not nrn_load(str(build), warn_if_already_loaded=False):
        raise MechanismError(f"NEURON could not load the compiled mechanisms in {build}")
    _loaded = key
    return key
