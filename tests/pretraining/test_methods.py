"""The family's methods on embedded digits: they train, they use pretraining as declared, they are seeded."""

import numpy as np
import pytest
import torch

from repbench.execution.cell import fit_seeded
from repbench.plugins.base import RunContext

FAMILY = ["dbn-cd", "dbn-cd-mf", "dbn-pcd", "dbn-reba", "dbn-hybrid", "sae", "mlp-scratch"]
SMALL = {"hidden": (32, 32), "pretrain_epochs": 3, "finetune_epochs": 15, "batch_size": 32}


@pytest.fixture(scope="module")
def digits(registry):
    return registry.get_task("digits")().load(RunContext(seed=0, profile="quick"))


def _fit(registry, name, data, seed=0, **overrides):
    cls = registry.get_method(name)
    params = {k: v for k, v in {**SMALL, **overrides}.items() if k in cls.params}
    return fit_seeded(cls(**params), data, RunContext(seed=seed, profile="quick", device="cpu"))


@pytest.mark.parametrize("name", FAMILY)
def test_every_method_learns_and_reports(registry, digits, name):
    method = _fit(registry, name, digits)
    assert np.mean(method.predict(digits.X_val) == digits.y_val) > 0.85
    report = method.measurements()
    assert all(method.declared_metric(name) for name in report)  # every reported value is declared on the class
    if name != "mlp-scratch":
        assert report["pretrain_s"] > 0 and {"recon_err_l1", "recon_err_l2"} <= set(report)


@pytest.mark.parametrize("name", ["dbn-cd", "dbn-reba", "sae"])
def test_pretraining_reduces_reconstruction_error(registry, digits, name):
    untrained = _fit(registry, name, digits, pretrain_epochs=0, finetune_epochs=1).measurements()["recon_err_l1"]
    trained = _fit(registry, name, digits, pretrain_epochs=5, finetune_epochs=1).measurements()["recon_err_l1"]
    assert trained < 0.7 * untrained


def test_fine_tuning_starts_from_the_pretrained_weights(registry, digits):
    frozen = _fit(registry, "dbn-reba", digits, finetune_epochs=1, finetune_lr=0.0)
    for i, rbm in enumerate(frozen.pretrained_):
        assert torch.equal(frozen.net_[2 * i].weight, rbm.W.T) and torch.equal(frozen.net_[2 * i].bias, rbm.c)
    tuned = _fit(registry, "dbn-reba", digits, finetune_epochs=1)
    assert torch.equal(tuned.pretrained_[0].W, frozen.pretrained_[0].W)  # same seed, same pretraining
    assert not torch.equal(tuned.net_[0].weight, tuned.pretrained_[0].W.T)  # and fine-tuning moved it


def test_hybrid_uses_cd_below_and_reba_above(registry):
    hybrid = registry.get_method("dbn-hybrid")(hidden=(8, 8, 8))
    assert [hybrid.rule(i)[0] for i in range(3)] == ["cd", "reba", "reba"]


def test_seeded_runs_are_bit_identical_on_cpu(registry, digits):
    a, b, c = (_fit(registry, "dbn-cd", digits, seed=s) for s in (4, 4, 5))
    for x, y in zip(a.net_.parameters(), b.net_.parameters(), strict=True):
        assert torch.equal(x, y)
    assert not torch.equal(next(a.net_.parameters()), next(c.net_.parameters()))


def test_diverging_pretraining_fails_clearly(registry, digits):
    from repbench.plugins.base import DivergedError

    with pytest.raises(DivergedError, match="reconstruction error"):
        _fit(registry, "dbn-reba", digits, lr=10.0, visible="gaussian", init_std=1.0)


def test_few_labels_get_at_least_the_minimum_number_of_updates(registry, digits):
    method = _fit(registry, "mlp-scratch", digits, finetune_epochs=2, finetune_min_steps=100, batch_size=256)
    assert method.finetune_epochs_run_ == 100 // 5  # 1,078 training images -> 5 batches per epoch


def test_autoencoder_codes_are_two_dimensional_and_reconstruct():
    from repbench.benchmarks.pretraining.studies.codes import encode, pretrain_stack, reconstruct

    X = torch.rand(64, 784, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        layers = pretrain_stack(X, "reba", epochs=1, batch_size=32)
        assert [layer.hidden for layer in layers] == ["bernoulli"] * 3 + ["gaussian"]
        assert encode(layers, X).shape == (64, 2) and reconstruct(layers, X).shape == X.shape


def test_sae_weight_decay_shrinks_the_weights(registry, digits):
    plain = _fit(registry, "sae", digits, finetune_epochs=1)
    decayed = _fit(registry, "sae", digits, finetune_epochs=1, weight_decay=0.5)
    assert decayed.pretrained_[0].W.norm() < 0.8 * plain.pretrained_[0].W.norm()


def test_mean_field_cd_is_reba_with_unit_derivatives_in_training(registry):
    """One epoch of `dbn-cd-mf`'s rule moves the weights exactly as mean-field CD-1 (REBA, unit derivatives)."""
    from repbench.methods.pretraining.rbm import RBM, Momentum, train_epoch

    gen = torch.Generator().manual_seed(0)
    V = torch.rand(64, 12, generator=gen)
    batches = list(torch.arange(64).split(16))
    a, b = (RBM.create(12, 5, generator=torch.Generator().manual_seed(1)) for _ in range(2))
    train_epoch(a, Momentum(a), V, batches, "cd-mf", 0.05, 0.5)
    opt = Momentum(b)
    for idx in batches:
        opt.step(b.cd(V[idx], k=1, sample=False), 0.05, 0.5)
    for x, y in zip((a.W, a.b, a.c), (b.W, b.b, b.c), strict=True):
        torch.testing.assert_close(x, y)
    assert registry.get_method("dbn-cd-mf")(lr=0.05).rule(0) == ("cd-mf", 0.05)


def test_records_keep_per_epoch_curves(registry):
    from repbench.execution.cell import CellOptions, run_cell
    from repbench.execution.planning import expand_cells

    grid = {"pretrain_epochs": ["3"], "finetune_epochs": ["4"], "hidden": ["32x16"]}
    record = run_cell(expand_cells(registry, "quick", ["digits"], ["dbn-cd-mf"], grid, seeds=1)[0],
                          CellOptions(device="cpu"))
    assert record.status == "ok", record.reason
    curves = record.curves
    assert [len(curves[f"recon_err_l{i}"]) for i in (1, 2)] == [3, 3] and len(curves["val_error"]) == 4
    assert curves["recon_err_l1"][-1] < curves["recon_err_l1"][0]  # pretraining lowers the error
    assert min(curves["val_error"]) == pytest.approx(record.values["val_error"])
