"""The fixed cost of a run and of each cell: `repbench run` on cells that do next to no work (the test suite's
toy task: 60 points), against the bound of starting Python and importing torch and scikit-learn once.

    pytest benchmarks/timings/test_overhead.py --benchmark-only --benchmark-group-by=group

extra_info: `ratio_to_imports` (a whole run over the import bound) and, on the 6-cell row, `per_cell_s`, what
each further cell adds (a forked worker, its provenance, the task's data, the record written).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "tests" / "plugins" / "toy.py"
IMPORTS = ["-c", "import torch, sklearn"]


def _seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def _toy_run(seeds: int, results: Path) -> list[str]:
    return ["-m", "repbench", "run", "--task", "toy", "--method", "toy-ok", "--seeds", str(seeds), "--jobs", "1",
            "--device", "cpu", "--no-progress", "--plugin-path", str(TOY), "--results", str(results)]


@pytest.mark.benchmark(group="fixed-overhead")
def test_imports_bound(benchmark):
    benchmark.pedantic(_seconds, args=(IMPORTS,), rounds=3, iterations=1)


@pytest.mark.benchmark(group="fixed-overhead")
@pytest.mark.parametrize("seeds", [1, 6])
def test_run_of_toy_cells(benchmark, tmp_path, seeds):
    runs = iter(range(100))
    benchmark.pedantic(lambda: _seconds(_toy_run(seeds, tmp_path / f"run{next(runs)}")), rounds=3, iterations=1)
    median = benchmark.stats.stats.median
    bound = min(_seconds(IMPORTS) for _ in range(3))
    benchmark.extra_info.update(cells=seeds, imports_bound_s=round(bound, 3), ratio_to_imports=round(median / bound, 3))
    if seeds > 1:
        one = min(_seconds(_toy_run(1, tmp_path / f"one{i}")) for i in range(3))
        benchmark.extra_info["per_cell_s"] = round((median - one) / (seeds - 1), 3)
