"""Tiny plugins for the framework's own tests: a task in milliseconds and methods that fail on purpose."""

from __future__ import annotations

import math
import os
import random
import signal
import time

import numpy as np

from repbench import LogUniform, Method, Metric, Param, Reported, Task, register_method, register_task
from repbench.plugins.kinds import CLASSIFICATION, ClassificationData


@register_task("toy")
class Toy(Task):
    """Two Gaussian blobs; the test split is drawn from the cell's seed."""

    citation = "repbench test suite"
    kind = CLASSIFICATION
    params = {"n": Param(60, "samples per split", low=4), "gap": Param(3.0, "distance between the blobs")}
    metrics = (
        Metric("accuracy", unit="%", higher_is_better=True, main=True),
        Metric("margin", higher_is_better=True),
    )
    reported = (
        Reported("accuracy", 97.5, "Imaginary et al. (2020), Table 1", label="Centroid (paper)", method="toy-ok",
             comparable=True),
        Reported("accuracy", 99.0, "Someone (2021)", label="Oracle"),
    )

    def _blobs(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 2, self.n)
        X = rng.normal(size=(self.n, 2)) + self.gap * y[:, None]
        return X.astype(np.float32), y

    def load(self, ctx) -> ClassificationData:
        rng = np.random.default_rng(ctx.seed)
        (X_train, y_train), (X_val, y_val), (self.X_test, self.y_test) = (self._blobs(rng) for _ in range(3))
        self.val_ = (X_val, y_val)
        return ClassificationData(X_train, y_train, X_val, y_val, n_classes=2)

    def evaluate(self, method, ctx) -> dict[str, float]:
        accuracy = 100.0 * float(np.mean(method.predict(self.X_test) == self.y_test))
        return {"accuracy": accuracy, "margin": float(self.gap)}

    def validate(self, method, ctx) -> float:
        return 100.0 * float(np.mean(method.predict(self.val_[0]) == self.val_[1]))


class _Centroid(Method):
    solves = (CLASSIFICATION,)
    params = {"shift": Param(0.0, "added to the decision threshold")}

    def fit(self, data: ClassificationData, ctx) -> _Centroid:
        self.centres_ = np.stack([data.X_train[data.y_train == c].mean(0) for c in range(data.n_classes)])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        dist = ((X[:, None, :] - self.centres_[None]) ** 2).sum(-1)
        dist[:, 0] += self.shift
        return dist.argmin(1)


@register_method("toy-ok")
class ToyOk(_Centroid):
    """Nearest centroid."""

    metrics = (Metric("fit_calls", higher_is_better=False),)

    def measurements(self) -> dict[str, float]:
        return {"fit_calls": 1.0}


@register_method("toy-threads")
class ToyThreads(_Centroid):
    """Reports the most threads any of its process's thread pools (torch, OpenMP, BLAS) would use."""

    metrics = (Metric("pool_threads", higher_is_better=False), Metric("torch_threads", higher_is_better=False))

    def measurements(self) -> dict[str, float]:
        import torch
        from threadpoolctl import threadpool_info

        return {"pool_threads": float(max(pool["num_threads"] for pool in threadpool_info())),
                "torch_threads": float(torch.get_num_threads())}


@register_method("toy-raises")
class ToyRaises(_Centroid):
    """Fails in fit."""

    def fit(self, data, ctx):
        raise RuntimeError("boom: this method always fails")


@register_method("toy-nan")
class ToyNan(_Centroid):
    """Its training loss becomes NaN."""

    def fit(self, data, ctx):
        ctx.check_loss(math.nan)
        return self


@register_method("toy-sleeps")
class ToySleeps(_Centroid):
    """Sleeps `seconds` before fitting (timeouts, resume after a kill)."""

    params = {**_Centroid.params, "seconds": Param(30.0, "seconds to sleep in fit", low=0.0)}

    def fit(self, data, ctx):
        time.sleep(self.seconds)
        return super().fit(data, ctx)


@register_method("toy-dies-once")
class ToyDiesOnce(_Centroid):
    """Kills its own process (as the OOM killer would) the first time it runs; fits normally afterwards."""

    params = {**_Centroid.params, "marker": Param("", "file whose absence means: die now")}

    def fit(self, data, ctx):
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(data, ctx)


@register_method("toy-fails-if")
class ToyFailsIf(_Centroid):
    """Fails while the file `marker` exists (a rerun that breaks after an earlier success)."""

    params = {**_Centroid.params, "marker": Param("", "file whose presence means: fail")}

    def fit(self, data, ctx):
        if os.path.exists(self.marker):
            raise RuntimeError("asked to fail")
        return super().fit(data, ctx)


@register_method("toy-lr")
class ToyLearningRate(_Centroid):
    """Nearest centroid whose predictions are scrambled the farther `lr` is from 0.01 (in decades): tuning must
    find lr ~ 0.01 on validation data."""

    params = {**_Centroid.params, "lr": Param(1.0, "the knob tuning should find", low=1e-6,
                                              search=LogUniform(1e-5, 1.0))}

    def predict(self, X: np.ndarray) -> np.ndarray:
        labels = super().predict(X)
        wrong = np.random.default_rng(0).random(len(X)) < min(0.5, 0.15 * abs(math.log10(self.lr) + 2.0))
        return np.where(wrong, 1 - labels, labels)



@register_method("toy-resumes")
class ToyResumes(_Centroid):
    """Sums `steps` draws from Python's, NumPy's and torch's global generators, saving its state whenever a
    checkpoint is due; the first time (no `marker` file yet) it kills its own process halfway, so a rerun must
    resume from the checkpoint and reach the uninterrupted sum."""

    params = {**_Centroid.params, "steps": Param(20, "draws", low=2), "marker": Param("", "file whose absence "
                                                                                       "means: die halfway")}
    metrics = (Metric("total", higher_is_better=True), Metric("first_step", higher_is_better=False))

    def fit(self, data, ctx):
        import torch

        state = ctx.resume() or {"step": 0, "total": 0.0}
        self.first_step_, step, total = state["step"], state["step"], state["total"]
        while step < self.steps:
            total += random.random() + float(np.random.normal()) + float(torch.rand(1))
            step += 1
            if ctx.checkpoint_due():
                ctx.save_checkpoint({"step": step, "total": total}, f"step {step}")
            if step == self.steps // 2 and not os.path.exists(self.marker):
                open(self.marker, "w").close()
                os.kill(os.getpid(), signal.SIGKILL)
        self.total_ = total
        return super().fit(data, ctx)

    def measurements(self) -> dict[str, float]:
        return {"total": self.total_, "first_step": float(self.first_step_)}
