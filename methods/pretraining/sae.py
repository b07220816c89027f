"""`sae`: stacked (optionally denoising) autoencoders, the other classical layer-wise pretraining."""

from __future__ import annotations

import torch
from torch import nn

from repbench import LogUniform, Param, register_method
from repbench.methods.pretraining.layerwise import SHARED, LayerwiseClassifier
from repbench.methods.pretraining.rbm import RBM


@register_method("sae")
class StackedAutoencoder(LayerwiseClassifier):
    """Stacked (optionally denoising) autoencoders with tied weights, pretrained greedily, then fine-tuned."""

    citation = (
        "Bengio, Lamblin, Popovici & Larochelle (2007), Greedy layer-wise training of deep networks, NIPS; "
        "Vincent et al. (2008), denoising autoencoders, ICML"
    )
    params = {
        **SHARED,
        "lr": Param(0.01, "pretraining learning rate", low=0.0, high=10.0, search=LogUniform(1e-3, 1e-1)),
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
                with torch.no_grad():
                    error = layer.reconstruction_error(V[:2048])
                self.curves_.setdefault(f"recon_err_l{index + 1}", []).append(error)
        for p in params:
            p.requires_grad_(False)
        return layer
