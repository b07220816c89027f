"""The synapse and channel mechanisms against closed forms, in single compartments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from neuron import h

from repbench.benchmarks.neuron.simulator import mechanisms

h.load_file("stdrun.hoc")


def mg_block(v: float, mg: float = 1.0) -> float:
    return 1.0 / (1.0 + math.exp(-0.08 * v) * mg / 3.57)


def t_peak(tr: float, td: float) -> float:
    return tr * td / (td - tr) * math.log(td / tr)


@pytest.fixture
def compartment():
    """One passive compartment, alone in NEURON: a cell an earlier test built (one per process, kept until the
    next replaces it) would otherwise be simulated too, at this file's 5 us steps (51 s instead of 2)."""
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)
    sec = h.Section(name="probe")
    sec.L = sec.diam = 20.0
    sec.insert("pas")
    yield sec


def clamp_run(sec, syn, hold_mv: float, record: str, t_stop: float = 300.0) -> tuple[np.ndarray, np.ndarray]:
    """Hold `sec` at `hold_mv`, deliver one weight-1 event at 10 ms, record `syn.<record>`."""
    clamp = h.SEClamp(sec(0.5))
    clamp.dur1, clamp.amp1, clamp.rs = 1e9, hold_mv, 1e-3
    nc = h.NetCon(None, syn)
    nc.weight[0] = 1.0
    t = h.Vector().record(h._ref_t)
    x = h.Vector().record(getattr(syn, f"_ref_{record}"))
    h.CVode().active(0)
    h.dt = 0.005
    h.finitialize(hold_mv)
    nc.event(10.0)
    h.continuerun(t_stop)
    return np.array(t), np.array(x)


def test_mechanisms_compile_and_load(mechanisms):
    assert len(mechanisms) == 64  # the sha256 of the loaded set
    for name in ("NaTa_t", "Nap_Et2", "K_Tst", "K_Pst", "SKv3_1", "SK_E2", "Im", "Ih", "Ca_HVA", "Ca_LVAst",
                 "CaDynamics_E2"):
        sec = h.Section(name="probe")
        sec.insert(name)  # raises if the mechanism is unknown
    assert hasattr(h, "AmpaNmda") and hasattr(h, "GabaA")


def test_nmda_current_follows_the_mg_block_closed_form(compartment):
    syn = h.AmpaNmda(compartment(0.5))
    syn.gmax_ampa = 0.0
    peaks = {}
    for v in (-70.0, -40.0, -20.0):
        _, i = clamp_run(compartment, syn, v, "i_nmda")
        peaks[v] = np.abs(i).max()
    for v in (-40.0, -20.0):
        expected = mg_block(v) * abs(v) / (mg_block(-70.0) * 70.0)
        assert peaks[v] / peaks[-70.0] == pytest.approx(expected, rel=1e-3)
    assert peaks[-20.0] > 5 * peaks[-70.0]  # the voltage dependence that makes NMDA spikes possible


@pytest.mark.parametrize(
    ("mech", "params", "record", "tr", "td"),
    [
        ("AmpaNmda", {"gmax_nmda": 0.0}, "g_ampa", 0.3, 3.0),
        ("AmpaNmda", {"gmax_ampa": 0.0, "mg": 0.0}, "g_nmda", 2.0, 70.0),
        ("GabaA", {}, "g", 0.2, 8.0),
    ],
)
def test_conductance_peaks_at_gmax_at_the_closed_form_time(compartment, mech, params, record, tr, td):
    syn = getattr(h, mech)(compartment(0.5))
    for k, val in params.items():
        setattr(syn, k, val)
    gmax = syn.gmax_ampa if record == "g_ampa" else syn.gmax_nmda if record == "g_nmda" else syn.gmax
    later = t_peak(tr, td) + 5 * td  # five decay constants after the peak
    t, g = clamp_run(compartment, syn, -70.0, record, t_stop=later + 20.0)
    k = int(np.argmax(g))
    assert g[k] == pytest.approx(gmax, rel=1e-4)
    assert t[k] - 10.0 == pytest.approx(t_peak(tr, td), abs=0.01)
    expected = (math.exp(-later / td) - math.exp(-later / tr)) / (
        math.exp(-t_peak(tr, td) / td) - math.exp(-t_peak(tr, td) / tr)
    )
    assert np.interp(10.0 + later, t, g) / gmax == pytest.approx(expected, abs=5e-5)
    assert 0.003 < expected < 0.01  # still measurable: the decay constant is td, not a neighbour


def test_synaptic_reversal_potentials(compartment):
    for mech, record, hold, sign in (("AmpaNmda", "i", -70.0, -1), ("GabaA", "i", -60.0, 1)):
        syn = getattr(h, mech)(compartment(0.5))
        _, i = clamp_run(compartment, syn, hold, record, t_stop=40.0)
        peak = i[np.argmax(np.abs(i))]
        assert sign * peak > 0  # AMPA/NMDA inward (E 0 mV), GABA_A outward at -60 (E -80 mV)
        _, i0 = clamp_run(compartment, syn, syn.e, record, t_stop=40.0)
        assert np.abs(i0).max() < 1e-4 * abs(peak)  # no current at the reversal potential


def test_a_broken_mod_file_fails_with_the_compiler_output(tmp_path, monkeypatch):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "Broken.mod").write_text("NEURON { SUFFIX Broken }\nBREAKPOINT { x = = 1 }\n")
    monkeypatch.setattr(mechanisms, "MOD_DIR", mod)
    with pytest.raises(mechanisms.MechanismError, match="nrnivmodl failed"):
        mechanisms.compile_mechanisms(tmp_path / "cache")


def test_the_cache_is_keyed_by_content(tmp_path, monkeypatch):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "a.mod").write_text("NEURON { SUFFIX a }\n")
    monkeypatch.setattr(mechanisms, "MOD_DIR", mod)
    first = mechanisms.mechanisms_hash()
    (mod / "a.mod").write_text("NEURON { SUFFIX a }\n: edited\n")
    assert mechanisms.mechanisms_hash() != first
