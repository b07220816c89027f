"""Single neurons as deep nets: Beniaguev, Segev & London (2021), "Single cortical neurons as deep artificial
neural networks", Neuron 109(17):2727-2739, https://doi.org/10.1016/j.neuron.2021.07.002.

Tasks (`tasks.py`): `neuron-if`, `neuron-ampa`, `neuron-nmda`: learn a simulated cell's input -> output map at
1 ms. `kind.py`: what they hand to methods (`NeuronIOData`, `NeuronTrials`, `InputSpikes`; kind `neuron-io`).
`metrics.py`: spike AUC, TPR at low FPR, soma errors. `data/`: the simulated datasets (manifest + chunks,
generation on the core's executors, validation report). `simulator/`: the NEURON cell (morphology,
mechanisms in `mod/`, synapses), the input statistics and the integrate-and-fire control. `studies/`: the
depth study, simulation speed, Dask speedup. `commands.py`: `repbench data simulate|list`, `repbench study
depth|speed|dask-speedup`. Methods: `methods/neuron/` (`tcn`, `ln`, `elm`).
"""

import os

REQUIRES = ("neuron",)  # the NEURON simulator; discovery checks it without importing it

# NEURON otherwise warns about a missing X display on every import in headless runs
os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
