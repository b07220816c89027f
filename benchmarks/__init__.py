"""Task plugins, one folder per family (installed as `repbench.benchmarks`).

    classic/      digit classification: `digits` (embedded), `mnist`, the shared MNIST reader
    pretraining/  Golovko et al. 2016: `mnist-1k`, the autoencoder-codes study
    neuron/       Beniaguev et al. 2021: `neuron-if|ampa|nmda`, the NEURON simulator, depth and speed studies
    invariance/   Jaiswal et al. 2020: `mnist-rot`, `digits-rot`, `adult`, `german`, the trade-off study
    timings/      pytest-benchmark modules (`pytest benchmarks --benchmark-only`)

Inside a family: `tasks.py` (task plugins), `kind.py` (what its tasks hand to methods), `commands.py` (CLI
commands), `data/` or `data.py` (data loading), `simulator/`, `studies/`. `repbench list` imports only the
modules directly inside a family folder; sub-packages load when a cell or study needs them.
"""
