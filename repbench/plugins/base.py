"""Thin base classes for task and method plugins (benchopt's Objective/Solver, scikit-learn's fit/predict).

A *task* owns the data and the protocol: it hands the method what its `kind` promises (never the test
labels) and scores the fitted method. A *method* declares the kinds it solves and implements `fit` plus what
each kind requires (e.g. `predict`); registration checks that contract. Everything else has a default.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from repbench.plugins.params import Param, resolve_params
from repbench.plugins.profiles import PROFILES, get_profile


@dataclass(frozen=True)
class Kind:
    """A contract between tasks and methods: the data class a task hands to `fit` (`hands`), the methods a
    solver must implement besides `fit` (`requires`, checked when a method registers) and what they return
    (`expects`, shown by `repbench info`)."""

    name: str
    hands: type
    expects: str
    requires: tuple[str, ...] = ("predict",)
    cheap_method: str | None = None  # the method `repbench check` runs each task of this kind with

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Metric:
    """A declared metric; exactly one metric of a task is its main (ranking) metric.

    `higher_is_better=None` makes it an information column (a count or a diagnostic such as the number of
    parameters or the selected step): shown, never ranked, no arrow. A name ending in `*` declares a family
    of metrics whose number depends on the parameters (e.g. `recon_err_l*`: one per pretrained layer).
    """

    name: str
    unit: str = ""
    higher_is_better: bool | None = True
    main: bool = False
    description: str = ""
    bounds: tuple[float, float] | None = None  # the metric's range, e.g. (0, 1) for an AUC; "%" implies (0, 100)
    timed: bool = False  # a wall-clock measurement (seconds, throughput, speed-up): no seed makes it repeat

    @property
    def range(self) -> tuple[float, float] | None:
        """Where intervals are clipped: the declared bounds, else [0, 100] for a percentage."""
        return self.bounds or ((0.0, 100.0) if self.unit == "%" else None)

    @property
    def is_info(self) -> bool:
        return self.higher_is_better is None

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.name) if self.name.endswith("*") else name == self.name


def find_metric(declared: Iterable[Metric], name: str) -> Metric | None:
    """The declaration a reported metric name answers to (an exact name, or a `prefix*` family)."""
    return next((m for m in declared if m.matches(name)), None)


def info(name: str, unit: str = "", description: str = "", timed: bool = False) -> Metric:
    """An information column: reported beside the scores, never ranked."""
    return Metric(name, unit, higher_is_better=None, description=description, timed=timed)


@dataclass(frozen=True)
class Reported:
    """A value published for this task, shown beside our measurements with its source.

    `source` names where the number was published (the primary paper, or "quoted in ..." when a later paper
    reports it). `method` names the registered method it corresponds to. `comparable=True` claims that the
    value was measured on the same data with the same protocol as ours; only then does the leaderboard
    compute `delta_vs_reported`. `note` says what differs (e.g. "the authors' cell, not ours").
    """

    metric: str
    value: float
    source: str
    label: str
    method: str | None = None
    note: str = ""
    comparable: bool = False


@dataclass(frozen=True)
class Baseline:
    """What a trivial predictor scores on a task's validation split (e.g. always the most frequent class).

    `margin` is the smallest improvement that counts as better: the validation split's sampling noise (about
    two standard errors of the baseline's score), so a model that only matches chance within noise is caught.
    """

    value: float
    name: str
    margin: float = 0.0

    def beaten_by(self, score: float, higher_is_better: bool) -> bool:
        return score > self.value + self.margin if higher_is_better else score < self.value - self.margin


class DivergedError(RuntimeError):
    """A training loss became NaN/inf or exploded: the cell fails with this reason, the run goes on."""


@dataclass
class RunContext:
    """What a cell's task and method may know about the run they are part of.

    The core resolves `device` (a torch device string that exists here) and seeds Python, NumPy and torch
    with `seed` before every `fit`; a method draws further random numbers from `generator()` / `rng()`
    instead of re-seeding global state.
    """

    seed: int
    profile: str
    device: str = "cpu"
    divergence_factor: float = 1e4  # a loss this many times above its first value (or 1) has diverged
    fold: int = 0  # which resampling `Task.load` prepares, for tasks with `n_folds() > 1`
    checkpoint: Any = None  # a repbench.execution.checkpoints.Checkpointer when the core runs a cell; else None
    _first_loss: dict[str, float] = field(default_factory=dict, repr=False)

    def generator(self, device: str | None = None) -> Any:
        """A torch.Generator seeded with the cell's seed, on `device` (default: the cell's device)."""
        import torch

        return torch.Generator(device=device or self.device).manual_seed(self.seed)

    def rng(self) -> Any:
        """A numpy Generator seeded with the cell's seed."""
        import numpy as np

        return np.random.default_rng(self.seed)

    def resume(self) -> dict[str, Any] | None:
        """The state this fold last saved with `save_checkpoint` before its process was killed, with the global
        random states as they were then; None: start from scratch (no checkpoint, or one from other code)."""
        state = self.checkpoint.load() if self.checkpoint is not None else None
        if state is not None:
            self._first_loss.update(state.pop("_first_loss"))
        return state

    def checkpoint_due(self) -> bool:
        """True every few minutes (and never outside a core-run cell): when a long fit should save its state."""
        return self.checkpoint is not None and self.checkpoint.due()

    def save_checkpoint(self, state: dict[str, Any], progress: str) -> None:
        """Save what `fit` needs to go on exactly where it is (tensors, state dicts and plain values; `progress`
        says how far, e.g. "update 12000", and goes into the resumed record)."""
        if self.checkpoint is not None:
            self.checkpoint.save({**state, "_first_loss": dict(self._first_loss)}, progress)

    def check_loss(self, value: float, what: str = "loss") -> float:
        """Raise DivergedError when a training loss is not finite or far above its starting value.

        Relative, so a loss on any scale works: losses named alike up to their numbers ("layer 1 error (epoch
        3)" and "(epoch 4)") share the first value seen, and |loss| > divergence_factor x max(|first|, 1) fails.
        """
        value = float(value)
        if not math.isfinite(value):
            raise DivergedError(f"{what} became {value} (diverged); try a smaller learning rate")
        first = self._first_loss.setdefault(re.sub(r"\d+", "#", what), abs(value))
        if abs(value) > self.divergence_factor * max(first, 1.0):
            raise DivergedError(
                f"{what}={value:.3g} is more than {self.divergence_factor:.0e} times its first value {first:.3g} "
                "(diverged); try a smaller learning rate"
            )
        return value


