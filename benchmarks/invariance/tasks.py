"""Tasks of the invariance family: `mnist-rot` (with the MNIST-DIL stroke tests), `digits-rot` (the embedded
quick variant), `adult` and `german`. Every method is scored by one protocol (probes.py): the model's own
y-accuracy, then fresh probes predicting s from its frozen representation, beside the majority rate. Tuning
ranks trials by one declared rule on validation data (`InvarianceTask.selection_score`)."""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from repbench import Baseline, Metric, Param, Task, info, register_task
from repbench.analysis.statistics import ItemMeans
from repbench.benchmarks.classic.data import N_VAL, load_mnist, missing_mnist
from repbench.benchmarks.invariance.data import images, tabular
from repbench.benchmarks.invariance.kind import INVARIANCE, InvarianceData
from repbench.benchmarks.invariance.probes import majority_rate, probe_accuracies
from repbench.plugins.kinds import majority_baseline

JAISWAL = ("Jaiswal, Moyer, Ver Steeg, AbdAlmageed & Natarajan (2020), Invariant representations through "
           "adversarial forgetting, AAAI 34(04):4272-4279")
PROBE_METRICS = (
    Metric("s_acc_mlp", "%", higher_is_better=False,
           description="test accuracy of a fresh MLP(50, 50) probe predicting s from the frozen representation"),
    Metric("s_acc_logreg", "%", higher_is_better=False, description="the same with a logistic-regression probe"),
    info("s_majority", "%", "s-accuracy of always guessing the most frequent s: the ideal floor"),
)


def pct(value: float) -> float:
    return 100.0 * float(value)


def call_with_s(fn, X: np.ndarray, s: np.ndarray) -> np.ndarray:
    """fn(X, s=s) for methods that condition on s (the VFAE declares an `s` argument), else fn(X)."""
    return fn(X, s=s) if "s" in inspect.signature(fn).parameters else fn(X)


class InvarianceTask(Task):
    """The shared protocol: y-accuracy from the model's predictor, s-accuracy of post-hoc probes."""

    kind = INVARIANCE
    citation = JAISWAL
    params = {
        "split_seed": Param(0, "seed of the fixed splits and angle draws (the same for every method)", low=0),
        "probe_max_train": Param(20000, "training embeddings the probes learn from (a random subset)", low=100),
        "select_margin": Param(1.0, "tuning: s-accuracy points above the majority rate that the validation probe "
                               "may reach before each further point costs one point of y-accuracy", low=0.0),
    }

    def y_accuracy(self, method, X: np.ndarray, y: np.ndarray, s: np.ndarray, keep: str | None = None) -> float:
        """y-accuracy in %; with `keep`, each item's correctness is kept under that metric name (paired tests)."""
        correct = np.asarray(call_with_s(method.predict, X, s)) == np.asarray(y)
        if keep:
            self.items_ = {**getattr(self, "items_", {}), keep: ItemMeans(100.0 * correct)}
        return pct(correct.mean())

    def item_scores(self) -> dict:
        return getattr(self, "items_", {})

    def probe(self, method, X: np.ndarray, s: np.ndarray, ctx, probes=None) -> dict[str, float]:
        """Fresh probes trained on the (fixed-draw) training codes, scored on the codes of (X, s)."""
        embed = method.embed
        scores = probe_accuracies(call_with_s(embed, self.X_train_, self.s_train_), self.s_train_,
                                  call_with_s(embed, X, s), s,
                                  seed=ctx.seed % 2**31, max_train=self.probe_max_train, probes=probes)
        return {k: pct(v) for k, v in scores.items()}

    def probe_scores(self, method, ctx) -> dict[str, float]:
        return {**self.probe(method, self.X_test_, self.s_test_, ctx), "s_majority": pct(majority_rate(self.s_test_))}

    def keep_for_probes(self, data: InvarianceData, X_test, y_test, s_test) -> InvarianceData:
        """Keep what evaluation needs (training inputs for the probes, the test split, validation data)."""
        self.X_train_, self.s_train_ = data.X_train, data.s_train
        self.X_test_, self.y_test_, self.s_test_ = X_test, y_test, s_test
        self.val_ = (data.X_val, data.y_val, data.s_val)
        return data

    def validate(self, method, ctx) -> float:
        return self.y_accuracy(method, *self.val_)

    def selection_score(self, method, ctx) -> float:
        """Validation y-accuracy minus the validation MLP probe's s-accuracy beyond `select_margin` points above
        the validation majority rate: one point of y is worth one point of leaked s, so a trial that predicts
        y well and leaks s wins only if it is better by more than it leaks, and a model invariant because it has
        learnt nothing (y at the majority rate) beats only configurations that leak more than they gain.
        Validation data only."""
        X, y, s = self.val_
        leak = self.probe(method, X, s, ctx, probes=("mlp",))["s_acc_mlp"] - pct(majority_rate(s))
        return self.y_accuracy(method, X, y, s) - max(0.0, leak - self.select_margin)

    def baseline(self, ctx) -> Baseline:
        return majority_baseline(self.val_[1], as_error=False)


