from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from repbench.benchmarks.invariance.kind import InvarianceData

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DATA = Path(os.environ.get("REPBENCH_DATA") or SHARED)
needs_data = pytest.mark.skipif(not (DATA / "adult").is_dir(), reason=f"no UCI data under {DATA}")


@pytest.fixture
def uci(monkeypatch):
    monkeypatch.setenv("REPBENCH_DATA", str(DATA))


def synthetic(n: int = 600, seed: int = 0, n_s: int = 2) -> InvarianceData:
    """y from features 0-1, s from feature 2 (a nuisance the inputs carry openly), the rest noise."""
    rng = np.random.default_rng(seed)

    def split(m):
        X = rng.normal(size=(m, 6)).astype(np.float32)
        y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
        s = np.digitize(X[:, 2], np.quantile(X[:, 2], np.linspace(0, 1, n_s + 1)[1:-1])).astype(np.int64)
        return X, y, s

    (Xt, yt, st), (Xv, yv, sv) = split(n), split(n // 3)
    return InvarianceData(Xt, yt, st, Xv, yv, sv, n_classes=2, n_s=n_s, hidden=16, z_dim=4)
