"""Executors run cells and yield their records as they finish.

The interface is one method, `run(cells, options) -> iterator of records`, so a distributed engine plugs in
beside the two local ones. Records are written by the caller, never by workers, so a worker that dies
can leave no half-written record behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing as mp
import os
import signal
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Generator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from repbench.cells import Cell
from repbench.execute import ExecOptions, execute_cell, failed_record

Record = dict[str, Any]


class Executor(ABC):
    name = "executor"

    @abstractmethod
    def run(self, cells: Sequence[Cell], options: ExecOptions) -> Generator[Record, None, None]:
        """Yield one record per cell, in completion order. Closing the iterator stops all work."""


class InlineExecutor(Executor):
    """Runs cells one after another in this process (debugging, pytest-benchmark). No timeout."""

    name = "inline"

    def run(self, cells: Sequence[Cell], options: ExecOptions) -> Generator[Record, None, None]:
        for cell in cells:
            yield execute_cell(cell, options)


def die_with_parent() -> None:
    """Linux: have the kernel kill this worker when its parent dies, so a killed run leaves no orphans."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker(conn: Connection, cell: Cell, options: ExecOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the parent
    die_with_parent()
    for key in [k for k in os.environ if k.startswith("REPBENCH_")]:
        del os.environ[key]
    os.environ.update(options.env)
    record = execute_cell(cell, options)
    with contextlib.suppress(BrokenPipeError):  # the run was killed meanwhile: nobody to report to
        conn.send(record)
    conn.close()


def _context() -> mp.context.BaseContext:
    # forkserver: workers fork from a clean server that has imported the heavy libraries once,
    # avoiding both spawn's per-cell import cost and fork's unsafety after torch/OpenMP start threads.
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["repbench._preload"])
        return ctx
    return mp.get_context("spawn")


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

    def run(self, cells: Sequence[Cell], options: ExecOptions) -> Generator[Record, None, None]:
        ctx = _context()
        pending = list(reversed(cells))
        active: dict[Connection, tuple[Any, Cell, float]] = {}
        try:
            while pending or active:
                while pending and len(active) < self.jobs:
                    cell = pending.pop()
                    recv, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(
                        target=_worker, args=(send, cell, options), name=f"repbench:{cell.label}"
                    )
                    proc.start()
                    send.close()
                    active[recv] = (proc, cell, time.monotonic())
                now = time.monotonic()
                left = (
                    [options.timeout_s - (now - t0) for _, _, t0 in active.values()]
                    if options.timeout_s
                    else []
                )
                for conn in wait(list(active), timeout=max(0.01, min([1.0, *left]))):
                    proc, cell, t0 = active.pop(conn)  # type: ignore[index]
                    try:
                        record = conn.recv()
                    except (EOFError, OSError):
                        proc.join(5)
                        record = failed_record(cell, options, _exit_reason(proc.exitcode), time.monotonic() - t0)
                    conn.close()
                    proc.join()
                    yield record
                if options.timeout_s:
                    now = time.monotonic()
                    for conn, (proc, cell, t0) in list(active.items()):
                        if now - t0 > options.timeout_s:
                            proc.kill()
                            proc.join()
                            conn.close()
                            del active[conn]
                            yield failed_record(cell, options, f"timeout: exceeded {options.timeout_s:g} s", now - t0)
        finally:
            for conn, (proc, _, _) in active.items():
                proc.kill()
                proc.join()
                conn.close()


def _cell_on_dask_worker(cell: Cell, options: ExecOptions) -> Record:
    from repbench.cluster import environment

    with environment(options.env, "REPBENCH_"):
        return execute_cell(cell, options)


class DaskExecutor(Executor):
    """Cells as Dask tasks (repbench/cluster.py): on a LocalCluster of `jobs` workers, or on the cluster
    behind `scheduler`. Records come back to this process, which writes them; a cell whose worker dies is
    retried by the scheduler on another worker (up to distributed.scheduler.allowed-failures, 3), then
    recorded as failed. No per-cell timeout: a cluster's own walltime limits apply."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, jobs: int = 1) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.scheduler, self.jobs = scheduler, jobs

    def run(self, cells: Sequence[Cell], options: ExecOptions) -> Generator[Record, None, None]:
        from repbench.cluster import as_completed, dask_client

        if not cells:
            return
        with dask_client(self.scheduler, self.jobs) as client:
            done = as_completed(client, functools.partial(_cell_on_dask_worker, options=options), cells,
                                key=lambda cell: f"repbench-cell-{cell.key}")
            try:
                for cell, future in done:
                    try:
                        yield future.result()
                    except Exception as err:  # noqa: BLE001 - e.g. KilledWorker: the cell fails, the run goes on
                        yield failed_record(cell, options, f"dask: {type(err).__name__}: {err}")
            finally:
                done.close()
