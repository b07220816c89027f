"""Studies as plugins: a `Study` declares its name, family, inputs (whose records it reads), outputs and
options, and `run`s on a `StudyContext`, the small facade every study gets (this profile's records under the
current protocol, as `Record`s or a tidy frame; where its outputs go; a way to run cells, for studies that
measure). The `repbench study NAME` command, its `--help` and `repbench list studies` come from the registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from repbench.analysis.figures import study_paths
from repbench.data.paths import results_dir
from repbench.plugins.base import summary_line
from repbench.plugins.params import Param, resolve_params
from repbench.plugins.profiles import get_profile
from repbench.plugins.registry import Registry, discover
from repbench.results.frames import current_protocol, load_records, tidy
from repbench.results.record import Record

if TYPE_CHECKING:
    import pandas as pd

    from repbench.execution.batch import RunResult
    from repbench.execution.planning import Sweep



class Study:
    """A table and figure made from records (or from measurements it takes itself, `measures = True`).

    Subclasses set `name`, `family` (its outputs go to results/<family>/ and results/plots/<family>_*), the
    `tasks` and `methods` whose records it reads, its `outputs` (paths under results/, with {profile}), its
    `options` (declared like method parameters), and implement `run(ctx)`, returning the files written.
    Exceptions in `usage_errors` (e.g. no records of the profile yet) are the user's to fix: the command
    prints them and exits 2 instead of showing a traceback.
    """

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""
    description: ClassVar[str] = ""
    tasks: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[tuple[str, ...]] = ()
    outputs: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[Mapping[str, Param]] = {}
    measures: ClassVar[bool] = False
    usage_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError,)

    def run(self, ctx: StudyContext) -> Path | tuple[Path, ...]:
        raise NotImplementedError

    summary = classmethod(summary_line)

    @classmethod
    def check_declaration(cls) -> None:
        """Fail at registration, not when the study runs, on a malformed declaration."""
        if not cls.family:
            raise TypeError(f"study {cls.name!r} must set `family` (its results/<family>/ folder)")
        if cls.run is Study.run:
            raise TypeError(f"study {cls.name!r} does not implement `run(self, ctx)`")
        resolve_params(f"study {cls.name!r}", cls.options)


@dataclass
class StudyContext:
    """What a study may use: its profile, resolved options and results folder; the records it reads; where its
    outputs go; and, for a study that measures, a way to run cells."""

    study: type[Study]
    profile: str
    results: Path
    options: dict[str, Any] = field(default_factory=dict)
    registry: Registry = field(default_factory=discover)
    _records: list[Record] | None = field(default=None, repr=False)

    @classmethod
    def make(cls, study: type[Study], profile: str, results: Path | None = None,
             options: Mapping[str, Any] | None = None) -> StudyContext:
        get_profile(profile)
        values = resolve_params(f"study {study.name!r}", study.options, options or {})
        return cls(study, profile, Path(results) if results is not None else results_dir(), values)

    def all_records(self) -> list[Record]:
        """Every record of the profile, read once."""
        if self._records is None:
            self._records = load_records(self.profile, self.results)
        return self._records

    def records(self, tasks: Iterable[str] | None = None, methods: Iterable[str] | None = None,
                finished: bool = True, current: bool = True, ignore: Iterable[str] = ()) -> list[Record]:
        """The profile's records of `tasks` and `methods` (default: the study's declared inputs, or all),
        finished ones only unless `finished=False`, made under the tasks' current settings unless
        `current=False` (the names in `ignore` aside: the study's own axis, e.g. the training data size)."""
        tasks = tuple(tasks if tasks is not None else self.study.tasks) or None
        methods = tuple(methods if methods is not None else self.study.methods) or None
        out = [r for r in self.all_records() if (tasks is None or r.task in tasks)
               and (methods is None or r.method in methods) and (r.finished or not finished)]
        return current_protocol(out, self.profile, tasks, ignore, self.registry) if current else out

    def frame(self, **selection: Any) -> pd.DataFrame:
        """`records(**selection)` as a tidy frame: one row per cell and metric."""
        return tidy(self.records(**selection))

    def paths(self, name: str | None = None) -> tuple[Path, Path]:
        """results/<family>/<name>_<profile>.csv and results/plots/<family>_<name>_<profile>.png (name: the
        study's own, by default)."""
        return study_paths(self.study.family, name or self.study.name.replace("-", "_"), self.profile, self.results)

    def run_cells(self, sweeps: Sequence[Sweep], profile: str | None = None, **options: Any) -> RunResult:
        """Run cells through the suite's planner and runner (for studies that measure, e.g. an engine's
        speed-up): `options` are `RunOptions` fields (jobs, executor, results, ...)."""
        from repbench.execution.batch import RunOptions, execute
        from repbench.execution.planning import make_plan

        plan = make_plan(self.registry, profile or self.profile, sweeps)
        return execute(plan, RunOptions(**{"progress": False, **options}))