def summary_line(cls: type) -> str:
    """A plugin's one-line summary for listings: its `description`, else its docstring's first line."""
    text = getattr(cls, "description", "") or (cls.__doc__ or "").strip()
    return text.splitlines()[0] if text else ""


class Component:
    """What tasks and methods share: a name, a version, a citation, a parameter schema and profiles.

    `profiles` maps each profile the plugin takes part in to its parameter overrides; a plugin leaves a
    profile out to sit it out (a task on downloaded data has no `quick` entry).
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    citation: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[Mapping[str, Param]] = {}
    profiles: ClassVar[Mapping[str, Mapping[str, Any]]] = {name: {} for name in PROFILES}
    role: ClassVar[str] = "component"
    # parameter values for `repbench check`'s smoke test, over the plugin's quick (else first) profile: a few
    # steps or epochs, a small dataset. Names this class does not declare are ignored, so a base class can set
    # them for its subclasses.
    smoke: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, **params: Any) -> None:
        self.hparams = resolve_params(f"{self.role} {self.name!r}", self.params, params)
        for key, value in self.hparams.items():
            setattr(self, key, value)

    summary = classmethod(summary_line)

    @classmethod
    def takes_part_in(cls, profile: str) -> bool:
        return profile in cls.profiles

    @classmethod
    def resolve(cls, profile: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Parameters for one cell: defaults, then the profile's settings, then the user's overrides."""
        get_profile(profile)
        layers = [cls.profiles.get(profile, {}), overrides or {}]
        return resolve_params(f"{cls.role} {cls.name!r}", cls.params, *layers)

    @classmethod
    def check_declaration(cls) -> None:
        """Fail at registration, not mid-run, on a malformed plugin class."""
        for profile, overrides in cls.profiles.items():
            get_profile(profile)
            resolve_params(f"{cls.role} {cls.name!r} (profile {profile!r})", cls.params, overrides)
        for key in cls.params:
            if hasattr(Component, key) or callable(getattr(cls, key, None)):
                raise TypeError(f"{cls.role} {cls.name!r}: parameter name {key!r} shadows an attribute")


