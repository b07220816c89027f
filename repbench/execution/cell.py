"""Run one cell in the current process and describe the outcome as a self-contained `Record`."""

from __future__ import annotations

import contextlib
import math
import random
import resource
import sys
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from repbench.execution.checkpoints import DEFAULT_EVERY_S, Checkpointer, checkpoint_dir, fingerprint
from repbench.plugins.base import Baseline, DivergedError, Method, Metric, RunContext, Task, find_metric
from repbench.plugins.device import make_cuda_deterministic, resolve_device
from repbench.plugins.registry import discover
from repbench.results.provenance import plugin_provenance, provenance
from repbench.results.record import Cell, FailureKind, MetricValue, Record, Status, Timings, Validation


@dataclass(frozen=True)
class CellOptions:
    """How cells run; travels to worker processes, so it holds plain values only."""

    device: str = "auto"
    timeout_s: float | None = None
    threads: int | None = None
    plugin_paths: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)  # REPBENCH_* settings of the submitting process
    code: dict[str, Any] | None = None  # code_provenance() taken when the run started
    checkpoints: str | None = None  # root of mid-cell checkpoints (execution/checkpoints.py); None: none
    checkpoint_every_s: float = DEFAULT_EVERY_S


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    import torch

    torch.manual_seed(seed)  # also seeds every CUDA device


def fit_seeded(method: Method, data: Any, ctx: RunContext) -> Method:
    """Fit as a cell does: Python, NumPy and torch seeded with `ctx.seed` first, so the same seed gives the same
    model whatever ran before (tests and notebooks call this instead of `method.fit`)."""
    if ctx.device.startswith("cuda"):
        make_cuda_deterministic()
    seed_everything(ctx.seed)
    return method.fit(data, ctx)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def _peak_gpu_mb() -> float | None:
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    return torch.cuda.max_memory_allocated() / 2**20


def _metric_entries(declared: Iterable[Metric], values: dict[str, float], owner: str) -> list[MetricValue]:
    declared = tuple(declared)
    match = {name: find_metric(declared, name) for name in values}
    unknown = sorted(name for name, metric in match.items() if metric is None)
    if unknown:
        raise ValueError(f"{owner} returned undeclared metrics {unknown}; declare them in `metrics`")
    entries = []
    for name, value in values.items():
        metric = match[name]
        value = float(value)
        if not math.isfinite(value):
            raise DivergedError(f"metric {name!r} is {value}")
        entries.append(MetricValue(name, value, metric.unit, metric.higher_is_better, metric.main, metric.range))
    return entries


def failed_record(cell: Cell, options: CellOptions, reason: str, kind: FailureKind,
                  wall_s: float | None = None) -> Record:
    """A record for a cell whose worker never reported (timeout, killed process, lost by the engine)."""
    record = Record.start(cell)
    record.reason, record.failure = reason, kind
    record.timings = Timings(wall_s=wall_s)
    record.provenance = provenance(options.code)
    return record


def _run_fold(
    task: Task, method: Method, ctx: RunContext, timings: Timings
) -> tuple[list[MetricValue], Validation | None, dict[str, list[float]], dict[str, Any]]:
    """Load, fit and evaluate one fold: (metrics, validation score and trivial baseline, learning curves, the
    test items' scores); timings add up over folds."""

    def add(key: str, since: float) -> None:
        setattr(timings, key, (getattr(timings, key) or 0.0) + time.perf_counter() - since)

    t0 = time.perf_counter()
    data = task.load(ctx)
    add("load_s", t0)
    if not isinstance(data, task.kind.hands):
        raise TypeError(
            f"task {task.name!r} handed {type(data).__name__}, its kind {task.kind.name!r} promises "
            f"{task.kind.hands.__name__}"
        )
    t0 = time.perf_counter()
    fit_seeded(method, data, ctx)  # the same global random state whatever `load` drew
    add("train_s", t0)
    t0 = time.perf_counter()
    metrics = _metric_entries(task.metrics, task.evaluate(method, ctx), f"task {task.name!r}")
    items = task.item_scores()
    unknown = sorted(set(items) - {m.name for m in metrics})
    if unknown:
        raise ValueError(f"task {task.name!r} kept item scores of {unknown}, which it did not report")
    metrics += _metric_entries(method.metrics, method.measurements(), f"method {method.name!r}")
    curves = {name: [float(v) for v in values] for name, values in method.curves().items()}
    score, baseline = task.validate(method, ctx), task.baseline(ctx)
    selection = task.selection_score(method, ctx) if score is not None else None
    add("eval_s", t0)
    validation = None
    if score is not None:
        if not math.isfinite(score):
            raise DivergedError(f"validation {task.main_metric().name} is {score}")
        validation = Validation(task.main_metric().name, float(score),
                                selection=float(selection) if selection is not None else None)
        if baseline is not None:
            validation = replace(validation, baseline=baseline.value, baseline_name=baseline.name,
                                 margin=baseline.margin)
    return metrics, validation, curves, items


