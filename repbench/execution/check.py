"""`repbench check`: the free smoke test every plugin gets (benchopt's `benchopt test`, DomainBed's
`test_models`). Each method runs on a tiny compatible task (one that takes part in the quick profile) and each
task with its kind's cheap method, both at their `smoke` settings (a few steps, a small dataset) over the
quick (else first) profile, in this process; the check passes when a finished record is written whose every
declared metric is there and finite (information columns included). A task whose data is not in the data
root is skipped with the reason, never failed."""

from __future__ import annotations

import math
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from repbench.execution.cell import CellOptions, run_cell
from repbench.plugins.base import Component, Method, Task
from repbench.plugins.params import did_you_mean
from repbench.plugins.registry import Registry, RegistryError
from repbench.results.record import Cell, Record


@dataclass(frozen=True)
class Check:
    """One smoke cell: which plugin it checks, the cell, and why it cannot run here (None: it can)."""

    plugin: str
    role: str
    cell: Cell | None
    skip: str | None = None


@dataclass(frozen=True)
class Outcome:
    check: Check
    record: Record | None
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _settings(cls: type[Component]) -> tuple[str, dict[str, Any]]:
    """The profile a smoke cell uses (quick where the plugin takes part, else its first) and its parameters."""
    profile = "quick" if cls.takes_part_in("quick") else next(iter(cls.profiles))
    smoke = {k: v for k, v in cls.smoke.items() if k in cls.params}
    return profile, cls.resolve(profile, smoke)


def _cell(task: type[Task], method: type[Method]) -> Cell:
    profile, task_params = _settings(task)
    _, method_params = _settings(method)
    return Cell(task.name, task.version, task_params, method.name, method.version, method_params, profile, 0)


def checks(registry: Registry, names: list[str] | None = None) -> list[Check]:
    """The smoke cells of the named plugins (default: every registered task and method)."""
    names = names or [*sorted(registry.methods), *sorted(registry.tasks)]
    check_names(registry, names)
    out = []
    for name in names:
        if name in registry.methods:
            method = registry.methods[name]
            tiny = sorted(t for t, c in registry.tasks.items() if method.can_solve(c) and c.takes_part_in("quick"))
            if not tiny:
                kinds = ", ".join(k.name for k in method.solves)
                out.append(Check(name, "method", None, f"no task of kind {kinds} takes part in the quick profile"))
            else:
                out.append(Check(name, "method", _cell(registry.tasks[tiny[0]], method)))
        if name in registry.tasks:
            task = registry.tasks[name]
            cheap = task.kind.cheap_method
            if cheap not in registry.methods or not registry.methods[cheap].can_solve(task):
                cheap = next((m for m, cls in sorted(registry.methods.items()) if cls.can_solve(task)), None)
            if cheap is None:
                out.append(Check(name, "task", None, f"no registered method solves kind {task.kind.name!r}"))
                continue
            missing = task(**_settings(task)[1]).missing_data()
            out.append(Check(name, "task", _cell(task, registry.methods[cheap]),
                             f"data missing: {missing[0]}" if missing else None))
    return out


def verify(registry: Registry, record: Record) -> tuple[str, ...]:
    """What is wrong with a smoke cell's record: not finished, a declared metric missing or not finite."""
    if not record.finished:
        return (f"{record.status}: {record.reason}",)
    task, method = registry.get_task(record.task), registry.get_method(record.method)
    values = record.values
    problems = [f"metric {name!r} is {value}" for name, value in values.items() if not math.isfinite(value)]
    problems += [f"task {task.name!r} declares metric {m.name!r} but did not report it" for m in task.metrics
                 if not m.name.endswith("*") and m.name not in values]
    undeclared = [n for n in values if task.metrics and not any(m.matches(n) for m in (*task.metrics, *method.metrics))]
    return tuple(problems + [f"metric {n!r} is not declared" for n in undeclared])


def run_check(registry: Registry, check: Check, device: str = "cpu", plugin_paths: tuple[str, ...] = ()) -> Outcome:
    """Run one smoke cell in this process (so a plugin from --plugin-path is checked the same way)."""
    if check.cell is None or check.skip:
        return Outcome(check, None, ())
    with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\bconverge")  # a few steps are not meant to converge
        options = CellOptions(device=device, threads=None, plugin_paths=plugin_paths,
                              checkpoints=str(Path(scratch) / "checkpoints"))
        record = run_cell(check.cell, options)
    return Outcome(check, record, verify(registry, record))


def check_names(registry: Registry, names: list[str]) -> None:
    """Unknown names fail before anything runs, with the nearest names."""
    known = [*registry.methods, *registry.tasks]
    for name in names:
        if name not in known:
            raise RegistryError(f"no task or method named {name!r}.{did_you_mean(name, known)} See `repbench list`.")
