"""The pretraining family (Golovko et al. 2016): greedy layer-wise pretraining, then supervised fine-tuning.

`dbn-cd`, `dbn-pcd`, `dbn-reba`, `dbn-hybrid` pretrain RBM stacks with different rules (methods/rbm.py),
`sae` with stacked autoencoders, and `mlp-scratch` skips pretraining (the control). All share the
architecture, the fine-tuning procedure and the model selection on the validation split, so their
differences come from the pretraining alone. Defaults follow the authors' public setup (PAPERS.md A).
"""

from __future__ import annotations

import copy
import time
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from repbench import Method, Metric, Param, register_method
from repbench.kinds import CLASSIFICATION, ClassificationData
from repbench.methods.rbm import RBM, UNITS, Momentum, train_epoch

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
    "finetune_lr": Param(0.1, "fine-tuning SGD learning rate", low=0.0, high=10.0),
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
    "lr": Param(0.01, "pretraining learning rate (authors: 0.01 for CD)", low=0.0, high=10.0),
    "k": Param(1, "Gibbs steps per update", low=1),
}
SCRATCH_PARAMS = {k: v for k, v in SHARED.items() if k in ("hidden", "batch_size") or k.startswith("finetune_")}
REBA_PARAMS = {"lr": Param(0.04, "pretraining learning rate (authors: 0.04 for REBA)", low=0.0, high=10.0)}


class LayerwiseClassifier(Method):
    """Pretrain hidden layers one at a time on inputs (unlabelled if the task offers them), then fine-tune."""

    citation = GOLOVKO
    solves = (CLASSIFICATION,)
    params = SHARED
    profiles = PROFILES
    pretrains: ClassVar[bool] = True

    def __init__(self, **params) -> None:
        super().__init__(**params)
        extra = [Metric("finetune_s", "s", higher_is_better=False), Metric("val_error", "%", higher_is_better=False)]
        if self.pretrains:
            extra.append(Metric("pretrain_s", "s", higher_is_better=False))
            extra += [Metric(f"recon_err_l{i + 1}", higher_is_better=False,
                             description="validation squared reconstruction error per image, after pretraining")
                      for i in range(len(self.hidden))]
        self.metrics = tuple(extra)

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
        best, best_state = np.inf, None
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
            if error < best:
                best, best_state, self.best_epoch_ = error, copy.deepcopy(net.state_dict()), epoch + 1
        net.load_state_dict(best_state)
        self.val_error_ = best

    # --- the Method contract ---------------------------------------------------------------------------
    def fit(self, data: ClassificationData, ctx) -> LayerwiseClassifier:
        self.device_ = torch.device(ctx.device)
        gen = torch.Generator(device=self.device_).manual_seed(ctx.seed)
        cpu_gen = torch.Generator().manual_seed(ctx.seed)  # nn.init draws on the CPU
        start = time.perf_counter()
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

    def report(self) -> dict[str, float]:
        values = {"finetune_s": self.finetune_s_, "val_error": self.val_error_}
        if self.pretrains:
            values["pretrain_s"] = self.pretrain_s_
            values.update({f"recon_err_l{i + 1}": err for i, err in enumerate(self.recon_)})
        return values


class RBMStack(LayerwiseClassifier):
    """A deep belief net's RBM stack; subclasses choose the rule per layer."""

    def rule(self, index: int) -> tuple[str, float]:
        """(rule name, learning rate) for layer `index`."""
        raise NotImplementedError

    def train_layer(self, index: int, V: torch.Tensor, visible: str, ctx, gen: torch.Generator) -> RBM:
        rbm = RBM.create(V.shape[1], self.hidden[index], visible=visible, init_std=self.init_std,
                         hidden_bias=self.hidden_bias, generator=gen, device=V.device)
        optimizer, (rule, lr), chain = Momentum(rbm), self.rule(index), None
        for epoch in range(self.pretrain_epochs):
            batches = self._batches(len(V), gen, V.device, drop_last=True)
            chain = train_epoch(rbm, optimizer, V, batches, rule, lr, self._momentum(epoch),
                                k=getattr(self, "k", 1), weight_decay=self.weight_decay, gen=gen, chain=chain)
            error = rbm.reconstruction_error(V[:2048])
            ctx.check_loss(error, f"layer {index + 1} reconstruction error (epoch {epoch})")
        return rbm


