"""What a run is made of and what it leaves: the `Cell` (one unit of work, named by its content) and the
`Record` (one JSON file per cell: its identity, outcome, metrics, timings and provenance).

Every consumer (store, leaderboard, tuning, studies, report page, API) reads records through `Record`'s
attributes; the JSON on disk keeps the shape it always had, so every record ever written loads. The fields,
their meaning and their units are documented on the classes below and in docs/records.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SCHEMA = 1  # the record format's version; bumped only by a change that old readers could misread


def canonical_json(obj: Any) -> str:
    """The one serialisation used for hashing identities: sorted keys, no whitespace, tuples as lists."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=list)


@dataclass(frozen=True)
class Cell:
    """One unit of work. Its identity (everything that changes the result) names its record and its seed."""

    task: str
    task_version: str
    task_params: Mapping[str, Any]
    method: str
    method_version: str
    method_params: Mapping[str, Any]
    profile: str
    replicate: int
    # "trial": a tuning trial, kept out of the leaderboard; "final": a result. `tuning` records how a final
    # cell's parameters were chosen ({"trials": N, "params": [tuned names]}); both are left out of the identity
    # at their defaults, so untuned cells keep the keys they always had.
    stage: str = "final"
    tuning: Mapping[str, Any] = field(default_factory=dict)
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(canonical_json(self.identity()).encode()).hexdigest()
        object.__setattr__(self, "key", digest[:16])

    def identity(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        if data["stage"] == "final":
            del data["stage"]
        if not data["tuning"]:
            del data["tuning"]
        return json.loads(canonical_json(data))

    @property
    def seed(self) -> int:
        """Deterministic, distinct per cell, and within numpy's and torch's 32-bit seed range. The trials of one
        tuning share one seed (their identity without the sampled parameters), so they differ in their
        parameters only and a rerun picks the same winner."""
        if self.stage == "trial":
            stream = {k: v for k, v in self.identity().items() if k != "method_params"}
            return int(hashlib.sha256(canonical_json(stream).encode()).hexdigest()[:8], 16)
        return int(self.key[:8], 16)

    @classmethod
    def from_identity(cls, identity: Mapping[str, Any]) -> Cell:
        """The cell a stored identity describes (the inverse of `identity()`)."""
        return cls(**{**identity, "tuning": identity.get("tuning") or {}})

    @property
    def config_key(self) -> str:
        """One configuration's key: the identity less the replicate (its seeds share it)."""
        return canonical_json({k: v for k, v in self.identity().items() if k != "replicate"})

    @property
    def label(self) -> str:
        params = ",".join(f"{k}={_fmt(v)}" for k, v in sorted(self.method_params.items()))
        stage = " (tuning trial)" if self.stage == "trial" else ""
        return f"{self.task}/{self.method}[{params}]#{self.replicate}{stage}"


def _fmt(value: Any) -> str:
    return "x".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


class Status(StrEnum):
    """How a cell ended. `ok` and `degenerate` finished (a rerun gives the same record, so neither reruns);
    a `degenerate` cell is no better than its task's trivial baseline on validation data: shown, never ranked."""

    OK = "ok"
    DEGENERATE = "degenerate"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self is not Status.FAILED


class FailureKind(StrEnum):
    """Why a `failed` cell failed, so callers decide without parsing the reason's text."""

    EXCEPTION = "exception"  # the task or method raised; `traceback` holds where
    DIVERGED = "diverged"  # a loss or metric became non-finite or exploded (DivergedError): a rerun diverges again
    TIMEOUT = "timeout"  # ran past the per-cell time limit and was killed
    KILLED = "killed"  # its worker process died without a result (a signal, out of memory, an exit)
    ENGINE = "engine"  # the distributed engine gave up on it (e.g. Dask's KilledWorker after its retries)

    @classmethod
    def from_reason(cls, reason: str | None) -> FailureKind:
        """The kind of a failure recorded before records carried it, from the reason's fixed prefixes."""
        text = reason or ""
        for prefix, kind in (("diverged", cls.DIVERGED), ("timeout", cls.TIMEOUT), ("worker process", cls.KILLED),
                             ("dask:", cls.ENGINE)):
            if text.startswith(prefix):
                return kind
        return cls.EXCEPTION


@dataclass(frozen=True)
class MetricValue:
    """One reported metric of a cell (the mean over folds for k-fold tasks), with its declaration as it was
    when the record was written: unit, direction (None: an information column, never ranked), whether it
    is the task's main metric, and its range (`bounds`, e.g. (0, 100) for a percentage)."""

    name: str
    value: float
    unit: str = ""
    higher_is_better: bool | None = True
    is_main: bool = False
    bounds: tuple[float, float] | None = None
    _has_bounds: bool = field(default=True, repr=False, compare=False)  # records before bounds existed lack it

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MetricValue:
        bounds = data.get("bounds")
        return cls(data["name"], data["value"], data.get("unit", ""), data.get("higher_is_better"),
                   bool(data.get("is_main")), tuple(bounds) if bounds is not None else None, "bounds" in data)

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "value": self.value, "unit": self.unit, "higher_is_better": self.higher_is_better,
               "is_main": self.is_main}
        if self._has_bounds or self.bounds is not None:
            out["bounds"] = list(self.bounds) if self.bounds is not None else None
        return out


