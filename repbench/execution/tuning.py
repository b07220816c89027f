"""Equal tuning budgets (the protocol of DomainBed, Gulrajani & Lopez-Paz 2021, ICLR): N random trials per task x
method, drawn from the search distributions the method declares beside its parameters; the winner is the
trial with the best *validation* score of the task's main metric (never a test metric); the final seeds then
run with it. Trials are ordinary cells (stage "trial"): recorded, resumable, visible through the results API
and kept out of the leaderboard. The draws come from a generator seeded by the group's identity, and all
trials of a group share one training seed, so a rerun draws, trains and picks the same.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from repbench.plugins.registry import Registry
from repbench.results.record import Cell, Record


@dataclass(frozen=True)
class Group:
    """The final cells of one task x task parameters x method x fixed parameters, and their trials."""

    finals: tuple[Cell, ...]
    trials: tuple[Cell, ...]
    tuned: tuple[str, ...]
    shortened: tuple[str, ...] = ()  # parameters set for the trials only (a shorter schedule)


def fixed_by_grid(grid: Mapping[str, Any]) -> set[str]:
    """Method parameters a user fixed with --grid (`name` or `method.name`): tuning leaves them alone."""
    return {key.rpartition(".")[2] for key in grid if not key.startswith("task.")}


def plan_trials(registry: Registry, finals: Sequence[Cell], n: int, fixed: Iterable[str] = (),
                trial_params: Mapping[str, Any] | None = None) -> list[Group]:
    """N trial cells per group of final cells; parameters the user fixed (a --grid value) are not tuned.
    `trial_params` apply to the trials only, for every method that declares them (e.g. fewer fine-tuning
    epochs: a shorter schedule, the same for every method); the final cells keep their own values."""
    fixed = set(fixed)
    trial_params = dict(trial_params or {})
    groups: dict[str, list[Cell]] = {}
    for cell in finals:
        groups.setdefault(cell.config_key, []).append(cell)
    out = []
    for key, cells in groups.items():
        first = cells[0]
        method = registry.get_method(first.method)
        tuned = tuple(sorted(name for name, spec in method.params.items() if spec.search and name not in fixed))
        shortened = {name: method.params[name].validate(name, value) for name, value in trial_params.items()
                     if name in method.params and name not in tuned}
        rng = np.random.default_rng(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))
        trials = []
        if tuned:
            for _ in range(n):
                params = {**first.method_params, **shortened,
                          **{name: method.params[name].draw(name, rng) for name in tuned}}
                trials.append(replace(first, method_params=params, replicate=0, stage="trial"))
        out.append(Group(tuple(cells), tuple(trials), tuned, tuple(sorted(shortened))))
    return out


@dataclass(frozen=True)
class Selection:
    """What tuning selected for one group: the winning parameters and their validation score, or why none won."""

    group: Group
    params: Mapping[str, Any] | None
    score: float | None
    n_ok: int
    reason: str = ""


def select(group: Group, records: Mapping[str, Record], higher_is_better: bool) -> Selection:
    """The trial with the best validation score (or the task's selection score) among the finished ones
    (degenerate trials compete too: they lose to any better trial, and if all are degenerate the best of them is
    still the tuned setting)."""
    scored = []
    for trial in group.trials:
        record = records.get(trial.key)
        score = record.validation.score if record and record.validation else math.nan  # the task's rule, if any
        if record and record.finished and math.isfinite(score):
            scored.append((score, trial))
    if not scored:
        return Selection(group, None, None, 0, "no trial finished with a validation score")
    best_score, best = (max if higher_is_better else min)(scored, key=lambda item: item[0])
    return Selection(group, dict(best.method_params), float(best_score), len(scored))


def finals(choice: Selection, n: int) -> list[Cell]:
    """The group's final cells with the chosen parameters, marked with how they were chosen."""
    if choice.params is None:
        return []
    tuning = {"trials": n, "params": list(choice.group.tuned)}
    if choice.group.shortened:
        tuning["trial_schedule"] = {k: choice.group.trials[0].method_params[k] for k in choice.group.shortened}
    return [replace(cell, method_params={**choice.params, **{k: cell.method_params[k] for k in choice.group.shortened}},
                    tuning=tuning) for cell in choice.group.finals]


def choose(registry: Registry, group: Group, records: Mapping[str, Record], n: int
           ) -> tuple[Selection | None, list[Cell]]:
    """One group's final cells: its own when nothing is tuned (no selection), else those with the winner's
    values (none when no trial finished)."""
    if not group.trials:  # the method declares no search distribution
        return None, list(group.finals)
    higher = bool(registry.get_task(group.finals[0].task).main_metric().higher_is_better)
    choice = select(group, records, higher)
    return choice, finals(choice, n)
