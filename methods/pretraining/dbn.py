"""RBM stacks: `dbn-cd` (sampled CD-k), `dbn-pcd` (persistent CD), `dbn-reba` (Golovko et al.'s nonlinear rule)
and `dbn-hybrid` (CD for the first layer, REBA above). The rules themselves live in rbm.py."""

from __future__ import annotations

import torch

from repbench import Choice, LogUniform, Param, register_method
from repbench.methods.pretraining.layerwise import CD_PARAMS, GOLOVKO, HINTON, REBA_PARAMS, SHARED, LayerwiseClassifier
from repbench.methods.pretraining.rbm import RBM, Momentum, train_epoch


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
            self.curves_.setdefault(f"recon_err_l{index + 1}", []).append(error)
        return rbm


@register_method("dbn-cd")
class DbnCD(RBMStack):
    """RBM stack pretrained with contrastive divergence CD-k (sampled binary hidden states), then fine-tuned."""

    citation = f"{HINTON}; pretraining protocol: {GOLOVKO}"
    params = {**SHARED, **CD_PARAMS}

    def rule(self, index: int) -> tuple[str, float]:
        return "cd", self.lr


@register_method("dbn-cd-mf")
class DbnCDMeanField(RBMStack):
    """RBM stack pretrained with mean-field CD-1 (no sampling: REBA with unit derivatives), the classical
    rule as Golovko et al. compare it, then fine-tuned."""

    citation = f"{GOLOVKO}; {HINTON}"
    params = {**SHARED, "lr": CD_PARAMS["lr"]}

    def rule(self, index: int) -> tuple[str, float]:
        return "cd-mf", self.lr


@register_method("dbn-pcd")
class DbnPCD(RBMStack):
    """RBM stack pretrained with persistent CD (Tieleman 2008; scikit-learn's BernoulliRBM), then fine-tuned."""

    citation = (
        "Tieleman (2008), Training restricted Boltzmann machines using approximations to the likelihood "
        "gradient, ICML"
    )
    params = {
        **SHARED,
        # persistent chains want smaller steps than CD (Tieleman 2008 used 1e-4..1e-3) and may need more Gibbs
        # steps to mix: both are searched
        "lr": Param(0.01, "pretraining learning rate", low=0.0, high=10.0, search=LogUniform(1e-4, 1e-1)),
        "k": Param(1, "Gibbs steps per update of the persistent chain", low=1, search=Choice((1, 3, 10))),
    }

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
        "lr_cd": Param(0.01, "learning rate of the CD layer", low=0.0, high=10.0, search=CD_PARAMS["lr"].search),
        "lr_reba": Param(0.04, "learning rate of the REBA layers", low=0.0, high=10.0,
                         search=REBA_PARAMS["lr"].search),
        "k": CD_PARAMS["k"],
    }

    def rule(self, index: int) -> tuple[str, float]:
        return ("cd", self.lr_cd) if index == 0 else ("reba", self.lr_reba)
