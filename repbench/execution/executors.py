"""Executors run work items (cells, simulated trials) and yield their results as they finish.

The interface is one method, `map(fn, items, ...) -> iterator of (item, result)`, so a distributed engine
plugs in beside the two local ones; `run(cells, options)` is `map` over `run_cell`. Results are written by
the caller, never by workers, so a worker that dies can leave nothing half-written behind.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from repbench.execution.cell import CellOptions, failed_record, run_cell
from repbench.results.record import Cell, FailureKind, Record

Results = Generator[tuple[Any, Any], None, None]


@dataclass(frozen=True)
class Failure:
    """The result of an item whose function raised, whose worker died, or that ran past its time limit."""

    reason: str
    wall_s: float | None = None
    traceback: str | None = None
    kind: FailureKind = FailureKind.EXCEPTION


def _default_key(item: Any) -> str:
    return f"repbench-{item!r}"


def _call(fn: Callable[[Any], Any], item: Any) -> Any:
    """fn(item), with an exception turned into a Failure that can travel back from any worker."""
    start = time.perf_counter()
    try:
        return fn(item)
    except Exception as err:  # noqa: BLE001 - the item fails, the others go on
        return Failure(f"{type(err).__name__}: {err}", time.perf_counter() - start, traceback.format_exc(limit=20))


class Executor(ABC):
    name = "executor"

    @abstractmethod
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], *, timeout_s: float | None = None,
            env: Mapping[str, str] | None = None, key: Callable[[Any], str] = _default_key) -> Results:
        """Yield (item, fn(item) or a Failure) in completion order. `fn` must be picklable (a top-level function
        or a functools.partial of one); `env` replaces the REPBENCH_* variables where it runs; `key` names each
        item's work (process names, Dask keys). Closing the iterator stops all work."""

    def run(self, cells: Sequence[Cell], options: CellOptions) -> Generator[Record, None, None]:
        """One record per cell, in completion order."""
        results = self.map(functools.partial(run_cell, options=options), cells, timeout_s=options.timeout_s,
                           env=options.env, key=lambda cell: f"repbench-cell-{cell.key}")
        try:
            for cell, result in results:
                yield failed_record(cell, options, result.reason, result.kind, result.wall_s) \
                    if isinstance(result, Failure) else result
        finally:
            results.close()


class InlineExecutor(Executor):
    """Runs items one after another in this process (debugging, pytest-benchmark). No timeout."""

    name = "inline"

    def map(self, fn, items, *, timeout_s=None, env=None, key=_default_key) -> Results:
        for item in items:
            yield item, _call(fn, item)


def die_with_parent() -> None:
    """Linux: have the kernel kill this worker when its parent dies, so a killed run leaves no orphans."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker(conn: Connection, fn: Callable[[Any], Any], item: Any, env: Mapping[str, str] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the parent
    die_with_parent()
    if env is not None:
        for name in [k for k in os.environ if k.startswith("REPBENCH_")]:
            del os.environ[name]
        os.environ.update(env)
    result = _call(fn, item)
    with contextlib.suppress(BrokenPipeError):  # the run was killed meanwhile: nobody to report to
        conn.send(result)
    conn.close()


def _context() -> mp.context.BaseContext:
    # forkserver: workers fork from a clean server that has imported the heavy libraries once,
    # avoiding both spawn's per-cell import cost and fork's unsafety after torch/OpenMP start threads.
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["repbench.execution._preload"])
        return ctx
    return mp.get_context("spawn")


def start_workers_early() -> None:
    """Start the forkserver now, so that its imports (torch, scikit-learn, every plugin: ~4 CPU-seconds) run on
    another core while this process plans the run, instead of after it, when the first cell starts. It is
    killed when this process exits: a run that stops early (a bad option, nothing to do) must neither leave
    it importing nor keep its caller waiting on the output pipes it inherited."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
        atexit.register(_kill_forkserver, forkserver._forkserver)


def _kill_forkserver(server) -> None:
    pid = getattr(server, "_forkserver_pid", None)  # CPython's ForkServer keeps its pid here
    if pid is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"worker process was killed by {name}{hint}"
    return f"worker process exited with code {code} without a result"


