"""The classic family's tasks: `digits` (scikit-learn's bundled 8x8 digits, a fixed stratified split; the quick
profile) and `mnist` (canonical 60k/10k, the last 10k training images held out for model selection)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from repbench import Baseline, Metric, Param, Reported, Task, register_task
from repbench.analysis.statistics import ItemMeans
from repbench.benchmarks.classic.data import CITATION, N_VAL, load_mnist, missing_mnist
from repbench.plugins.kinds import CLASSIFICATION, ClassificationData, majority_baseline


def error_percent(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return 100.0 * (1.0 - accuracy_score(y_true, y_pred))


class ClassificationTask(Task):
    """Test error in %; `hand` keeps the test split and the validation labels for `validate` / `baseline`."""

    kind = CLASSIFICATION
    metrics = (
        Metric("test_error", unit="%", higher_is_better=False, main=True,
               description="misclassified test images; models are selected on the validation split only"),
    )

    def hand(self, data: ClassificationData, X_test: np.ndarray, y_test: np.ndarray) -> ClassificationData:
        self.X_test, self.y_test, self.val_ = X_test, y_test, (data.X_val, data.y_val)
        return data

    def evaluate(self, method, ctx) -> dict[str, float]:
        predicted = method.predict(self.X_test)
        wrong = np.asarray(predicted) != np.asarray(self.y_test)
        self.items_ = {"test_error": ItemMeans(100.0 * wrong)}  # per test example: what paired tests resample
        return {"test_error": error_percent(self.y_test, predicted)}

    def item_scores(self) -> dict:
        return getattr(self, "items_", {})

    def validate(self, method, ctx) -> float:
        X_val, y_val = self.val_
        return error_percent(y_val, method.predict(X_val))

    def baseline(self, ctx) -> Baseline:
        return majority_baseline(self.val_[1], as_error=True)


@register_task("digits")
class Digits(ClassificationTask):
    """8x8 handwritten digits (1,797 images, 10 classes) bundled with scikit-learn: no download."""

    citation = (
        "Alpaydin & Kaynak (1998), Optical Recognition of Handwritten Digits, UCI ML Repository; "
        "as bundled in scikit-learn (sklearn.datasets.load_digits)"
    )
    params = {
        "split_seed": Param(0, "seed of the fixed stratified train/validation/test split", low=0),
        "val_fraction": Param(0.2, "fraction of all images held out for model selection", low=0.05, high=0.4),
        "test_fraction": Param(0.2, "fraction of all images held out for the test error", low=0.05, high=0.4),
    }

    def load(self, ctx) -> ClassificationData:
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)  # pixel intensities 0..16 -> [0, 1]
        X_rest, X_test, y_rest, y_test = train_test_split(
            X, y, test_size=self.test_fraction, stratify=y, random_state=self.split_seed
        )
        X_train, X_val, y_train, y_val = train_test_split(
            X_rest,
            y_rest,
            test_size=self.val_fraction / (1 - self.test_fraction),
            stratify=y_rest,
            random_state=self.split_seed,
        )
        return self.hand(ClassificationData(X_train, y_train, X_val, y_val, n_classes=10), X_test, y_test)


NET = "another net and training schedule (all 60k training images), not our protocol"
LITERATURE = (
    Reported("test_error", 1.25, "Hinton, Osindero & Teh (2006), Neural Computation 18(7)",
             label="DBN 784-500-500-2000-10, generative fine-tuning", note=NET),
    Reported("test_error", 1.2, "Hinton & Salakhutdinov (2006), Science 313(5786)",
             label="pretrained 784-500-500-2000-10 + backprop", note=NET),
    Reported("test_error", 1.6, "Hinton & Salakhutdinov (2006), Science 313(5786)",
             label="randomly initialised 784-500-500-2000-10 + backprop", note=NET),
)


class MnistTask(ClassificationTask):
    citation = CITATION
    metrics = (
        Metric("test_error", unit="%", higher_is_better=False, main=True,
               description="on the 10k test images; every choice is made on the 10k validation images"),
    )
    profiles = {"standard": {}, "paper": {}}  # real data: no part in the embedded `quick` profile

    def missing_data(self) -> list[str]:
        return missing_mnist()

    def _splits(self) -> tuple[np.ndarray, ...]:
        """(X_train, y_train, X_val, y_val); the test split is kept for `evaluate`."""
        X, y, X_test, y_test = load_mnist()
        self.X_test, self.y_test, self.val_ = X_test, y_test, (X[-N_VAL:], y[-N_VAL:])
        return X[:-N_VAL], y[:-N_VAL], X[-N_VAL:], y[-N_VAL:]


@register_task("mnist")
class Mnist(MnistTask):
    """MNIST digits: train on 50k labelled images, select on the last 10k training images, test on 10k."""

    reported = LITERATURE

    def load(self, ctx) -> ClassificationData:
        X_train, y_train, X_val, y_val = self._splits()
        return ClassificationData(X_train, y_train, X_val, y_val, n_classes=10)
