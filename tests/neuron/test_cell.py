"""The L5PC: morphology sources and classification, the NMDA/AMPA variants, a 1 s simulation."""

from __future__ import annotations

import numpy as np
import pytest
from neuron import h

from repbench.benchmarks.neuron.kind import InputSpikes
from repbench.benchmarks.neuron.simulator.cell import SynapseParams, build_cell
from repbench.benchmarks.neuron.simulator.inputs import InputParams, draw_inputs
from repbench.benchmarks.neuron.simulator.morphology import MorphologyError, load_morphology
from repbench.benchmarks.neuron.simulator.run import simulate_trial
from repbench.benchmarks.neuron.simulator.variants import VARIANTS
from tests.neuron.morphology_files import export_asc, small_pyramid, small_swc


@pytest.fixture
def cell():
    return build_cell()  # cached per process; rebuilt after a test loaded another morphology


def test_embedded_morphology_is_classified(cell):
    morph = cell.morph
    lengths = morph.region_lengths()
    # NEURON's demo pyramid: 8 primary dendrites; dendrite_1 (2.6 mm, reaching ~900 um up) is the apical tree
    assert all(s.name().startswith("dendrite_1[") for s in morph.apical)
    assert len(morph.apical) == 31 and len(morph.basal) == 79 - 1 - 31
    assert lengths["apical"] == pytest.approx(2594, abs=1) and lengths["basal"] + lengths["apical"] > 5300
    assert [s.L for s in morph.axon] == [30.0, 30.0] and morph.axon[0].parentseg().sec == morph.soma[0]
    for sec in morph.all:
        assert sec.nseg % 2 == 1 and sec.L / sec.nseg <= 40.0 + 1e-9
    assert cell.n_segments == len(cell.excitatory) == len(cell.inhibitory) == len(cell.tree) == 294  # README
    assert list(cell.tree) == sorted(cell.tree)  # basal synapses first, then apical


def test_hay_channels_by_region(cell):
    soma, ais = cell.morph.soma[0](0.5), cell.morph.axon[0](0.5)
    assert soma.gbar_NaTa_t == 2.04 and ais.gbar_NaTa_t == 3.137
    apical = sorted(((h.distance(cell.soma, seg), seg) for sec in cell.morph.apical for seg in sec),
                    key=lambda p: p[0])
    ih = [seg.gbar_Ih for _, seg in apical]
    assert ih[-1] > 20 * ih[0]  # Hay's exponential rise of Ih along the apical tree
    lva = np.array([seg.gbar_Ca_LVAst for _, seg in apical])
    assert set(np.round(lva / 0.0187, 6)) == {1.0, 0.01}  # the Ca2+ hot zone has 100x the LVA density
    assert not h.ismembrane("NaTa_t", sec=cell.morph.basal[0])


@pytest.mark.parametrize("maker", [small_pyramid, small_swc], ids=["asc", "swc"])
def test_user_morphologies_load_through_import3d(tmp_path, maker):
    morph = load_morphology(maker(tmp_path / ("cell.asc" if maker is small_pyramid else "cell.swc")))
    lengths = morph.region_lengths()
    assert lengths["apical"] == pytest.approx(590 + 2 * 250, rel=0.03)
    assert lengths["basal"] == pytest.approx(3 * 190, rel=0.05)
    assert len(morph.axon) == 2 and lengths["axon"] == 60.0  # the reconstructed axon replaced by the AIS


def test_an_unlabelled_apical_tree_is_found_by_length(tmp_path):
    morph = load_morphology(small_pyramid(tmp_path / "cell.asc", apical_label="Dendrite"))
    assert morph.region_lengths()["apical"] == pytest.approx(1090, rel=0.03)


def test_the_embedded_cell_round_trips_through_asc(tmp_path, cell):
    expected = cell.morph.region_lengths()
    lengths = load_morphology(export_asc(cell.morph, tmp_path / "pyramid.asc")).region_lengths()
    assert lengths["apical"] == pytest.approx(expected["apical"], rel=0.02)
    assert lengths["basal"] == pytest.approx(expected["basal"], rel=0.02)
    assert build_cell().morph.source.suffix == ".nrn"  # the embedded cell is rebuilt, not the stale one


def test_bad_morphology_files_are_refused(tmp_path):
    with pytest.raises(MorphologyError, match="not found"):
        load_morphology(tmp_path / "nothing.asc")
    (tmp_path / "cell.txt").write_text("x")
    with pytest.raises(MorphologyError, match="unknown morphology format"):
        load_morphology(tmp_path / "cell.txt")


def _record_nmda(cell, params: SynapseParams, n_ms: int = 300) -> tuple[np.ndarray, float]:
    cell.set_synapses(params)
    rng = np.random.default_rng(5)
    spikes = draw_inputs(rng, cell.seg_length_um, cell.tree, n_ms, VARIANTS["l5pc-nmda"].inputs)
    probes = [h.Vector().record(syn._ref_i_nmda) for syn in cell.excitatory[::10]]
    simulate_trial(cell, spikes)
    return np.array([np.abs(np.array(p)).max() for p in probes]), len(spikes.bin_index)


def test_the_ampa_only_variant_has_no_nmda_current():
    cell = build_cell()
    nmda, n_in = _record_nmda(cell, VARIANTS["l5pc-nmda"].synapses)
    ampa, _ = _record_nmda(cell, VARIANTS["l5pc-ampa"].synapses)
    assert n_in > 1000 and nmda.max() > 1e-3  # nA
    assert ampa.max() == 0.0


def test_a_dendritic_nmda_epsp_grows_when_the_dendrite_is_depolarised():
    cell = build_cell()
    cell.set_synapses(SynapseParams())
    site = cell.distal_sites(1)[1]  # the farthest apical segment
    seg, syn = cell.segments[site], cell.excitatory[site]
    syn.gmax_ampa, syn.gmax_nmda = 0.0, 0.002
    peaks = {}
    for hold in (0.0, 0.1):  # nA held into the dendrite
        clamp = h.IClamp(seg)
        clamp.delay, clamp.dur, clamp.amp = 0.0, 1e9, hold
        g = h.Vector().record(syn._ref_g_nmda)
        empty = InputSpikes(2 * cell.n_segments, 400, np.array([site], np.int32), np.array([200], np.int32))
        simulate_trial(cell, empty)
        peaks[hold] = np.array(g).max()
        del clamp
    cell.set_synapses(SynapseParams())
    assert peaks[0.1] > 1.5 * peaks[0.0]  # less Mg2+ block at the depolarised dendrite


def test_one_second_of_the_nmda_cell_is_deterministic():
    """At the standard protocol's fixed 0.1 ms step (CVODE, 8x slower on this cell, runs in the tests above)."""
    cell = build_cell()
    cell.set_synapses(VARIANTS["l5pc-nmda"].synapses)
    runs = []
    for _ in range(2):
        spikes = draw_inputs(np.random.default_rng(11), cell.seg_length_um, cell.tree, 1000, InputParams())
        runs.append(simulate_trial(cell, spikes, cell.distal_sites(2), fixed_dt=0.1))
    a, b = runs
    assert len(a.spike_times) > 0  # the spike-time checks below must not hold vacuously
    assert np.array_equal(a.soma_v, b.soma_v) and np.array_equal(a.spike_times, b.spike_times)
    assert a.soma_v.shape == (1000,) and a.dend_v.shape == (4, 1000)
    assert np.isfinite(a.soma_v).all() and -90 < a.soma_v.mean() < -50
    assert np.all(np.diff(a.spike_times) > 0) and np.all((a.spike_times >= 0) & (a.spike_times < 1000))
