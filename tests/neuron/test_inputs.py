"""Input statistics: piecewise-constant rates, inhibition tied to excitation, spread by segment length."""

from __future__ import annotations

import numpy as np
import pytest

from repbench.benchmarks.neuron.simulator.inputs import InputParams, draw_inputs, piecewise_rates, segment_weights


def test_rates_are_held_for_25_to_450_ms_and_inhibition_follows_excitation():
    ex, inh = piecewise_rates(np.random.default_rng(0), 60_000, InputParams(recipe="pieces"))
    changes = np.flatnonzero(np.diff(ex)) + 1
    holds = np.diff(np.concatenate([[0], changes]))
    assert holds.min() >= 25 and holds.max() <= 450
    assert ex.min() >= 0 and ex.max() <= 800
    diff = inh - ex
    assert np.all(diff <= 200 + 1e-9) and np.all((diff >= -600 - 1e-9) | (inh == 0.0))
    assert np.corrcoef(ex, inh)[0, 1] > 0.5  # ~0.7 before the floor at 0: inhibition follows excitation


def test_spikes_spread_in_proportion_to_segment_length_plus_10um():
    params = InputParams(ex_max=20.0, inh_low=0.0, inh_high=10.0, jitter=(1.0, 1.0), recipe="pieces")  # p per bin << 1
    lengths = np.array([10.0, 90.0])  # weights 20 : 100
    assert segment_weights(np.random.default_rng(0), lengths, params) == pytest.approx([1 / 6, 5 / 6])
    spikes = draw_inputs(np.random.default_rng(0), lengths, np.array([0, 0]), 200_000, params)
    counts = np.bincount(spikes.input_index, minlength=4)
    assert counts[1] / counts[0] == pytest.approx(5.0, rel=0.05)  # excitatory
    assert counts[3] / counts[2] == pytest.approx(5.0, rel=0.1)  # inhibitory


def test_mean_tree_rate_matches_the_authors_range():
    """U[0, 800] spikes per 100 ms per tree -> 4,000 excitatory spikes per second per tree on average."""
    lengths, tree = np.full(50, 20.0), np.repeat([0, 1], 25)
    totals = []
    for seed in range(20):
        spikes = draw_inputs(np.random.default_rng(seed), lengths, tree, 6000, InputParams())
        totals.append(np.count_nonzero(spikes.input_index < 50) / 2 / 6)  # per tree per second
    assert np.mean(totals) == pytest.approx(4000, rel=0.15)


def test_inputs_are_seeded():
    lengths, tree = np.array([5.0, 30.0, 12.0]), np.array([0, 1, 1])
    a = draw_inputs(np.random.default_rng(3), lengths, tree, 500, InputParams())
    b = draw_inputs(np.random.default_rng(3), lengths, tree, 500, InputParams())
    c = draw_inputs(np.random.default_rng(4), lengths, tree, 500, InputParams())
    assert np.array_equal(a.dense(), b.dense()) and not np.array_equal(a.dense(), c.dense())


def test_the_authors_recipe_gives_their_per_synapse_rates_on_their_cell():
    """On the authors' 262 basal and 377 apical segments, U[0, 800] spikes per 100 ms per tree gives ~15.3 Hz per
    basal and ~10.6 Hz per apical excitatory synapse (the rates expected from their generator)."""
    rng = np.random.default_rng(0)
    lengths = rng.uniform(5.0, 40.0, 639)
    tree = np.repeat([0, 1], [262, 377])
    rates = []
    for seed in range(12):
        spikes = draw_inputs(np.random.default_rng(seed), lengths, tree, 6000, InputParams())
        counts = np.bincount(spikes.input_index, minlength=2 * 639) / 6.0  # Hz
        rates.append((counts[:262].mean(), counts[262:639].mean()))
    basal, apical = np.mean(rates, axis=0)
    assert basal == pytest.approx(15.3, rel=0.2) and apical == pytest.approx(10.6, rel=0.2)


def test_the_authors_recipe_holds_one_period_and_one_width_per_simulation():
    from repbench.benchmarks.neuron.simulator.inputs import authors_tree_rates

    params = InputParams()
    ex, inh = authors_tree_rates(np.random.default_rng(1), 3000, hold=100, sigma=1e-9, ex_max=800.0, params=params)
    assert len(np.unique(np.round(ex[:100], 9))) == 1 and len(np.unique(np.round(ex, 6))) == 30  # 30 periods
    assert np.all(inh <= ex + 200 + 1e-6) and np.all(inh >= np.maximum(0, ex - 600) - 1e-6)
    ampa = InputParams(ex_max=1900.0, ex_max_apical=2000.0, inh_low=-1650.0, inh_high=150.0, floor_first=False)
    ex, inh = authors_tree_rates(np.random.default_rng(2), 60_000, 100, 1e-9, 1900.0, ampa)
    assert ex.max() <= 1900 and np.all(inh >= 0) and np.mean(inh == 0) > 0.3  # often floored: ex - 1650 < 0
