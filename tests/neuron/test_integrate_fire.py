"""The I&F control against hand-computed values of the leaky membrane."""

from __future__ import annotations

import math

import numpy as np
import pytest

from repbench.benchmarks.neuron.kind import InputSpikes
from repbench.benchmarks.neuron.simulator.inputs import InputParams
from repbench.benchmarks.neuron.simulator.integrate_fire import IFParams, draw_if_inputs, simulate_if

CELL = IFParams()  # rest -70, threshold -55, reset -75, tau 20, weights +-1 mV


def inputs(events: list[tuple[int, int]], n_bins: int = 100) -> InputSpikes:
    """(input index, bin) pairs; inputs 0-79 excitatory, 80-99 inhibitory."""
    idx, b = zip(*events, strict=True)
    return InputSpikes(100, n_bins, np.array(idx, np.int32), np.array(b, np.int32))


def test_one_input_decays_exponentially():
    r = simulate_if(inputs([(0, 10)]), CELL)
    assert r.soma_v[10] == -70.0  # sampled before the bin's inputs arrive
    for k in (1, 5, 20, 40):
        assert r.soma_v[10 + k] == pytest.approx(-70.0 + math.exp(-k / 20.0), abs=1e-6)
    assert len(r.spike_times) == 0


def test_inhibition_hyperpolarises():
    r = simulate_if(inputs([(85, 3), (90, 3)]), CELL)
    assert r.soma_v[4] == pytest.approx(-70.0 - 2 * math.exp(-1 / 20), abs=1e-6)


def test_fifteen_coincident_inputs_fire_and_reset():
    r = simulate_if(inputs([(i, 30) for i in range(15)]), CELL)  # -70 + 15 = -55 = threshold
    assert r.spike_times.tolist() == [30.0]
    assert r.soma_v[31] == pytest.approx(-70.0 - 5 * math.exp(-1 / 20), abs=1e-6)  # from reset at -75
    r = simulate_if(inputs([(i, 30) for i in range(14)]), CELL)
    assert len(r.spike_times) == 0


def test_temporal_summation_reaches_threshold_only_within_the_time_constant():
    # 8 inputs at t=0 and 8 at t=k: V(k) = -70 + 8 e^{-k/20} + 8 >= -55 iff e^{-k/20} >= 7/8, i.e. k <= 2.67
    for k, fires in ((1, True), (2, True), (3, False), (10, False)):
        r = simulate_if(inputs([(i, 0) for i in range(8)] + [(i, k) for i in range(8, 16)]), CELL)
        assert (len(r.spike_times) == 1) is fires, k


def test_drawn_inputs_have_the_cells_shape_and_are_seeded():
    a = draw_if_inputs(np.random.default_rng(1), 2000, CELL, InputParams(ex_max=200, inh_low=-100, inh_high=25))
    b = draw_if_inputs(np.random.default_rng(1), 2000, CELL, InputParams(ex_max=200, inh_low=-100, inh_high=25))
    assert a.n_inputs == 100 and np.array_equal(a.input_index, b.input_index)
    assert np.array_equal(a.bin_index, b.bin_index)
