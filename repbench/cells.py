"""A run is task x method x parameter grid x seed, expanded into independent, reproducible cells."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from repbench.params import ParamError, did_you_mean
from repbench.plugin import Component, Method, Task
from repbench.profiles import get_profile
from repbench.registry import Registry, RegistryError


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

    @property
    def label(self) -> str:
        params = ",".join(f"{k}={_fmt(v)}" for k, v in sorted(self.method_params.items()))
        stage = " (tuning trial)" if self.stage == "trial" else ""
        return f"{self.task}/{self.method}[{params}]#{self.replicate}{stage}"


def _fmt(value: Any) -> str:
    return "x".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def parse_grid(items: Iterable[str]) -> dict[str, list[str]]:
    """`["depth=1,2,3", "method.lr=0.1"]` -> {"depth": ["1","2","3"], "method.lr": ["0.1"]}."""
    grid: dict[str, list[str]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key or not values.strip():
            raise ParamError(f"cannot read --grid {item!r}: write NAME=V1,V2,... (e.g. depth=1,2,3)")
        grid.setdefault(key, []).extend(v.strip() for v in values.split(",") if v.strip())
    return grid


def _select(
    registry: Registry, role: str, names: Sequence[str] | None, profile: str
) -> list[type[Component]]:
    table = registry.table(role)
    if not names:
        return [cls for _, cls in sorted(table.items()) if cls.takes_part_in(profile)]
    chosen = []
    for name in dict.fromkeys(names):
        cls = registry.get(role, name)
        if not cls.takes_part_in(profile):
            raise RegistryError(
                f"{role} {name!r} does not take part in the {profile!r} profile; "
                f"it runs under: {', '.join(cls.profiles) or 'no profile'}"
            )
        chosen.append(cls)
    return chosen


def _split_grid(
    grid: Mapping[str, list[str]], tasks: Sequence[type[Task]], methods: Sequence[type[Method]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Route each grid key to tasks ('task.' prefix), methods ('method.') or whoever declares it."""
    task_grid: dict[str, list[str]] = {}
    method_grid: dict[str, list[str]] = {}
    task_names = {p for t in tasks for p in t.params}
    method_names = {p for m in methods for p in m.params}
    for key, values in grid.items():
        scope, _, name = key.rpartition(".")
        if scope not in ("", "task", "method"):
            raise ParamError(f"grid key {key!r}: prefix must be 'task.' or 'method.'")
        placed = False
        if scope in ("", "task") and name in task_names:
            task_grid[name] = values
            placed = True
        if scope in ("", "method") and name in method_names:
            method_grid[name] = values
            placed = True
        if not placed:
            known = sorted(
                (task_names if scope != "method" else set()) | (method_names if scope != "task" else set())
            )
            raise ParamError(
                f"grid key {key!r} is not a parameter of any selected task or method."
                f"{did_you_mean(name, known)}"
                f" Parameters: {', '.join(known) or 'none'}."
            )
    return task_grid, method_grid


def _expand(cls: type[Component], grid: Mapping[str, list[str]], profile: str) -> list[dict[str, Any]]:
    mine = {k: v for k, v in grid.items() if k in cls.params}
    combos = [dict(zip(mine, values, strict=True)) for values in itertools.product(*mine.values())]
    return [cls.resolve(profile, combo) for combo in combos]


def plan(
    registry: Registry,
    profile: str,
    tasks: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    grid: Mapping[str, list[str]] | None = None,
    seeds: int | None = None,
) -> list[Cell]:
    """Every compatible (task, method, params, replicate) cell of a run, in a stable order.

    Raises RegistryError / ParamError on any user mistake before anything runs.
    """
    prof = get_profile(profile)
    n_seeds = prof.seeds if seeds is None else seeds
    if n_seeds < 1:
        raise ParamError(f"--seeds must be at least 1, got {n_seeds}")
    task_classes: list[type[Task]] = _select(registry, "task", tasks, profile)  # type: ignore[assignment]
    method_classes: list[type[Method]] = _select(registry, "method", methods, profile)  # type: ignore[assignment]
    task_grid, method_grid = _split_grid(grid or {}, task_classes, method_classes)

    cells: dict[str, Cell] = {}
    for task in task_classes:
        solvers = [m for m in method_classes if m.can_solve(task)]
        if tasks and methods and not solvers:
            able = sorted(n for n, m in registry.methods.items() if m.can_solve(task))
            raise RegistryError(
                f"no selected method solves task {task.name!r} (kind {task.kind.name!r}); "
                f"compatible methods: {', '.join(able) or 'none'}"
            )
        for task_params in _expand(task, task_grid, profile):
            for method in solvers:
                for method_params in _expand(method, method_grid, profile):
                    for replicate in range(n_seeds):
                        cell = Cell(
                            task.name,
                            task.version,
                            task_params,
                            method.name,
                            method.version,
                            method_params,
                            profile,
                            replicate,
                        )
                        cells.setdefault(cell.key, cell)
    if methods:
        used = {c.method for c in cells.values()}
        for cls in method_classes:
            if cls.name not in used:
                kinds = ", ".join(k.name for k in cls.solves)
                raise RegistryError(
                    f"method {cls.name!r} solves {kinds}, which no selected task is; pick a task of that kind"
                )
    return list(cells.values())
