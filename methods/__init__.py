"""Method plugins, one folder per family (installed as `repbench.methods`).

    classic/      `logreg`, `mlp`: classifiers for the classification kind
    pretraining/  Golovko et al. 2016: `dbn-cd`, `dbn-pcd`, `dbn-reba`, `dbn-hybrid`, `sae`, `mlp-scratch`
    neuron/       Beniaguev et al. 2021: `tcn`, `ln`, `elm` surrogates of a simulated neuron
    invariance/   Jaiswal et al. 2020: `nn`, `cai`, `adv-forgetting`

A new method is one file: drop it here (or in a family folder) and `repbench list` finds it. Discovery imports
every module directly in this folder and in each family folder; shared trainers and networks sit beside the
plugins that use them.
"""