def _validation_over_folds(folds: list[Validation | None]) -> Validation | None:
    """The k folds' validation as one: the mean score, baseline and selection, and the noise margin *of that
    mean* (the folds' validation sets are disjoint, so their noise adds in quadrature: sqrt(sum m_i^2) / k,
    one fold's margin / sqrt(k) for equal folds), not one fold's margin."""
    if any(v is None for v in folds):
        return None

    def mean(name: str) -> float | None:
        return None if getattr(folds[0], name) is None else float(np.mean([getattr(v, name) for v in folds]))

    margin = None if folds[0].margin is None else fold_mean_margin([v.margin for v in folds])
    return replace(folds[0], value=mean("value"), selection=mean("selection"), baseline=mean("baseline"),
                   margin=margin)


def fold_mean_margin(margins: list[float]) -> float:
    """The noise margin of a mean over k disjoint folds, from each fold's margin."""
    return float(math.sqrt(sum(m * m for m in margins)) / len(margins))


def reflag_kfold(record: Record, higher_is_better: bool, commit: str | None) -> bool:
    """Re-derive a finished k-fold record's degenerate flag with the fold mean's margin, for records written
    while the margin was the folds' average (one fold's noise, sqrt(k) too wide). Those records kept the
    average, so the mean's margin is it / sqrt(k) (exact for equal-sized folds). Says what changed in
    `record.amended`; returns whether anything did."""
    validation = record.validation
    if not record.finished or not record.folds or validation is None or validation.margin is None:
        return False
    if any(a.get("field") == "validation.margin" for a in record.amended or []):
        return False  # already amended
    k = len(record.folds)
    old_status, old_margin = record.status, validation.margin
    record.validation = replace(validation, margin=old_margin / math.sqrt(k))
    reason = degenerate_reason(record.validation, higher_is_better)
    record.status, record.reason = (Status.DEGENERATE if reason else Status.OK), reason
    record.amended = [*(record.amended or []), {
        "field": "validation.margin", "old": old_margin, "new": record.validation.margin,
        "old_status": old_status.value, "new_status": record.status.value, "by_commit": commit,
        "why": f"the noise margin of a {k}-fold mean is one fold's / sqrt({k}); the record had one fold's"}]
    return True


def degenerate_reason(validation: Validation | None, higher_is_better: bool) -> str | None:
    """Why a finished cell is no better than the task's trivial baseline on validation data, or None."""
    if validation is None or validation.baseline is None:
        return None
    base = Baseline(validation.baseline, validation.baseline_name or "", validation.margin or 0.0)
    if base.beaten_by(validation.value, higher_is_better):
        return None
    return (f"degenerate: validation {validation.metric} {validation.value:.4g} is no better than the trivial "
            f"baseline ({base.name}) {base.value:.4g} beyond its noise margin {base.margin:.2g}")


def _mean_over_folds(folds: list[list[MetricValue]]) -> list[MetricValue]:
    """Each metric's mean over the folds (the usual k-fold estimate); a metric missing from a fold is an error."""
    names = [m.name for m in folds[0]]
    for i, fold in enumerate(folds[1:], start=1):
        if [m.name for m in fold] != names:
            raise ValueError(f"fold {i} returned metrics {[m.name for m in fold]}, fold 0 returned {names}")
    return [replace(entry, value=float(np.mean([fold[j].value for fold in folds]))) for j, entry in enumerate(folds[0])]