class RotatedDigits(InvarianceTask):
    """Digits rotated by one of five angles (s = the angle); tested at the training angles, at unseen
    angles, and on eroded / dilated strokes."""

    hidden, z_dim = 256, 32  # ours: Jaiswal et al. give no sizes for the image models
    version = "2"  # on-the-fly rotations; one torch rotation for every split
    params = {**InvarianceTask.params,
              "on_the_fly": Param(True, "draw a fresh angle every time a training image is used (the UAI code's "
                                  "streamed rotations); False: one fixed angle per image")}
    metrics = (
        Metric("y_acc", "%", main=True, description="digit accuracy on test images at the training angles"),
        *PROBE_METRICS,
        Metric("y_acc_pm55", "%", description="digit accuracy on the test images rotated by +55 and -55 degrees"),
        Metric("y_acc_pm65", "%", description="the same at +-65 degrees"),
        *(Metric(f"y_acc_{'eroded' if k < 0 else 'dilated'}{abs(k)}", "%",
                 description=f"MNIST-DIL: unrotated test digits {'eroded' if k < 0 else 'dilated'} by a "
                             f"{abs(k)}x{abs(k)} square")
          for k in images.DIL_KERNELS),
    )

    def images(self) -> tuple[np.ndarray, ...]:
        """(train, y, val, y, test, y) images as [n, h, w] floats in [0, 1]."""
        raise NotImplementedError

    def load(self, ctx) -> InvarianceData:
        I_train, y_train, I_val, y_val, self.I_test_, y_test = self.images()
        rng = np.random.default_rng(self.split_seed)
        splits = []
        for imgs in (I_train, I_val, self.I_test_):
            s = images.draw_angles(len(imgs), rng)
            splits.append((images.rotate_each(imgs, s).reshape(len(imgs), -1), s))
        (X_train, s_train), (X_val, s_val), (X_test, s_test) = splits
        data = InvarianceData(X_train, y_train, s_train, X_val, y_val, s_val, n_classes=10,
                              n_s=len(images.TRAIN_ANGLES), hidden=self.hidden, z_dim=self.z_dim,
                              image_shape=I_train.shape[1:], setting="nuisance",
                              resample=images.on_the_fly(I_train) if self.on_the_fly else None)
        return self.keep_for_probes(data, X_test, y_test, s_test)

    def evaluate(self, method, ctx) -> dict[str, float]:
        flat = lambda imgs: imgs.reshape(len(imgs), -1)  # noqa: E731
        y, n = self.y_test_, len(self.y_test_)
        scores = {"y_acc": self.y_accuracy(method, self.X_test_, y, self.s_test_, keep="y_acc"),
                  **self.probe_scores(method, ctx)}
        nearest = lambda angle: np.full(n, np.abs(np.subtract(images.TRAIN_ANGLES, angle)).argmin())  # noqa: E731
        for angle in images.UNSEEN_ANGLES:  # methods that read s (VFAE) get the nearest training angle's class
            both = np.concatenate([flat(images.rotate(self.I_test_, a)) for a in (angle, -angle)])
            s = np.concatenate([nearest(angle), nearest(-angle)])
            name = f"y_acc_pm{angle:.0f}"
            scores[name] = self.y_accuracy(method, both, np.concatenate([y, y]), s, keep=name)
        for k in images.DIL_KERNELS:
            name = f"y_acc_{'eroded' if k < 0 else 'dilated'}{abs(k)}"
            scores[name] = self.y_accuracy(method, flat(images.stroke(self.I_test_, k)), y, nearest(0.0))
        return scores


@register_task("mnist-rot")
class MnistRot(RotatedDigits):
    """MNIST-ROT (and MNIST-DIL): 50k training / 10k validation / 10k test MNIST digits, each rotated by an
    angle drawn from {-45, -22.5, 0, 22.5, 45} degrees; s = the angle class."""

    profiles = {"standard": {}, "paper": {}}
    smoke = {"probe_max_train": 500}

    def missing_data(self) -> list[str]:
        return missing_mnist()

    def images(self) -> tuple[np.ndarray, ...]:
        X, y, X_test, y_test = load_mnist()
        X = X.reshape(-1, 28, 28)
        return X[:-N_VAL], y[:-N_VAL], X[-N_VAL:], y[-N_VAL:], X_test.reshape(-1, 28, 28), y_test


@register_task("digits-rot")
class DigitsRot(RotatedDigits):
    """scikit-learn's bundled 8x8 digits under the MNIST-ROT protocol: the embedded quick variant."""

    hidden, z_dim = 64, 16
    profiles = {"quick": {}, "standard": {}, "paper": {}}

    def images(self) -> tuple[np.ndarray, ...]:
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32).reshape(-1, 8, 8)
        X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=self.split_seed)
        X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, stratify=y_rest,
                                                          random_state=self.split_seed)
        return X_train, y_train, X_val, y_val, X_test, y_test


