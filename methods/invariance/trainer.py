"""The shared trainer of the invariance family's methods: `nn` (plain.py, "B" in Jaiswal et al.),
`adv-forgetting` (forgetting.py, Jaiswal et al. 2020), `cai` (cai.py, Xie et al. 2017), `uai` (uai.py, Jaiswal
et al. 2018), `vfae` (vfae.py, Louizos et al. 2016) and `nn-mmd` (mmd.py). All share the blocks of blocks.py,
Adam with the paper's lr 1e-4 and weight decay 1e-4, batches of 128, a budget of model updates with early
stopping, fresh draws of the nuisance where the task streams them (on-the-fly rotations), and one
model-selection rule on validation data: the latest checkpoint within `select_tolerance` points of the best
validation y-accuracy. The adversarial methods also share one adversary budget (`Adversarial`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from repbench import BestCheckpoint, LogUniform, Method, Param, info
from repbench.benchmarks.invariance.kind import INVARIANCE, InvarianceData
from repbench.methods.invariance.blocks import Blocks

JAISWAL = ("Jaiswal, Moyer, Ver Steeg, AbdAlmageed & Natarajan (2020), Invariant representations through "
           "adversarial forgetting, AAAI 34(04):4272-4279")
UAI = ("Jaiswal, Wu, AbdAlmageed & Natarajan (2018), Unsupervised adversarial invariance, NeurIPS 31, "
       "https://arxiv.org/abs/1809.10083")
XIE = ("Xie, Dai, Du, Hovy & Neubig (2017), Controllable invariance through adversarial feature learning, "
       "NeurIPS")
LOUIZOS = ("Louizos, Swersky, Li, Welling & Zemel (2016), The variational fair autoencoder, ICLR, "
           "https://arxiv.org/abs/1511.00830")

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def optimizer(net: nn.ModuleDict, parts: list[str], lr: float, weight_decay: float) -> torch.optim.Adam:
    return torch.optim.Adam([p for name in parts for p in net[name].parameters()], lr=lr, weight_decay=weight_decay)


class InvarianceMethod(Method):
    """Shared trainer. Subclasses build `self.net_` (an nn.ModuleDict with at least E and P) and define the
    training step; `representation` (what the probes read) defaults to the encoder's output z."""

    solves = (INVARIANCE,)
    params = {
        "hidden": Param(0, "hidden units per MLP block; 0 = the task's (50 for the tabular sets)", low=0),
        "z_dim": Param(0, "representation size; 0 = the task's (8 for the tabular sets)", low=0),
        "conv_channels": Param(64, "image encoder's convolution channels (the UAI code's 64)", low=1),
        "decoder_channels": Param((256, 128), "image decoder's channels before and after upsampling (UAI: 256, "
                                  "128)", low=1),
        "lr": Param(1e-4, "Adam learning rate of the model (Jaiswal et al.)", low=1e-7, high=1.0,
                    search=LogUniform(1e-5, 1e-2)),
        "weight_decay": Param(1e-4, "Adam weight decay (Jaiswal et al.)", low=0.0),
        "batch_size": Param(128, "minibatch size (Jaiswal et al.)", low=1),
        "steps": Param(30000, "most model updates (the same budget for every data set)...", low=1),
        "max_epochs": Param(1000, "...and at most this many passes over the training rows (German's 640)", low=1),
        "val_every": Param(200, "updates between validation checkpoints", low=1),
        "patience": Param(10, "stop after this many checkpoints without a better validation y-accuracy (0: never)",
                          low=0),
        "select_tolerance": Param(0.5, "keep the latest checkpoint within this many points of the best validation "
                                  "y-accuracy: y plateaus early while the adversary's effect keeps growing", low=0.0),
    }
    smoke = {"steps": 20, "val_every": 10}
    profiles = {
        "quick": {"steps": 1500, "lr": 1e-3, "val_every": 100, "conv_channels": 16, "decoder_channels": (16, 8)},
        "standard": {"decoder_channels": (32, 16)},  # the UAI decoder at 1/8 width: ~25x fewer operations
        "paper": {"steps": 200000, "val_every": 1000, "patience": 20},
    }
    metrics = (
        info("train_s", "s", "training wall time", timed=True),
        info("val_y_acc", "%", "validation y-accuracy of the selected state"),
        info("selected_step", description="model update at which the selected state was saved"),
        info("stopped_step", description="model update at which training stopped (early stopping or budget)"),
        info("budget_steps", description="the most model updates the budget allowed"),
    )

    # --- what subclasses define ------------------------------------------------------------------------
    def build(self, data: InvarianceData, blocks: Blocks, z_dim: int) -> nn.ModuleDict:
        raise NotImplementedError

    def train_step(self, x: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> float:
        """One model update (plus whatever adversary updates go with it); returns the model loss."""
        raise NotImplementedError

    def representation(self, x: torch.Tensor, s: torch.Tensor | None = None) -> torch.Tensor:
        """What the probes read: the encoder's output z."""
        return self.net_["E"](x)

    def logits(self, x: torch.Tensor, s: torch.Tensor | None = None) -> torch.Tensor:
        return self.net_["P"](self.net_["E"](x))

    # --- shared ------------------------------------------------------------------------------------------
    def prepare(self, data: InvarianceData, device: torch.device, generator: torch.Generator) -> None:
        """What `fit` does before its first update (also what a timing benchmark needs): build the nets and put
        the training rows on the device."""
        self.device_, self.gen_ = device, generator
        blocks = Blocks.of(data, self.hidden or data.hidden, self.conv_channels, self.decoder_channels)
        self.net_ = self.build(data, blocks, self.z_dim or data.z_dim).to(self.device_)
        self.data_ = data
        self.tensors_ = tuple(torch.as_tensor(a, device=self.device_) for a in (
            (data.resample.raw if data.resample else data.X_train).astype(np.float32), data.y_train, data.s_train))

    def fit(self, data: InvarianceData, ctx) -> InvarianceMethod:
        self.prepare(data, torch.device(ctx.device), ctx.generator())
        n = len(data.y_train)
        self.budget_ = min(self.steps, self.max_epochs * math.ceil(n / self.batch_size))
        self.best_ = BestCheckpoint(higher_is_better=True, tolerance=self.select_tolerance)
        self.stopped_, self.perm_, self.pos_, step, trained_s = self.budget_, None, 0, 0, 0.0
        saved = ctx.resume()
        if saved is not None:
            step, trained_s = self._load_state(saved)
        start = time.perf_counter() - trained_s
        while step < self.budget_:
            step += 1
            self.net_.train()
            loss = self.train_step(*self.batch(self._next_indices(n)))
            ctx.check_loss(loss, f"training loss (update {step})")
            if step % self.val_every == 0 or step == self.budget_:
                val = 100.0 * float(np.mean(self.predict(data.X_val, data.s_val) == data.y_val))
                self.best_.update(val, step, self.net_)
                if self.patience and self.best_.stale >= self.patience:
                    self.stopped_ = step
                    break
                if ctx.checkpoint_due() and step < self.budget_:
                    ctx.save_checkpoint(self._state(step, time.perf_counter() - start), f"update {step}")
        self.best_.restore(self.net_)
        del self.data_, self.tensors_, self.perm_
        self.train_s_ = time.perf_counter() - start
        return self

    def _next_indices(self, n: int) -> torch.Tensor:
        """The next minibatch of successive random permutations (epochs) of the training rows; the last of an
        epoch may be smaller. A new permutation is drawn only when a batch is needed."""
        if self.perm_ is None or self.pos_ >= n:
            self.perm_, self.pos_ = torch.randperm(n, generator=self.gen_, device=self.device_), 0
        self.pos_ += self.batch_size
        return self.perm_[self.pos_ - self.batch_size:self.pos_]

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {name: value for name, value in vars(self).items() if isinstance(value, torch.optim.Optimizer)}

    def _state(self, step: int, trained_s: float) -> dict:
        """Everything the loop changes: nets, optimisers, the generator, the epoch's permutation, the selection."""
        return {"step": step, "trained_s": trained_s, "net": self.net_.state_dict(), "generator": self.gen_.get_state(),
                "perm": self.perm_, "pos": self.pos_, "best": self.best_.state_dict(),
                "optimizers": {name: opt.state_dict() for name, opt in self._optimizers().items()}}

    def _load_state(self, state: dict) -> tuple[int, float]:
        self.net_.load_state_dict(state["net"])
        self.gen_.set_state(state["generator"])
        self.perm_ = None if state["perm"] is None else state["perm"].to(self.device_)
        self.pos_ = state["pos"]
        self.best_.load_state_dict(state["best"])
        for name, opt in self._optimizers().items():
            opt.load_state_dict(state["optimizers"][name])
        return state["step"], state["trained_s"]

    def batch(self, idx: torch.Tensor) -> Batch:
        """(x, y, s) of training rows `idx`: stored, or with the nuisance drawn afresh (on-the-fly rotations)."""
        X, y, s = self.tensors_
        if self.data_.resample is None:
            return X[idx], y[idx], s[idx]
        x, s_new = self.data_.resample.draw(X[idx], self.gen_)
        return x, y[idx], s_new

    def random_batch(self) -> Batch:
        n = len(self.tensors_[1])
        return self.batch(torch.randint(n, (min(self.batch_size, n),), generator=self.gen_, device=self.device_))

    @torch.no_grad()
    def _apply(self, fn: Callable, X: np.ndarray, s: np.ndarray | None = None, batch: int = 4096) -> np.ndarray:
        self.net_.eval()
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        S = torch.as_tensor(np.asarray(s, dtype=np.int64)) if s is not None else None
        out = []
        for start in range(0, len(X), batch):
            part_s = S[start:start + batch].to(self.device_) if S is not None else None
            out.append(fn(X[start:start + batch].to(self.device_), part_s).cpu())
        return torch.cat(out).numpy()

    def predict(self, X: np.ndarray, s: np.ndarray | None = None) -> np.ndarray:
        return self._apply(self.logits, X, s).argmax(axis=1)

    def embed(self, X: np.ndarray, s: np.ndarray | None = None) -> np.ndarray:
        return self._apply(self.representation, X, s)

    def measurements(self) -> dict[str, float]:
        return {"train_s": self.train_s_, "val_y_acc": self.best_.score, "selected_step": float(self.best_.step),
                "stopped_step": float(self.stopped_), "budget_steps": float(self.budget_)}


class Adversarial(InvarianceMethod):
    """An invariance method with an adversary: every adversarial method gets the same adversary budget (its own
    Adam at `adversary_lr`, `adversary_steps` updates on fresh batches after each model update: the UAI code's
    1:10 at lr 1e-3), so none wins by a stronger or weaker opponent."""

    params = {
        **InvarianceMethod.params,
        "adversary_steps": Param(10, "adversary updates per model update (the UAI/AF code's 1:10)", low=1),
        "adversary_lr": Param(1e-3, "adversary's Adam learning rate (the UAI code's)", low=1e-7),
    }
    profiles = {**InvarianceMethod.profiles,
                "quick": {**InvarianceMethod.profiles["quick"], "adversary_steps": 5}}  # the 10-minute budget
    adversaries: tuple[str, ...] = ("D",)  # the parts of net_ the adversary updates train

    def adversary_optimizer(self, net: nn.ModuleDict) -> torch.optim.Adam:
        return optimizer(net, list(self.adversaries), self.adversary_lr, self.weight_decay)

    def adversary_loss(self, x: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """The adversary's loss on one batch (gradients must reach only the adversary's parts)."""
        raise NotImplementedError

    def model_step(self, loss: torch.Tensor) -> None:
        self.model_opt_.zero_grad()
        loss.backward()
        self.model_opt_.step()  # stray gradients on the adversary are cleared by its own zero_grad

    def adversary_round(self) -> None:
        for _ in range(self.adversary_steps):
            loss = self.adversary_loss(*self.random_batch())
            self.adversary_opt_.zero_grad()
            loss.backward()
            self.adversary_opt_.step()
