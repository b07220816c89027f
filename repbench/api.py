"""The library API for scripts and notebooks; the `repbench` command is a thin layer over it.

    import repbench
    records = repbench.run(["digits"], ["mlp", "logreg"], profile="quick", seeds=3)   # runs, stores, returns
    table = repbench.leaderboard(profile="quick")                                       # one row per metric
    everything = repbench.load_results(profile="standard")                              # the tidy records

Records are tidy: one row per cell and metric, with the cell's identity, its parameters as `task.NAME` /
`method.NAME` columns, the status (a failed cell is one row with its reason and no metric) and provenance.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from repbench import board as lb
from repbench import tuning
from repbench.cells import Cell, canonical_json, plan
from repbench.checkpoint import DEFAULT_EVERY_S
from repbench.execute import ExecOptions
from repbench.executors import DaskExecutor, make_executor
from repbench.params import ParamError
from repbench.paths import DATA_ENV, data_root, forwarded_env, results_dir
from repbench.plugin import Task, find_metric
from repbench.profiles import get_profile
from repbench.provenance import code_provenance, usable_cpus
from repbench.registry import Registry, discover, env_plugin_paths
from repbench.runner import RunSummary, run_cells
from repbench.store import ResultStore

Records = list[dict[str, Any]]


def _as_list(names: str | Iterable[str] | None) -> list[str] | None:
    if names is None:
        return None
    return [names] if isinstance(names, str) else list(names)


def _grid(grid: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """{"depth": [1, 2, 3]} or {"depth": "1,2,3"} -> {"depth": ["1", "2", "3"]} (values are validated later)."""
    out: dict[str, list[str]] = {}
    for key, values in (grid or {}).items():
        if isinstance(values, str):
            values = [v for v in values.split(",") if v.strip()]
        elif not isinstance(values, (list, tuple)):
            values = [values]
        out[key] = ["x".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v) for v in values]
    return out


def plan_run(
    tasks: str | Iterable[str] | None = None,
    methods: str | Iterable[str] | None = None,
    profile: str = "quick",
    grid: Mapping[str, Any] | None = None,
    seeds: int | None = None,
    plugin_paths: Sequence[str] = (),
) -> tuple[Registry, list[Cell]]:
    """The cells a run would execute; raises RegistryError / ParamError / ValueError on any bad input."""
    registry = discover(plugin_paths)
    cells = plan(registry, profile, _as_list(tasks), _as_list(methods), _grid(grid), seeds)
    if not cells:
        raise ValueError(f"no task takes part in the {profile!r} profile with these options; see `repbench list`")
    return registry, cells


class DataMissingError(ValueError):
    """Data files that selected tasks need are not in the data root."""


def check_data(registry: Registry, cells: Sequence[Cell]) -> None:
    """One error listing every missing data file of the run's tasks, before any cell starts."""
    lines: dict[str, None] = {}
    for name, params in {(c.task, canonical_json(c.task_params)): None for c in cells}:
        task = registry.get_task(name)(**json.loads(params))
        lines.update({f"  {name}: {line}": None for line in task.missing_data()})
    if lines:
        raise DataMissingError(
            f"data files are missing from the data root {data_root().resolve()}:\n" + "\n".join(lines)
            + f"\n`repbench data fetch` downloads them (checked against pinned sha256 sums), or put them there "
            f"(or set {DATA_ENV} to the folder that holds them)."
        )


@dataclass(frozen=True)
class Sweep:
    """One grid of cells, tasks x methods x grid x seeds, tuned first when `tune` > 0 (None: the profile's)."""

    tasks: str | Iterable[str] | None = None
    methods: str | Iterable[str] | None = None
    grid: Mapping[str, Any] | None = None
    seeds: int | None = None
    tune: int | None = None
    trial_params: Mapping[str, Any] | None = None


