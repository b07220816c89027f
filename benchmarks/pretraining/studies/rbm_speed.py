"""Speed in context: one RBM pretraining epoch (784-800, batch 128; CD-1 and REBA) against this machine's own
float32 matrix-multiply throughput for exactly the products an epoch computes.

    repbench study rbm-speed [--profile standard] [--threads 1]

An update costs three batch products (hidden means, reconstruction, hidden means again) and one weight-gradient
product over the stacked batch; everything else is elementwise. The table gives each rule's epoch time, the
time the same products take alone (the matmul bound), the fraction of that bound the epoch reaches, and
scikit-learn's BernoulliRBM (float64 PCD) for reference. The quick profile uses the embedded 8x8 digits.
Writes results/pretraining/rbm_speed_<profile>.csv.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from repbench.methods.pretraining.rbm import RBM, Momentum, train_epoch
from repbench.studies import Param, Study, StudyContext, register_study, study_paths, write_table

N_HIDDEN, BATCH = 800, 128


def _images(profile: str) -> np.ndarray:
    if profile == "quick":
        from sklearn.datasets import load_digits

        return (load_digits().data / 16.0).astype(np.float32)
    from repbench.benchmarks.classic.data import load_mnist

    return load_mnist()[0]


def _best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def matmul_bound(n: int, n_visible: int, n_hidden: int = N_HIDDEN, batch: int = BATCH, repeats: int = 3) -> dict:
    """Seconds and GFLOP of an epoch's products alone (same shapes, same count), at the current thread count."""
    g = torch.Generator().manual_seed(0)
    v, h = torch.rand(batch, n_visible, generator=g), torch.rand(batch, n_hidden, generator=g)
    W = torch.rand(n_visible, n_hidden, generator=g)
    stacked_v, stacked_h = torch.rand(2 * batch, n_visible, generator=g), torch.rand(2 * batch, n_hidden, generator=g)
    batches = n // batch

    def epoch() -> None:
        for _ in range(batches):
            torch.mm(v, W)
            torch.mm(h, W.T)
            torch.mm(v, W)
            torch.mm(stacked_v.T, stacked_h)

    flops = batches * 2 * n_visible * n_hidden * (3 * batch + 2 * batch)
    seconds = _best_of(epoch, repeats)
    return {"seconds": seconds, "gflop": flops / 1e9, "gflop_per_s": flops / 1e9 / seconds}


def epoch_seconds(X: np.ndarray, rule: str, repeats: int = 3) -> float:
    V = torch.as_tensor(X)

    def epoch() -> None:
        gen = torch.Generator().manual_seed(0)
        rbm = RBM.create(V.shape[1], N_HIDDEN, generator=gen)
        batches = list(torch.randperm(len(V), generator=gen).split(BATCH))
        train_epoch(rbm, Momentum(rbm), V, batches, rule, lr=0.01, momentum=0.5, gen=gen)

    epoch()  # warm-up
    return _best_of(epoch, repeats)


def sklearn_seconds(X: np.ndarray) -> float:
    from sklearn.neural_network import BernoulliRBM

    start = time.perf_counter()
    BernoulliRBM(n_components=N_HIDDEN, batch_size=BATCH, learning_rate=0.01, n_iter=1, random_state=0).fit(X)
    return time.perf_counter() - start


@register_study
class RBMSpeed(Study):
    """One CD-1, mean-field CD-1 and REBA epoch (784-800, batch 128) as a fraction of this machine's matmul
    throughput for the same products, beside scikit-learn's BernoulliRBM (quick: the 8x8 digits)."""

    name = "rbm-speed"
    family = "pretraining"
    measures = True
    outputs = ("pretraining/rbm_speed_{profile}.csv",)
    options = {"threads": Param(1, "Torch threads for both the epochs and the matmul bound.", low=1)}

    def run(self, ctx: StudyContext) -> Path:
        return run_study(ctx.profile, ctx.options["threads"], ctx.results)


def run_study(profile: str = "standard", threads: int = 1, results: Path | None = None) -> Path:
    torch.set_num_threads(threads)
    X = _images(profile)
    bound = matmul_bound(len(X), X.shape[1])
    rows = [{"what": "matmul bound (the epoch's products alone)", "seconds": bound["seconds"],
             "gflop_per_s": bound["gflop_per_s"], "fraction_of_bound": 1.0}]
    for rule in ("cd", "cd-mf", "reba"):
        seconds = epoch_seconds(X, rule)
        rows.append({"what": f"{rule} epoch", "seconds": seconds, "gflop_per_s": bound["gflop"] / seconds,
                     "fraction_of_bound": bound["seconds"] / seconds})
    sk = sklearn_seconds(X)
    rows.append({"what": "scikit-learn BernoulliRBM epoch (PCD, float64)", "seconds": sk,
                 "gflop_per_s": bound["gflop"] / sk, "fraction_of_bound": bound["seconds"] / sk})
    table = pd.DataFrame(rows).assign(threads=threads, images=len(X), gflop_per_epoch=bound["gflop"])
    csv, _ = study_paths("pretraining", "rbm_speed", profile, results)
    return write_table(table, csv)
