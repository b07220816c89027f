"""Shared pieces of the timing benchmarks: one torch thread (as in a `--jobs N` cell), and each benchmark's
speed as a fraction of a bound measured in the same run, so numbers from different machines compare."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode


@pytest.fixture
def one_thread():
    """One torch thread, as in a standard-profile cell (`--jobs N` runs N single-threaded cells)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def sgemm_gflop_per_s(n: int = 1024, rounds: int = 5) -> float:
    """This machine's float32 matrix-multiply rate now (best of `rounds`), at the current thread count."""
    a, b = torch.rand(n, n), torch.rand(n, n)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def counted_gflop(work: Callable[[], object]) -> float:
    """The dense FLOPs (matrix products and convolutions, forward and backward) one call of `work` performs."""
    with FlopCounterMode(display=False) as counter:
        work()
    return counter.get_total_flops() / 1e9


@pytest.fixture
def against_sgemm(one_thread):
    """`report(benchmark, work, extra_gflop=0)`, called after `benchmark.pedantic(work, ...)`: stores the FLOPs
    of one call (plus `extra_gflop`, the useful FLOPs of sparse products the counter cannot see), this run's
    SGEMM rate, and the fraction of that rate the work reaches: 1.0 would be every FLOP at SGEMM speed."""
    rate = sgemm_gflop_per_s()

    def report(benchmark, work: Callable[[], object], extra_gflop: float = 0.0) -> None:
        gflop = counted_gflop(work) + extra_gflop
        median = benchmark.stats.stats.median
        benchmark.extra_info.update(gflop=round(gflop, 4), sgemm_gflop_per_s=round(rate, 2),
                                    gflop_per_s=round(gflop / median, 2),
                                    fraction_of_sgemm=round(gflop / median / rate, 4))

    return report
