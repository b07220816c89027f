"""Input spike trains with the statistics of Beniaguev et al. (2021, Neuron 109(17), and the authors' public
code), seeded.

Per dendritic tree, an excitatory rate (spikes per 100 ms for the whole tree) is drawn U[0, ex_max] and held
for U[25, 450] ms at a time; the inhibitory rate of the same piece is U[ex - 600, ex + 200] floored at 0. Both
are smoothed by a Gaussian with sigma U[25, 600] ms, then spread over the tree's segments in proportion to
(segment length + 10 um) with a per-segment jitter U[0.5, 1.5], and drawn as Bernoulli spikes in 1 ms bins.
The rates are the authors' totals per tree, so a tree receives as many input spikes as theirs; on a cell with
fewer dendritic segments (the embedded one has 218, theirs 639) each synapse fires correspondingly faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from repbench.benchmarks.neuron.kind import InputSpikes


@dataclass(frozen=True)
class InputParams:
    ex_max: float = 800.0  # spikes per 100 ms per tree (authors' cell); AMPA-only control ~2000
    inh_low: float = -600.0  # inhibition U[ex + inh_low, ex + inh_high], floored at 0
    inh_high: float = 200.0
    hold_ms: tuple[float, float] = (25.0, 450.0)
    sigma_ms: tuple[float, float] = (25.0, 600.0)
    jitter: tuple[float, float] = (0.5, 1.5)
    length_offset_um: float = 10.0


def piecewise_rates(rng: np.random.Generator, n_bins: int, params: InputParams) -> tuple[np.ndarray, np.ndarray]:
    """Excitatory and inhibitory tree rates (spikes per 100 ms), piecewise constant, before smoothing."""
    ex, inh = np.empty(n_bins), np.empty(n_bins)
    t = 0
    while t < n_bins:
        hold = int(round(rng.uniform(*params.hold_ms)))
        level = rng.uniform(0.0, params.ex_max)
        ex[t : t + hold] = level
        inh[t : t + hold] = max(0.0, rng.uniform(level + params.inh_low, level + params.inh_high))
        t += hold
    return ex, inh


def tree_rates(rng: np.random.Generator, n_bins: int, params: InputParams) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed excitatory and inhibitory rates of one tree, spikes per 100 ms."""
    ex, inh = piecewise_rates(rng, n_bins, params)
    sigma = rng.uniform(*params.sigma_ms)
    return gaussian_filter1d(ex, sigma, mode="nearest"), gaussian_filter1d(inh, sigma, mode="nearest")


def segment_weights(rng: np.random.Generator, lengths_um: np.ndarray, params: InputParams) -> np.ndarray:
    w = (lengths_um + params.length_offset_um) * rng.uniform(*params.jitter, size=len(lengths_um))
    return w / w.sum()


def draw_inputs(
    rng: np.random.Generator, seg_length_um: np.ndarray, tree: np.ndarray, n_bins: int, params: InputParams
) -> InputSpikes:
    """Bernoulli spikes for one trial; `tree` says per segment which tree (0 basal, 1 apical) it belongs to."""
    n = len(seg_length_um)
    prob = np.zeros((2 * n, n_bins))
    for t in np.unique(tree):
        idx = np.flatnonzero(tree == t)
        ex, inh = tree_rates(rng, n_bins, params)
        for offset, rate in ((0, ex), (n, inh)):
            w = segment_weights(rng, seg_length_um[idx], params)
            prob[offset + idx] = w[:, None] * (rate / 100.0)[None, :]  # spikes per 1 ms bin
    spikes = rng.random(prob.shape) < np.clip(prob, 0.0, 1.0)
    return InputSpikes.from_dense(spikes)
