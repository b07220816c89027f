"""The shared trainer of the invariance family's methods: `nn` (plain.py, "B" in Jaiswal et al.),
`adv-forgetting` (forgetting.py, Jaiswal et al. 2020) and `cai` (cai.py, Xie et al. 2017). All share blocks
(MLPs with one hidden layer, sized by the task), Adam with the paper's lr 1e-4 and weight decay 1e-4, batches
of 128, a budget of model updates, and one model-selection rule on validation data: the latest checkpoint
within `select_tolerance` points of the best validation y-accuracy.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn

from repbench import BestCheckpoint, LogUniform, Method, Param, info
from repbench.benchmarks.invariance.kind import INVARIANCE, InvarianceData

JAISWAL = ("Jaiswal, Moyer, Ver Steeg, AbdAlmageed & Natarajan (2020), Invariant representations through "
           "adversarial forgetting, AAAI 34(04):4272-4279")
XIE = ("Xie, Dai, Du, Hovy & Neubig (2017), Controllable invariance through adversarial feature learning, "
       "NeurIPS")


def block(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    """The paper's building block: one hidden layer of ReLUs."""
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


def optimizer(net: nn.ModuleDict, parts: list[str], lr: float, weight_decay: float) -> torch.optim.Adam:
    return torch.optim.Adam([p for name in parts for p in net[name].parameters()], lr=lr, weight_decay=weight_decay)


class InvarianceMethod(Method):
    """Shared trainer. Subclasses build `self.net_` (an nn.ModuleDict with at least E and P) and define the
    training step and the representation the probes read."""

    solves = (INVARIANCE,)
    params = {
        "hidden": Param(0, "hidden units per block; 0 = the task's (50 for the tabular sets)", low=0),
        "z_dim": Param(0, "representation size; 0 = the task's (8 for the tabular sets)", low=0),
        "lr": Param(1e-4, "Adam learning rate of the model (Jaiswal et al.)", low=1e-7, high=1.0,
                    search=LogUniform(1e-5, 1e-2)),
        "weight_decay": Param(1e-4, "Adam weight decay (Jaiswal et al.)", low=0.0),
        "batch_size": Param(128, "minibatch size (Jaiswal et al.)", low=1),
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
        info("train_s", "s", "training wall time"),
        info("val_y_acc", "%", "validation y-accuracy of the selected state"),
        info("selected_step", description="model update at which the selected state was saved"),
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
        self.device_ = torch.device(ctx.device)
        self.gen_ = ctx.generator()
        self.net_ = self.build(data, self.hidden or data.hidden, self.z_dim or data.z_dim).to(self.device_)
        X, y, s = (torch.as_tensor(a, device=self.device_) for a in (data.X_train.astype(np.float32),
                                                                      data.y_train, data.s_train))
        self.data_ = (X, y, s)  # adversary steps draw their own batches
        self.budget_ = min(self.steps, self.max_epochs * math.ceil(len(X) / self.batch_size))
        self.best_ = BestCheckpoint(higher_is_better=True, tolerance=self.select_tolerance)
        start = time.perf_counter()
        for step, idx in enumerate(self._batches(len(X)), start=1):
            self.net_.train()
            loss = self.train_step(X[idx], y[idx], s[idx])
            ctx.check_loss(loss, f"training loss (update {step})")
            if step % self.val_every == 0 or step == self.budget_:
                self.best_.update(100.0 * float(np.mean(self.predict(data.X_val) == data.y_val)), step, self.net_)
        self.best_.restore(self.net_)
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
        return {"train_s": self.train_s_, "val_y_acc": self.best_.score, "selected_step": float(self.best_.step)}