def run(
    tasks: str | Iterable[str] | None = None,
    methods: str | Iterable[str] | None = None,
    *,
    profile: str = "quick",
    grid: Mapping[str, Any] | None = None,
    seeds: int | None = None,
    jobs: int = 1,
    executor: str = "process",
    scheduler: str | None = None,
    timeout: float | None = None,
    device: str = "auto",
    force: bool = False,
    tune: int | None = None,
    trial_params: Mapping[str, Any] | None = None,
    results: str | Path | None = None,
    plugin_paths: Sequence[str] = (),
    progress: bool = True,
    checkpoint_every: float = DEFAULT_EVERY_S,
) -> pd.DataFrame:
    """Run every compatible task x method x grid x seed cell (finished cells are reused unless `force`), store
    one record per cell, rewrite the leaderboard files, and return the run's records as a tidy DataFrame.

    `tune=N` (default: the profile's) first runs N tuning trials per task x method (repbench/tuning.py) and
    then the final seeds with each winner; `trial_params` (e.g. {"finetune_epochs": 10}) shorten the trials'
    schedule, the same for every method. `df.attrs["summary"]` holds the counts (ok, skipped, failed and
    degenerate with reasons, interrupted) and, when tuned, what each tuning chose. A method that supports it
    saves its state every `checkpoint_every` seconds (0: never) under `<results>/checkpoints/`, so a killed
    cell resumes where it was (repbench/checkpoint.py).
    """
    return run_sweeps([Sweep(tasks, methods, grid, seeds, tune, trial_params)], profile=profile, jobs=jobs,
                      executor=executor, scheduler=scheduler, timeout=timeout, device=device, force=force,
                      results=results, plugin_paths=plugin_paths, progress=progress,
                      checkpoint_every=checkpoint_every)


def run_sweeps(
    sweeps: Sequence[Sweep],
    *,
    profile: str = "quick",
    jobs: int = 1,
    executor: str = "process",
    scheduler: str | None = None,
    timeout: float | None = None,
    device: str = "auto",
    force: bool = False,
    results: str | Path | None = None,
    plugin_paths: Sequence[str] = (),
    progress: bool = True,
    checkpoint_every: float = DEFAULT_EVERY_S,
) -> pd.DataFrame:
    """`run` for several sweeps at once (a paper's recipe): every cell that can start now (untuned sweeps'
    cells, tuned sweeps' trials) goes into one pool, then the tuned finals, so no job waits for one sweep's
    last cell while another sweep has work."""
    registry, now, tuned = discover(plugin_paths), [], []  # tuned: (groups, number of trials) per tuned sweep
    for sweep in sweeps:
        _, cells = plan_run(sweep.tasks, sweep.methods, profile, sweep.grid, sweep.seeds, plugin_paths)
        tune = get_profile(profile).tune if sweep.tune is None else sweep.tune
        if tune < 0:
            raise ParamError(f"tune must be 0 (no tuning) or a number of trials, got {tune}")
        if not tune:
            now += cells
            continue
        untunable = sorted({c.task for c in cells if registry.get_task(c.task).validate is Task.validate})
        if untunable:
            raise ParamError(f"tasks {untunable} declare no validation score (`Task.validate`): they cannot be tuned")
        groups = tuning.plan_trials(registry, cells, tune, tuning.fixed_by_grid(_grid(sweep.grid)), sweep.trial_params)
        now += [t for g in groups for t in g.trials]
        tuned.append((groups, tune))
    if timeout is not None and timeout <= 0:
        raise ParamError(f"timeout must be a positive number of seconds, got {timeout}")
    from repbench.device import resolve_device

    resolve_device(device)  # an unavailable device fails here, not once per cell
    now = list({c.key: c for c in now}.values())  # a cell two sweeps share runs once
    check_data(registry, now)
    engine = make_executor(executor, jobs, scheduler)
    store = ResultStore(results or results_dir())
    cpus = usable_cpus()
    options = ExecOptions(
        device=device,
        timeout_s=timeout if timeout is not None else get_profile(profile).timeout_s,
        threads=None if scheduler else max(1, cpus // max(jobs, 1)),  # a remote worker's own cores decide
        plugin_paths=(*plugin_paths, *env_plugin_paths()),
        env=forwarded_env(absolute_data_root=isinstance(engine, DaskExecutor)),  # Dask workers may start elsewhere
        code=code_provenance(),
        checkpoints=str(store.results_dir / "checkpoints") if checkpoint_every > 0 else None,
        checkpoint_every_s=checkpoint_every,
    )
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _stop)  # `kill` (or a cluster's scheduler) stops as cleanly as Ctrl-C
    choices: list[tuning.Selection] = []
    cells = list(now)
    try:
        summary = run_cells(now, store, engine, options, force=force, progress=progress)
        if tuned:
            records = {r["key"]: r for r in store.records()}
            finals = []
            for groups, n in tuned:
                for group in groups:
                    choice, chosen = tuning.choose(registry, group, records, n)
                    choices += [choice] if choice else []
                    finals += chosen
            finals = list({c.key: c for c in finals}.values())
            cells += finals
            if not summary.interrupted:
                summary = _merge(summary, run_cells(finals, store, engine, options, force=force, progress=progress))
    finally:
        signal.signal(signal.SIGTERM, previous)
    stored = list(store.records())
    write_leaderboard(stored, registry, store.results_dir)
    keys = {cell.key for cell in cells}
    frame = tidy([r for r in stored if r["key"] in keys])
    frame.attrs["summary"] = asdict(summary) | {"tuning": [
        {"task": c.group.finals[0].task, "method": c.group.finals[0].method, "trials": len(c.group.trials),
         "finished": c.n_ok, "params": {k: c.params[k] for k in c.group.tuned} if c.params else None,
         "validation": c.score, "reason": c.reason} for c in choices]}
    return frame


