"""MNIST (LeCun, Cortes & Burges): the IDX files read from the data root, checked against their MD5."""

from __future__ import annotations

import functools

import numpy as np

from repbench.datafiles import missing, read_verified

SOURCE = "http://yann.lecun.com/exdb/mnist/"
# MD5 of the uncompressed IDX files (LeCun, Cortes & Burges)
FILES = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
N_VAL = 10_000
CITATION = "LeCun, Bottou, Bengio & Haffner (1998), Gradient-based learning applied to document recognition"


def missing_mnist() -> list[str]:
    """The MNIST files not in the data root, with their source."""
    return [m for name in FILES if (m := missing(f"mnist/{name}", f"{SOURCE}{name}.gz"))]


def _idx(name: str) -> np.ndarray:
    raw = read_verified(f"mnist/{name}", FILES[name], f"{SOURCE}{name}.gz")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


@functools.lru_cache(maxsize=1)
def load_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train 60000x784 in [0, 1] float32, y_train, X_test 10000x784, y_test), checksums verified."""
    X_train = _idx("train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255.0
    X_test = _idx("t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255.0
    y_train = _idx("train-labels-idx1-ubyte").astype(np.int64)
    y_test = _idx("t10k-labels-idx1-ubyte").astype(np.int64)
    return X_train, y_train, X_test, y_test
