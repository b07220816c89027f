"""Neuron family (Beniaguev et al. 2021): a NEURON-simulated pyramidal cell with AMPA/NMDA synapses, an
integrate-and-fire control, and the chunked datasets the surrogate models learn from.

Modules: `mechanisms` (compile the .mod files in mod/ into a content-keyed cache), `morphology` (load and
classify a reconstruction), `cell` (biophysics, synapses, variants), `inputs` (the input statistics),
`simulate` (one trial with CVODE), `integrate_fire` (the I&F control), `dataset` (manifest + chunks,
parallel generation), `report` (validation CSV/PNG), `commands` (`repbench data simulate`).
"""

import os

# NEURON otherwise warns about a missing X display on every import in headless runs
os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