@register_method("dbn-cd")
class DbnCD(RBMStack):
    """RBM stack pretrained with contrastive divergence CD-k (sampled binary hidden states), then fine-tuned."""

    citation = f"{HINTON}; pretraining protocol: {GOLOVKO}"
    params = {**SHARED, **CD_PARAMS}

    def rule(self, index: int) -> tuple[str, float]:
        return "cd", self.lr


@register_method("dbn-pcd")
class DbnPCD(RBMStack):
    """RBM stack pretrained with persistent CD (Tieleman 2008; scikit-learn's BernoulliRBM), then fine-tuned."""

    citation = (
        "Tieleman (2008), Training restricted Boltzmann machines using approximations to the likelihood "
        "gradient, ICML"
    )
    params = {**SHARED, **CD_PARAMS}

    def rule(self, index: int) -> tuple[str, float]:
        return "pcd", self.lr


@register_method("dbn-reba")
class DbnREBA(RBMStack):
    """RBM stack pretrained with the REBA rule (deterministic, visible + hidden error, derivative factors)."""

    params = {**SHARED, **REBA_PARAMS}

    def rule(self, index: int) -> tuple[str, float]:
        return "reba", self.lr


@register_method("dbn-hybrid")
class DbnHybrid(RBMStack):
    """CD-k for the first layer, REBA for the layers above (the authors' later variant)."""

    params = {
        **SHARED,
        "lr_cd": Param(0.01, "learning rate of the CD layer", low=0.0, high=10.0),
        "lr_reba": Param(0.04, "learning rate of the REBA layers", low=0.0, high=10.0),
        "k": CD_PARAMS["k"],
    }

    def rule(self, index: int) -> tuple[str, float]:
        return ("cd", self.lr_cd) if index == 0 else ("reba", self.lr_reba)


@register_method("sae")
class StackedAutoencoder(LayerwiseClassifier):
    """Stacked (optionally denoising) autoencoders with tied weights, pretrained greedily, then fine-tuned."""

    citation = (
        "Bengio, Lamblin, Popovici & Larochelle (2007), Greedy layer-wise training of deep networks, NIPS; "
        "Vincent et al. (2008), denoising autoencoders, ICML"
    )
    params = {
        **SHARED,
        "lr": Param(0.01, "pretraining learning rate", low=0.0, high=10.0),
        "noise": Param(0.0, "fraction of inputs zeroed (denoising); 0 = plain autoencoder", low=0.0, high=0.95),
    }

    def train_layer(self, index: int, V: torch.Tensor, visible: str, ctx, gen: torch.Generator) -> RBM:
        layer = RBM.create(V.shape[1], self.hidden[index], visible=visible, init_std=self.init_std,
                           hidden_bias=self.hidden_bias, generator=gen, device=V.device)
        params = [p.requires_grad_() for p in (layer.W, layer.b, layer.c)]
        groups = [{"params": [layer.W], "weight_decay": self.weight_decay}, {"params": [layer.b, layer.c]}]
        opt = torch.optim.SGD(groups, lr=self.lr, momentum=self.momentum_start)
        with torch.enable_grad():
            for epoch in range(self.pretrain_epochs):
                for group in opt.param_groups:
                    group["momentum"] = self._momentum(epoch)
                for idx in self._batches(len(V), gen, V.device, drop_last=True):
                    x = V[idx]
                    corrupted = x
                    if self.noise:
                        corrupted = x * (torch.rand(x.shape, generator=gen, device=x.device) >= self.noise)
                    recon_pre = layer.visible_pre(layer.hidden_mean(corrupted))
                    if visible == "bernoulli":
                        loss = nn.functional.binary_cross_entropy_with_logits(recon_pre, x, reduction="sum")
                    else:
                        loss = 0.5 * ((recon_pre - x) ** 2).sum()
                    loss = loss / len(x)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                ctx.check_loss(loss.item(), f"layer {index + 1} autoencoder loss (epoch {epoch})")
        for p in params:
            p.requires_grad_(False)
        return layer


@register_method("mlp-scratch")
class MlpScratch(LayerwiseClassifier):
    """The same sigmoid architecture and fine-tuning from random (Glorot) initialisation: the control."""

    citation = "Glorot & Bengio (2010), Understanding the difficulty of training deep feedforward neural networks"
    pretrains = False
    params = SCRATCH_PARAMS
    profiles = {name: {k: v for k, v in over.items() if k in SCRATCH_PARAMS} for name, over in PROFILES.items()}
