"""`nn`: the plain network ("B" in Jaiswal et al. 2020), trained on y alone: the baseline every invariance
method is compared with."""

from __future__ import annotations

from torch import nn
from torch.nn import functional as F

from repbench import register_method
from repbench.methods.invariance.trainer import JAISWAL, InvarianceMethod, optimizer


@register_method("nn")
class PlainNet(InvarianceMethod):
    """The plain network ("B" in the paper): encoder + predictor trained on y alone."""

    citation = JAISWAL + " (baseline B)"
    version = "2"  # probes read z; early stopping; image blocks of the UAI code

    def build(self, data, blocks, z_dim) -> nn.ModuleDict:
        net = nn.ModuleDict({"E": blocks.encoder(z_dim), "P": blocks.predictor(z_dim, data.n_classes)})
        self.opt_ = optimizer(net, list(net), self.lr, self.weight_decay)
        return net

    def train_step(self, x, y, s) -> float:
        loss = F.cross_entropy(self.logits(x), y)
        self.opt_.zero_grad()
        loss.backward()
        self.opt_.step()
        return loss.item()
