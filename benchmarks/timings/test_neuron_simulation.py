"""NEURON simulation speed: simulated seconds per wall second per core for each cell, CVODE vs fixed
steps (speed and spike agreement with a tight-tolerance reference), and 2-process parallel efficiency.

    pytest benchmarks/timings/test_neuron_simulation.py --benchmark-only --benchmark-group-by=group

The numbers land in each benchmark's extra_info; `repbench study speed` prints the same
table and writes results/neuron/simulation_speed_<profile>.csv.
"""

from __future__ import annotations

import pytest

from repbench.benchmarks.neuron.studies import speed


@pytest.mark.benchmark(group="neuron-simulation")
@pytest.mark.parametrize("cell", ["l5pc-nmda", "l5pc-ampa", "if"])
def test_cell_speed(benchmark, cell):
    row = benchmark.pedantic(speed.cell_speed, args=(cell, 6000), rounds=1, iterations=1)
    benchmark.extra_info.update(row)


@pytest.mark.benchmark(group="neuron-integrators")
def test_cvode_vs_fixed_step(benchmark):
    rows = benchmark.pedantic(speed.integrators, rounds=1, iterations=1)
    benchmark.extra_info.update({r["integrator"]: r for r in rows})


@pytest.mark.benchmark(group="neuron-parallel")
def test_parallel_generation(benchmark):
    row = benchmark.pedantic(speed.parallel_efficiency, rounds=1, iterations=1)
    benchmark.extra_info.update(row)
