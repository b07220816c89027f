"""Method `logreg`: multinomial logistic regression (scikit-learn), C chosen on the validation split."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from repbench import Method, Param, register_method
from repbench.plugins.kinds import CLASSIFICATION, ClassificationData


@register_method("logreg")
class LogReg(Method):
    """L2-regularised multinomial logistic regression; the linear baseline every classifier should beat."""

    citation = "Pedregosa et al. (2011), Scikit-learn: Machine Learning in Python, JMLR 12:2825-2830"
    solves = (CLASSIFICATION,)
    params = {
        "Cs": Param(
            (0.01, 0.1, 1.0, 10.0, 100.0),
            "inverse regularisation strengths tried; best on validation",
            low=1e-6,
        ),
        "max_iter": Param(1000, "L-BFGS iterations", low=10),
    }
    smoke = {"Cs": (1.0,), "max_iter": 10}

    def fit(self, data: ClassificationData, ctx) -> LogReg:
        best = -np.inf
        for C in self.Cs:
            model = LogisticRegression(C=C, max_iter=self.max_iter, random_state=ctx.seed)
            model.fit(data.X_train, data.y_train)
            score = accuracy_score(data.y_val, model.predict(data.X_val))
            if score > best:
                best, self.model_, self.C_ = score, model, C
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)
