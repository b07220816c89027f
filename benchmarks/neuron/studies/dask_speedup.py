"""Speedup of 2 Dask workers over 1 (LocalCluster) for a NEURON generation and a training grid.

    repbench study dask-speedup [--profile standard]   # writes results/neuron/dask_speedup_<profile>.csv

Each measurement starts from nothing (a fresh dataset folder, a fresh results folder) and includes the
cluster's start-up; the NEURON mechanisms come from the data root's compiled cache. The profile sets the
simulated NMDA-cell time (2 s trials at a fixed 0.1 ms step): quick 4 s, standard 20 s, paper 60 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from repbench.studies import DaskUnavailable, Study, StudyContext, Sweep, register_study, study_paths, write_table

GRID = Sweep.of("digits", "mlp", {"hidden": ["64", "128", "256", "64x64"]}, seeds=2)  # 8 cells of a few seconds


def time_generation(workers: int, seconds: float, scratch: Path) -> float:
    from repbench.benchmarks.neuron.data.dataset import Dataset, DatasetSpec, generate

    spec = DatasetSpec(cell="l5pc-nmda", trial_ms=2000, trials_per_chunk=1, fixed_dt=0.1)
    dataset = Dataset.open(spec, root=scratch / f"generation-{workers}")
    start = time.perf_counter()
    generate(dataset, seconds, jobs=workers, progress=False, executor="dask")
    return time.perf_counter() - start


def time_grid(ctx: StudyContext, workers: int, scratch: Path) -> float:
    start = time.perf_counter()
    result = ctx.run_cells([GRID], "quick", executor="dask", jobs=workers, device="cpu", threads=1,
                           results=scratch / f"grid-{workers}", checkpoint_every=0, leaderboard=False)
    if result.summary.failed:
        raise RuntimeError(f"grid cells failed: {result.summary.failed}")
    return time.perf_counter() - start


SECONDS = {"quick": 4.0, "standard": 20.0, "paper": 60.0}


@register_study
class DaskSpeedup(Study):
    """Speedup of 2 Dask workers over 1 for a NEURON generation and a training grid (needs dask.distributed)."""

    name = "dask-speedup"
    family = "neuron"
    measures = True
    outputs = ("neuron/dask_speedup_{profile}.csv",)

    usage_errors = (ValueError, DaskUnavailable)

    def run(self, ctx: StudyContext) -> Path:
        return run_study(ctx)


def run_study(ctx: StudyContext) -> Path:
    """Both workloads on 1 and on 2 workers; returns the table's path."""
    rows, profile = [], ctx.profile
    with tempfile.TemporaryDirectory() as tmp:
        for name, measure in (("neuron generation", lambda w: time_generation(w, SECONDS[profile], Path(tmp))),
                              ("training grid (digits x mlp, 8 cells)", lambda w: time_grid(ctx, w, Path(tmp)))):
            walls = {w: measure(w) for w in (1, 2)}
            rows.append({"workload": name, "wall_1_worker_s": walls[1], "wall_2_workers_s": walls[2],
                         "speedup": walls[1] / walls[2]})
            print(rows[-1], flush=True)
    csv, _ = study_paths("neuron", "dask_speedup", profile, ctx.results)
    return write_table(pd.DataFrame(rows), csv)
