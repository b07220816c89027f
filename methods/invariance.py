"""Invariance methods: `nn` (the plain network, "B" in Jaiswal et al.), `adv-forgetting` (Jaiswal et al. 2020)
and `cai` (Xie et al. 2017). All share blocks (MLPs with one hidden layer, sized by the task), Adam with the
paper's lr 1e-4 and weight decay 1e-4, batches of 128, a budget of model updates, and one model-selection
rule on validation data: the latest checkpoint within `select_tolerance` points of the best validation y-accuracy.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from repbench import Method, Metric, Param, register_method
from repbench.benchmarks.invariance.kind import INVARIANCE, InvarianceData
from repbench.device import resolve_device

JAISWAL = ("Jaiswal, Moyer, Ver Steeg, AbdAlmageed & Natarajan (2020), Invariant representations through "
           "adversarial forgetting, AAAI 34(04):4272-4279")
XIE = ("Xie, Dai, Du, Hovy & Neubig (2017), Controllable invariance through adversarial feature learning, "
       "NeurIPS")


def block(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    """The paper's building block: one hidden layer of ReLUs."""
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


def optimizer(net: nn.ModuleDict, parts: list[str], lr: float, weight_decay: float) -> torch.optim.Adam:
    return torch.optim.Adam([p for name in parts for p in net[name].parameters()], lr=lr, weight_decay=weight_decay)


