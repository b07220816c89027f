"""The simulated cells the benchmark compares, each with the synapses and input drive of its role.

Input rates are the authors' (Beniaguev et al. 2021, their public simulation code). On the embedded morphology
they give the NMDA cell ~2 Hz output; the AMPA-only cell needs a stronger drive (the authors used excitation
up to ~2,000) and a wider excitation-inhibition gap to fire at a comparable rate, since inhibition follows
excitation. The I&F rates give ~13 Hz per excitatory input (the authors' ~12 Hz) and ~3-4 Hz output.
"""

from __future__ import annotations

from dataclasses import dataclass

from repbench.benchmarks.neuron.simulator.cell import SynapseParams
from repbench.benchmarks.neuron.simulator.inputs import InputParams
from repbench.benchmarks.neuron.simulator.integrate_fire import IFParams
from repbench.params import did_you_mean


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    inputs: InputParams
    synapses: SynapseParams | None = None  # None: not a compartmental cell
    integrate_fire: IFParams | None = None

    @property
    def is_compartmental(self) -> bool:
        return self.synapses is not None


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            "l5pc-nmda",
            "L5 pyramidal cell, Hay 2011 channels, AMPA + NMDA excitation, GABA_A inhibition",
            InputParams(ex_max=800.0, inh_low=-600.0, inh_high=200.0),
            synapses=SynapseParams(),
        ),
        Variant(
            "l5pc-ampa",
            "the same cell with AMPA-only excitation and a stronger drive",
            InputParams(ex_max=2000.0, inh_low=-1500.0, inh_high=300.0),
            synapses=SynapseParams(g_nmda_ns=0.0),
        ),
        Variant(
            "if",
            "leaky integrate-and-fire control: 80 excitatory + 20 inhibitory inputs, weights +-1 mV",
            InputParams(ex_max=200.0, inh_low=-100.0, inh_high=25.0),
            integrate_fire=IFParams(),
        ),
    )
}


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise KeyError(f"unknown cell {name!r}.{did_you_mean(name, list(VARIANTS))} Known: {', '.join(VARIANTS)}")
    return VARIANTS[name]
