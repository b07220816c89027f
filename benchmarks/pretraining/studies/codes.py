"""The pretraining paper's "data visualization" use: 2-D codes of a deep autoencoder on the MNIST test set.

A 784-1000-500-250-2 RBM stack (Hinton & Salakhutdinov 2006; linear code units) is pretrained greedily
with CD-1 and, separately, with REBA on the 60k training images; the test images are encoded by the
deterministic up-pass and plotted coloured by digit, one panel per rule. The codes are those of the
pretrained stack, without autoencoder fine-tuning, so the picture shows what each rule learnt.

    repbench study codes [--profile standard] [--epochs 10]

Profiles: `quick` uses scikit-learn's embedded 8x8 digits (1,437 training / 360 test images, 20 epochs per
layer); `standard` and `paper` use MNIST (60k / 10k, the authors' 10 epochs). Writes
results/pretraining/codes_<profile>.csv (time and test reconstruction error per rule) and
results/plots/pretraining_codes_<profile>.png.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from repbench.methods.pretraining.rbm import RBM, Momentum, train_epoch
from repbench.studies import Param, Study, StudyContext, register_study, save_figure, study_paths, write_table

SIZES = (1000, 500, 250, 2)
LEARNING_RATES = {"cd": 0.01, "reba": 0.04}  # the authors' rates; the linear code layer uses a tenth


def pretrain_stack(X: torch.Tensor, rule: str, epochs: int, seed: int = 0, batch_size: int = 128) -> list[RBM]:
    gen = torch.Generator(device=X.device).manual_seed(seed)
    layers, V = [], X
    for i, n_hidden in enumerate(SIZES):
        code_layer = i == len(SIZES) - 1
        rbm = RBM.create(V.shape[1], n_hidden, hidden="gaussian" if code_layer else "bernoulli",
                         hidden_bias=0.0 if code_layer else -1.0, generator=gen, device=X.device)
        optimizer, lr = Momentum(rbm), LEARNING_RATES[rule] / (10 if code_layer else 1)
        for epoch in range(epochs):
            batches = list(torch.randperm(len(V), generator=gen, device=X.device).split(batch_size))
            train_epoch(rbm, optimizer, V, batches, rule, lr, 0.5 if epoch < 5 else 0.9, gen=gen)
        layers.append(rbm)
        V = rbm.hidden_mean(V)
    return layers


def encode(layers: list[RBM], X: torch.Tensor) -> torch.Tensor:
    for rbm in layers:
        X = rbm.hidden_mean(X)
    return X


def reconstruct(layers: list[RBM], X: torch.Tensor) -> torch.Tensor:
    H = encode(layers, X)
    for rbm in reversed(layers):
        H = rbm.visible_mean(H)
    return H


EPOCHS = {"quick": 20, "standard": 10, "paper": 10}


def images(profile: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train images, test images, test labels) as float32 rows in [0, 1]."""
    if profile == "quick":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        X, y = load_digits(return_X_y=True)
        X_train, X_test, _, y_test = train_test_split((X / 16.0).astype(np.float32), y, test_size=0.2,
                                                      stratify=y, random_state=0)
        return X_train, X_test, y_test
    from repbench.benchmarks.classic.data import load_mnist

    X_train, _, X_test, y_test = load_mnist()
    return X_train, X_test, y_test


@register_study
class Codes(Study):
    """2-D codes of a 784-1000-500-250-2 RBM stack pretrained with CD-1 and with REBA, test images coloured by
    digit (Hinton & Salakhutdinov 2006's visualisation; Golovko et al. 2016's rules). The quick profile uses
    the embedded 8x8 digits, standard and paper MNIST."""

    name = "codes"
    family = "pretraining"
    measures = True
    outputs = ("pretraining/codes_{profile}.csv", "plots/pretraining_codes_{profile}.png")
    options = {
        "epochs": Param(0, "Pretraining epochs per layer (0: the profile's, quick 20, standard and paper the "
                        "authors' 10).", low=0),
        "seed": Param(0, "Seed of the initial weights and the batches."),
        "device": Param("auto", "auto, cpu, cuda, cuda:N or mps."),
    }

    def run(self, ctx: StudyContext) -> tuple[Path, Path]:
        o = ctx.options
        return run_study(ctx.profile, o["epochs"] or None, o["seed"], o["device"], ctx.results)


def run_study(profile: str = "standard", epochs: int | None = None, seed: int = 0, device: str = "auto",
              results: Path | None = None) -> tuple[Path, Path]:
    """Pretrain the stack with each rule, plot the test codes; returns the table's and the figure's paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from repbench.plugins.device import resolve_device

    device = resolve_device(device)
    epochs = epochs or EPOCHS[profile]
    X_train, X_test, y_test = images(profile)
    train, test = torch.as_tensor(X_train, device=device), torch.as_tensor(X_test, device=device)
    fig, axes = plt.subplots(1, 2, figsize=(12, 6))
    rows = []
    with torch.no_grad():
        for ax, rule in zip(axes, ("cd", "reba"), strict=True):
            start = time.perf_counter()
            layers = pretrain_stack(train, rule, epochs, seed)
            seconds = time.perf_counter() - start
            codes = encode(layers, test).cpu().numpy()
            error = float(((reconstruct(layers, test) - test) ** 2).sum(1).mean())
            rows.append({"rule": rule, "epochs": epochs, "pretrain_s": seconds, "test_recon_error": error})
            for digit in range(10):
                sel = y_test == digit
                ax.scatter(codes[sel, 0], codes[sel, 1], s=2, alpha=0.5, color=plt.cm.tab10(digit), label=str(digit))
            ax.set_title(f"{rule.upper()}: test reconstruction error {error:.1f}/image ({seconds:.0f} s)", fontsize=10)
            ax.set_xlabel("code 1")
            ax.set_ylabel("code 2")
    axes[1].legend(markerscale=6, title="digit", loc="best")
    data = "8x8 digits" if profile == "quick" else "MNIST"
    fig.suptitle(f"2-D codes of a pretrained {train.shape[1]}-1000-500-250-2 RBM stack, {data} test set, "
                 f"no fine-tuning ({profile} profile)", fontsize=10)
    csv, png = study_paths("pretraining", "codes", profile, results)
    write_table(pd.DataFrame(rows), csv)
    save_figure(fig, png)
    return csv, png
