"""The layer-5 pyramidal cell on a loaded morphology, one excitatory and one inhibitory synapse per dendritic
segment. Two cell models:

- `authors` (the default of the standard and paper profiles): what Beniaguev et al. (2021, Neuron 109(17))
  simulated. Hay et al. 2011's reconstruction `cell1.asc` (PLoS Comput Biol 7(7):e1002107, ModelDB 139653),
  the template's segment rule nseg = 1 + 2 int(L / 40 um) (639 dendritic segments), and the biophysics of Shai
  et al. 2015 (PLoS Comput Biol 11(3):e1004090, ModelDB 180373, `L5PCbiophys5`) with Beniaguev's change "5b":
  the apical Ih grows exponentially up to 0.65 of the longest apical path and stays constant beyond.
- `demo` (the quick profile): NEURON's embedded demo pyramidal cell (or any --morphology), segments by the
  d_lambda rule, and the channel set this suite used first: Hay 2011's channels with somatic, axonal and apical
  densities from several of Hay's fits (not one published parameter set), the Ca2+ hot zone placed at the
  same fraction of the apical path as in Hay's cell. Kept because it is small and fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from neuron import h

from repbench.benchmarks.neuron.simulator.mechanisms import load_mechanisms
from repbench.benchmarks.neuron.simulator.morphology import (
    AIS_DIAM_UM,
    Morphology,
    authors_segments,
    load_morphology,
    path_distance,
    set_segments,
)

CELSIUS = 34.0
MODELS = ("authors", "demo")

# Shai et al. 2015 L5PCbiophys5, in S/cm2 (Beniaguev et al.'s variant 5b: apical Ih capped at 0.65)
SHAI_AXON = {
    "Ih": 5e-5, "Im": 0.013322, "Ca_LVAst": 0.000813, "Ca_HVA": 0.000222, "SKv3_1": 0.473799, "SK_E2": 0.000047,
    "K_Tst": 0.077274, "K_Pst": 0.188851, "Nap_Et2": 0.005834, "NaTa_t": 3.89618,
}
SHAI_SOMA = {
    "Ih": 7.5e-5, "Im": 0.000008, "Ca_LVAst": 0.000557, "Ca_HVA": 0.000644, "SK_E2": 0.09965, "SKv3_1": 0.338029,
    "NaTs2_t": 0.998912,
}
SHAI_APICAL = {"SK_E2": 0.000002, "Ca_HVA": 0.000701, "SKv3_1": 0.001808, "NaTs2_t": 0.021489, "Im": 0.00099}
SHAI_CA_DYNAMICS = {"axon": (0.000525, 277.300774), "soma": (0.000509, 294.679571), "apical": (0.000637, 35.725651)}
SHAI_G_PAS = {"soma": 3e-5, "axon": 3e-5, "basal": 6e-5, "apical": 6e-5}
SHAI_IH_CAP = 0.65  # Beniaguev's 5b: x = path distance / longest apical path, capped here
SHAI_HOT_ZONE_UM = (685.0, 885.0)  # Ca_LVAst x 1 inside, x 0.01 outside (path distance from the soma)
SHAI_CA_LVAST_APICAL = 0.141954 * 1.6

SOMA = {
    "NaTa_t": 2.04, "Nap_Et2": 0.00172, "K_Tst": 0.0812, "K_Pst": 0.00223, "SKv3_1": 0.693, "SK_E2": 0.0441,
    "Ca_HVA": 0.000992, "Ca_LVAst": 0.00343, "Ih": 0.0002,
}
AXON = {
    "NaTa_t": 3.137, "Nap_Et2": 0.00683, "K_Tst": 0.089, "K_Pst": 0.973, "SKv3_1": 1.89, "SK_E2": 0.0071,
    "Ca_HVA": 0.00099, "Ca_LVAst": 0.0087,
}
APICAL = {"NaTa_t": 0.0213, "SKv3_1": 0.000261, "SK_E2": 0.0012, "Im": 0.0000675}
CA_DYNAMICS = {"soma": (0.000501, 460.0), "axon": (0.0029, 287.2), "apical": (0.000509, 122.0)}  # gamma, decay
G_PAS = {"soma": 0.0000338, "axon": 0.0000325, "basal": 0.0000467, "apical": 0.0000589}
HOT_ZONE = (685.0 / 1300.0, 885.0 / 1300.0)  # fraction of the longest apical path distance
HOT_ZONE_GBAR = {"Ca_LVAst": (0.0187, 0.01), "Ca_HVA": (0.000555, 0.1)}  # peak, factor outside the zone


@dataclass(frozen=True)
class SynapseParams:
    """Peak conductances in nS; NMDA 0 gives the AMPA-only synapse."""

    g_ampa_ns: float = 0.4
    g_nmda_ns: float = 0.4
    g_gaba_ns: float = 1.0
    mg_mM: float = 1.0


@dataclass
class L5PCell:
    """The built cell: its morphology, segments with synapses, and recording sites."""

    morph: Morphology
    segments: list  # dendritic segments, basal first, then apical (the synapse order)
    tree: np.ndarray  # 0 = basal, 1 = apical, per segment
    seg_length_um: np.ndarray
    excitatory: list = field(default_factory=list)
    inhibitory: list = field(default_factory=list)
    synapse_params: SynapseParams | None = None

    @property
    def n_segments(self) -> int:
        return len(self.segments)

    @property
    def soma(self):
        return self.morph.soma[0](0.5)

    def set_synapses(self, params: SynapseParams) -> None:
        for syn in self.excitatory:
            syn.gmax_ampa, syn.gmax_nmda, syn.mg = params.g_ampa_ns * 1e-3, params.g_nmda_ns * 1e-3, params.mg_mM
        for syn in self.inhibitory:
            syn.gmax = params.g_gaba_ns * 1e-3
        self.synapse_params = params

    def distal_sites(self, per_tree: int = 4) -> list[int]:
        """Indices of the `per_tree` segments farthest from the soma in each tree, for dendritic recordings."""
        dist = np.array([path_distance(self.morph.soma[0], seg) for seg in self.segments])
        sites: list[int] = []
        for t in (0, 1):
            idx = np.flatnonzero(self.tree == t)
            # spread over distinct sections: the farthest segment of the farthest sections
            by_section: dict[str, int] = {}
            for i in idx[np.argsort(-dist[idx], kind="stable")]:
                by_section.setdefault(self.segments[i].sec.name(), int(i))
            sites += list(by_section.values())[:per_tree]
        return sites


def _insert(sec, densities: dict[str, float]) -> None:
    for mech, gbar in densities.items():
        sec.insert(mech)
        for seg in sec:
            setattr(seg, f"gbar_{mech}", gbar)


def _ca_dynamics(sec, gamma: float, decay: float) -> None:
    sec.insert("CaDynamics_E2")
    for seg in sec:
        seg.gamma_CaDynamics_E2, seg.decay_CaDynamics_E2 = gamma, decay


def _biophysics_authors(morph: Morphology) -> None:
    """Shai et al. 2015 `L5PCbiophys5`, variant 5b (module docstring)."""
    h.celsius = CELSIUS
    for region in ("soma", "axon", "basal", "apical"):
        for sec in getattr(morph, region):
            sec.Ra, sec.cm = 100.0, (2.0 if region in ("basal", "apical") else 1.0)
            sec.insert("pas")
            for seg in sec:
                seg.g_pas, seg.e_pas = SHAI_G_PAS[region], -90.0
    for region, densities in (("soma", SHAI_SOMA), ("axon", SHAI_AXON)):
        for sec in getattr(morph, region):
            _insert(sec, densities)
            _ca_dynamics(sec, *SHAI_CA_DYNAMICS[region])
    for sec in morph.basal:
        _insert(sec, {"Ih": 5e-5})
    soma = morph.soma[0]
    longest = max(path_distance(soma, sec(1.0)) for sec in morph.apical)
    for sec in morph.apical:
        _insert(sec, {**SHAI_APICAL, "Ih": 0.0, "Ca_LVAst": 0.0})
        _ca_dynamics(sec, *SHAI_CA_DYNAMICS["apical"])
        for seg in sec:
            d = path_distance(soma, seg)
            x = min(d / longest, SHAI_IH_CAP)
            seg.gbar_Ih = 1e-4 * (-0.8696 + 2.0870 * math.exp(3.6161 * x))
            inside = SHAI_HOT_ZONE_UM[0] < d < SHAI_HOT_ZONE_UM[1]
            seg.gbar_Ca_LVAst = SHAI_CA_LVAST_APICAL * (1.0 if inside else 0.01)
    _reversal_potentials(morph)


def _reversal_potentials(morph: Morphology) -> None:
    for sec in morph.all:
        if h.ismembrane("k_ion", sec=sec):
            sec.ek = -85.0
        if h.ismembrane("na_ion", sec=sec):
            sec.ena = 50.0


def _biophysics_demo(morph: Morphology) -> None:
    """The suite's first channel set (module docstring), for the demo cell."""
    h.celsius = CELSIUS
    for region in ("soma", "axon", "basal", "apical"):
        for sec in getattr(morph, region):
            sec.Ra, sec.cm = 100.0, (2.0 if region in ("basal", "apical") else 1.0)  # cm 2: spine area
            sec.insert("pas")
            for seg in sec:
                seg.g_pas, seg.e_pas = G_PAS[region], -90.0
    for sec in morph.soma:
        _insert(sec, SOMA)
        _ca_dynamics(sec, *CA_DYNAMICS["soma"])
    for sec in morph.axon:
        _insert(sec, AXON)
        _ca_dynamics(sec, *CA_DYNAMICS["axon"])
    for sec in morph.basal:
        _insert(sec, {"Ih": 0.0002})
    soma = morph.soma[0]
    max_dist = max(path_distance(soma, sec(1.0)) for sec in morph.apical)
    lo, hi = HOT_ZONE[0] * max_dist, HOT_ZONE[1] * max_dist
    for sec in morph.apical:
        _insert(sec, {**APICAL, "Ih": 0.0, "Ca_LVAst": 0.0, "Ca_HVA": 0.0})
        _ca_dynamics(sec, *CA_DYNAMICS["apical"])
        for seg in sec:
            x = path_distance(soma, seg)
            seg.gbar_Ih = 0.0002 * (-0.8696 + 2.087 * math.exp(3.6161 * x / max_dist))  # Hay's exponential Ih
            for mech, (peak, outside) in HOT_ZONE_GBAR.items():
                setattr(seg, f"gbar_{mech}", peak if lo < x < hi else peak * outside)
    _reversal_potentials(morph)


