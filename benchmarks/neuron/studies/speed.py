"""Simulation speed: simulated seconds per wall second per core for each cell (the authors' cell model; the demo
cell for comparison), parallel efficiency of dataset generation, and CVODE against fixed time steps in speed
and spike-time agreement on the authors' NMDA cell.

    repbench study speed [--profile standard]   # writes results/neuron/simulation_speed_<profile>.csv

The profile sets the trial length (quick: 2 s, standard and paper: the authors' 6 s). The same measurements
run as pytest-benchmark in benchmarks/timings/test_neuron_simulation.py.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from repbench.studies import Study, StudyContext, register_study, study_paths, write_table

if TYPE_CHECKING:
    from repbench.benchmarks.neuron.data.dataset import DatasetSpec


def cell_speed(cell: str, trial_ms: int = 6000, seed: int = 0, model: str = "authors") -> dict[str, float]:
    """One trial in this process (the cell is built first, so only the simulation is timed)."""
    from repbench.benchmarks.neuron.data.dataset import DatasetSpec, simulate_one  # loads NEURON

    spec = DatasetSpec(cell=cell, trial_ms=trial_ms, seed=seed, model=model)
    simulate_one(replace(spec, trial_ms=10), 0)  # build the cell and load mechanisms outside the timing
    start = time.perf_counter()
    trial = simulate_one(spec, 0)
    wall = time.perf_counter() - start
    return {"measure": "speed", "cell": cell, "model": _model(spec), "integrator": _integrator(spec),
            "simulated_s": trial_ms / 1000,
            "wall_s": wall, "sim_s_per_wall_s_per_core": trial_ms / 1000 / wall,
            "output_spikes": len(trial.spike_times)}


def parallel_efficiency(cell: str = "l5pc-nmda", trials: int = 4, trial_ms: int = 2000) -> dict[str, float]:
    """Wall time of generating the same chunks on 1 and on 2 processes (fresh data roots)."""
    from repbench.benchmarks.neuron.data.dataset import Dataset, DatasetSpec, generate  # loads NEURON

    walls = {}
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as root:
            ds = Dataset.open(DatasetSpec(cell=cell, trial_ms=trial_ms, trials_per_chunk=1), root=Path(root))
            start = time.perf_counter()
            generate(ds, trials * trial_ms / 1000, jobs=jobs, progress=False)
            walls[jobs] = time.perf_counter() - start
    speedup = walls[1] / walls[2]
    return {"measure": "parallel", "cell": cell, "model": "authors", "integrator": "cvode atol=0.001",
            "simulated_s": trials * trial_ms
            / 1000, "wall_s_1_process": walls[1], "wall_s_2_processes": walls[2], "speedup_2_vs_1": speedup,
            "parallel_efficiency": speedup / 2}


def match_spikes(a: np.ndarray, b: np.ndarray, window_ms: float = 1.0) -> tuple[int, float]:
    """Greedy one-to-one matching of two sorted spike trains within `window_ms`: (matches, mean |dt|)."""
    i = j = n = 0
    diffs = []
    while i < len(a) and j < len(b):
        d = a[i] - b[j]
        if abs(d) <= window_ms:
            diffs.append(abs(d))
            i, j, n = i + 1, j + 1, n + 1
        elif d < 0:
            i += 1
        else:
            j += 1
    return n, float(np.mean(diffs)) if diffs else float("nan")


def integrators(cell: str = "l5pc-nmda", trial_ms: int = 3000, trials: int = 1, seed: int = 1,
                reference_atol: float = 1e-6) -> list[dict[str, float]]:
    """CVODE (NEURON's default atol 1e-3, and 1e-4) and fixed steps (0.025, 0.1 ms) against CVODE at
    `reference_atol`, summed over `trials` trials (spike-time agreement needs spikes: a few trials)."""
    from repbench.benchmarks.neuron.data.dataset import DatasetSpec, simulate_one  # loads NEURON

    base = DatasetSpec(cell=cell, trial_ms=trial_ms, seed=seed)
    simulate_one(replace(base, trial_ms=10), 0)
    refs = [simulate_one(replace(base, fixed_dt=None, atol=reference_atol), i) for i in range(trials)]
    rows = []
    for changes in ({"atol": 1e-3}, {"atol": 1e-4}, {"fixed_dt": 0.025}, {"fixed_dt": 0.1}):
        spec = replace(base, **changes)
        wall = matched = spikes = 0
        errors, squared = [], []
        for i, ref in enumerate(refs):
            start = time.perf_counter()
            trial = simulate_one(spec, i)
            wall += time.perf_counter() - start
            n, mean_dt = match_spikes(trial.spike_times, ref.spike_times)
            matched, spikes = matched + n, spikes + len(trial.spike_times)
            errors += [mean_dt] * n
            squared.append(np.mean((trial.soma_v - ref.soma_v) ** 2))
        rows.append({
            "measure": "integrator", "cell": cell, "model": _model(spec), "integrator": _integrator(spec),
            "simulated_s": trials * trial_ms / 1000, "wall_s": wall,
            "sim_s_per_wall_s_per_core": trials * trial_ms / 1000 / wall, "output_spikes": spikes,
            "reference_spikes": sum(len(r.spike_times) for r in refs), "spikes_matched_within_1ms": matched,
            "mean_abs_spike_dt_ms": float(np.mean(errors)) if errors else float("nan"),
            "soma_rmse_mv_vs_reference": float(np.sqrt(np.mean(squared))),
            "reference": f"cvode atol={reference_atol:g}", "reference_wall_s": sum(r.wall_s for r in refs),
        })
    return rows


def _model(spec: DatasetSpec) -> str:
    return spec.model if spec.variant.is_compartmental else "-"


def _integrator(spec: DatasetSpec) -> str:
    if spec.variant.integrate_fire:
        return "exact (event-driven)"
    return f"fixed dt={spec.fixed_dt}" if spec.fixed_dt else f"cvode atol={spec.atol:g}"


TRIAL_MS = {"quick": 2000, "standard": 6000, "paper": 6000}
# integrator comparison per profile: (trials, trial ms, reference tolerance). 4 x 6 s give the NMDA cell tens of
# output spikes to match; atol 1e-4 already agrees with 1e-6 to 0.004 ms on a 3 s trial, so 1e-5 is a
# reference at a fraction of 1e-6's cost
INTEGRATORS = {"quick": (1, 2000, 1e-5), "standard": (4, 6000, 1e-5), "paper": (4, 6000, 1e-6)}


def _integrator_args(profile: str) -> tuple:
    trials, trial_ms, atol = INTEGRATORS[profile]
    return "l5pc-nmda", trial_ms, trials, 1, atol


@register_study
class SimulationSpeed(Study):
    """NEURON simulation speed per cell, CVODE against fixed steps, parallel efficiency of generation (quick:
    2 s trials; standard, paper: 6 s)."""

    name = "speed"
    family = "neuron"
    measures = True
    outputs = ("neuron/simulation_speed_{profile}.csv",)

    def run(self, ctx: StudyContext) -> Path:
        return run_study(ctx.profile, ctx.results)


def run_study(profile: str = "standard", results: Path | None = None) -> Path:
    """Measure every cell's speed, the integrators and the parallel efficiency; returns the table's path."""
    trial_ms = TRIAL_MS[profile]
    rows = []
    cells = (("l5pc-nmda", "authors"), ("l5pc-ampa", "authors"), ("l5pc-nmda", "demo"), ("if", "-"))
    for measure in [*(lambda c=c, m=m: [cell_speed(c, trial_ms, model=m)] for c, m in cells),
                    lambda: integrators(*_integrator_args(profile)), lambda: [parallel_efficiency()]]:
        rows += measure()
        print(rows[-1], flush=True)
    csv, _ = study_paths("neuron", "simulation_speed", profile, results)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        return write_table(pd.DataFrame(rows), csv)
