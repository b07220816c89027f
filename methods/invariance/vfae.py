"""`vfae`: the variational fair autoencoder (Louizos et al. 2016), supervised form (every training row has y)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from repbench import LogUniform, Param, register_method
from repbench.methods.invariance.mmd import group_mmd2
from repbench.methods.invariance.trainer import LOUIZOS, InvarianceMethod, optimizer


def gaussian_kl(mu_q: torch.Tensor, logvar_q: torch.Tensor, mu_p: torch.Tensor, logvar_p: torch.Tensor) -> torch.Tensor:
    """KL(N(mu_q, var_q) || N(mu_p, var_p)) of diagonal Gaussians, summed over dimensions: one value per row."""
    return 0.5 * (logvar_p - logvar_q + (logvar_q.exp() + (mu_q - mu_p).pow(2)) / logvar_p.exp() - 1).sum(dim=1)


class Gaussian(nn.Module):
    """An MLP head giving the mean and log-variance of a diagonal Gaussian."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.body(x).chunk(2, dim=1)
        return mu, logvar.clamp(-10.0, 10.0)


@register_method("vfae")
class VariationalFairAutoencoder(InvarianceMethod):
    """VFAE (Louizos et al. 2016): q(z1 | x, s) gets s as an input, so z1 need not carry it; q(z2 | z1, y) and
    p(z1 | z2, y) make z1 keep what predicts y; p(x | z1, s) reconstructs; alpha weighs a classifier q(y | z1),
    beta an MMD penalty between the z1 of the s groups. Loss per row: -log p(x | z1, s) + KL(q(z1 | x, s) ||
    p(z1 | z2, y)) + KL(q(z2 | z1, y) || N(0, I)) + alpha * CE(q(y | z1), y) + beta * MMD^2, with one sample
    of z1 and z2. The probes read the mean of q(z1 | x, s). Blocks are MLPs on every data set (the paper's);
    x is Bernoulli when every input lies in [0, 1] (images), else Gaussian with unit variance. The MMD compares
    the means of q(z1 | x, s) by default (`mmd_on`): on samples, with wide posteriors, the penalty can be met by
    the noise while the means, which the probes read, still differ by s (measured on Adult)."""

    citation = LOUIZOS
    params = {
        **InvarianceMethod.params,
        "alpha": Param(1.0, "weight of the classifier q(y | z1)", low=0.0, search=LogUniform(0.1, 100.0)),
        "beta": Param(1.0, "weight of the MMD penalty on z1", low=0.0, search=LogUniform(1e-2, 1e2)),
        "mmd_on": Param("mean", "what the MMD compares: the posterior means of z1 (what the probes read) or samples "
                                "of z1", choices=("mean", "sample")),
    }

    def build(self, data, blocks, z_dim) -> nn.ModuleDict:
        n_in, n_y, n_s = data.X_train.shape[1], data.n_classes, data.n_s
        self.n_y_, self.n_s_ = n_y, n_s
        self.bernoulli_ = bool(data.X_train.min() >= 0.0 and data.X_train.max() <= 1.0)
        mlp = blocks.head
        net = nn.ModuleDict({
            "E": Gaussian(mlp(n_in + n_s, 2 * z_dim)),  # q(z1 | x, s)
            "E2": Gaussian(mlp(z_dim + n_y, 2 * z_dim)),  # q(z2 | z1, y)
            "D1": Gaussian(mlp(z_dim + n_y, 2 * z_dim)),  # p(z1 | z2, y)
            "R": mlp(z_dim + n_s, n_in),  # p(x | z1, s)
            "P": mlp(z_dim, n_y),  # q(y | z1)
        })
        self.opt_ = optimizer(net, list(net), self.lr, self.weight_decay)
        return net

    def _with(self, code: torch.Tensor, labels: torch.Tensor, n: int) -> torch.Tensor:
        return torch.cat([code, F.one_hot(labels, n).to(code.dtype)], dim=1)

    def encode(self, x: torch.Tensor, s: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        if s is None:
            raise ValueError("the VFAE's encoder q(z1 | x, s) needs s: pass the rows' s to predict/embed")
        return self.net_["E"](self._with(x, s, self.n_s_))

    def representation(self, x, s=None) -> torch.Tensor:
        return self.encode(x, s)[0]

    def logits(self, x, s=None) -> torch.Tensor:
        return self.net_["P"](self.representation(x, s))

    def sample(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        noise = torch.randn(mu.shape, generator=self.gen_, device=mu.device, dtype=mu.dtype)
        return mu + noise * (0.5 * logvar).exp()

    def losses(self, x: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> dict[str, torch.Tensor]:
        mu1, logvar1 = self.encode(x, s)
        z1 = self.sample(mu1, logvar1)
        mu2, logvar2 = self.net_["E2"](self._with(z1, y, self.n_y_))
        z2 = self.sample(mu2, logvar2)
        prior_mu1, prior_logvar1 = self.net_["D1"](self._with(z2, y, self.n_y_))
        x_out = self.net_["R"](self._with(z1, s, self.n_s_))
        if self.bernoulli_:
            nll = F.binary_cross_entropy_with_logits(x_out, x, reduction="none").sum(dim=1)
        else:
            nll = 0.5 * (x_out - x).pow(2).sum(dim=1)
        return {
            "reconstruction": nll.mean(),
            "kl_z1": gaussian_kl(mu1, logvar1, prior_mu1, prior_logvar1).mean(),
            "kl_z2": gaussian_kl(mu2, logvar2, torch.zeros_like(mu2), torch.zeros_like(logvar2)).mean(),
            "y": F.cross_entropy(self.net_["P"](z1), y),
            "mmd": group_mmd2(mu1 if self.mmd_on == "mean" else z1, s, self.n_s_),
        }

    def train_step(self, x, y, s) -> float:
        terms = self.losses(x, y, s)
        weights = {"reconstruction": 1.0, "kl_z1": 1.0, "kl_z2": 1.0, "y": self.alpha, "mmd": self.beta}
        loss = sum(weights[name] * term for name, term in terms.items())
        self.opt_.zero_grad()
        loss.backward()
        self.opt_.step()
        return loss.item()