class OpenSigmoid(nn.Module):
    """sigmoid squeezed into [eps, 1 - eps]: a float32 sigmoid rounds to exactly 0 or 1 beyond |x| ~ 17, and the
    mask must stay strictly inside (0, 1) (a mask of exactly 1 cannot be pushed down by the adversary)."""

    def __init__(self, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.eps + (1 - 2 * self.eps) * torch.sigmoid(x)


class InvarianceMethod(Method):
    """Shared trainer. Subclasses build `self.net_` (an nn.ModuleDict with at least E and P) and define the
    training step and the representation the probes read."""

    solves = (INVARIANCE,)
    params = {
        "hidden": Param(0, "hidden units per block; 0 = the task's (PAPERS.md: 50 for Adult)", low=0),
        "z_dim": Param(0, "representation size; 0 = the task's (PAPERS.md: 8 for tabular data)", low=0),
        "lr": Param(1e-4, "Adam learning rate of the model (PAPERS.md)", low=1e-7, high=1.0),
        "weight_decay": Param(1e-4, "Adam weight decay (PAPERS.md)", low=0.0),
        "batch_size": Param(128, "minibatch size (PAPERS.md)", low=1),
        "steps": Param(6000, "model updates (the same budget for every data set)...", low=1),
        "max_epochs": Param(200, "...but at most this many passes over the training rows (German's 640)", low=1),
        "val_every": Param(200, "updates between validation checkpoints", low=1),
        "select_tolerance": Param(0.5, "keep the latest checkpoint within this many points of the best validation "
                                  "y-accuracy: y plateaus early while the adversary's effect keeps growing", low=0.0),
    }
    profiles = {
        "quick": {"steps": 1500, "lr": 1e-3, "val_every": 100},  # digits-rot: 1k images
        "standard": {},
        "paper": {"steps": 20000},
    }
    metrics = (
        Metric("train_s", "s", higher_is_better=False, description="training wall time"),
        Metric("val_y_acc", "%", description="validation y-accuracy of the selected state"),
        Metric("selected_step", description="model update at which the selected state was saved"),
    )

    # --- what subclasses define ------------------------------------------------------------------------
    def build(self, data: InvarianceData, hidden: int, z_dim: int) -> nn.ModuleDict:
        raise NotImplementedError

    def train_step(self, x: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> float:
        """One model update (plus whatever adversary updates go with it); returns the model loss."""
        raise NotImplementedError

    def representation(self, x: torch.Tensor) -> torch.Tensor:
        """The penultimate layer: the predictor's hidden units."""
        return self.net_["P"][:2](self.net_["E"](x))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.net_["P"](self.net_["E"](x))

    # --- shared ------------------------------------------------------------------------------------------
    def fit(self, data: InvarianceData, ctx) -> InvarianceMethod:
        self.device_ = torch.device(resolve_device(ctx.device))
        torch.manual_seed(ctx.seed)
        self.gen_ = torch.Generator(device=self.device_).manual_seed(ctx.seed)
        self.net_ = self.build(data, self.hidden or data.hidden, self.z_dim or data.z_dim).to(self.device_)
        X, y, s = (torch.as_tensor(a, device=self.device_) for a in (data.X_train.astype(np.float32),
                                                                      data.y_train, data.s_train))
        self.data_ = (X, y, s)  # adversary steps draw their own batches
        self.budget_ = min(self.steps, self.max_epochs * math.ceil(len(X) / self.batch_size))
        checkpoints, start = [], time.perf_counter()
        for step, idx in enumerate(self._batches(len(X)), start=1):
            self.net_.train()
            loss = self.train_step(X[idx], y[idx], s[idx])
            ctx.check_loss(loss, f"training loss (update {step})")
            if step % self.val_every == 0 or step == self.budget_:
                score = 100.0 * float(np.mean(self.predict(data.X_val) == data.y_val))
                checkpoints.append((score, step, copy.deepcopy(self.net_.state_dict())))
        best = max(score for score, _, _ in checkpoints)
        self.val_y_acc_, self.selected_step_, state = next(
            c for c in reversed(checkpoints) if c[0] >= best - self.select_tolerance)
        self.net_.load_state_dict(state)
        del self.data_
        self.train_s_ = time.perf_counter() - start
        return self

    def _batches(self, n: int):
        """`budget_` minibatches from successive random permutations (epochs) of the training rows."""
        done = 0
        while done < self.budget_:
            for idx in torch.randperm(n, generator=self.gen_, device=self.device_).split(self.batch_size):
                if done == self.budget_:
                    return
                done += 1
                yield idx

    def random_batch(self) -> tuple[torch.Tensor, ...]:
        X, y, s = self.data_
        idx = torch.randint(len(X), (min(self.batch_size, len(X)),), generator=self.gen_, device=self.device_)
        return X[idx], y[idx], s[idx]

    @torch.no_grad()
    def _apply(self, fn, X: np.ndarray, batch: int = 4096) -> np.ndarray:
        self.net_.eval()
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        return torch.cat([fn(part.to(self.device_)).cpu() for part in X.split(batch)]).numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self._apply(self.logits, X).argmax(axis=1)

    def embed(self, X: np.ndarray) -> np.ndarray:
        return self._apply(self.representation, X)

    def report(self) -> dict[str, float]:
        return {"train_s": self.train_s_, "val_y_acc": self.val_y_acc_, "selected_step": float(self.selected_step_)}


@register_method("nn")
class PlainNet(InvarianceMethod):
    """The plain network ("B" in the paper): encoder + predictor trained on y alone."""

    citation = JAISWAL + " (baseline B)"

    def build(self, data, hidden, z_dim) -> nn.ModuleDict:
        n_in = data.X_train.shape[1]
        net = nn.ModuleDict({"E": block(n_in, hidden, z_dim), "P": block(z_dim, hidden, data.n_classes)})
        self.opt_ = optimizer(net, list(net), self.lr, self.weight_decay)
        return net

    def train_step(self, x, y, s) -> float:
        loss = F.cross_entropy(self.logits(x), y)
        self.opt_.zero_grad()
        loss.backward()
        self.opt_.step()
        return loss.item()


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
        "delta": Param(1.0, "weight of the reversed adversarial gradient on the encoder", low=0.0),
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


@register_method("adv-forgetting")
class AdversarialForgetting(InvarianceMethod):
    """Adversarial forgetting (Jaiswal et al. 2020): z = E(x) keeps all of x (decoder R), a mask m = M(x) in
    (0, 1) forgets; P predicts y from z * m while the discriminator D, reading stopgrad(z) * m, is trained on
    the true s and the model pushes it towards shuffled s. D's gradient reaches M, never E."""

    citation = JAISWAL
    params = {
        **InvarianceMethod.params,
        "rho": Param(0.01, "weight of the reconstruction error ||R(z) - x||^2 (paper's sweep: 1e-3..1e-1)", low=0.0),
        "delta": Param(1.0, "weight of the adversarial loss on the mask (paper's sweep: 1e-3..50)", low=0.0),
        "lam": Param(0.01, "weight of the mask's binarising penalty sum m(1 - m) (sweep: 1e-3..1e-1)", low=0.0),
        "adversary_steps": Param(10, "discriminator updates per model update (the paper's 1:10)", low=1),
        "adversary_lr": Param(1e-3, "discriminator's Adam learning rate (the predecessor UAI code's)", low=1e-7),
    }
    metrics = (
        *InvarianceMethod.metrics,
        Metric("mask_mean", description="mean mask value on validation inputs (0 = forgets all, 1 = keeps all)"),
    )

    def build(self, data, hidden, z_dim) -> nn.ModuleDict:
        n_in = data.X_train.shape[1]
        net = nn.ModuleDict({
            "E": block(n_in, hidden, z_dim),
            "M": nn.Sequential(block(n_in, hidden, z_dim), OpenSigmoid()),
            "P": block(z_dim, hidden, data.n_classes),
            "R": block(z_dim, hidden, n_in),
            "D": block(z_dim, hidden, data.n_s),
        })
        self.model_opt_ = optimizer(net, ["E", "M", "P", "R"], self.lr, self.weight_decay)
        self.adversary_opt_ = optimizer(net, ["D"], self.adversary_lr, self.weight_decay)
        self.val_X_ = data.X_val
        return net

    def masked(self, x: torch.Tensor) -> torch.Tensor:
        return self.net_["E"](x) * self.net_["M"](x)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.net_["P"](self.masked(x))

    def representation(self, x: torch.Tensor) -> torch.Tensor:
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

    def adversary_step(self, x: torch.Tensor, s: torch.Tensor) -> float:
        with torch.no_grad():
            z_masked = self.masked(x)
        loss = F.cross_entropy(self.net_["D"](z_masked), s)
        self.adversary_opt_.zero_grad()
        loss.backward()
        self.adversary_opt_.step()
        return loss.item()

    def train_step(self, x, y, s) -> float:
        shuffled = s[torch.randperm(len(s), generator=self.gen_, device=s.device)]
        terms = self.model_losses(x, y, shuffled)
        weights = {"y": 1.0, "reconstruction": self.rho, "adversary": self.delta, "mask": self.lam}
        loss = sum(weights[name] * term for name, term in terms.items())
        self.model_opt_.zero_grad()
        loss.backward()
        self.model_opt_.step()  # D's stray gradients are cleared by its own zero_grad before its step
        for _ in range(self.adversary_steps):
            x_d, _, s_d = self.random_batch()
            self.adversary_step(x_d, s_d)
        return loss.item()

    def report(self) -> dict[str, float]:
        mask = self._apply(self.net_["M"], self.val_X_)
        return {**super().report(), "mask_mean": float(mask.mean())}
