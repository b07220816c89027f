"""Invariance family (Jaiswal et al. 2020): remove a nuisance (rotation) or a protected attribute (sex, age)
from a learned representation while keeping the target predictable.

Modules: `kind` (what tasks hand to methods), `images` (rotated / eroded / dilated digits), `tabular` (UCI
Adult and German), `probes` (the shared post-hoc evaluation), `tasks`, `tradeoff` (the y-vs-s figure).
"""