class ProcessExecutor(Executor):
    """One fresh process per cell, at most `jobs` at a time: isolation, per-cell timeouts, clean kills."""

    name = "process"

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs

    def map(self, fn, items, *, timeout_s=None, env=None, key=_default_key) -> Results:
        ctx = _context()
        pending = list(reversed(list(items)))
        active: dict[Connection, tuple[Any, Any, float]] = {}
        try:
            while pending or active:
                while pending and len(active) < self.jobs:
                    item = pending.pop()
                    recv, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=_worker, args=(send, fn, item, env), name=f"repbench:{key(item)}")
                    proc.start()
                    send.close()
                    active[recv] = (proc, item, time.monotonic())
                now = time.monotonic()
                left = [timeout_s - (now - t0) for _, _, t0 in active.values()] if timeout_s else []
                for conn in wait(list(active), timeout=max(0.01, min([1.0, *left]))):
                    proc, item, t0 = active.pop(conn)  # type: ignore[index]
                    try:
                        result = conn.recv()
                    except (EOFError, OSError):
                        proc.join(5)
                        result = Failure(_exit_reason(proc.exitcode), time.monotonic() - t0, kind=FailureKind.KILLED)
                    conn.close()
                    proc.join()
                    yield item, result
                if timeout_s:
                    now = time.monotonic()
                    for conn, (proc, item, t0) in list(active.items()):
                        if now - t0 > timeout_s:
                            proc.kill()
                            proc.join()
                            conn.close()
                            del active[conn]
                            reason = f"timeout: exceeded {timeout_s:g} s"
                            yield item, Failure(reason, now - t0, kind=FailureKind.TIMEOUT)
        finally:
            for conn, (proc, _, _) in active.items():
                proc.kill()
                proc.join()
                conn.close()


def _on_dask_worker(item: Any, fn: Callable[[Any], Any], env: Mapping[str, str] | None) -> Any:
    """A long-lived Dask worker runs many items: the submitting process's REPBENCH_* settings apply within each."""
    from repbench.execution.dask import environment

    with environment(dict(env or {}), "REPBENCH_"):
        return _call(fn, item)


class DaskExecutor(Executor):
    """Items as Dask tasks (repbench/execution/dask.py): on a LocalCluster of `jobs` workers, or on the cluster behind
    `scheduler`. Results come back to this process, which writes them; an item whose worker dies is retried by
    the scheduler on another worker (up to distributed.scheduler.allowed-failures, 3), then reported as a
    Failure. No per-item timeout: a cluster's own walltime limits apply."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, jobs: int = 1) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.scheduler, self.jobs = scheduler, jobs

    def map(self, fn, items, *, timeout_s=None, env=None, key=_default_key) -> Results:
        from repbench.execution.dask import as_completed, dask_client

        items = list(items)
        if not items:
            return
        with dask_client(self.scheduler, self.jobs) as client:
            done = as_completed(client, functools.partial(_on_dask_worker, fn=fn, env=env), items, key=key)
            try:
                for item, future in done:
                    try:
                        yield item, future.result()
                    except Exception as err:  # noqa: BLE001 - e.g. KilledWorker: the item fails, the run goes on
                        yield item, Failure(f"dask: {type(err).__name__}: {err}", kind=FailureKind.ENGINE)
            finally:
                done.close()


def make_executor(executor: str, jobs: int, scheduler: str | None = None) -> Executor:
    """`process` with `jobs` processes (0: in this process), or `dask` (a LocalCluster of `jobs` workers, or the
    cluster behind `scheduler`)."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (in this process) or a positive number of processes")
    if scheduler or executor == "dask":
        if jobs == 0:
            raise ValueError("jobs=0 runs in this process; with the dask executor give the number of workers (>= 1)")
        return DaskExecutor(scheduler, jobs)
    if executor != "process":
        raise ValueError(f"unknown executor {executor!r}; use 'process' or 'dask'")
    return InlineExecutor() if jobs == 0 else ProcessExecutor(jobs)
