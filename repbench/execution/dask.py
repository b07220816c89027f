"""Dask (`dask.distributed`) as the engine for work beyond one machine: a LocalCluster here, or any running
scheduler (plain `dask scheduler` / `dask worker`, SLURM or PBS through dask-jobqueue, Kubernetes through
dask-kubernetes). Workers compute and return results; the client alone writes them, so a worker that dies
mid-task leaves nothing half-written and the scheduler retries the task elsewhere.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any


class DaskUnavailable(RuntimeError):
    pass


def _distributed():
    try:
        import distributed
    except ImportError:
        raise DaskUnavailable(
            "--executor dask needs dask.distributed; install it with `pip install -e '.[dask]'` "
            "(or `pip install \"dask[distributed]\"`)"
        ) from None
    return distributed


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int = 1) -> Iterator[Any]:
    """A connected `distributed.Client`: to `scheduler` (tcp://HOST:PORT, or a scheduler file written by
    `dask scheduler --scheduler-file F`), or to a LocalCluster of `workers` single-threaded processes."""
    distributed = _distributed()
    if scheduler is None:
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    else:
        cluster = None
        is_file = "://" not in scheduler and Path(scheduler).is_file()
        try:
            client = (distributed.Client(scheduler_file=scheduler, timeout="30s") if is_file
                      else distributed.Client(scheduler, timeout="30s"))
        except OSError as err:
            raise DaskUnavailable(
                f"cannot reach the Dask scheduler {scheduler!r} ({err}); start one with `dask scheduler` and "
                f"pass its address (tcp://HOST:8786) or its --scheduler-file"
            ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def as_completed(client: Any, fn: Callable, items: Iterable[Any], key: Callable[[Any], str]) -> Iterator[tuple]:
    """(item, future) pairs in completion order, one task per item named `key(item)`; closing the iterator
    cancels what has not run yet."""
    distributed = _distributed()
    futures = {client.submit(fn, item, key=key(item), pure=False): item for item in items}
    try:
        for future in distributed.as_completed(futures):
            yield futures[future], future
    finally:
        client.cancel(list(futures))


@contextlib.contextmanager
def environment(values: dict[str, str], prefix: str) -> Iterator[None]:
    """Within the block, this long-lived worker's `prefix*` variables are exactly `values` (the submitting
    process's settings, e.g. REPBENCH_DATA); restored afterwards."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(prefix)}
    for key in saved:
        del os.environ[key]
    os.environ.update(values)
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith(prefix)]:
            del os.environ[key]
        os.environ.update(saved)
