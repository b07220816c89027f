"""Load a reconstructed morphology into NEURON and classify its sections as soma / basal / apical / axon.

Sources and how their sections are classified:
- the embedded default, NEURON's demo pyramidal cell (`share/nrn/demo/pyramid.nrn` inside the `neuron`
  wheel, a hoc file without labels): the primary dendrite whose subtree is longest is the apical tree,
  every other primary dendrite is basal;
- Neurolucida `.asc` and `.swc` files, through NEURON's Import3d: its `apic` / `dend` / `axon` / `soma`
  sections (SWC types 4 / 3 / 2 / 1; Neurolucida `(Apical)` / `(Dendrite)` / `(Axon)` / `(CellBody)`). A file
  without an apical label falls back to the longest-primary-dendrite rule.
Any reconstructed axon is replaced by a 60 um axon initial segment (two 30 um sections) as Hay et al. 2011 did,
so every source gets the same spike initiation zone; a morphology without an axon gets the same segment.
One cell per process: building a new one deletes every existing section.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import neuron
from neuron import h

from repbench.benchmarks.neuron.sources import HAY2011_FILE, HAY2011_SHA256, HAY2011_URLS
from repbench.data.files import RemoteFile, ensure

AIS_LENGTH_UM = 30.0  # per section; two sections
AIS_DIAM_UM = 1.0



class MorphologyError(ValueError):
    """A morphology file that is missing, of an unknown format, or lacks a soma or dendrites."""


def embedded_morphology() -> Path:
    """NEURON's demo pyramidal cell, found through the installed package (not copied into the repository)."""
    root = Path(neuron.__file__).parent
    for candidate in (root / ".data/share/nrn/demo/pyramid.nrn", root / "share/nrn/demo/pyramid.nrn"):
        if candidate.is_file():
            return candidate
    raise MorphologyError(
        f"the embedded morphology share/nrn/demo/pyramid.nrn is not inside the installed neuron package ({root}); "
        "reinstall neuron from PyPI or pass --morphology PATH (.asc or .swc)"
    )


def hay2011_morphology() -> Path:
    """Hay's cell1.asc in the data root, downloaded (sha256-pinned) on first use. The mirrors are read at call
    time (tests point them at a local server)."""
    return ensure(RemoteFile(HAY2011_FILE, HAY2011_SHA256, HAY2011_URLS))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class Morphology:
    """The sections of the one cell in this process, by region, in a stable order."""

    source: Path
    sha256: str
    soma: list = field(default_factory=list)
    basal: list = field(default_factory=list)
    apical: list = field(default_factory=list)
    axon: list = field(default_factory=list)
    _keep: object = None  # Import3d's container; the sections live as long as it does

    @property
    def dendrites(self) -> list:
        return self.basal + self.apical

    @property
    def all(self) -> list:
        return self.soma + self.axon + self.basal + self.apical

    def region_lengths(self) -> dict[str, float]:
        return {name: sum(s.L for s in getattr(self, name)) for name in ("soma", "basal", "apical", "axon")}


def _subtree(sec) -> list:
    found = h.SectionList()
    found.subtree(sec=sec)
    return list(found)


def _delete_all_sections() -> None:
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)


class _Container:
    """Import3d instantiates sections as attributes of a Python object."""


def _import3d(path: Path) -> tuple[object, list, list, list, list]:
    h.load_file("stdlib.hoc")
    h.load_file("import3d.hoc")
    suffix = path.suffix.lower()
    if suffix == ".asc":
        reader = h.Import3d_Neurolucida3()
    elif suffix == ".swc":
        reader = h.Import3d_SWC_read()
    else:
        raise MorphologyError(f"unknown morphology format {path.name!r}: use a Neurolucida .asc or an .swc file")
    reader.quiet = 1
    reader.input(str(path))
    container = _Container()
    h.Import3d_GUI(reader, False).instantiate(container)
    parts = [list(getattr(container, name, [])) for name in ("soma", "dend", "apic", "axon")]
    return (container, *parts)


