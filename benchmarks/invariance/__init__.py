"""Invariant representations through adversarial forgetting: Jaiswal, Moyer, Ver Steeg, AbdAlmageed &
Natarajan (2020), AAAI 34(04):4272-4279, https://arxiv.org/abs/1911.04060.

Remove a nuisance (rotation) or a protected attribute (sex, age) from a learned representation while keeping
the target predictable. Tasks (`tasks.py`): `mnist-rot` (with the MNIST-DIL stroke tests), `digits-rot` (the
embedded quick variant), `adult`, `german`. `kind.py`: what they hand to methods (`InvarianceData`; kind
`invariance`). `probes.py`: the one post-hoc evaluation. `data/`: rotated/eroded/dilated digits, UCI Adult and
German. Study: `repbench study tradeoff` (`studies/tradeoff.py`). Methods: `methods/invariance/` (`nn`, `cai`,
`adv-forgetting`).
"""

REQUIRES = ("fairlearn",)  # fairness gaps of the bias tasks
