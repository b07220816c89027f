"""Write small morphologies as Neurolucida .asc and SWC files, as a user would bring them."""

from __future__ import annotations

import math
from pathlib import Path

# a tree: list of (x, y, z, d) points and a list of child trees that start at its last point
Tree = tuple[list[tuple[float, float, float, float]], list["Tree"]]


def _asc_tree(tree: Tree, indent: str) -> list[str]:
    points, children = tree
    lines = [f"{indent}( {x:.2f} {y:.2f} {z:.2f} {d:.2f})" for x, y, z, d in points]
    if children:
        lines.append(f"{indent}(")
        for k, child in enumerate(children):
            if k:
                lines.append(f"{indent}|")
            lines += _asc_tree(child, indent + "  ")
        lines.append(f"{indent})  ;  End of split")
    return lines


def write_asc(path: Path, soma_radius: float, trees: list[tuple[str, Tree]]) -> Path:
    """`trees`: (label, tree) with label 'Apical', 'Dendrite' or 'Axon'; the soma is a circular contour."""
    lines = ['("CellBody"', "  (Closed)", "  (CellBody)"]
    for k in range(16):
        a = 2 * math.pi * k / 16
        lines.append(f"  ( {soma_radius * math.cos(a):.2f} {soma_radius * math.sin(a):.2f} 0.00 0.00)")
    lines.append(")  ;  End of contour")
    for label, tree in trees:
        lines += ["", "( (Color Green)", f"  ({label})"] + _asc_tree(tree, "  ") + [")  ;  End of tree"]
    path.write_text("\n".join(lines) + "\n")
    return path


def straight(start: tuple[float, float], end: tuple[float, float], diam: float, n: int = 6):
    return [(start[0] + (end[0] - start[0]) * k / n, start[1] + (end[1] - start[1]) * k / n, 0.0, diam)
            for k in range(n + 1)]


def small_pyramid(path: Path, apical_label: str = "Apical") -> Path:
    """A hand-made pyramidal cell: an apical trunk with a tuft, three basal dendrites and an axon."""
    tuft = [(straight((0, 600), (-150, 800), 1.5), []), (straight((0, 600), (150, 800), 1.5), [])]
    apical = (straight((0, 10), (0, 600), 3.0), tuft)
    basal = [(straight((10 * math.cos(a), -10 * math.sin(a)), (200 * math.cos(a), -200 * math.sin(a)), 1.5), [])
             for a in (0.3, 1.57, 2.8)]
    axon = (straight((0, -10), (0, -300), 1.0), [])
    trees = [(apical_label, apical)] + [("Dendrite", b) for b in basal] + [("Axon", axon)]
    return write_asc(path, 10.0, trees)


def small_swc(path: Path) -> Path:
    """The same shape as SWC (types 1 soma, 2 axon, 3 basal, 4 apical)."""
    rows = ["1 1 0 0 0 10 -1"]
    def chain(kind: int, parent: int, pts: list) -> int:
        for x, y, z, d in pts if parent == 1 else pts[1:]:  # a branch point is its parent's last point
            rows.append(f"{len(rows) + 1} {kind} {x} {y} {z} {d / 2} {parent}")
            parent = len(rows)
        return parent

    top = chain(4, 1, straight((0, 10), (0, 600), 3.0))
    chain(4, top, straight((0, 600), (-150, 800), 1.5))
    chain(4, top, straight((0, 600), (150, 800), 1.5))
    for a in (0.3, 1.57, 2.8):
        chain(3, 1, straight((10 * math.cos(a), -10 * math.sin(a)), (200 * math.cos(a), -200 * math.sin(a)), 1.5))
    chain(2, 1, straight((0, -10), (0, -300), 1.0))
    path.write_text("\n".join(rows) + "\n")
    return path


def export_asc(morph, path: Path) -> Path:
    """A loaded Morphology (e.g. the embedded pyramid) written back as Neurolucida .asc, apical labelled."""
    soma = morph.soma[0]
    pts = [(soma.x3d(i), soma.y3d(i)) for i in range(soma.n3d())]
    cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    radius = soma.diam / 2

    def tree(sec) -> Tree:
        points = [(sec.x3d(i) - cx, sec.y3d(i) - cy, sec.z3d(i), sec.diam3d(i)) for i in range(sec.n3d())]
        return points, [tree(child) for child in sec.children()]

    soma_names = {s.name() for s in morph.soma}
    roots = [s for s in morph.dendrites if s.parentseg().sec.name() in soma_names]
    apical_root = morph.apical[0]
    trees = [("Apical" if r.name() == apical_root.name() else "Dendrite", tree(r)) for r in roots]
    return write_asc(path, radius, trees)
