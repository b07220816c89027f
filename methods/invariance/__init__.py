"""Invariance methods (Jaiswal et al. 2020, AAAI 34(04):4272-4279, https://arxiv.org/abs/1911.04060) for the
`invariance` kind.

`trainer.py`: the shared trainer (Adam, update budget, early stopping, selection on validation, the shared
adversary budget); `blocks.py`: the MLP and convolutional blocks every method is built from. Plugins:
`plain.py` (`nn`, the baseline), `mmd.py` (`nn-mmd`), `cai.py` (`cai`, Xie et al. 2017), `uai.py` (`uai`,
Jaiswal et al. 2018), `vfae.py` (`vfae`, Louizos et al. 2016), `forgetting.py` (`adv-forgetting`). Tasks,
probes and the trade-off study: benchmarks/invariance/.
"""
