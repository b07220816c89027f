"""MNIST files: checksums verified, clear errors for missing or corrupt files, the two tasks' splits."""

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from repbench.benchmarks.classic import data as mnist
from repbench.data.files import DataFileError, read_verified
from repbench.plugins.base import RunContext

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DATA = Path(os.environ.get("REPBENCH_DATA") or SHARED)
needs_mnist = pytest.mark.skipif(not (DATA / "mnist").is_dir(), reason="MNIST not in the data root")


LABELS = mnist.FILES["t10k-labels-idx1-ubyte"]


def test_missing_file_names_file_checksum_and_source(tmp_path, monkeypatch):
    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path))
    monkeypatch.delenv("REPBENCH_DOWNLOAD", raising=False)
    with pytest.raises(DataFileError) as err:
        read_verified(LABELS)
    message = str(err.value)
    for text in ("t10k-labels-idx1-ubyte", LABELS.sha256, LABELS.urls[0], "repbench data fetch mnist",
                 "REPBENCH_DATA", "REPBENCH_DOWNLOAD=1"):
        assert text in message


def test_corrupt_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path))
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"not mnist"))
    with pytest.raises(DataFileError, match="is corrupt: MD5 .* expected 27ae3e4e"):
        read_verified(LABELS)
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"truncated")
    with pytest.raises(DataFileError, match="not a valid gzip file"):
        read_verified(LABELS)


@needs_mnist
def test_uncompressed_files_are_accepted_too(tmp_path, monkeypatch):
    (tmp_path / "mnist").mkdir()
    with gzip.open(DATA / "mnist" / "t10k-labels-idx1-ubyte.gz") as src, \
            open(tmp_path / "mnist" / "t10k-labels-idx1-ubyte", "wb") as dst:
        shutil.copyfileobj(src, dst)
    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path))
    assert len(read_verified(LABELS)) == 10_008


@needs_mnist
def test_mnist_splits(monkeypatch, registry):
    monkeypatch.setenv("REPBENCH_DATA", str(DATA))
    ctx = RunContext(seed=0, profile="standard")
    full = registry.get_task("mnist")()
    data = full.load(ctx)
    assert data.X_train.shape == (50_000, 784) and data.X_val.shape == (10_000, 784)
    assert full.X_test.shape == (10_000, 784) and data.X_train.min() >= 0.0 and data.X_train.max() == 1.0
    assert np.bincount(full.y_test).tolist()[:3] == [980, 1135, 1032]  # the canonical test set

    few = registry.get_task("mnist-1k")()
    semi = few.load(ctx)
    assert np.bincount(semi.y_train).tolist() == [100] * 10
    assert semi.X_unlabelled.shape == (50_000, 784) and semi.X_pretrain is semi.X_unlabelled
    assert np.array_equal(semi.X_val, data.X_val)
    again = registry.get_task("mnist-1k")().load(RunContext(seed=9, profile="standard"))
    assert np.array_equal(again.y_train, semi.y_train)  # the labelled subset is fixed across cells