def run_cell(cell: Cell, options: CellOptions | None = None) -> Record:
    """Load, fit, evaluate; any exception becomes a failed record with its reason, never a crash. With
    `options.threads` set, every thread pool the cell uses (torch's, and the OpenMP and BLAS pools of
    scikit-learn, NumPy and SciPy) is held to that many threads: two jobs whose libraries each start a thread
    per core oversubscribe the machine (scikit-learn's L-BFGS on the digits ran 18x slower so)."""
    options = options or CellOptions()
    with thread_budget(options.threads):
        return _run_cell(cell, options)


@contextlib.contextmanager
def thread_budget(threads: int | None) -> Iterator[None]:
    """Every thread pool of this process held to `threads` (None: left alone) while the block runs."""
    if not threads:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)


def _run_cell(cell: Cell, options: CellOptions) -> Record:
    record = Record.start(cell)
    timings = record.timings
    start = time.perf_counter()
    try:
        registry = discover(options.plugin_paths)
        task_cls, method_cls = registry.get_task(cell.task), registry.get_method(cell.method)
        for role, cls, wanted in (
            ("task", task_cls, cell.task_version),
            ("method", method_cls, cell.method_version),
        ):
            if cls.version != wanted:
                raise RuntimeError(
                    f"{role} {cls.name!r} is version {cls.version}, the cell asks for {wanted}"
                )
        import torch

        record.threads = torch.get_num_threads()
        record.plugins = {"task": plugin_provenance(task_cls), "method": plugin_provenance(method_cls)}
        ctx = RunContext(seed=cell.seed, profile=cell.profile, device=resolve_device(options.device))
        record.device = ctx.device
        seed_everything(cell.seed)
        task = task_cls(**cell.task_params)
        folds, validations, curves, items, resumed, earlier_s = [], [], [], [], [], 0.0
        where = checkpoint_dir(options.checkpoints, cell.profile, cell.task, cell.method, cell.key) \
            if options.checkpoints else None
        stamp = fingerprint(cell.key, (task_cls, method_cls)) if where else {}
        for fold in range(task.n_folds()):
            ctx.fold = fold
            if where:
                ctx.checkpoint = Checkpointer(where / f"fold{fold}.pt", stamp, options.checkpoint_every_s)
            metrics, validation, fold_curves, fold_items = _run_fold(task, method_cls(**cell.method_params), ctx,
                                                                     timings)
            folds.append(metrics)
            items.append(fold_items)
            validations.append(validation)
            curves.append(fold_curves)
            if ctx.checkpoint is not None and ctx.checkpoint.resumed_from:
                resumed.append(f"fold {fold}: {ctx.checkpoint.resumed_from}")
                earlier_s += ctx.checkpoint.earlier_s
        if resumed:
            record.resumed_from = resumed  # the killed attempt's checkpoints this record continued
            timings.resumed_s = earlier_s  # the killed attempts' share of wall_s, up to their checkpoints
        record.curves = curves[0] if len(curves) == 1 else curves  # per fold for k-fold tasks
        metrics = _mean_over_folds(folds)
        if len(folds) > 1:
            record.folds = [{m.name: m.value for m in fold} for fold in folds]
        if not any(m.is_main for m in metrics):
            raise ValueError(f"task {task.name!r} did not return its main metric {task.main_metric().name!r}")
        record.validation = _validation_over_folds(validations)
        reason = degenerate_reason(record.validation, bool(task.main_metric().higher_is_better))
        record.status, record.reason, record.metrics = Status.DEGENERATE if reason else Status.OK, reason, metrics
        if any(items):
            record.item_scores = items  # the store writes them beside the record
    except DivergedError as err:
        record.reason, record.failure = f"diverged: {err}", FailureKind.DIVERGED
    except Exception as err:  # noqa: BLE001 - the cell fails, the run goes on
        record.reason, record.failure = f"{type(err).__name__}: {err}", FailureKind.EXCEPTION
        record.traceback = traceback.format_exc(limit=20)
    timings.wall_s = time.perf_counter() - start + (timings.resumed_s or 0.0)
    record.memory = {"peak_rss_mb": round(_peak_rss_mb(), 1), "peak_gpu_mb": _peak_gpu_mb()}
    record.provenance = provenance(options.code)
    return record