@dataclass(frozen=True)
class Validation:
    """The main metric on the validation split (`value`, what tuning selects on unless the task declares a
    `selection` score), and the trivial baseline it is compared with (`baseline`, named `baseline_name`, in the
    metric's unit, with the noise `margin` a cell must beat it by to count as better than chance)."""

    metric: str
    value: float
    selection: float | None = None
    baseline: float | None = None
    baseline_name: str | None = None
    margin: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Validation | None:
        return None if not data else cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @property
    def score(self) -> float:
        """What tuning ranks by: the task's selection score where it declares one, else the validation value."""
        return self.value if self.selection is None else self.selection


@dataclass
class Timings:
    """Wall-clock seconds of a cell: loading data, fitting, evaluating (each summed over folds), and the whole
    cell (`wall_s`, including the share of killed attempts it resumed from, which is also `resumed_s`)."""

    load_s: float | None = None
    train_s: float | None = None
    eval_s: float | None = None
    wall_s: float | None = None
    resumed_s: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Timings:
        return cls(**(data or {}))

    def to_dict(self) -> dict[str, float | None]:
        out = {"load_s": self.load_s, "train_s": self.train_s, "eval_s": self.eval_s, "wall_s": self.wall_s}
        return out | ({"resumed_s": self.resumed_s} if self.resumed_s is not None else {})


_WRITTEN_AS_NULL = ("plugins", "validation", "curves")  # written even when empty (older records may lack them)
_ONLY_WHEN_SET = ("folds", "resumed_from", "failure", "items", "amended")


