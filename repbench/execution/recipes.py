"""Paper recipes: TOML files kept beside the tasks (benchmarks/recipes/NAME.toml) that list the runs (tasks,
methods, grids, seeds, tuning budget) and the studies a paper needs per profile, so `repbench reproduce NAME`
replaces a long command; `--dry-run` lists the cells (the same plan the run executes) with their expected time.

A recipe: `title`, `citation`, `[[run]]` tables (`profiles`, and optional `tasks`, `methods`, `grid` of
{name: [values]}, `seeds`, `tune`, `trial_set` of {name: value}) and `[[study]]` tables (`profiles`, `name`:
a registered study, and optional `options` of {name: value}); the paper's claims as `[[claim]]` tables with
their equivalence margins in `[margins]` (read by `repbench claims`, see repbench/studies/claims.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from repbench.execution.planning import Sweep
from repbench.plugins.params import ParamError, did_you_mean

RUN_KEYS = {"profiles", "tasks", "methods", "grid", "seeds", "tune", "trial_set"}
STUDY_KEYS = {"profiles", "name", "options"}


@dataclass(frozen=True)
class StudyStep:
    """A study a recipe runs after its cells: its registered name and its options."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    citation: str
    runs: dict[str, list[Sweep]] = field(default_factory=dict)  # profile -> sweeps
    studies: dict[str, list[StudyStep]] = field(default_factory=dict)  # profile -> studies, in order
    claims: list[dict[str, Any]] = field(default_factory=list)  # `[[claim]]` tables (repbench.studies.claims)
    margins: dict[str, Any] = field(default_factory=dict)  # `[margins]`: metric or task/metric -> {value, why}

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
    recipe = Recipe(name, data.get("title", name), data.get("citation", ""), claims=list(data.get("claim", [])),
                    margins=dict(data.get("margins", {})))
    for i, spec in enumerate(data.get("run", [])):
        unknown = set(spec) - RUN_KEYS
        if unknown:
            raise ParamError(f"{path}: run {i + 1} has unknown keys {sorted(unknown)}; known: {sorted(RUN_KEYS)}")
        run = Sweep.of(spec.get("tasks"), spec.get("methods"), spec.get("grid", {}), spec.get("seeds"),
                       int(spec.get("tune", 0)), spec.get("trial_set", {}))
        for profile in spec["profiles"]:
            recipe.runs.setdefault(profile, []).append(run)
    for i, spec in enumerate(data.get("study", [])):
        unknown = set(spec) - STUDY_KEYS
        if unknown or "name" not in spec:
            raise ParamError(f"{path}: study {i + 1} needs `name` and takes {sorted(STUDY_KEYS)}, has {sorted(spec)}")
        for profile in spec["profiles"]:
            recipe.studies.setdefault(profile, []).append(StudyStep(spec["name"], dict(spec.get("options", {}))))
    return recipe