def _split_primary_dendrites(soma: list, dendrites: list) -> tuple[list, list]:
    """The primary dendrite with the longest subtree is apical; the rest is basal (pyramidal-cell shape)."""
    primaries = [s for s in dendrites if s.parentseg() is not None and s.parentseg().sec in soma]
    if not primaries:
        raise MorphologyError("no dendrite is attached to the soma")
    trees = [_subtree(p) for p in primaries]
    longest = max(range(len(trees)), key=lambda i: sum(s.L for s in trees[i]))
    apical = trees[longest]
    basal = [s for i, tree in enumerate(trees) if i != longest for s in tree]
    return basal, apical


def _attach_ais(soma_sec, diam: float) -> list:
    first, second = h.Section(name="ais[0]"), h.Section(name="ais[1]")
    for sec in (first, second):
        sec.L, sec.diam, sec.nseg = AIS_LENGTH_UM, diam, 3
    first.connect(soma_sec(0.0), 0.0)  # the dendrites leave from the middle; the axon from the soma's end
    second.connect(first(1.0), 0.0)
    return [first, second]


def load_morphology(path: str | Path | None = None, axon_diam_um: float | None = None) -> Morphology:
    """Build the morphology (embedded pyramid.nrn if `path` is None) in NEURON, replacing any earlier cell. The
    axon becomes two 30 um sections of `axon_diam_um` (default: the reconstructed axon's first diameter)."""
    source = Path(path).expanduser() if path else embedded_morphology()
    if not source.is_file():
        raise MorphologyError(f"morphology file {source} not found")
    _delete_all_sections()
    h.load_file("stdlib.hoc")
    keep = None
    if source.suffix.lower() in (".nrn", ".hoc"):
        h.xopen(str(source))  # xopen, not load_file: load_file skips a file it has read before
        soma = [s for s in h.allsec() if s.name().startswith("soma")]
        dendrites = [s for s in h.allsec() if not s.name().startswith(("soma", "axon"))]
        basal, apical = _split_primary_dendrites(soma, dendrites)
        axon = [s for s in h.allsec() if s.name().startswith("axon")]
    else:
        keep, soma, dend, apical, axon = _import3d(source)
        if apical:
            basal = dend
        else:
            basal, apical = _split_primary_dendrites(soma, dend)
    if not soma:
        raise MorphologyError(f"{source} has no soma")
    if not apical and not basal:
        raise MorphologyError(f"{source} has no dendrites")
    ais_diam = axon_diam_um or (axon[0].diam if axon and 0.2 < axon[0].diam < 5 else AIS_DIAM_UM)
    for sec in axon:
        h.delete_section(sec=sec)
    ais = _attach_ais(soma[0], ais_diam)
    return Morphology(source, file_sha256(source), soma, basal, apical, ais, keep)


def set_segments(morph: Morphology, max_length_um: float = 40.0, d_lambda: float = 0.1, freq_hz: float = 100.0) -> int:
    """nseg per section: the finer of the d_lambda rule (Hines & Carnevale) and a maximum segment length;
    always odd, so a segment sits at every section's midpoint. Call after setting Ra and cm. Returns the total."""
    for sec in morph.all:
        lam = 1e5 * math.sqrt(sec.diam / (4 * math.pi * freq_hz * sec.Ra * sec.cm))
        n = max(sec.L / (d_lambda * lam), sec.L / max_length_um)
        k = max(1, math.ceil(n - 1e-9))
        sec.nseg = k if k % 2 else k + 1
    return sum(sec.nseg for sec in morph.all)


def authors_segments(morph: Morphology, per_um: float = 40.0) -> dict[str, int]:
    """The segment rule of Hay et al.'s template that Beniaguev et al. use: nseg = 1 + 2 * int(L / 40 um) for
    every section (on Hay's cell1.asc: 262 basal + 377 apical = 639 dendritic segments). Returns the counts
    per region."""
    for sec in morph.all:
        sec.nseg = 1 + 2 * int(sec.L / per_um)
    return {region: sum(sec.nseg for sec in getattr(morph, region)) for region in ("soma", "basal", "apical", "axon")}


def path_distance(soma_sec, seg) -> float:
    return h.distance(soma_sec(0.5), seg)
