"""The one planner: what a run will execute, for `repbench run`, its `--dry-run`, `repbench reproduce` and
`repbench.run` alike.

A `Sweep` is task x method x parameter grid x seeds, tuned first when it has a tuning budget. `make_plan`
expands sweeps into a `Plan`: the untuned cells and, per tuned group, its tuning trials; once the trials'
records exist, `Plan.finals` chooses each group's winner (repbench/execution/tuning.py) and gives the final cells.
`Plan.listing` is the same plan read against stored records, with each cell's expected time, for dry runs.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from repbench.execution import tuning
from repbench.plugins.base import Component, Method, Task
from repbench.plugins.params import ParamError, did_you_mean
from repbench.plugins.profiles import get_profile
from repbench.plugins.registry import Registry, RegistryError
from repbench.results.record import Cell, Record, canonical_json


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
    grid: Mapping[str, Sequence[Any]], tasks: Sequence[type[Task]], methods: Sequence[type[Method]]
) -> tuple[dict[str, Sequence[Any]], dict[str, Sequence[Any]]]:
    """Route each grid key to tasks ('task.' prefix), methods ('method.') or whoever declares it."""
    task_grid: dict[str, Sequence[Any]] = {}
    method_grid: dict[str, Sequence[Any]] = {}
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


def _expand(cls: type[Component], grid: Mapping[str, Sequence[Any]], profile: str) -> list[dict[str, Any]]:
    mine = {k: v for k, v in grid.items() if k in cls.params}
    combos = [dict(zip(mine, values, strict=True)) for values in itertools.product(*mine.values())]
    return [cls.resolve(profile, combo) for combo in combos]


def expand_cells(
    registry: Registry,
    profile: str,
    tasks: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    seeds: int | None = None,
) -> list[Cell]:
    """Every compatible (task, method, params, replicate) cell of one sweep, in a stable order.

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