@dataclass
class Record:
    """One cell's outcome: `results/runs/<profile>/<task>__<method>__<key>.json`.

    `key` and `cell` name the cell (its JSON `identity`: task and method with their versions and parameters,
    profile, replicate, and for tuning its stage and how a final's parameters were chosen); `seed` is the seed
    everything was drawn from. `status` says how it ended, `reason` why it failed or is degenerate, `failure`
    what kind of failure, `traceback` where an exception came from. `metrics` are the task's and method's
    measurements on test data (fold means for k-fold tasks, `folds` holding each fold's); `validation` is what
    tuning and the degenerate check read; `curves` are learning curves (name -> values; one dict per fold for
    k-fold tasks). `timings` are seconds; `memory` holds `peak_rss_mb` and `peak_gpu_mb` (MiB); `device` and
    `threads` are where it ran; `plugins` the task's and method's source (file, sha256, origin), `provenance`
    the commit, package versions, hardware and date; `started_utc` when it began; `resumed_from` the
    checkpoints of killed attempts it continued; `items` names the file beside it that keeps per-test-item
    scores (what paired comparisons resample); `amended` lists corrections made after it was written (field,
    old and new value, why, by which commit).
    """

    key: str
    cell: Cell
    seed: int
    status: Status = Status.FAILED
    reason: str | None = None
    failure: FailureKind | None = None
    traceback: str | None = None
    metrics: list[MetricValue] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    memory: dict[str, float | None] = field(default_factory=dict)
    device: str | None = None
    threads: int | None = None
    plugins: dict[str, dict[str, Any]] | None = None
    validation: Validation | None = None
    curves: dict[str, list[float]] | list[dict[str, list[float]]] | None = None
    folds: list[dict[str, float]] | None = None
    resumed_from: list[str] | None = None
    items: dict[str, Any] | None = None
    amended: list[dict[str, Any]] | None = None
    started_utc: str | None = None
    provenance: dict[str, Any] | None = None
    schema: int = SCHEMA
    _absent: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # keys an older record lacks
    # per fold, {metric: ItemScores} of a record just run, until the store writes them beside it (`items`)
    item_scores: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def start(cls, cell: Cell) -> Record:
        """The record of a cell that is starting: failed until it finishes."""
        return cls(cell.key, cell, cell.seed, started_utc=datetime.now(UTC).isoformat(timespec="seconds"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        cell = Cell.from_identity(data["identity"])
        status = Status(data["status"])
        failure = data.get("failure")
        kind = FailureKind(failure) if failure else None
        if kind is None and not status.finished:  # a failure recorded before records said what kind it was
            kind = FailureKind.from_reason(data.get("reason"))
        return cls(
            key=data["key"], cell=cell, seed=data.get("seed", cell.seed), status=status,
            reason=data.get("reason"), traceback=data.get("traceback"),
            failure=kind,
            metrics=[MetricValue.from_dict(m) for m in data.get("metrics") or []],
            timings=Timings.from_dict(data.get("timings")), memory=dict(data.get("memory") or {}),
            device=data.get("device"), threads=data.get("threads"), plugins=data.get("plugins"),
            validation=Validation.from_dict(data.get("validation")), curves=data.get("curves"),
            folds=data.get("folds"), resumed_from=data.get("resumed_from"), items=data.get("items"),
            amended=data.get("amended"), started_utc=data.get("started_utc"),
            provenance=data.get("provenance"), schema=data.get("schema", SCHEMA),
            _absent=frozenset(k for k in (*_WRITTEN_AS_NULL, "failure") if k not in data),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object on disk (the shape every record has had; keys an older record lacked stay absent)."""
        out: dict[str, Any] = {
            "schema": self.schema, "key": self.key, "identity": self.cell.identity(), "seed": self.seed,
            "status": self.status.value, "reason": self.reason, "traceback": self.traceback,
            "metrics": [m.to_dict() for m in self.metrics], "timings": self.timings.to_dict(),
            "memory": self.memory, "device": self.device, "threads": self.threads,
            "started_utc": self.started_utc, "provenance": self.provenance,
        }
        values = {"plugins": self.plugins, "validation": self.validation.to_dict() if self.validation else None,
                  "curves": self.curves, "folds": self.folds, "resumed_from": self.resumed_from,
                  "items": self.items, "amended": self.amended,
                  "failure": self.failure.value if self.failure and "failure" not in self._absent else None}
        for name, value in values.items():
            if value is not None or (name in _WRITTEN_AS_NULL and name not in self._absent):
                out[name] = value
        return out

    # what consumers read most, named
    task = property(lambda self: self.cell.task)
    method = property(lambda self: self.cell.method)
    profile = property(lambda self: self.cell.profile)
    stage = property(lambda self: self.cell.stage)
    replicate = property(lambda self: self.cell.replicate)
    task_params = property(lambda self: self.cell.task_params)
    method_params = property(lambda self: self.cell.method_params)
    tuning = property(lambda self: self.cell.tuning)

    @property
    def identity(self) -> dict[str, Any]:
        return self.cell.identity()

    @property
    def finished(self) -> bool:
        """Ran to the end (`ok` or `degenerate`): rerunning it gives the same record."""
        return self.status.finished

    @property
    def values(self) -> dict[str, float]:
        """{metric name: value}."""
        return {m.name: m.value for m in self.metrics}

    @property
    def wall_s(self) -> float | None:
        return self.timings.wall_s

    @property
    def git_commit(self) -> str | None:
        return (self.provenance or {}).get("git_commit")

    @property
    def external(self) -> bool:
        """Whether a task or method of this record came from code outside the suite (a plugin path, a package)."""
        return any(p.get("origin") == "external" for p in (self.plugins or {}).values())
