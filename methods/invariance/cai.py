"""`cai`: controllable adversarial invariance (Xie et al. 2017): min over the encoder and predictor, max over
an adversary that predicts s from the encoding."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from repbench import LogUniform, Param, register_method
from repbench.methods.invariance.trainer import XIE, Adversarial, optimizer


@register_method("cai")
class ControllableInvariance(Adversarial):
    """CAI (Xie et al. 2017): an adversary D predicts s from z = E(x); the model minimises L_y - delta * L_D,
    i.e. it is rewarded for D's errors. Xie et al. train both sides in one pass by gradient reversal; here the
    sides alternate with the family's shared adversary budget (10 updates of D at lr 1e-3 per model update),
    the same opponent every adversarial method gets."""

    citation = XIE
    version = "2"  # alternating updates with the shared adversary budget; probes read z
    params = {
        **Adversarial.params,
        "delta": Param(1.0, "weight of the adversary's loss the model maximises", low=0.0,
                       search=LogUniform(1e-2, 10.0)),
    }

    def build(self, data, blocks, z_dim) -> nn.ModuleDict:
        net = nn.ModuleDict({"E": blocks.encoder(z_dim), "P": blocks.predictor(z_dim, data.n_classes),
                             "D": blocks.head(z_dim, data.n_s)})
        self.model_opt_ = optimizer(net, ["E", "P"], self.lr, self.weight_decay)
        self.adversary_opt_ = self.adversary_optimizer(net)
        return net

    def model_losses(self, x: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> dict[str, torch.Tensor]:
        z = self.net_["E"](x)
        return {"y": F.cross_entropy(self.net_["P"](z), y), "adversary": F.cross_entropy(self.net_["D"](z), s)}

    def adversary_loss(self, x, y, s) -> torch.Tensor:
        with torch.no_grad():
            z = self.net_["E"](x)
        return F.cross_entropy(self.net_["D"](z), s)

    def train_step(self, x, y, s) -> float:
        terms = self.model_losses(x, y, s)
        loss = terms["y"] - self.delta * terms["adversary"]
        self.model_step(loss)
        self.adversary_round()
        return terms["y"].item()
