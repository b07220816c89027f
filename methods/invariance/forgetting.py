"""`adv-forgetting`: adversarial forgetting (Jaiswal et al. 2020), a forget-mask trained against a discriminator."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from repbench import LogUniform, Param, info, register_method
from repbench.methods.invariance.trainer import JAISWAL, Adversarial, optimizer


class OpenSigmoid(nn.Module):
    """sigmoid squeezed into [eps, 1 - eps]: a float32 sigmoid rounds to exactly 0 or 1 beyond |x| ~ 17, and the
    mask must stay strictly inside (0, 1) (a mask of exactly 1 cannot be pushed down by the adversary)."""

    def __init__(self, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.eps + (1 - 2 * self.eps) * torch.sigmoid(x)


@register_method("adv-forgetting")
class AdversarialForgetting(Adversarial):
    """Adversarial forgetting (Jaiswal et al. 2020): z = E(x) keeps all of x (decoder R), a mask m = M(x) in
    (0, 1) forgets; P predicts y from z * m while the discriminator D, reading stopgrad(z) * m, is trained on
    the true s and the model pushes it towards shuffled s. D's gradient reaches M, never E."""

    citation = JAISWAL
    version = "2"  # shared adversary budget; early stopping; image blocks of the UAI code
    params = {
        **Adversarial.params,
        "rho": Param(0.01, "weight of the reconstruction error ||R(z) - x||^2 (paper's sweep: 1e-3..1e-1)", low=0.0,
                     search=LogUniform(1e-3, 1e-1)),
        "delta": Param(1.0, "weight of the adversarial loss on the mask (paper's sweep: 1e-3..50)", low=0.0,
                       search=LogUniform(1e-3, 50.0)),
        "lam": Param(0.01, "weight of the mask's binarising penalty sum m(1 - m) (sweep: 1e-3..1e-1)", low=0.0,
                     search=LogUniform(1e-3, 1e-1)),
    }
    metrics = (
        *Adversarial.metrics,
        info("mask_mean", description="mean mask value on validation inputs (0 = forgets all, 1 = keeps all)"),
    )

    def build(self, data, blocks, z_dim) -> nn.ModuleDict:
        net = nn.ModuleDict({
            "E": blocks.encoder(z_dim),
            "M": blocks.encoder(z_dim, squash=OpenSigmoid()),
            "P": blocks.predictor(z_dim, data.n_classes),
            "R": blocks.decoder(z_dim),
            "D": blocks.head(z_dim, data.n_s),
        })
        self.model_opt_ = optimizer(net, ["E", "M", "P", "R"], self.lr, self.weight_decay)
        self.adversary_opt_ = self.adversary_optimizer(net)
        self.val_X_ = data.X_val
        return net

    def masked(self, x: torch.Tensor) -> torch.Tensor:
        return self.net_["E"](x) * self.net_["M"](x)

    def logits(self, x: torch.Tensor, s: torch.Tensor | None = None) -> torch.Tensor:
        return self.net_["P"](self.masked(x))

    def representation(self, x: torch.Tensor, s: torch.Tensor | None = None) -> torch.Tensor:
        return self.masked(x)

    def model_losses(self, x: torch.Tensor, y: torch.Tensor, s_target: torch.Tensor) -> dict[str, torch.Tensor]:
        """The model's loss terms; the adversarial term sees stopgrad(z), so its gradient reaches only M."""
        z, m = self.net_["E"](x), self.net_["M"](x)
        return {
            "y": F.cross_entropy(self.net_["P"](z * m), y),
            "reconstruction": (self.net_["R"](z) - x).pow(2).sum(dim=1).mean(),
            "adversary": F.cross_entropy(self.net_["D"](z.detach() * m), s_target),
            "mask": (m * (1 - m)).sum(dim=1).mean(),
        }

    def adversary_loss(self, x, y, s) -> torch.Tensor:
        with torch.no_grad():
            z_masked = self.masked(x)
        return F.cross_entropy(self.net_["D"](z_masked), s)

    def train_step(self, x, y, s) -> float:
        shuffled = s[torch.randperm(len(s), generator=self.gen_, device=s.device)]
        terms = self.model_losses(x, y, shuffled)
        weights = {"y": 1.0, "reconstruction": self.rho, "adversary": self.delta, "mask": self.lam}
        self.model_step(sum(weights[name] * term for name, term in terms.items()))
        self.adversary_round()
        return sum(weights[name] * term.item() for name, term in terms.items())

    def measurements(self) -> dict[str, float]:
        mask = self._apply(lambda x, s: self.net_["M"](x), self.val_X_)
        return {**super().measurements(), "mask_mean": float(mask.mean())}
