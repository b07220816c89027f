"""Invariance methods (Jaiswal et al. 2020, AAAI 34(04):4272-4279, https://arxiv.org/abs/1911.04060) for the
`invariance` kind.

`trainer.py`: the shared trainer (blocks, Adam, update budget, selection on validation). Plugins: `plain.py`
(`nn`, the baseline), `cai.py` (`cai`, Xie et al. 2017), `forgetting.py` (`adv-forgetting`). Tasks, probes and
the trade-off study: benchmarks/invariance/.
"""