class BiasTask(InvarianceTask):
    """A protected attribute s: probes as above, plus the majority rates and the fairness gaps of the
    model's own predictions (fairlearn)."""

    hidden, z_dim = 50, 8  # VFAE setup (Louizos et al. 2016): one hidden layer of 50 units per block, z of size 8
    params = {**InvarianceTask.params,
              "protected_in_inputs": Param(False, "keep the protected column (s's source) among the inputs x"),
              "val_fraction": Param(0.2, "fraction of the training rows held out for model selection",
                                    low=0.05, high=0.5)}
    metrics = (
        Metric("y_acc", "%", main=True, description="accuracy of the model's own predictor on the test rows"),
        info("y_majority", "%", "y-accuracy of always predicting the most frequent class"),
        *PROBE_METRICS,
        Metric("dp_diff", higher_is_better=False, bounds=(0.0, 1.0),
               description="demographic-parity difference of the predictions between s groups (fairlearn)"),
        Metric("eo_diff", higher_is_better=False, bounds=(0.0, 1.0),
               description="equalised-odds difference of the predictions between s groups (fairlearn)"),
    )

    def hand(self, X_train, y_train, s_train, X_val, y_val, s_val, X_test, y_test, s_test) -> InvarianceData:
        data = InvarianceData(X_train, y_train, s_train, X_val, y_val, s_val, n_classes=2, n_s=2,
                              hidden=self.hidden, z_dim=self.z_dim, setting="bias")
        return self.keep_for_probes(data, X_test, y_test, s_test)

    def evaluate(self, method, ctx) -> dict[str, float]:
        from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

        predicted = call_with_s(method.predict, self.X_test_, self.s_test_)
        y, s = self.y_test_, self.s_test_
        self.items_ = {"y_acc": ItemMeans(100.0 * (np.asarray(predicted) == np.asarray(y)))}
        return {
            "y_acc": pct(accuracy_score(y, predicted)),
            "y_majority": pct(majority_rate(y)),
            **self.probe_scores(method, ctx),
            "dp_diff": float(demographic_parity_difference(y, predicted, sensitive_features=s)),
            "eo_diff": float(equalized_odds_difference(y, predicted, sensitive_features=s)),
        }


def _split_off_validation(X, y, s, fraction: float, seed: int) -> tuple[np.ndarray, ...]:
    """(X, y, s) of training and validation rows, stratified by y."""
    parts = train_test_split(X, y, s, test_size=fraction, stratify=y, random_state=seed)
    return parts[0], parts[2], parts[4], parts[1], parts[3], parts[5]


@register_task("adult")
class Adult(BiasTask):
    """UCI Adult: y = income > 50K, s = sex; adult.data for training (20 % held out for model selection),
    adult.test for testing, rows with missing values dropped, sex left out of the inputs (the other columns
    still carry it: a probe on the raw inputs finds it well above the majority rate)."""

    profiles = {"standard": {}, "paper": {}}

    def missing_data(self) -> list[str]:
        return tabular.missing_adult()

    def load(self, ctx) -> InvarianceData:
        train, test = tabular.adult_frames()
        columns = tabular.adult_encoder(keep_sex=self.protected_in_inputs)
        X = columns.fit_transform(train).astype(np.float32)
        X_test = columns.transform(test).astype(np.float32)
        y, s = tabular.adult_targets(train)
        y_test, s_test = tabular.adult_targets(test)
        parts = _split_off_validation(X, y, s, self.val_fraction, self.split_seed)
        return self.hand(*parts, X_test, y_test, s_test)


@register_task("german")
class German(BiasTask):
    """UCI German credit: y = good credit, s = age > 25 (the age column kept among the inputs); k-fold
    cross-validation (the predecessor's protocol), 20 % of each training part held out for model selection."""

    version = "2"  # age among the inputs by default

    params = {**BiasTask.params,
              "folds": Param(5, "cross-validation folds; the cell reports their mean", low=2, high=20),
              "protected_in_inputs": Param(True, "keep the age column among the inputs: without it the other "
                                           "columns predict age > 25 barely above the majority rate, so no "
                                           "method has anything to remove")}
    profiles = {"standard": {}, "paper": {}}

    def n_folds(self) -> int:
        return self.folds

    def missing_data(self) -> list[str]:
        return tabular.missing_german()

    def load(self, ctx) -> InvarianceData:
        frame = tabular.german_frame()
        y, s = tabular.german_targets(frame)
        folds = StratifiedKFold(self.folds, shuffle=True, random_state=self.split_seed)
        train_rows, test_rows = list(folds.split(frame, y))[ctx.fold]
        columns = tabular.german_encoder(keep_age=self.protected_in_inputs)
        X = columns.fit_transform(frame.iloc[train_rows]).astype(np.float32)
        X_test = columns.transform(frame.iloc[test_rows]).astype(np.float32)
        parts = _split_off_validation(X, y[train_rows], s[train_rows], self.val_fraction, self.split_seed)
        return self.hand(*parts, X_test, y[test_rows], s[test_rows])