def grid_values(grid: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """{"depth": [1, 2, 3]}, {"depth": "1,2,3"} or {"depth": 3} -> {"depth": [...]}: each name's values (checked
    against the parameter's declaration when the cells are expanded)."""
    out: dict[str, list[Any]] = {}
    for key, values in (grid or {}).items():
        if isinstance(values, str):
            values = [v.strip() for v in values.split(",") if v.strip()]
        elif not isinstance(values, (list, tuple)):
            values = [values]
        out[key] = list(values)
    return out


def _names(names: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if names is None:
        return None
    return (names,) if isinstance(names, str) else tuple(names) or None


@dataclass(frozen=True)
class Sweep:
    """One grid of cells: tasks x methods x grid x seeds (None: every task of the profile, every compatible
    method, the profile's seeds), tuned first with `tune` trials per task x method (None: the profile's budget),
    the trials run with `trial_params` set (a shorter schedule, the same for every method)."""

    tasks: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    seeds: int | None = None
    tune: int | None = None
    trial_params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, tasks: str | Iterable[str] | None = None, methods: str | Iterable[str] | None = None,
           grid: Mapping[str, Any] | None = None, seeds: int | None = None, tune: int | None = None,
           trial_params: Mapping[str, Any] | None = None) -> Sweep:
        """A sweep from what a user writes: one name or several, a grid of lists or comma-separated strings."""
        return cls(_names(tasks), _names(methods), grid_values(grid), seeds, tune, dict(trial_params or {}))


@dataclass(frozen=True)
class PlanPart:
    """One sweep's share of a plan: its untuned cells, or its tuning groups (each with its trials)."""

    sweep: Sweep
    cells: tuple[Cell, ...] = ()
    groups: tuple[tuning.Group, ...] = ()
    trials: int = 0  # the tuning budget per group; 0: untuned


@dataclass(frozen=True)
class PlannedCell:
    """One line of a dry run: a cell (None: a final whose parameters tuning has yet to choose), whether its
    record exists, and its expected wall time from stored records (`rough`: from other fixed parameters)."""

    cell: Cell | None
    stage: str  # "trial" or "final"
    label: str
    done: bool
    estimate_s: float | None
    rough: bool = False


@dataclass(frozen=True)
class Plan:
    """What a run executes: first every untuned cell and every tuning trial (one pool, so no job waits on one
    sweep while another has work), then the finals that the trials' records choose."""

    registry: Registry
    profile: str
    parts: tuple[PlanPart, ...]

    def first(self) -> list[Cell]:
        """The cells that can start now: untuned cells and tuning trials, each once."""
        cells = [c for part in self.parts for c in (*part.cells, *(t for g in part.groups for t in g.trials))]
        return list({c.key: c for c in cells}.values())

    def finals(self, records: Mapping[str, Record]) -> tuple[list[tuning.Selection], list[Cell]]:
        """Each tuned group's choice and the final cells with the chosen parameters (none for a group whose
        trials have no finished record)."""
        choices, cells = [], []
        for part in self.parts:
            for group in part.groups:
                choice, chosen = tuning.choose(self.registry, group, records, part.trials)
                choices += [choice] if choice else []
                cells += chosen
        return choices, list({c.key: c for c in cells}.values())

    def tasks(self) -> dict[tuple[str, str], Cell]:
        """One cell per task and task setting: whose data the run needs."""
        cells = [*self.first(), *(c for part in self.parts for g in part.groups for c in g.finals)]
        return {(c.task, canonical_json(c.task_params)): c for c in cells}

    def listing(self, records: Mapping[str, Record]) -> list[list[PlannedCell]]:
        """Per sweep, every cell (trials, then finals) with whether a finished record exists and its expected
        wall time: the mean of the stored records of the same configuration (other seeds), else of the same
        parameters but the searched ones, else (marked rough) of its task, method, profile and stage."""
        walls = _wall_times(self.registry, self.profile, records)

        def planned(cell: Cell | None, stage: str, like: Cell) -> PlannedCell:
            record = records.get(cell.key) if cell is not None else None
            done = record is not None and record.finished
            seen = (walls.get(cell.config_key) if cell is not None else None) \
                or walls.get(_shape(self.registry, like.task, like.method, stage, like.method_params))
            rough = not seen
            seen = seen or walls.get((like.task, like.method, stage)) or walls.get((like.task, like.method, "final"))
            label = cell.label if cell is not None else f"{like.label} (after tuning)"
            estimate = None if done or not seen else statistics.mean(seen)
            return PlannedCell(cell, stage, label, done, estimate, rough and estimate is not None)

        out = []
        for part in self.parts:
            if not part.trials:
                out.append([planned(c, "final", c) for c in part.cells])
                continue
            lines = []
            for group in part.groups:
                lines += [planned(t, "trial", t) for t in group.trials]
                _, chosen = tuning.choose(self.registry, group, records, part.trials)
                if not all(t.key in records for t in group.trials):
                    chosen = []  # the winner is known once every trial has run
                lines += [planned(c, "final", c) for c in chosen] or [planned(None, "final", c) for c in group.finals]
            out.append(lines)
        return out


def _shape(registry: Registry, task: str, method: str, stage: str, params: Mapping[str, Any]) -> tuple:
    """What sets a cell's cost: its task, method, stage and parameters other than the searched ones (an
    architecture costs what it costs whatever learning rate tuning picks)."""
    spec = registry.methods[method].params if method in registry.methods else {}
    fixed = {k: v for k, v in params.items() if not (k in spec and spec[k].search)}
    return task, method, stage, canonical_json(fixed)


def _wall_times(registry: Registry, profile: str, records: Mapping[str, Record]) -> dict[Any, list[float]]:
    """Stored wall times by configuration (identity less the seed), by shape, and by task x method x stage."""
    walls: dict[Any, list[float]] = {}
    for r in records.values():
        if r.wall_s and r.finished and r.profile == profile:
            for key in (r.cell.config_key, _shape(registry, r.task, r.method, r.stage, r.method_params),
                        (r.task, r.method, r.stage)):
                walls.setdefault(key, []).append(r.wall_s)
    return walls


def make_plan(registry: Registry, profile: str, sweeps: Sequence[Sweep]) -> Plan:
    """The plan of several sweeps (one for `repbench run`, a paper's runs for `repbench reproduce`); raises
    RegistryError / ParamError on any user mistake before anything runs."""
    parts = []
    for sweep in sweeps:
        cells = expand_cells(registry, profile, sweep.tasks, sweep.methods, sweep.grid, sweep.seeds)
        if not cells:
            raise ValueError(f"no task takes part in the {profile!r} profile with these options; see `repbench list`")
        trials = get_profile(profile).tune if sweep.tune is None else sweep.tune
        if trials < 0:
            raise ParamError(f"tune must be 0 (no tuning) or a number of trials, got {trials}")
        if not trials:
            parts.append(PlanPart(sweep, tuple(cells)))
            continue
        untunable = sorted({c.task for c in cells if registry.get_task(c.task).validate is Task.validate})
        if untunable:
            raise ParamError(f"tasks {untunable} declare no validation score (`Task.validate`): they cannot be tuned")
        groups = tuning.plan_trials(registry, cells, trials, tuning.fixed_by_grid(sweep.grid), sweep.trial_params)
        parts.append(PlanPart(sweep, groups=tuple(groups), trials=trials))
    return Plan(registry, profile, tuple(parts))