def _merge(a: RunSummary, b: RunSummary) -> RunSummary:
    return RunSummary(planned=a.planned + b.planned, skipped=a.skipped + b.skipped, ok=a.ok + b.ok,
                      failed=a.failed + b.failed, degenerate=a.degenerate + b.degenerate, kept=a.kept + b.kept,
                      interrupted=a.interrupted or b.interrupted)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def load_records(profile: str | None = None, root: str | Path | None = None) -> Records:
    """The raw JSON records under a results folder (default: $REPBENCH_RESULTS or ./results)."""
    store = ResultStore(root or results_dir())
    if profile is not None:
        get_profile(profile)
    return [r for r in store.records() if profile is None or r["identity"]["profile"] == profile]


def under_current_settings(records: Records, profile: str, tasks: Iterable[str] | None = None,
                           ignore: Iterable[str] = ()) -> Records:
    """The records of `tasks` (default: all) made with the task parameters the profile resolves to now, the
    names in `ignore` aside (a study's own axis). A study reading them does not pool the records of an older
    protocol (another dataset, split or selection rule), which the results folder keeps for the record."""
    registry, skip = discover(), set(ignore)

    def setting(params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if k not in skip}

    names = set(tasks) if tasks is not None else {r["identity"]["task"] for r in records}
    current = {t: setting(registry.get_task(t).resolve(profile, {})) for t in names if t in registry.tasks}
    return [r for r in records
            if current.get(r["identity"]["task"]) == setting(r["identity"].get("task_params", {}))]


def load_results(profile: str | None = None, root: str | Path | None = None) -> pd.DataFrame:
    """The tidy records of a results folder: one row per cell and metric (see the module docstring)."""
    return tidy(load_records(profile, root))


TIDY_COLUMNS = [
    "task", "method", "profile", "stage", "tune_trials", "replicate", "seed", "key", "status", "reason",
    "validation", "metric", "value", "unit",
    "higher_is_better", "is_main", "wall_s", "device", "git_commit", "code_origin", "date_utc",
]


