"""Where results and data live: the current directory's results/ and data/ unless a setting says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

RESULTS_ENV = "REPBENCH_RESULTS"
DATA_ENV = "REPBENCH_DATA"


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or "results")


def data_root() -> Path:
    """Downloads and simulation caches; CI points REPBENCH_DATA at a folder that holds the canonical files."""
    return Path(os.environ.get(DATA_ENV) or "data")
