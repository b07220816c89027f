"""The shared trainer of the pretraining family: greedy layer-wise pretraining, then supervised fine-tuning.

Every method of the family (dbn.py, sae.py, scratch.py) shares the architecture, the fine-tuning procedure
and the model selection on the validation split, so their differences come from the pretraining alone.
Defaults follow the setup of the authors' public follow-up code (Golovko et al.): 784-800-800-10 sigmoid
nets, 10 pretraining epochs per layer, batch 128, momentum 0.5 then 0.9, W ~ 0.1 N(0, 1), hidden bias -1.
"""

from __future__ import annotations

import time
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from repbench import BestCheckpoint, LogUniform, Method, Param, info
from repbench.methods.pretraining.rbm import RBM, UNITS
from repbench.plugins.kinds import CLASSIFICATION, ClassificationData

GOLOVKO = (
    "Golovko, Kroshchanka & Treadwell (2016), The nature of unsupervised learning in deep neural networks: "
    "a new understanding and novel approach, Optical Memory and Neural Networks 25(3):127-141"
)
HINTON = "Hinton, Osindero & Teh (2006), A fast learning algorithm for deep belief nets, Neural Computation 18(7)"

SHARED = {
    "hidden": Param((800, 800), "hidden layer widths (the authors' 784-800-800-10 net)", low=1),
    "batch_size": Param(128, "minibatch size for pretraining and fine-tuning", low=1),
    "pretrain_epochs": Param(10, "pretraining epochs per layer", low=0),
    "momentum_start": Param(0.5, "pretraining momentum for the first epochs", low=0.0, high=0.999),
    "momentum_final": Param(0.9, "pretraining momentum from epoch `momentum_switch` on", low=0.0, high=0.999),
    "momentum_switch": Param(5, "epoch at which pretraining momentum switches", low=0),
    "init_std": Param(0.1, "std of the initial weights, N(0, init_std^2)", low=0.0),
    "hidden_bias": Param(-1.0, "initial hidden biases"),
    "visible": Param("bernoulli", "first layer's visible units: bernoulli, or gaussian (linear) for real inputs",
                     choices=UNITS),
    "weight_decay": Param(0.0, "L2 penalty on pretraining weights", low=0.0),
    "finetune_epochs": Param(10, "supervised fine-tuning epochs (best epoch chosen on validation)", low=1),
    "finetune_min_steps": Param(0, "at least this many fine-tuning updates: more epochs when labels are few",
                                low=0),
    "finetune_lr": Param(0.1, "fine-tuning SGD learning rate", low=0.0, high=10.0, search=LogUniform(1e-2, 1.0)),
    "finetune_momentum": Param(0.9, "fine-tuning SGD momentum", low=0.0, high=0.999),
}
PROFILES = {
    # digits (64 inputs, 1.1k training images): smaller layers, more passes
    "quick": {"hidden": (100, 100), "pretrain_epochs": 20, "finetune_epochs": 60, "batch_size": 32},
    # the authors' 10 fine-tuning epochs leave MNIST validation error still falling; 1k labels need more passes
    "standard": {"finetune_epochs": 30, "finetune_min_steps": 3000},
    "paper": {"finetune_epochs": 100, "finetune_min_steps": 10000},
}
CD_PARAMS = {
    "lr": Param(0.01, "pretraining learning rate (authors: 0.01 for CD)", low=0.0, high=10.0,
                search=LogUniform(1e-3, 1e-1)),
    "k": Param(1, "Gibbs steps per update", low=1),
}
SCRATCH_PARAMS = {k: v for k, v in SHARED.items() if k in ("hidden", "batch_size") or k.startswith("finetune_")}
REBA_PARAMS = {"lr": Param(0.04, "pretraining learning rate (authors: 0.04 for REBA)", low=0.0, high=10.0,
                           search=LogUniform(4e-3, 4e-1))}


