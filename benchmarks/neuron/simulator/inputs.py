"""Input spike trains with the statistics of Beniaguev et al. (2021, Neuron 109(17), and the authors' public
code), seeded.

The authors' recipe (`recipe="authors"`, the default): per simulation ONE hold period, drawn from their list
(25 ... 450 ms) plus U[-20, 20] ms, and ONE smoothing width sigma from their list (25 ... 600 ms) plus
U[-20, 20] ms. For every period and tree, excitation is U[0, ex_max] spikes per 100 ms (for the whole tree;
AMPA-only: 1,900 basal, 2,000 apical), and inhibition is U[max(0, ex + inh_low), ex + inh_high] (NMDA: -600,
+200). The AMPA-only set draws inhibition as ex + U[inh_low, inh_high] (-1,650, +150), floored at 0.
The rates are smoothed by a Gaussian of width sigma and spread over the tree's segments in proportion to
(segment length + 10 um) x U[0.5, 1.5]. Each synapse's per-bin probability is drawn Exponential(mean = its
rate), and it spikes where U(0, 1) < that probability.

`recipe="pieces"` is the suite's first generator, which drew a hold period and a sigma per piece; it still
drives the integrate-and-fire control. The rates are the authors' totals per tree, so a tree receives as many
input spikes as theirs. On a cell with fewer dendritic segments (the demo cell has 294, theirs 639) each
synapse fires correspondingly faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from repbench.benchmarks.neuron.kind import InputSpikes

HOLD_CHOICES_MS = (25, 30, 35, 40, 45, 55, 60, 65, 70, 75, 80, 85, 90, 100, 150, 200, 300, 450)
SIGMA_CHOICES_MS = (25, 30, 35, 40, 50, 60, 80, 100, 150, 200, 300, 400, 500, 600)
RECIPES = ("authors", "pieces")


@dataclass(frozen=True)
class InputParams:
    ex_max: float = 800.0  # spikes per 100 ms per tree (the basal tree's, where ex_max_apical is set)
    inh_low: float = -600.0  # inhibition U[ex + inh_low, ex + inh_high], floored at 0
    inh_high: float = 200.0
    recipe: str = "authors"
    ex_max_apical: float | None = None  # the AMPA-only set's apical range; None: ex_max
    floor_first: bool = True  # NMDA: U[max(0, ex + inh_low), ex + inh_high]; AMPA-only: max(0, ex + U[...])
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


def authors_tree_rates(rng: np.random.Generator, n_bins: int, hold: int, sigma: float, ex_max: float,
                       params: InputParams) -> tuple[np.ndarray, np.ndarray]:
    """One tree's smoothed excitatory and inhibitory rates (spikes per 100 ms) for the simulation's hold period
    and sigma: a level per period, inhibition tied to it."""
    n = -(-n_bins // hold)
    ex = rng.uniform(0.0, ex_max, n)
    if params.floor_first:
        inh = rng.uniform(np.maximum(0.0, ex + params.inh_low), ex + params.inh_high)
    else:
        inh = np.maximum(0.0, ex + rng.uniform(params.inh_low, params.inh_high, n))
    ex, inh = np.repeat(ex, hold)[:n_bins], np.repeat(inh, hold)[:n_bins]
    return gaussian_filter1d(ex, sigma, mode="nearest"), gaussian_filter1d(inh, sigma, mode="nearest")


def draw_inputs(
    rng: np.random.Generator, seg_length_um: np.ndarray, tree: np.ndarray, n_bins: int, params: InputParams
) -> InputSpikes:
    """Spikes for one trial; `tree` says per segment which tree (0 basal, 1 apical) it belongs to."""
    if params.recipe not in RECIPES:
        raise ValueError(f"unknown input recipe {params.recipe!r}; use one of {RECIPES}")
    if params.recipe == "authors":
        return _draw_authors(rng, seg_length_um, tree, n_bins, params)
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


def _draw_authors(rng: np.random.Generator, seg_length_um: np.ndarray, tree: np.ndarray, n_bins: int,
                  params: InputParams) -> InputSpikes:
    hold = max(1, int(round(rng.choice(HOLD_CHOICES_MS) + rng.uniform(-20, 20))))
    sigma = max(1.0, float(rng.choice(SIGMA_CHOICES_MS) + rng.uniform(-20, 20)))
    n = len(seg_length_um)
    rate = np.zeros((2 * n, n_bins))
    for t in np.unique(tree):
        idx = np.flatnonzero(tree == t)
        ex_max = params.ex_max_apical if (t == 1 and params.ex_max_apical is not None) else params.ex_max
        ex, inh = authors_tree_rates(rng, n_bins, hold, sigma, ex_max, params)
        for offset, tree_rate in ((0, ex), (n, inh)):
            w = segment_weights(rng, seg_length_um[idx], params)
            rate[offset + idx] = w[:, None] * (tree_rate / 100.0)[None, :]  # spikes per 1 ms bin
    probability = rng.exponential(1.0, rate.shape) * rate  # Exponential(mean = rate), per synapse and bin
    return InputSpikes.from_dense(rng.random(rate.shape) < probability)

