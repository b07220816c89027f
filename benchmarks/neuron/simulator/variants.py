"""The simulated cells the benchmark compares, each with the synapses and input drive of its role.

The L5PC's input sets are the authors' (Beniaguev et al. 2021, their public simulation code): the NMDA cell's,
and the AMPA-only cell's stronger drive with a wider excitation-inhibition gap (inhibition follows excitation,
so an AMPA-only cell needs both to fire at a comparable rate). The cell model (the authors' or the demo cell,
simulator/cell.py) is chosen separately. The I&F rates give ~13 Hz per excitatory input (the authors' ~12 Hz)
and ~3-4 Hz output.
"""

from __future__ import annotations

from dataclasses import dataclass

from repbench.benchmarks.neuron.simulator.cell import SynapseParams
from repbench.benchmarks.neuron.simulator.inputs import InputParams
from repbench.benchmarks.neuron.simulator.integrate_fire import IFParams
from repbench.plugins.params import did_you_mean


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
            "L5 pyramidal cell, AMPA + NMDA excitation, GABA_A inhibition",
            InputParams(ex_max=800.0, inh_low=-600.0, inh_high=200.0),  # the authors' NMDA set
            synapses=SynapseParams(),
        ),
        Variant(
            "l5pc-ampa",
            "the same cell with AMPA-only excitation and the authors' stronger AMPA-only drive",
            # the authors' AMPA-only set: excitation up to 1,900 (basal) / 2,000 (apical), inhibition
            # ex + U[-1650, 150]
            InputParams(ex_max=1900.0, ex_max_apical=2000.0, inh_low=-1650.0, inh_high=150.0, floor_first=False),
            synapses=SynapseParams(g_nmda_ns=0.0),
        ),
        Variant(
            "if",
            "leaky integrate-and-fire control: 80 excitatory + 20 inhibitory inputs, weights +-1 mV",
            InputParams(ex_max=200.0, inh_low=-100.0, inh_high=25.0, recipe="pieces"),
            integrate_fire=IFParams(),
        ),
    )
}


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise KeyError(f"unknown cell {name!r}.{did_you_mean(name, list(VARIANTS))} Known: {', '.join(VARIANTS)}")
    return VARIANTS[name]