class LayerwiseClassifier(Method):
    """Pretrain hidden layers one at a time on inputs (unlabelled if the task offers them), then fine-tune."""

    citation = GOLOVKO
    solves = (CLASSIFICATION,)
    params = SHARED
    profiles = PROFILES
    smoke = {"pretrain_epochs": 1, "finetune_epochs": 2, "finetune_min_steps": 0}
    pretrains: ClassVar[bool] = True
    metrics = (
        info("finetune_s", "s", "fine-tuning wall time", timed=True),
        info("val_error", "%", "validation error of the selected fine-tuning epoch"),
        info("selected_epoch", description="fine-tuning epoch whose weights were kept"),
        info("pretrain_s", "s", "pretraining wall time (all layers)", timed=True),
        info("recon_err_l*", description="layer i's validation squared reconstruction error per image, after "
             "pretraining"),
    )

    # --- pretraining -----------------------------------------------------------------------------------
    def train_layer(self, index: int, V: torch.Tensor, visible: str, ctx, gen: torch.Generator) -> RBM:
        """Train layer `index` on inputs V; return it as an RBM (weights, biases)."""
        raise NotImplementedError

    def _momentum(self, epoch: int) -> float:
        return self.momentum_start if epoch < self.momentum_switch else self.momentum_final

    def _batches(self, n: int, gen: torch.Generator, device: torch.device, drop_last: bool) -> list[torch.Tensor]:
        batches = list(torch.randperm(n, generator=gen, device=device).split(self.batch_size))
        if drop_last and len(batches) > 1 and len(batches[-1]) < self.batch_size:
            batches.pop()  # equal batches keep persistent chains and momentum statistics simple
        return batches

    def pretrain(self, X: torch.Tensor, X_val: torch.Tensor, ctx, gen: torch.Generator) -> list[RBM]:
        layers, self.recon_ = [], []
        V, V_val = X, X_val
        for index in range(len(self.hidden)):
            visible = self.visible if index == 0 else "bernoulli"
            layer = self.train_layer(index, V, visible, ctx, gen)
            self.recon_.append(layer.reconstruction_error(V_val))
            layers.append(layer)
            with torch.no_grad():
                V, V_val = layer.hidden_mean(V), layer.hidden_mean(V_val)
        return layers

    # --- fine-tuning -----------------------------------------------------------------------------------
    def build_net(self, layers: list[RBM], n_in: int, n_classes: int, gen: torch.Generator) -> nn.Sequential:
        widths = [n_in, *self.hidden]
        modules: list[nn.Module] = []
        for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            linear = nn.Linear(fan_in, fan_out)
            if layers:
                linear.weight.data.copy_(layers[i].W.T)
                linear.bias.data.copy_(layers[i].c)
            else:
                nn.init.xavier_uniform_(linear.weight, generator=gen)
                nn.init.zeros_(linear.bias)
            modules += [linear, nn.Sigmoid()]
        top = nn.Linear(widths[-1], n_classes)
        nn.init.xavier_uniform_(top.weight, generator=gen)
        nn.init.zeros_(top.bias)
        return nn.Sequential(*modules, top)

    def finetune(self, net: nn.Sequential, data: ClassificationData, ctx, gen: torch.Generator) -> None:
        device = self.device_
        X, y = self._tensor(data.X_train), torch.as_tensor(data.y_train, device=device)
        opt = torch.optim.SGD(net.parameters(), lr=self.finetune_lr, momentum=self.finetune_momentum)
        loss_fn = nn.CrossEntropyLoss()
        self.best_ = BestCheckpoint(higher_is_better=False)
        batches_per_epoch = -(-len(X) // self.batch_size)
        self.finetune_epochs_run_ = max(self.finetune_epochs, -(-self.finetune_min_steps // batches_per_epoch))
        for epoch in range(self.finetune_epochs_run_):
            net.train()
            for idx in self._batches(len(X), gen, device, drop_last=False):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(net(X[idx]), y[idx])
                loss.backward()
                opt.step()
            ctx.check_loss(loss.item(), f"fine-tuning loss (epoch {epoch})")
            error = 100.0 * float(np.mean(self._labels(net, data.X_val) != data.y_val))
            self.best_.update(error, epoch + 1, net)
        self.best_.restore(net)

    # --- the Method contract ---------------------------------------------------------------------------
    def fit(self, data: ClassificationData, ctx) -> LayerwiseClassifier:
        self.device_ = torch.device(ctx.device)
        gen = ctx.generator()
        cpu_gen = ctx.generator("cpu")  # nn.init draws on the CPU
        start = time.perf_counter()
        self.curves_: dict[str, list[float]] = {}
        self.pretrained_: list[RBM] = []
        if self.pretrains:
            with torch.no_grad():
                self.pretrained_ = self.pretrain(self._tensor(data.X_pretrain), self._tensor(data.X_val), ctx, gen)
            self.pretrain_s_ = time.perf_counter() - start
        self.net_ = self.build_net(self.pretrained_, data.X_train.shape[1], data.n_classes, cpu_gen)
        self.net_.to(self.device_)
        start = time.perf_counter()
        self.finetune(self.net_, data, ctx, gen)
        self.finetune_s_ = time.perf_counter() - start
        return self

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(X, dtype=np.float32), device=self.device_)

    @torch.no_grad()
    def _labels(self, net: nn.Module, X: np.ndarray) -> np.ndarray:
        net.eval()
        return torch.cat([net(chunk).argmax(1) for chunk in self._tensor(X).split(4096)]).cpu().numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self._labels(self.net_, X)

    def curves(self) -> dict[str, list[float]]:
        """Reconstruction error of the first 2,048 pretraining inputs per layer and epoch (`recon_err_lN`), and
        the validation error % per fine-tuning epoch (`val_error`)."""
        return {**self.curves_, "val_error": [score for _, score in self.best_.history]}

    def measurements(self) -> dict[str, float]:
        values = {"finetune_s": self.finetune_s_, "val_error": self.best_.score,
                  "selected_epoch": float(self.best_.step)}
        if self.pretrains:
            values["pretrain_s"] = self.pretrain_s_
            values.update({f"recon_err_l{i + 1}": err for i, err in enumerate(self.recon_)})
        return values
