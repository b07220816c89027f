"""Where results and data live: the current directory's results/ and data/ unless a setting says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

RESULTS_ENV = "REPBENCH_RESULTS"
DATA_ENV = "REPBENCH_DATA"


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or "results")


def forwarded_env(absolute_data_root: bool = False) -> dict[str, str]:
    """This process's REPBENCH_* settings, for workers that run elsewhere (with the data root made absolute,
    for workers that may start in another directory or on another machine)."""
    env = {k: v for k, v in os.environ.items() if k.startswith("REPBENCH_")}
    return env | ({DATA_ENV: str(data_root().resolve())} if absolute_data_root else {})


def data_root() -> Path:
    """Downloads and simulation caches; CI points REPBENCH_DATA at a folder that holds the canonical files."""
    return Path(os.environ.get(DATA_ENV) or "data")
