"""`mnist-1k`: the semi-supervised setting where layer-wise pretraining is expected to help most (Erhan et al.
2010, JMLR 11): pretraining on all 50k MNIST training images, fine-tuning on 1,000 labels (100 per class)."""

from __future__ import annotations

import numpy as np

from repbench import Param, register_task
from repbench.benchmarks.classic.tasks import MnistTask
from repbench.plugins.kinds import ClassificationData


@register_task("mnist-1k")
class Mnist1k(MnistTask):
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
