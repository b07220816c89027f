"""Speedup of 2 Dask workers over 1 (LocalCluster) for a NEURON generation and a training grid.

    python -m repbench.benchmarks.dask_speedup [--seconds 20] [--out results/dask_speedup.csv]

Each measurement starts from nothing (a fresh dataset folder, a fresh results folder) and includes the
cluster's start-up; the NEURON mechanisms come from the data root's compiled cache.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from repbench.benchmarks.neuron.dataset import Dataset, DatasetSpec, generate
from repbench.cells import plan
from repbench.execute import ExecOptions
from repbench.executors import DaskExecutor
from repbench.paths import results_dir
from repbench.provenance import code_provenance
from repbench.registry import discover
from repbench.runner import run_cells
from repbench.store import ResultStore

GRID = {"hidden": ["64", "128", "256", "64x64"]}  # digits x mlp, 2 seeds: 8 cells of a few seconds


def time_generation(workers: int, seconds: float, scratch: Path) -> float:
    spec = DatasetSpec(cell="l5pc-nmda", trial_ms=2000, trials_per_chunk=1, fixed_dt=0.1)
    dataset = Dataset.open(spec, root=scratch / f"generation-{workers}")
    start = time.perf_counter()
    generate(dataset, seconds, jobs=workers, progress=False, executor="dask")
    return time.perf_counter() - start


def time_grid(workers: int, scratch: Path) -> float:
    cells = plan(discover(), "quick", ["digits"], ["mlp"], GRID, seeds=2)
    store = ResultStore(scratch / f"grid-{workers}")
    options = ExecOptions(device="cpu", threads=1, code=code_provenance())
    start = time.perf_counter()
    summary = run_cells(cells, store, DaskExecutor(jobs=workers), options, progress=False)
    if summary.failed:
        raise RuntimeError(f"grid cells failed: {summary.failed}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="simulated seconds of the NEURON dataset")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, measure in (("neuron generation", lambda w: time_generation(w, args.seconds, Path(tmp))),
                              ("training grid (digits x mlp, 8 cells)", lambda w: time_grid(w, Path(tmp)))):
            walls = {w: measure(w) for w in (1, 2)}
            rows.append({"workload": name, "wall_1_worker_s": walls[1], "wall_2_workers_s": walls[2],
                         "speedup": walls[1] / walls[2]})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    out = args.out or results_dir() / "dask_speedup.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, float_format="%.3g")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
