"""The integrate-and-fire control of Beniaguev et al. 2021: 80 excitatory and 20 inhibitory inputs with
weights +-1 mV, tau 20 ms, threshold -55 mV, reset -75 mV (Neuron 109(17), 2021, and the authors' public code).

Inputs arrive at whole milliseconds, so the leaky membrane is solved exactly bin by bin: V decays by
exp(-1/tau) between bins, jumps by the summed weights of the bin's inputs, and spikes (then resets) when it
reaches threshold; no ODE integrator is involved. The resting potential is not given by the authors: -70 mV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from repbench.benchmarks.neuron.kind import InputSpikes
from repbench.benchmarks.neuron.simulator.inputs import InputParams, segment_weights, tree_rates
from repbench.benchmarks.neuron.simulator.result import TrialResult


@dataclass(frozen=True)
class IFParams:
    n_exc: int = 80
    n_inh: int = 20
    w_exc_mv: float = 1.0
    w_inh_mv: float = -1.0
    tau_ms: float = 20.0
    v_rest_mv: float = -70.0
    v_reset_mv: float = -75.0
    v_threshold_mv: float = -55.0


def draw_if_inputs(rng: np.random.Generator, n_bins: int, cell: IFParams, params: InputParams) -> InputSpikes:
    """One 'tree' of inputs: the rates (spikes per 100 ms over all excitatory / all inhibitory inputs) follow
    the L5PC's statistics; inputs have equal nominal length, so the spread is the jitter alone."""
    ex, inh = tree_rates(rng, n_bins, params)
    prob = np.concatenate(
        [
            segment_weights(rng, np.zeros(cell.n_exc), params)[:, None] * ex[None, :] / 100.0,
            segment_weights(rng, np.zeros(cell.n_inh), params)[:, None] * inh[None, :] / 100.0,
        ]
    )
    return InputSpikes.from_dense(rng.random(prob.shape) < np.clip(prob, 0.0, 1.0))


def simulate_if(spikes: InputSpikes, cell: IFParams) -> TrialResult:
    """soma_v[b] is V just before the inputs of bin b arrive; a spike at bin b has time b (exact)."""
    if spikes.n_inputs != cell.n_exc + cell.n_inh:
        raise ValueError(f"{spikes.n_inputs} inputs given, the I&F cell has {cell.n_exc + cell.n_inh}")
    weights = np.where(spikes.input_index < cell.n_exc, cell.w_exc_mv, cell.w_inh_mv)
    drive = np.bincount(spikes.bin_index, weights=weights, minlength=spikes.n_bins).tolist()
    decay = math.exp(-1.0 / cell.tau_ms)
    rest, v = cell.v_rest_mv, cell.v_rest_mv
    soma_v = np.empty(spikes.n_bins, dtype=np.float32)
    out: list[float] = []
    for b, d in enumerate(drive):  # scalar recursion: 6,000 bins take ~2 ms
        if b:
            v = rest + (v - rest) * decay
        soma_v[b] = v
        v += d
        if v >= cell.v_threshold_mv:
            out.append(float(b))
            v = cell.v_reset_mv
    return TrialResult(soma_v, np.array(out, dtype=np.float64), np.zeros((0, spikes.n_bins), dtype=np.float32))
