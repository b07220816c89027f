"""The `neuron-io` kind: what the neuron tasks hand to methods (trials of sparse input spikes with the cell's
spike and soma targets at 1 ms, split by trial) and what a method must return."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repbench import Kind


@dataclass
class InputSpikes:
    """One trial's input spikes as (input index, 1 ms bin) pairs. Inputs are ordered [excitatory synapses...,
    inhibitory synapses...], one of each per dendritic segment (for the integrate-and-fire control: 80
    excitatory, 20 inhibitory); bin b covers [b, b + 1) ms of the trial."""

    n_inputs: int
    n_bins: int  # trial length in ms
    input_index: np.ndarray  # int32 [n_spikes], 0 .. n_inputs-1
    bin_index: np.ndarray  # int32 [n_spikes], 0 .. n_bins-1

    def dense(self) -> np.ndarray:
        out = np.zeros((self.n_inputs, self.n_bins), dtype=bool)
        out[self.input_index, self.bin_index] = True
        return out

    @classmethod
    def from_dense(cls, spikes: np.ndarray) -> InputSpikes:
        syn, t = np.nonzero(spikes)
        return cls(spikes.shape[0], spikes.shape[1], syn.astype(np.int32), t.astype(np.int32))


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
    """What a task hands to `fit`: the training and validation trials (the test trials stay with the task)."""

    train: NeuronTrials
    val: NeuronTrials  # for model selection only
    n_inputs: int  # synapses: 2 x dendritic segments for the L5PC, 100 for the I&F
    n_excitatory: int  # inputs 0 .. n_excitatory-1 are excitatory, the rest inhibitory
    burn_in_ms: int  # metrics ignore the first burn_in_ms of every trial

    @property
    def spike_rate(self) -> float:
        return float(self.train.spikes.mean())


NEURON_IO = Kind(
    "neuron-io",
    hands=NeuronIOData,
    expects="predict(list[InputSpikes]) -> (spike probability, soma target in mV), each [n_trials, n_bins]",
    requires=("predict",),
    cheap_method="ln",
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
