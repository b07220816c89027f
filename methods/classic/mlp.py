"""Method `mlp`: a torch multilayer perceptron trained with Adam, early-stopped on validation loss."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from repbench import BestCheckpoint, Choice, LogUniform, Method, Param, info, register_method
from repbench.plugins.kinds import CLASSIFICATION, ClassificationData


@register_method("mlp")
class MLP(Method):
    """ReLU MLP; keeps the weights of the epoch with the lowest validation loss (early stopping)."""

    citation = "Rumelhart, Hinton & Williams (1986); Kingma & Ba (2015), Adam"
    solves = (CLASSIFICATION,)
    params = {
        "hidden": Param((128,), "hidden layer widths, e.g. 256x128", low=1),
        "lr": Param(1e-3, "Adam learning rate", low=0.0, high=10.0, search=LogUniform(1e-4, 1e-1)),
        "weight_decay": Param(0.0, "L2 penalty (Adam weight_decay)", low=0.0),
        "batch_size": Param(64, "minibatch size", low=1, search=Choice((32, 64, 128))),
        "max_epochs": Param(200, "upper bound on training epochs", low=1),
        "patience": Param(20, "epochs without validation improvement before stopping", low=1),
    }
    profiles = {"quick": {"max_epochs": 100}, "standard": {}, "paper": {}}
    smoke = {"max_epochs": 3}
    metrics = (info("selected_epoch", description="epoch whose weights were kept (lowest validation loss)"),)

    def fit(self, data: ClassificationData, ctx) -> MLP:
        self.device_ = torch.device(ctx.device)
        gen = ctx.generator("cpu")
        widths = [data.X_train.shape[1], *self.hidden]
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        self.net_ = nn.Sequential(*layers, nn.Linear(widths[-1], data.n_classes)).to(self.device_)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        X, y = self._tensor(data.X_train), torch.as_tensor(data.y_train, device=self.device_)
        X_val, y_val = self._tensor(data.X_val), torch.as_tensor(data.y_val, device=self.device_)
        loss_fn = nn.CrossEntropyLoss()
        self.best_ = BestCheckpoint(higher_is_better=False)
        waited = 0
        for epoch in range(1, self.max_epochs + 1):
            self.net_.train()
            for idx in torch.randperm(len(X), generator=gen).to(self.device_).split(self.batch_size):
                opt.zero_grad()
                loss = loss_fn(self.net_(X[idx]), y[idx])
                loss.backward()
                opt.step()
            ctx.check_loss(loss.item(), f"training loss (epoch {epoch})")
            self.net_.eval()
            with torch.no_grad():
                val_loss = loss_fn(self.net_(X_val), y_val).item()
            waited = 0 if self.best_.update(val_loss, epoch, self.net_) else waited + 1
            if waited >= self.patience:
                break
        self.best_.restore(self.net_)
        return self

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(X, dtype=np.float32), device=self.device_)

    @torch.no_grad()
    def predict(self, X: np.ndarray) -> np.ndarray:
        self.net_.eval()
        return self.net_(self._tensor(X)).argmax(dim=1).cpu().numpy()

    def measurements(self) -> dict[str, float]:
        return {"selected_epoch": float(self.best_.step)}