class Task(Component):
    """A dataset + protocol + metrics. Subclasses set `kind`, `metrics` and implement `load`/`evaluate`."""

    role = "task"
    kind: ClassVar[Kind]
    metrics: ClassVar[tuple[Metric, ...]] = ()
    reported: ClassVar[tuple[Reported, ...]] = ()

    def load(self, ctx: RunContext) -> Any:
        """Prepare the data (of fold `ctx.fold`); return the object the kind promises to hand to `Method.fit`."""
        raise NotImplementedError

    def validate(self, method: Method, ctx: RunContext) -> float | None:
        """The main metric on the validation split `load` handed over: the criterion that tuning selects on,
        and what is compared with `baseline`. None: the task offers no validation score."""
        return None

    def selection_score(self, method: Method, ctx: RunContext) -> float | None:
        """What tuning ranks trials by (higher is better when the main metric's is), where it is more than the
        validation score: e.g. accuracy with a penalty for what the representation leaks. Validation data
        only. None: tuning ranks by `validate`."""
        return None

    def baseline(self, ctx: RunContext) -> Baseline | None:
        """The main metric a trivial predictor gets on the validation split (e.g. always the most frequent
        class; AUC 0.5), with the noise margin. A cell no better than it is recorded as `degenerate`."""
        return None

    def missing_data(self) -> list[str]:
        """The data files this task needs that are not in the data root, one line each saying where to get
        them; checked for every selected task before a run starts. Simulated or bundled data: []."""
        return []

    def n_folds(self) -> int:
        """How many train/test resamplings one cell averages over: k for k-fold cross-validation (small data
        sets such as UCI German), 1 for a fixed split. Each fold gets a fresh method; metrics are fold means."""
        return 1

    def evaluate(self, method: Method, ctx: RunContext) -> dict[str, float]:
        """Score the fitted method on held-out data; return {metric name: value}."""
        raise NotImplementedError

    def item_scores(self) -> dict[str, Any]:
        """Called after `evaluate`: per metric name, the test items' scores it can be recomputed from on any
        resample of the items (`repbench.analysis.statistics.ItemMeans` for a mean of per-item scores,
        `PairwiseAUC` for an AUC over items), kept beside the record so that two configurations scored on
        the same items can be compared paired. {}: the task keeps none."""
        return {}

    @classmethod
    def main_metric(cls) -> Metric:
        return next(m for m in cls.metrics if m.main)

    @classmethod
    def check_declaration(cls) -> None:
        super().check_declaration()
        if not isinstance(getattr(cls, "kind", None), Kind):
            raise TypeError(f"task {cls.name!r} must set `kind` to a repbench Kind")
        mains = [m.name for m in cls.metrics if m.main]
        if len(mains) != 1:
            raise TypeError(f"task {cls.name!r} must declare exactly one main metric, found {mains}")
        names = {m.name for m in cls.metrics}
        for ref in cls.reported:
            if ref.metric not in names:
                raise TypeError(f"task {cls.name!r}: reported value for undeclared metric {ref.metric!r}")


class Method(Component):
    """A learning algorithm. Subclasses set `solves` and implement `fit` and what the kind expects."""

    role = "method"
    solves: ClassVar[tuple[Kind, ...]] = ()
    # extra, method-specific measurements (never main), e.g. training time or the selected step; `repbench
    # info` lists them. A name ending in `*` declares a parameter-dependent family (`recon_err_l*`).
    metrics: ClassVar[tuple[Metric, ...]] = ()

    def fit(self, data: Any, ctx: RunContext) -> Method:
        """Learn from `data` (the kind's data class); choices are made on its validation split only."""
        raise NotImplementedError

    def measurements(self) -> dict[str, float]:
        """Values of the extra `metrics` after fitting (e.g. pretraining time, the selected step)."""
        return {}

    def curves(self) -> dict[str, list[float]]:
        """Learning curves kept in the record (e.g. validation error per epoch). By default the validation
        scores a `BestCheckpoint` saw, as `val_score` with their `val_step`s."""
        best = getattr(self, "best_", None)
        history = getattr(best, "history", None)
        if not history:
            return {}
        return {"val_step": [float(step) for step, _ in history], "val_score": [score for _, score in history]}

    @classmethod
    def can_solve(cls, task: type[Task]) -> bool:
        return any(kind.name == task.kind.name for kind in cls.solves)

    @classmethod
    def declared_metric(cls, name: str) -> Metric | None:
        return find_metric(cls.metrics, name)

    @classmethod
    def check_declaration(cls) -> None:
        super().check_declaration()
        if not cls.solves or not all(isinstance(k, Kind) for k in cls.solves):
            raise TypeError(f"method {cls.name!r} must set `solves` to a tuple of repbench Kinds")
        if cls.fit is Method.fit:
            raise TypeError(f"method {cls.name!r} does not implement `fit(self, data, ctx)`")
        for kind in cls.solves:
            missing = [name for name in kind.requires if not callable(getattr(cls, name, None))]
            if missing:
                raise TypeError(
                    f"method {cls.name!r} solves kind {kind.name!r} but does not implement "
                    f"{', '.join(f'`{m}`' for m in missing)} (kind {kind.name!r} requires: {kind.expects})"
                )
        if any(m.main for m in cls.metrics):
            raise TypeError(f"method {cls.name!r}: only tasks declare the main metric")
        if callable(getattr(cls, "report", None)):  # the name `measurements` had before; it would be ignored
            raise TypeError(f"method {cls.name!r} defines `report()`: rename it `measurements()`")
