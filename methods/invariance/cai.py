"""`cai`: controllable adversarial invariance (Xie et al. 2017) by gradient reversal."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from repbench import LogUniform, Param, register_method
from repbench.methods.invariance.trainer import XIE, InvarianceMethod, block, optimizer


class _ReverseGradient(torch.autograd.Function):
    """Identity forward, gradient times -scale backward (Ganin & Lempitsky 2015): one backward pass trains the
    adversary to find s and the encoder to hide it."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, scale: float) -> torch.Tensor:
        ctx.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return -ctx.scale * grad, None


@register_method("cai")
class ControllableInvariance(InvarianceMethod):
    """CAI (Xie et al. 2017): an adversary predicts s from the encoding z; the encoder gets the adversary's
    gradient reversed and scaled by delta."""

    citation = XIE
    params = {
        **InvarianceMethod.params,
        "delta": Param(1.0, "weight of the reversed adversarial gradient on the encoder", low=0.0,
                       search=LogUniform(1e-2, 10.0)),
    }

    def build(self, data, hidden, z_dim) -> nn.ModuleDict:
        n_in = data.X_train.shape[1]
        net = nn.ModuleDict({"E": block(n_in, hidden, z_dim), "P": block(z_dim, hidden, data.n_classes),
                             "D": block(z_dim, hidden, data.n_s)})
        self.opt_ = optimizer(net, list(net), self.lr, self.weight_decay)
        return net

    def train_step(self, x, y, s) -> float:
        z = self.net_["E"](x)
        task_loss = F.cross_entropy(self.net_["P"](z), y)
        adversary_loss = F.cross_entropy(self.net_["D"](_ReverseGradient.apply(z, self.delta)), s)
        self.opt_.zero_grad()
        (task_loss + adversary_loss).backward()
        self.opt_.step()
        return task_loss.item()
