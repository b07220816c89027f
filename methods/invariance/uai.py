"""`uai`: unsupervised adversarial invariance (Jaiswal et al. 2018), the authors' predecessor of forgetting."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from repbench import LogUniform, Param, register_method
from repbench.methods.invariance.trainer import UAI, Adversarial, optimizer


@register_method("uai")
class UnsupervisedAdversarialInvariance(Adversarial):
    """UAI (Jaiswal et al. 2018): the encoder splits x into e1 (predicts y) and e2 (with a noisy e1, lets a
    decoder rebuild x); two disentanglers try to predict e2 from e1 and e1 from e2, while the model is trained
    to make their outputs match uniform random vectors, so e1 and e2 share nothing. No s label is needed in
    the nuisance setting; in the bias setting a discriminator on e1 learns s and the model is pushed towards
    shuffled s (the authors' bias variant). Loss weights: predictor 100, decoder 0.1, disentanglers 1,
    discriminator 1 (the UAI code's). The probes read e1. Both codes are tanh units, so the random targets
    are uniform on [-1, 1]."""

    citation = UAI
    adversaries = ("Dis1", "Dis2", "D")
    params = {
        **Adversarial.params,
        "predictor_weight": Param(100.0, "weight of the predictor's loss on e1 (the UAI code's 100)", low=0.0),
        "decoder_weight": Param(0.1, "weight of the reconstruction from [dropout(e1), e2] (0.1)", low=0.0,
                                search=LogUniform(1e-2, 1.0)),
        "disentangler_weight": Param(1.0, "weight of the disentanglers' random-target loss (1)", low=0.0,
                                     search=LogUniform(0.1, 10.0)),
        "discriminator_weight": Param(1.0, "bias setting: weight of the shuffled-s loss on e1 (1)", low=0.0,
                                      search=LogUniform(0.1, 10.0)),
        "e1_dropout": Param(0.5, "dropout on e1 before the decoder (the UAI code's 0.5)", low=0.0, high=0.99),
    }

    def build(self, data, blocks, z_dim) -> nn.ModuleDict:
        self.z_ = z_dim
        self.bias_ = data.setting == "bias"
        net = nn.ModuleDict({
            "E": blocks.encoder(2 * z_dim, squash=nn.Tanh()),  # [e1, e2]
            "P": blocks.predictor(z_dim, data.n_classes),
            "R": blocks.decoder(2 * z_dim),
            "Dis1": blocks.head(z_dim, z_dim),  # e1 -> e2
            "Dis2": blocks.head(z_dim, z_dim),  # e2 -> e1
            "D": blocks.head(z_dim, data.n_s),  # s from e1 (bias setting)
        })
        self.model_opt_ = optimizer(net, ["E", "P", "R"], self.lr, self.weight_decay)
        self.adversary_opt_ = self.adversary_optimizer(net)
        return net

    def codes(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net_["E"](x).split(self.z_, dim=1)

    def representation(self, x, s=None) -> torch.Tensor:
        return self.codes(x)[0]

    def logits(self, x, s=None) -> torch.Tensor:
        return self.net_["P"](self.representation(x))

    def uniform_like(self, t: torch.Tensor) -> torch.Tensor:
        return 2 * torch.rand(t.shape, generator=self.gen_, device=t.device, dtype=t.dtype) - 1

    def model_losses(self, x: torch.Tensor, y: torch.Tensor, s_target: torch.Tensor) -> dict[str, torch.Tensor]:
        """The main player's terms: the disentanglers (frozen here) are pushed towards random targets."""
        e1, e2 = self.codes(x)
        noisy_e1 = F.dropout(e1, self.e1_dropout, training=True)
        terms = {
            "y": F.cross_entropy(self.net_["P"](e1), y),
            "reconstruction": F.mse_loss(self.net_["R"](torch.cat([noisy_e1, e2], dim=1)), x),
            "disentangle": F.mse_loss(self.net_["Dis1"](e1), self.uniform_like(e2))
                           + F.mse_loss(self.net_["Dis2"](e2), self.uniform_like(e1)),
        }
        if self.bias_:
            terms["discriminator"] = F.cross_entropy(self.net_["D"](e1), s_target)
        return terms

    def adversary_loss(self, x, y, s) -> torch.Tensor:
        """The disentanglers learn to predict each code from the other (and D learns s from e1)."""
        with torch.no_grad():
            e1, e2 = self.codes(x)
        loss = F.mse_loss(self.net_["Dis1"](e1), e2) + F.mse_loss(self.net_["Dis2"](e2), e1)
        if self.bias_:
            loss = loss + F.cross_entropy(self.net_["D"](e1), s)
        return loss

    def train_step(self, x, y, s) -> float:
        shuffled = s[torch.randperm(len(s), generator=self.gen_, device=s.device)]
        terms = self.model_losses(x, y, shuffled)
        weights = {"y": self.predictor_weight, "reconstruction": self.decoder_weight,
                   "disentangle": self.disentangler_weight, "discriminator": self.discriminator_weight}
        self.model_step(sum(weights[name] * term for name, term in terms.items()))
        self.adversary_round()
        return sum(weights[name] * term.item() for name, term in terms.items())
