"""The authors' cell: Hay et al. 2011's cell1.asc with the template's segment rule gives the 262 basal + 377
apical = 639 dendritic segments (1,278 synapses) of Beniaguev et al. 2021."""

from __future__ import annotations

import pytest

from repbench.benchmarks.neuron.simulator.morphology import (
    authors_segments,
    file_sha256,
    load_morphology,
)
from tests.neuron.conftest import SHARED_MORPHOLOGY

HAY_CELL1_SHA256 = "293d0aa92af8d03dbdcc40a711ba3923522615c3a65df485906538a1de986e23"


@pytest.mark.skipif(not SHARED_MORPHOLOGY.is_file(), reason=f"no {SHARED_MORPHOLOGY}")
def test_hay_cell1_has_the_authors_segment_counts():
    assert file_sha256(SHARED_MORPHOLOGY) == HAY_CELL1_SHA256
    morph = load_morphology(SHARED_MORPHOLOGY)
    assert (len(morph.basal), len(morph.apical)) == (84, 109)
    lengths = morph.region_lengths()
    assert lengths["basal"] == pytest.approx(5133.5, abs=0.5) and lengths["apical"] == pytest.approx(7440.9, abs=0.5)
    counts = authors_segments(morph)
    assert (counts["basal"], counts["apical"]) == (262, 377)
    assert 2 * (counts["basal"] + counts["apical"]) == 1278  # one excitatory + one inhibitory synapse each