def tidy(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Records -> one row per (cell, metric); parameters as `task.NAME` / `method.NAME` columns."""
    rows = []
    for record in records:
        ident, prov = record["identity"], record.get("provenance") or {}
        plugins = (record.get("plugins") or {}).values()
        base = {
            "task": ident["task"], "method": ident["method"], "profile": ident["profile"],
            "stage": ident.get("stage", "final"), "tune_trials": (ident.get("tuning") or {}).get("trials", 0),
            "validation": (record.get("validation") or {}).get("value"), "replicate": ident["replicate"],
            "seed": record.get("seed"), "key": record["key"],
            "status": record["status"], "reason": record.get("reason"),
            "wall_s": (record.get("timings") or {}).get("wall_s"), "device": record.get("device"),
            "git_commit": prov.get("git_commit"), "date_utc": prov.get("date_utc"),
            "code_origin": "external" if any(p.get("origin") == "external" for p in plugins) else "suite",
            **{f"task.{k}": _cell_value(v) for k, v in ident["task_params"].items()},
            **{f"method.{k}": _cell_value(v) for k, v in ident["method_params"].items()},
        }
        if not record["metrics"]:
            rows.append(base)
        for entry in record["metrics"]:
            rows.append({**base, "metric": entry["name"], "value": entry["value"], "unit": entry["unit"],
                         "higher_is_better": entry["higher_is_better"], "is_main": entry["is_main"]})
    frame = pd.DataFrame(rows)
    params = sorted(c for c in frame.columns if c not in TIDY_COLUMNS)
    return frame.reindex(columns=[*TIDY_COLUMNS, *params])


def _cell_value(value: Any) -> Any:
    return "x".join(map(str, value)) if isinstance(value, list) else value


def _with_declared_directions(records: Records, registry: Registry) -> Records:
    """Metric directions and ranges as the plugins declare them now: records stored before a metric became an
    information column (e.g. `n_parameters`) are then never ranked on it either."""
    out = []
    for record in records:
        ident = record["identity"]
        declared = [*getattr(registry.tasks.get(ident["task"]), "metrics", ()),
                    *getattr(registry.methods.get(ident["method"]), "metrics", ())]
        metrics = []
        for entry in record["metrics"]:
            metric = find_metric(declared, entry["name"])
            metrics.append(entry if metric is None else
                           {**entry, "higher_is_better": metric.higher_is_better,
                            "bounds": list(metric.range) if metric.range else None})
        out.append({**record, "metrics": metrics})
    return out


def leaderboard(
    records: Records | None = None,
    *,
    profile: str | None = None,
    results: str | Path | None = None,
    plugin_paths: Sequence[str] = (),
) -> pd.DataFrame:
    """The leaderboard table (one row per task x method configuration x metric, plus published values) of
    `records`, or of every record under `results` (of one `profile` if given)."""
    registry = discover(plugin_paths)
    if records is None:
        records = load_records(profile, results)
    elif profile is not None:
        records = [r for r in records if r["identity"]["profile"] == profile]
    return _table(records, registry)


def _table(records: Records, registry: Registry) -> pd.DataFrame:
    reported = {name: cls.reported for name, cls in registry.tasks.items()}
    return lb.aggregate(_with_declared_directions(records, registry), reported)


def write_leaderboard(records: Records, registry: Registry, out_dir: Path) -> pd.DataFrame:
    """leaderboard.csv and leaderboard.md of every record, under `out_dir`."""
    table = _table(records, registry)
    lb.write_csv(table, out_dir / "leaderboard.csv")
    lb.write_markdown(table, out_dir / "leaderboard.md")
    return table


def summary_line(summary: RunSummary | Mapping[str, Any]) -> str:
    s = asdict(summary) if isinstance(summary, RunSummary) else summary
    return (f"{s['planned']} cells: {s['ok']} ran ok, {s['skipped']} already done, {len(s['failed'])} failed, "
            f"{len(s['degenerate'])} degenerate (no better than the trivial baseline: shown, never ranked)")
