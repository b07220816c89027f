"""What the neuron tasks hand to methods: trials of sparse input spikes with the cell's spike and soma
targets at 1 ms, split by trial; and the kind that says what a method must return."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repbench import Kind
from repbench.benchmarks.neuron.inputs import InputSpikes

SOMA_CLIP_MV = -55.0  # the authors clip the soma voltage here (spikes removed) ...
SOMA_OFFSET_MV = -67.7  # ... and subtract this offset


@dataclass
class NeuronTrials:
    """One split: per trial the input spikes, a 0/1 output spike per 1 ms bin, and the soma target in mV
    (clipped at -55 mV, minus -67.7 mV, as the authors train it)."""

    inputs: list[InputSpikes]
    spikes: np.ndarray  # float32 [n_trials, n_bins]
    soma: np.ndarray  # float32 [n_trials, n_bins]

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def n_bins(self) -> int:
        return self.spikes.shape[1]


@dataclass
class NeuronIOData:
    train: NeuronTrials
    val: NeuronTrials
    n_inputs: int
    burn_in_ms: int  # metrics ignore the first burn_in_ms of every trial

    @property
    def spike_rate(self) -> float:
        return float(self.train.spikes.mean())


NEURON_IO = Kind(
    "neuron-io",
    hands=NeuronIOData,
    expects="predict(list[InputSpikes]) -> (spike probability, soma target in mV), each [n_trials, n_bins]",
)


def spike_target(spike_times: np.ndarray, n_bins: int) -> np.ndarray:
    out = np.zeros(n_bins, dtype=np.float32)
    bins = np.floor(spike_times).astype(np.int64)
    out[bins[(bins >= 0) & (bins < n_bins)]] = 1.0
    return out


def soma_target(soma_v: np.ndarray) -> np.ndarray:
    return (np.minimum(soma_v, SOMA_CLIP_MV) - SOMA_OFFSET_MV).astype(np.float32)


def to_trials(trials: list) -> NeuronTrials:
    """dataset.Trial objects -> NeuronTrials."""
    n_bins = trials[0].inputs.n_bins
    return NeuronTrials(
        [t.inputs for t in trials],
        np.stack([spike_target(t.spike_times, n_bins) for t in trials]),
        np.stack([soma_target(t.soma_v) for t in trials]),
    )
