"""Paper recipes: TOML files kept beside the tasks (benchmarks/recipes/NAME.toml) that list the runs (tasks,
methods, grids, seeds, tuning budget) and studies a paper needs per profile, so `repbench reproduce NAME`
replaces a long command; `--dry-run` lists the cells and estimates their time from stored records.

A recipe: `title`, `citation`, `[[run]]` tables (`profiles`, and optional `tasks`, `methods`, `grid` of
{name: [values]}, `seeds`, `tune`, `trial_set` of {name: value}) and `[[study]]` tables (`profiles`, `args`:
the `repbench` command line, to which `--profile P` is added).
"""

from __future__ import annotations

import statistics
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from repbench.api import Sweep
from repbench.cells import Cell, canonical_json
from repbench.params import ParamError, did_you_mean
from repbench.profiles import get_profile

RUN_KEYS = {"profiles", "tasks", "methods", "grid", "seeds", "tune", "trial_set"}


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    citation: str
    runs: dict[str, list[Sweep]] = field(default_factory=dict)  # profile -> runs
    studies: dict[str, list[list[str]]] = field(default_factory=dict)  # profile -> repbench argument lists

    def profiles(self) -> list[str]:
        return sorted(set(self.runs) | set(self.studies))


def recipe_dir() -> Path:
    import repbench.benchmarks

    return Path(repbench.benchmarks.__file__).parent / "recipes"


def available() -> list[str]:
    return sorted(p.stem for p in recipe_dir().glob("*.toml"))


def load(name: str) -> Recipe:
    path = recipe_dir() / f"{name}.toml"
    if not path.is_file():
        raise ParamError(f"unknown recipe {name!r}.{did_you_mean(name, available())} Recipes: {', '.join(available())}")
    data = tomllib.loads(path.read_text())
    recipe = Recipe(name, data.get("title", name), data.get("citation", ""))
    for i, spec in enumerate(data.get("run", [])):
        unknown = set(spec) - RUN_KEYS
        if unknown:
            raise ParamError(f"{path}: run {i + 1} has unknown keys {sorted(unknown)}; known: {sorted(RUN_KEYS)}")
        run = Sweep(
            tuple(spec["tasks"]) if "tasks" in spec else None, tuple(spec["methods"]) if "methods" in spec else None,
            {k: [str(v) for v in vs] for k, vs in spec.get("grid", {}).items()}, spec.get("seeds"),
            int(spec.get("tune", 0)), dict(spec.get("trial_set", {})))
        for profile in spec["profiles"]:
            recipe.runs.setdefault(profile, []).append(run)
    for spec in data.get("study", []):
        for profile in spec["profiles"]:
            recipe.studies.setdefault(profile, []).append([*spec["args"], "--profile", profile])
    return recipe


@dataclass(frozen=True)
class PlannedCell:
    cell: Cell | None  # None: a final cell whose parameters tuning has yet to choose
    stage: str  # "trial" or "final"
    label: str
    done: bool
    estimate_s: float | None  # from stored records of the same task, method and profile; None: no record yet
    rough: bool = False  # the estimate comes from records with other fixed parameters (steps, sizes): a guess


def plan(run: Sweep, profile: str, records: Iterable[dict[str, Any]], plugin_paths=()) -> list[PlannedCell]:
    """Every cell of one recipe run (tuning trials, then finals) with whether a record exists and its expected
    wall time: the mean of the stored records of the same configuration (other seeds), else of the same
    parameters but the searched ones, else (marked rough) of its task, method, profile and stage."""
    from repbench import api, tuning

    registry, finals = api.plan_run(run.tasks, run.methods, profile, run.grid, run.seeds, plugin_paths)
    records = {r["key"]: r for r in records}

    def shape(task: str, method: str, stage: str, params: dict[str, Any]) -> tuple:
        """What sets a cell's cost: its task, method, stage and parameters other than the searched ones (an
        architecture costs what it costs whatever learning rate tuning picks)."""
        spec = registry.get_method(method).params if method in registry.methods else {}
        fixed = {k: v for k, v in params.items() if not (k in spec and spec[k].search)}
        return task, method, stage, canonical_json(fixed)

    walls: dict[Any, list[float]] = {}  # by configuration (identity less the seed), by shape, by task x method
    for r in records.values():
        ident, wall = r["identity"], (r.get("timings") or {}).get("wall_s")
        if wall and r.get("status") in ("ok", "degenerate") and ident["profile"] == profile:
            stage = ident.get("stage", "final")
            for key in (tuning.config_key(ident), shape(ident["task"], ident["method"], stage, ident["method_params"]),
                        (ident["task"], ident["method"], stage)):
                walls.setdefault(key, []).append(wall)

    def planned(cell: Cell | None, stage: str, like: Cell) -> PlannedCell:
        done = cell is not None and cell.key in records and records[cell.key].get("status") in ("ok", "degenerate")
        seen = (walls.get(tuning.config_key(cell.identity())) if cell is not None else None) \
            or walls.get(shape(like.task, like.method, stage, dict(like.method_params)))
        rough = not seen
        seen = seen or walls.get((like.task, like.method, stage)) or walls.get((like.task, like.method, "final"))
        label = cell.label if cell is not None else f"{like.label} (after tuning)"
        estimate = None if done or not seen else statistics.mean(seen)
        return PlannedCell(cell, stage, label, done, estimate, rough and estimate is not None)

    tune = get_profile(profile).tune if run.tune is None else run.tune
    if not tune:
        return [planned(c, "final", c) for c in finals]
    out = []
    for group in tuning.plan_trials(registry, finals, tune, tuning.fixed_by_grid(run.grid or {}), run.trial_params):
        out += [planned(t, "trial", t) for t in group.trials]
        _, chosen = tuning.choose(registry, group, records, tune)
        if not all(t.key in records for t in group.trials):
            chosen = []  # the winner is known once every trial has run
        out += [planned(c, "final", c) for c in chosen] or [planned(None, "final", c) for c in group.finals]
    return out
