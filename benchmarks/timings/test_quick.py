"""pytest-benchmark entry: every cell of a profile (default `quick`) as one benchmark.

    pytest benchmarks --benchmark-only --benchmark-json bench.json
    repbench leaderboard --from-benchmark-json bench.json

Each benchmark runs its cell once in this process (`benchmark.pedantic`, one round) and stores the cell's
full record, metrics included, in `extra_info`. REPBENCH_BENCH_PROFILE and REPBENCH_BENCH_SEEDS change the
profile and the number of seeds; select cells with `-k` (ids are task-method-params-seed).
"""

from __future__ import annotations

import os

import pytest

from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.plugins.registry import discover

PROFILE = os.environ.get("REPBENCH_BENCH_PROFILE", "quick")
SEEDS = int(os.environ["REPBENCH_BENCH_SEEDS"]) if os.environ.get("REPBENCH_BENCH_SEEDS") else None
CELLS = expand_cells(discover(), PROFILE, seeds=SEEDS)


@pytest.mark.parametrize(
    "cell", CELLS, ids=[f"{c.task}-{c.method}-{c.key[:8]}-s{c.replicate}" for c in CELLS]
)
def test_cell(benchmark, cell):
    record = benchmark.pedantic(run_cell, args=(cell, CellOptions()), rounds=1, iterations=1)
    benchmark.extra_info["record"] = record.to_dict()
    assert record.status == "ok", record.reason
