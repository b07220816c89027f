"""One restricted Boltzmann machine and its training rules: CD-k, persistent CD and REBA.

Every rule returns the *descent direction* (gW, gb, gc): parameters move by -lr * g (plus momentum).
Mean-field CD-1 and REBA share one code path that differs only in the derivative factors (Golovko et
al. 2016, Optical Memory and Neural Networks 25(3)), so "CD-1 = REBA with unit derivatives" holds by construction
and is tested numerically.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

Grads = tuple[torch.Tensor, torch.Tensor, torch.Tensor]
UNITS = ("bernoulli", "gaussian")


@dataclass
class RBM:
    """W: (n_visible, n_hidden); b: visible bias; c: hidden bias.

    Units are Bernoulli (sigmoid mean) or Gaussian with unit variance (linear mean): Gaussian visible
    units are the classical choice for real-valued inputs, Gaussian hidden units for a low-dimensional
    code layer (Hinton & Salakhutdinov 2006).
    """

    W: torch.Tensor
    b: torch.Tensor
    c: torch.Tensor
    visible: str = "bernoulli"
    hidden: str = "bernoulli"

    @classmethod
    def create(cls, n_visible: int, n_hidden: int, *, visible: str = "bernoulli", hidden: str = "bernoulli",
               init_std: float = 0.1, hidden_bias: float = -1.0, generator: torch.Generator | None = None,
               device: str | torch.device = "cpu") -> RBM:
        for role, units in (("visible", visible), ("hidden", hidden)):
            if units not in UNITS:
                raise ValueError(f"{role} units must be one of {UNITS}, not {units!r}")
        W = torch.randn(n_visible, n_hidden, generator=generator, device=device) * init_std
        b = torch.zeros(n_visible, device=device)
        c = torch.full((n_hidden,), float(hidden_bias), device=device)
        return cls(W, b, c, visible, hidden)

    # --- conditional means -------------------------------------------------------------------------
    def hidden_pre(self, v: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.c, v, self.W)

    def visible_pre(self, h: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.b, h, self.W.T)

    def hidden_mean(self, v: torch.Tensor) -> torch.Tensor:
        pre = self.hidden_pre(v)
        return torch.sigmoid(pre) if self.hidden == "bernoulli" else pre

    def visible_mean(self, h: torch.Tensor) -> torch.Tensor:
        pre = self.visible_pre(h)
        return torch.sigmoid(pre) if self.visible == "bernoulli" else pre

    @staticmethod
    def sample(mean: torch.Tensor, units: str, gen: torch.Generator | None) -> torch.Tensor:
        if units == "bernoulli":
            return torch.bernoulli(mean, generator=gen)
        return mean + torch.randn(mean.shape, generator=gen, device=mean.device)

    # --- training rules --------------------------------------------------------------------------
    @staticmethod
    def _stats(v_pos: torch.Tensor, h_pos: torch.Tensor, v_neg: torch.Tensor, h_neg: torch.Tensor) -> Grads:
        """Descent direction of the log-likelihood from positive and negative statistics.

        One matmul over the stacked batch: [v_neg; v_pos]^T [h_neg; -h_pos] = v_neg^T h_neg - v_pos^T h_pos.
        """
        n = v_pos.shape[0]
        gW = torch.cat([v_neg, v_pos]).T @ torch.cat([h_neg, -h_pos]) / n
        return gW, (v_neg - v_pos).mean(0), (h_neg - h_pos).mean(0)

    def cd(self, v0: torch.Tensor, k: int = 1, sample: bool = True, gen: torch.Generator | None = None) -> Grads:
        """CD-k (Hinton 2002/2006): hidden states sampled as Bernoulli when `sample`, reconstructions as means.

        The positive and the last negative statistics use hidden probabilities (Hinton's practical guide).
        """
        h0 = self.hidden_mean(v0)
        h = h0
        for _ in range(k):
            h_state = self.sample(h, self.hidden, gen) if sample else h
            v = self.visible_mean(h_state)
            h = self.hidden_mean(v)
        return self._stats(v0, h0, v, h)

    def pcd(self, v0: torch.Tensor, chain: torch.Tensor, k: int = 1, gen: torch.Generator | None = None
            ) -> tuple[Grads, torch.Tensor]:
        """Persistent CD (Tieleman 2008): the negative chain continues from `chain` (sampled hidden states)."""
        h0 = self.hidden_mean(v0)
        h_state = chain
        for _ in range(k):
            v = self.sample(self.visible_mean(h_state), self.visible, gen)
            h = self.hidden_mean(v)
            h_state = self.sample(h, self.hidden, gen)
        return self._stats(v0, h0, v, h), h_state

    def reba(self, x0: torch.Tensor, unit_derivatives: bool = False) -> Grads:
        """REBA: deterministic half-steps, visible + hidden reconstruction error, derivative factors.

        delta_v = (x1 - x0) * F_v'(S_x1), delta_h = (y1 - y0) * F_h'(S_y1);
        gW = (delta_v^T y0 + x1^T delta_h) / B, gb = mean(delta_v), gc = mean(delta_h).
        With unit derivatives this is exactly mean-field CD-1.
        """
        y0 = self.hidden_mean(x0)
        x1 = self.visible_mean(y0)
        y1 = self.hidden_mean(x1)
        delta_v, delta_h = x1 - x0, y1 - y0
        if not unit_derivatives:
            if self.visible == "bernoulli":
                delta_v = delta_v * x1 * (1 - x1)
            if self.hidden == "bernoulli":
                delta_h = delta_h * y1 * (1 - y1)
        n = x0.shape[0]
        gW = torch.cat([delta_v, x1]).T @ torch.cat([y0, delta_h]) / n
        return gW, delta_v.mean(0), delta_h.mean(0)

    # --- bookkeeping -----------------------------------------------------------------------------
    def reconstruction_error(self, v: torch.Tensor) -> float:
        """Mean over images of the summed squared error of the deterministic reconstruction."""
        recon = self.visible_mean(self.hidden_mean(v))
        return float(((recon - v) ** 2).sum(1).mean())


class Momentum:
    """Classical momentum on (W, b, c) with optional L2 weight decay on W (Hinton's practical guide)."""

    def __init__(self, rbm: RBM) -> None:
        self.rbm = rbm
        self.velocity = [torch.zeros_like(p) for p in (rbm.W, rbm.b, rbm.c)]

    def step(self, grads: Grads, lr: float, momentum: float, weight_decay: float = 0.0) -> None:
        gW = grads[0] + weight_decay * self.rbm.W if weight_decay else grads[0]
        for param, vel, grad in zip((self.rbm.W, self.rbm.b, self.rbm.c), self.velocity, (gW, *grads[1:]),
                                    strict=True):
            vel.mul_(momentum).add_(grad, alpha=-lr)
            param.add_(vel)


RULES = ("cd", "cd-mf", "pcd", "reba")  # cd-mf: mean-field CD-1, i.e. REBA with unit derivatives


def train_epoch(rbm: RBM, optimizer: Momentum, V: torch.Tensor, batches: list[torch.Tensor], rule: str, lr: float,
                momentum: float, k: int = 1, weight_decay: float = 0.0, gen: torch.Generator | None = None,
                chain: torch.Tensor | None = None) -> torch.Tensor | None:
    """One pass over `batches` (index tensors into V) with one rule; returns the persistent chain (PCD)."""
    if rule not in RULES:
        raise ValueError(f"unknown RBM rule {rule!r}; use one of {RULES}")
    for idx in batches:
        v0 = V[idx]
        if rule == "cd":
            grads = rbm.cd(v0, k=k, sample=True, gen=gen)
        elif rule == "pcd":
            if chain is None or len(chain) != len(v0):
                chain = rbm.sample(rbm.hidden_mean(v0), rbm.hidden, gen)
            grads, chain = rbm.pcd(v0, chain, k=k, gen=gen)
        else:
            grads = rbm.reba(v0, unit_derivatives=rule == "cd-mf")
        optimizer.step(grads, lr, momentum, weight_decay)
    return chain
