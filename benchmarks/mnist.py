"""MNIST tasks: `mnist` (canonical 60k/10k, last 10k training images held out for model selection) and
`mnist-1k` (pretraining on all 50k training images, fine-tuning on 1,000 labels: 100 per class)."""

from __future__ import annotations

import functools

import numpy as np
from sklearn.metrics import accuracy_score

from repbench import Metric, Param, Reported, Task, register_task
from repbench.datafiles import read_verified
from repbench.kinds import CLASSIFICATION, ClassificationData

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


LITERATURE = (
    Reported("test_error", 1.25, "Hinton, Osindero & Teh (2006), Neural Computation 18(7)",
             label="DBN 784-500-500-2000-10, generative fine-tuning"),
    Reported("test_error", 1.2, "Hinton & Salakhutdinov (2006), Science 313(5786)",
             label="pretrained 784-500-500-2000-10 + backprop"),
    Reported("test_error", 1.6, "Hinton & Salakhutdinov (2006), Science 313(5786)",
             label="randomly initialised 784-500-500-2000-10 + backprop"),
)


class _MnistTask(Task):
    citation = CITATION
    kind = CLASSIFICATION
    metrics = (
        Metric("test_error", unit="%", higher_is_better=False, main=True,
               description="on the 10k test images; every choice is made on the 10k validation images"),
    )
    profiles = {"standard": {}, "paper": {}}  # real data: no part in the embedded `quick` profile

    def _splits(self) -> tuple[np.ndarray, ...]:
        X, y, self.X_test, self.y_test = load_mnist()
        return X[:-N_VAL], y[:-N_VAL], X[-N_VAL:], y[-N_VAL:]

    def evaluate(self, method, ctx) -> dict[str, float]:
        return {"test_error": 100.0 * (1.0 - accuracy_score(self.y_test, method.predict(self.X_test)))}


@register_task("mnist")
class Mnist(_MnistTask):
    """MNIST digits: train on 50k labelled images, select on the last 10k training images, test on 10k."""

    reported = LITERATURE

    def load(self, ctx) -> ClassificationData:
        X_train, y_train, X_val, y_val = self._splits()
        return ClassificationData(X_train, y_train, X_val, y_val, n_classes=10)


@register_task("mnist-1k")
class Mnist1k(_MnistTask):
    """MNIST with 1,000 labels (100 per class) for fine-tuning; all 50k training images for pretraining."""

    params = {
        "per_class": Param(100, "labelled training images per class", low=1, high=5000),
        "label_seed": Param(0, "seed choosing which images keep their labels (fixed across cells)", low=0),
    }

    def load(self, ctx) -> ClassificationData:
        X_train, y_train, X_val, y_val = self._splits()
        rng = np.random.default_rng(self.label_seed)
        keep = np.concatenate([rng.choice(np.flatnonzero(y_train == c), self.per_class, replace=False)
                               for c in range(10)])
        keep.sort()
        return ClassificationData(X_train[keep], y_train[keep], X_val, y_val, n_classes=10, X_unlabelled=X_train)
