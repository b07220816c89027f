import numpy as np
import pytest
import torch

from repbench.execute import fit_seeded
from repbench.methods.invariance.cai import ControllableInvariance
from repbench.methods.invariance.forgetting import AdversarialForgetting
from repbench.methods.invariance.plain import PlainNet
from repbench.plugin import RunContext

from .conftest import synthetic

CTX = RunContext(seed=0, profile="quick")
SMALL = {"steps": 150, "val_every": 50, "lr": 3e-3, "batch_size": 64}


def _built(method, data):
    method.device_ = torch.device("cpu")
    method.gen_ = torch.Generator().manual_seed(0)
    method.net_ = method.build(data, data.hidden, data.z_dim)
    return method


def _grads(module):
    return [p.grad for p in module.parameters()]


def test_adversarial_term_reaches_the_mask_but_not_the_encoder():
    data = synthetic()
    m = _built(AdversarialForgetting(), data)
    x, s = torch.as_tensor(data.X_train[:64]), torch.as_tensor(data.s_train[:64])
    m.model_losses(x, torch.as_tensor(data.y_train[:64]), s)["adversary"].backward()
    assert all(g is None or torch.count_nonzero(g) == 0 for g in _grads(m.net_["E"]))
    assert any(g is not None and torch.count_nonzero(g) > 0 for g in _grads(m.net_["M"]))


def test_mask_lies_strictly_inside_zero_one():
    data = synthetic()
    m = fit_seeded(AdversarialForgetting(**SMALL, adversary_steps=2), data, CTX)
    mask = m._apply(m.net_["M"], np.concatenate([data.X_train, 1e3 * data.X_val, -1e3 * data.X_val]))
    assert mask.min() > 0.0 and mask.max() < 1.0


def test_model_steps_see_shuffled_s_and_adversary_steps_the_true_s(monkeypatch):
    data = synthetic()
    true_s = {row.tobytes(): s for row, s in zip(data.X_train, data.s_train, strict=True)}
    seen = {"model": [], "adversary": []}
    m = AdversarialForgetting(**{**SMALL, "steps": 20}, adversary_steps=3)
    model_losses, adversary_step = m.model_losses, m.adversary_step

    def spy_model(x, y, s_target):
        seen["model"].append((s_target.numpy().copy(), np.array([true_s[r.tobytes()] for r in x.numpy()])))
        return model_losses(x, y, s_target)

    def spy_adversary(x, s):
        seen["adversary"].append((s.numpy().copy(), np.array([true_s[r.tobytes()] for r in x.numpy()])))
        return adversary_step(x, s)

    monkeypatch.setattr(m, "model_losses", spy_model)
    monkeypatch.setattr(m, "adversary_step", spy_adversary)
    m.fit(data, CTX)
    assert len(seen["model"]) == 20 and len(seen["adversary"]) == 60
    for given, truth in seen["model"]:
        assert sorted(given) == sorted(truth)  # the batch's own labels...
    assert np.mean([np.mean(g != t) for g, t in seen["model"]]) > 0.3  # ...in shuffled order
    for given, truth in seen["adversary"]:
        np.testing.assert_array_equal(given, truth)


def test_cai_reverses_and_scales_the_adversary_gradient_on_the_encoder():
    data = synthetic()
    m = _built(ControllableInvariance(delta=0.5), data)
    x, s = torch.as_tensor(data.X_train[:32]), torch.as_tensor(data.s_train[:32])
    z = m.net_["E"](x)
    from repbench.methods.invariance.cai import _ReverseGradient

    reversed_grad, = torch.autograd.grad(
        torch.nn.functional.cross_entropy(m.net_["D"](_ReverseGradient.apply(z, 0.5)), s), z)
    direct, = torch.autograd.grad(torch.nn.functional.cross_entropy(m.net_["D"](z), s), z)
    torch.testing.assert_close(reversed_grad, -0.5 * direct)


@pytest.mark.parametrize("cls", [PlainNet, ControllableInvariance, AdversarialForgetting])
def test_methods_learn_y_and_are_seeded(cls):
    data = synthetic()
    params = {**SMALL, "adversary_steps": 2} if cls is AdversarialForgetting else SMALL
    a, b = fit_seeded(cls(**params), data, CTX), fit_seeded(cls(**params), data, CTX)
    assert a.best_.score > 80.0
    np.testing.assert_array_equal(a.embed(data.X_val), b.embed(data.X_val))
    assert a.embed(data.X_val).shape[0] == len(data.X_val)


def test_the_adversary_makes_the_masked_code_forget_s():
    """s sits openly in one input column and the decoder keeps z informative: without the adversary
    (delta 0) a probe reads s from z * m, with it (delta 1) it must lose most of it."""
    from repbench.benchmarks.invariance.probes import probe_accuracies

    data = synthetic(n=1200, n_s=2)
    leak = {}
    for delta in (0.0, 1.0):
        method = AdversarialForgetting(steps=1000, lr=3e-3, val_every=100, delta=delta, adversary_steps=3)
        m = fit_seeded(method, data, CTX)
        scores = probe_accuracies(m.embed(data.X_train), data.s_train, m.embed(data.X_val), data.s_val, seed=0)
        leak[delta] = np.mean(list(scores.values()))
    assert leak[0.0] > 0.75 and leak[1.0] < leak[0.0] - 0.15, leak
