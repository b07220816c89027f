"""MNIST (LeCun, Cortes & Burges): the IDX files read from the data root, checked against their MD5; fetched by
`repbench data fetch mnist` from a maintained mirror first, the original address last."""

from __future__ import annotations

import functools

import numpy as np

from repbench.data.files import RemoteFile, missing, read_verified, register_source

MIRRORS = (  # the mirror torchvision uses, the one TensorFlow uses, then the original (refusing downloads since 2024)
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
# name: (sha256 of the published .gz, MD5 of the uncompressed IDX file)
CHECKSUMS = {
    "train-images-idx3-ubyte": ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                                "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                                "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                               "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                               "27ae3e4e09519cfbb04c329615203637"),
}
FILES = {name: RemoteFile(f"mnist/{name}.gz", sha, tuple(f"{m}{name}.gz" for m in MIRRORS), content_md5=md5)
         for name, (sha, md5) in CHECKSUMS.items()}
N_VAL = 10_000
CITATION = "LeCun, Bottou, Bengio & Haffner (1998), Gradient-based learning applied to document recognition"
register_source("mnist", FILES.values(), f"{CITATION}; http://yann.lecun.com/exdb/mnist/")


def missing_mnist() -> list[str]:
    """The MNIST files not in the data root, with how to get them."""
    return [m for file in FILES.values() if (m := missing(file))]


def _idx(name: str) -> np.ndarray:
    raw = read_verified(FILES[name])
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
