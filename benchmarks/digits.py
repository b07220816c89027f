"""Task `digits`: scikit-learn's bundled 8x8 handwritten digits, a fixed stratified split, test error %."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from repbench import Metric, Param, Task, register_task
from repbench.kinds import CLASSIFICATION, ClassificationData


@register_task("digits")
class Digits(Task):
    """8x8 handwritten digits (1,797 images, 10 classes) bundled with scikit-learn: no download."""

    citation = (
        "Alpaydin & Kaynak (1998), Optical Recognition of Handwritten Digits, UCI ML Repository; "
        "as bundled in scikit-learn (sklearn.datasets.load_digits)"
    )
    kind = CLASSIFICATION
    params = {
        "split_seed": Param(0, "seed of the fixed stratified train/validation/test split", low=0),
        "val_fraction": Param(0.2, "fraction of all images held out for model selection", low=0.05, high=0.4),
        "test_fraction": Param(0.2, "fraction of all images held out for the test error", low=0.05, high=0.4),
    }
    metrics = (
        Metric(
            "test_error",
            unit="%",
            higher_is_better=False,
            main=True,
            description="misclassified test images; models are selected on the validation split only",
        ),
    )

    def load(self, ctx) -> ClassificationData:
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)  # pixel intensities 0..16 -> [0, 1]
        X_rest, self.X_test, y_rest, self.y_test = train_test_split(
            X, y, test_size=self.test_fraction, stratify=y, random_state=self.split_seed
        )
        X_train, X_val, y_train, y_val = train_test_split(
            X_rest,
            y_rest,
            test_size=self.val_fraction / (1 - self.test_fraction),
            stratify=y_rest,
            random_state=self.split_seed,
        )
        return ClassificationData(X_train, y_train, X_val, y_val, n_classes=10)

    def evaluate(self, method, ctx) -> dict[str, float]:
        return {"test_error": 100.0 * (1.0 - accuracy_score(self.y_test, method.predict(self.X_test)))}