def _alive(cell: L5PCell) -> bool:
    """False once another morphology was loaded in this process (loading deletes every section)."""
    try:
        return cell.morph.soma[0].L > 0
    except ReferenceError:
        return False


_CELL: tuple[tuple, L5PCell] | None = None  # one cell per process (NEURON sections are global)


def build_cell(morphology: str | Path | None = None, max_segment_um: float = 40.0, model: str = "demo") -> L5PCell:
    """The L5PC of `model` on `morphology` (the embedded pyramid.nrn if None), reused while the arguments are the
    same. `authors`: Shai 2015 5b biophysics and the template's segment rule (Hay's cell1.asc is the authors'
    morphology: the caller passes it); `demo`: the first channel set and the d_lambda rule (`max_segment_um`)."""
    global _CELL
    if model not in MODELS:
        raise ValueError(f"unknown cell model {model!r}; use one of {', '.join(MODELS)}")
    key = (str(morphology or ""), max_segment_um, model)
    if _CELL is not None and _CELL[0] == key and _alive(_CELL[1]):
        return _CELL[1]
    load_mechanisms()
    _CELL = None
    morph = load_morphology(morphology, axon_diam_um=AIS_DIAM_UM if model == "authors" else None)
    if model == "authors":
        _biophysics_authors(morph)
        authors_segments(morph)
    else:
        _biophysics_demo(morph)
        set_segments(morph, max_length_um=max_segment_um)
    segments, tree = [], []
    for t, sections in enumerate((morph.basal, morph.apical)):
        for sec in sections:
            for seg in sec:
                segments.append(seg)
                tree.append(t)
    cell = L5PCell(morph, segments, np.array(tree), np.array([seg.sec.L / seg.sec.nseg for seg in segments]))
    cell.excitatory = [h.AmpaNmda(seg) for seg in segments]
    cell.inhibitory = [h.GabaA(seg) for seg in segments]
    cell.set_synapses(SynapseParams())
    _CELL = (key, cell)
    return cell
