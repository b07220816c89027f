"""The pretraining paper's "data visualization" use: 2-D codes of a deep autoencoder on the MNIST test set.

A 784-1000-500-250-2 RBM stack (Hinton & Salakhutdinov 2006; linear code units) is pretrained greedily
with CD-1 and, separately, with REBA on the 60k training images; the test images are encoded by the
deterministic up-pass and plotted coloured by digit, one panel per rule. The codes are those of the
pretrained stack, without autoencoder fine-tuning, so the picture shows what each rule learnt.

    python -m repbench.benchmarks.autoencoder_codes [--epochs 10] [--out results/plots/...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from repbench.device import resolve_device
from repbench.methods.rbm import RBM, Momentum, train_epoch

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


def main(argv: list[str] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from repbench.benchmarks.mnist import load_mnist

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10, help="pretraining epochs per layer (authors: 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("results/plots/mnist_autoencoder_codes_cd_vs_reba.png"))
    args = parser.parse_args(argv)

    device = resolve_device(args.device)
    X_train, _, X_test, y_test = load_mnist()
    train, test = torch.as_tensor(X_train, device=device), torch.as_tensor(X_test, device=device)
    fig, axes = plt.subplots(1, 2, figsize=(12, 6))
    with torch.no_grad():
        for ax, rule in zip(axes, ("cd", "reba"), strict=True):
            start = time.perf_counter()
            layers = pretrain_stack(train, rule, args.epochs, args.seed)
            seconds = time.perf_counter() - start
            codes = encode(layers, test).cpu().numpy()
            error = float(((reconstruct(layers, test) - test) ** 2).sum(1).mean())
            for digit in range(10):
                sel = y_test == digit
                ax.scatter(codes[sel, 0], codes[sel, 1], s=2, alpha=0.5, color=plt.cm.tab10(digit), label=str(digit))
            ax.set_title(f"{rule.upper()} pretraining: test reconstruction error {error:.1f}/image ({seconds:.0f} s)")
            ax.set_xlabel("code 1")
            ax.set_ylabel("code 2")
            print(f"{rule}: pretraining {seconds:.1f} s, test squared reconstruction error per image {error:.2f}")
    axes[1].legend(markerscale=6, title="digit", loc="best")
    fig.suptitle("2-D codes of a pretrained 784-1000-500-250-2 RBM stack, MNIST test set (no fine-tuning)")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
