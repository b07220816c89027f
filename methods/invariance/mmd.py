"""`nn-mmd`: the plain network with a maximum-mean-discrepancy penalty between the codes of the s groups (the
"NN+MMD" baseline of Louizos et al. 2016 and Jaiswal et al. 2020), and the MMD estimate the VFAE shares."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from repbench import LogUniform, Param, register_method
from repbench.methods.invariance.trainer import LOUIZOS, InvarianceMethod, optimizer

SCALES = (0.5, 1.0, 2.0)  # Gaussian kernel widths, times the batch's median distance between codes


def mmd2(a: torch.Tensor, b: torch.Tensor, bandwidths: Sequence[float]) -> torch.Tensor:
    """The unbiased estimate of MMD^2 between samples a [m, d] and b [n, d] (Gretton et al. 2012, JMLR, eq. 3)
    under the kernel mean_l exp(-|x - y|^2 / (2 l^2)); 0 when a side has fewer than two rows."""
    m, n = len(a), len(b)
    if m < 2 or n < 2:
        return a.new_zeros(())

    def k(x, y):
        d2 = torch.cdist(x, y).pow(2)
        return torch.stack([torch.exp(-d2 / (2 * bw * bw)) for bw in bandwidths]).mean(0)

    kaa, kbb = k(a, a), k(b, b)
    within_a = (kaa.sum() - kaa.diagonal().sum()) / (m * (m - 1))
    within_b = (kbb.sum() - kbb.diagonal().sum()) / (n * (n - 1))
    return within_a + within_b - 2 * k(a, b).mean()


def group_mmd2(z: torch.Tensor, s: torch.Tensor, n_s: int) -> torch.Tensor:
    """Mean over s groups of MMD^2(codes of the group, codes of the rest): for two groups, MMD^2 between them.
    The kernel widths follow the codes' scale (the median heuristic, Gretton et al. 2012): with fixed widths a
    network can shrink its codes until every kernel sees them as one point and the penalty vanishes (measured:
    a VFAE on Adult met a fixed-width penalty while a probe still read sex from its code at 86 %)."""
    with torch.no_grad():
        median = torch.cdist(z, z).median().clamp_min(1e-6)
    bandwidths = [scale * median for scale in SCALES]
    groups = range(1) if n_s == 2 else range(n_s)
    return torch.stack([mmd2(z[s == k], z[s != k], bandwidths) for k in groups]).mean()


@register_method("nn-mmd")
class MMDNet(InvarianceMethod):
    """NN+MMD: encoder + predictor on y, plus beta * MMD^2 between the codes z of the s groups in each batch."""

    citation = LOUIZOS + " (NN+MMD baseline)"
    params = {
        **InvarianceMethod.params,
        "beta": Param(1.0, "weight of the MMD penalty", low=0.0, search=LogUniform(1e-2, 1e2)),
    }

    def build(self, data, blocks, z_dim) -> nn.ModuleDict:
        net = nn.ModuleDict({"E": blocks.encoder(z_dim), "P": blocks.predictor(z_dim, data.n_classes)})
        self.opt_ = optimizer(net, list(net), self.lr, self.weight_decay)
        self.n_s_ = data.n_s
        return net

    def train_step(self, x, y, s) -> float:
        z = self.net_["E"](x)
        loss = F.cross_entropy(self.net_["P"](z), y) + self.beta * group_mmd2(z, s, self.n_s_)
        self.opt_.zero_grad()
        loss.backward()
        self.opt_.step()
        return loss.item()
