import numpy as np
import pytest
import torch
from torch.nn import functional as F

from repbench.execution.cell import fit_seeded
from repbench.methods.invariance.blocks import Blocks
from repbench.methods.invariance.cai import ControllableInvariance
from repbench.methods.invariance.forgetting import AdversarialForgetting
from repbench.methods.invariance.mmd import MMDNet
from repbench.methods.invariance.plain import PlainNet
from repbench.methods.invariance.uai import UnsupervisedAdversarialInvariance
from repbench.methods.invariance.vfae import VariationalFairAutoencoder
from repbench.plugins.base import RunContext

from .conftest import synthetic

CTX = RunContext(seed=0, profile="quick")
SMALL = {"steps": 150, "val_every": 50, "lr": 3e-3, "batch_size": 64, "patience": 0}
ADVERSARIAL = (ControllableInvariance, AdversarialForgetting, UnsupervisedAdversarialInvariance)
ALL = (PlainNet, MMDNet, VariationalFairAutoencoder, *ADVERSARIAL)


def _built(method, data):
    method.prepare(data, torch.device("cpu"), torch.Generator().manual_seed(0))
    return method


def _grads(module):
    return [p.grad for p in module.parameters()]


def _small(cls, **extra):
    return cls(**{**SMALL, **({"adversary_steps": 2} if cls in ADVERSARIAL else {}), **extra})


def test_adversarial_term_reaches_the_mask_but_not_the_encoder():
    data = synthetic()
    m = _built(AdversarialForgetting(), data)
    x, s = torch.as_tensor(data.X_train[:64]), torch.as_tensor(data.s_train[:64])
    m.model_losses(x, torch.as_tensor(data.y_train[:64]), s)["adversary"].backward()
    assert all(g is None or torch.count_nonzero(g) == 0 for g in _grads(m.net_["E"]))
    assert any(g is not None and torch.count_nonzero(g) > 0 for g in _grads(m.net_["M"]))


def test_mask_lies_strictly_inside_zero_one():
    data = synthetic()
    m = fit_seeded(_small(AdversarialForgetting), data, CTX)
    mask = m._apply(lambda x, s: m.net_["M"](x), np.concatenate([data.X_train, 1e3 * data.X_val, -1e3 * data.X_val]))
    assert mask.min() > 0.0 and mask.max() < 1.0


@pytest.mark.parametrize("cls", [AdversarialForgetting, UnsupervisedAdversarialInvariance])
def test_model_steps_see_shuffled_s_and_adversary_steps_the_true_s(cls, monkeypatch):
    data = synthetic()
    true_s = {row.tobytes(): s for row, s in zip(data.X_train, data.s_train, strict=True)}
    seen = {"model": [], "adversary": []}
    m = cls(**{**SMALL, "steps": 20}, adversary_steps=3)
    model_losses, adversary_loss = m.model_losses, m.adversary_loss

    def spy_model(x, y, s_target):
        seen["model"].append((s_target.numpy().copy(), np.array([true_s[r.tobytes()] for r in x.numpy()])))
        return model_losses(x, y, s_target)

    def spy_adversary(x, y, s):
        seen["adversary"].append((s.numpy().copy(), np.array([true_s[r.tobytes()] for r in x.numpy()])))
        return adversary_loss(x, y, s)

    monkeypatch.setattr(m, "model_losses", spy_model)
    monkeypatch.setattr(m, "adversary_loss", spy_adversary)
    m.fit(data, CTX)
    assert len(seen["model"]) == 20 and len(seen["adversary"]) == 60
    for given, truth in seen["model"]:
        assert sorted(given) == sorted(truth)  # the batch's own labels...
    assert np.mean([np.mean(g != t) for g, t in seen["model"]]) > 0.3  # ...in shuffled order
    for given, truth in seen["adversary"]:
        np.testing.assert_array_equal(given, truth)


@pytest.mark.parametrize("cls", ADVERSARIAL)
def test_every_adversary_gets_the_same_budget_and_trains_only_itself(cls):
    """One shared opponent: adversary_steps updates at adversary_lr, touching only the adversary's parts."""
    data = synthetic()
    m = _built(cls(adversary_steps=4, adversary_lr=1e-2), data)
    assert m.adversary_opt_.param_groups[0]["lr"] == 1e-2
    m.data_, m.tensors_ = data, tuple(torch.as_tensor(a) for a in (data.X_train, data.y_train, data.s_train))
    before = {name: [p.detach().clone() for p in part.parameters()] for name, part in m.net_.items()}
    calls = []
    loss = m.adversary_loss
    m.adversary_loss = lambda *batch: calls.append(1) or loss(*batch)
    m.adversary_round()
    assert len(calls) == 4
    for name, part in m.net_.items():
        moved = any(not torch.equal(a, b) for a, b in zip(before[name], part.parameters(), strict=True))
        assert moved == (name in m.adversaries and name != "D" or name == "D" and data.setting == "bias"), name


def test_cai_model_is_rewarded_for_the_adversarys_errors():
    data = synthetic()
    m = _built(ControllableInvariance(delta=0.5), data)
    x, y, s = (torch.as_tensor(a[:32]) for a in (data.X_train, data.y_train, data.s_train))
    terms = m.model_losses(x, y, s)
    z = m.net_["E"](x)
    expected = F.cross_entropy(m.net_["P"](z), y) - 0.5 * F.cross_entropy(m.net_["D"](z), s)
    torch.testing.assert_close(terms["y"] - 0.5 * terms["adversary"], expected)


@pytest.mark.parametrize("cls", ALL)
def test_methods_learn_y_and_are_seeded(cls):
    data = synthetic()
    a, b = fit_seeded(_small(cls), data, CTX), fit_seeded(_small(cls), data, CTX)
    assert a.best_.score > 80.0
    np.testing.assert_array_equal(a.embed(data.X_val, data.s_val), b.embed(data.X_val, data.s_val))
    assert a.embed(data.X_val, data.s_val).shape[0] == len(data.X_val)


def test_the_adversary_makes_the_masked_code_forget_s():
    """s sits openly in one input column and the decoder keeps z informative: without the adversary
    (delta 0) a probe reads s from z * m, with it (delta 1) it must lose most of it."""
    from repbench.benchmarks.invariance.probes import probe_accuracies

    data = synthetic(n=1200, n_s=2)
    leak = {}
    for delta in (0.0, 1.0):
        method = AdversarialForgetting(steps=600, lr=3e-3, val_every=100, delta=delta, adversary_steps=3, patience=0)
        m = fit_seeded(method, data, CTX)
        scores = probe_accuracies(m.embed(data.X_train), data.s_train, m.embed(data.X_val), data.s_val, seed=0)
        leak[delta] = np.mean(list(scores.values()))
    assert leak[0.0] > 0.75 and leak[1.0] < leak[0.0] - 0.15, leak


def test_patience_stops_before_the_budget_and_the_record_says_where():
    data = synthetic()
    m = fit_seeded(PlainNet(**{**SMALL, "steps": 5000, "val_every": 10, "patience": 3}), data, CTX)
    report = m.measurements()
    assert report["budget_steps"] == 5000 and report["stopped_step"] < 5000
    assert report["selected_step"] <= report["stopped_step"]
    assert m.best_.history[-1][0] == report["stopped_step"]


def test_training_draws_fresh_inputs_when_the_task_streams_them(monkeypatch):
    """With a resampler, every batch is drawn afresh: the model sees inputs and s that are not the stored ones."""
    from dataclasses import replace

    from repbench.benchmarks.invariance.kind import Resampler

    data = synthetic()
    flips = []

    def draw(batch, gen):
        s = torch.randint(2, (len(batch),), generator=gen)
        flips.append(s)
        return batch * (2 * s[:, None] - 1).float(), s  # a nuisance: the sign of the row

    streamed = replace(data, resample=Resampler(data.X_train, draw))
    seen = []
    m = _small(PlainNet, steps=5)
    step = m.train_step
    monkeypatch.setattr(m, "train_step", lambda x, y, s: seen.append((x, s)) or step(x, y, s))
    m.fit(streamed, CTX)
    assert len(seen) == 5 and len(flips) == 5
    stored = {row.tobytes() for row in data.X_train}
    flipped = {(-row).tobytes() for row in data.X_train}
    for (x, s), drawn in zip(seen, flips, strict=True):
        assert torch.equal(s, drawn)
        assert all(row.tobytes() in (stored if k else flipped) for row, k in zip(x.numpy(), s.numpy(), strict=True))


# --- UAI -----------------------------------------------------------------------------------------------------

def test_uai_disentanglers_chase_fresh_uniform_targets_on_the_model_step_and_the_codes_on_theirs(monkeypatch):
    data = synthetic()
    m = _built(UnsupervisedAdversarialInvariance(), data)
    x, y, s = (torch.as_tensor(a[:64]) for a in (data.X_train, data.y_train, data.s_train))
    targets = []
    uniform = m.uniform_like
    monkeypatch.setattr(m, "uniform_like", lambda t: targets.append(uniform(t)) or targets[-1])
    m.model_losses(x, y, s)
    m.model_losses(x, y, s)
    assert len(targets) == 4 and not torch.equal(targets[0], targets[2])
    values = torch.cat([t.flatten() for t in targets])
    assert values.min() >= -1 and values.max() <= 1 and abs(values.mean()) < 0.1 and abs(values.var() - 1 / 3) < 0.05
    e1, e2 = m.codes(x)
    expected = F.mse_loss(m.net_["Dis1"](e1), e2) + F.mse_loss(m.net_["Dis2"](e2), e1)
    bias_term = F.cross_entropy(m.net_["D"](e1), s)
    torch.testing.assert_close(m.adversary_loss(x, y, s), expected + bias_term)


def test_uai_uses_no_s_in_the_nuisance_setting():
    from dataclasses import replace

    data = replace(synthetic(), setting="nuisance")
    m = _built(UnsupervisedAdversarialInvariance(), data)
    x, y, s = (torch.as_tensor(a[:64]) for a in (data.X_train, data.y_train, data.s_train))
    assert "discriminator" not in m.model_losses(x, y, s)
    assert torch.equal(m.adversary_loss(x, y, s), m.adversary_loss(x, y, 1 - s))


# --- MMD and the VFAE -------------------------------------------------------------------------------------------

def test_mmd_estimate_matches_the_closed_form_for_gaussians():
    """For N(mu1, sigma^2 I) and N(mu2, sigma^2 I) in d dimensions under exp(-|x - y|^2 / (2 l^2)):
    MMD^2 = 2 c (1 - exp(-|mu1 - mu2|^2 / (2 (l^2 + 2 sigma^2)))), c = (l^2 / (l^2 + 2 sigma^2))^(d / 2)."""
    from repbench.methods.invariance.mmd import mmd2

    gen = torch.Generator().manual_seed(0)
    d, sigma, bw, n = 3, 0.7, 1.3, 2000
    shift = torch.tensor([0.8, -0.4, 0.3], dtype=torch.float64)
    c = (bw**2 / (bw**2 + 2 * sigma**2)) ** (d / 2)
    exact = 2 * c * (1 - np.exp(-float(shift.pow(2).sum()) / (2 * (bw**2 + 2 * sigma**2))))
    draw = lambda: sigma * torch.randn(n, d, generator=gen, dtype=torch.float64)  # noqa: E731
    estimates = [float(mmd2(draw(), shift + draw(), [bw])) for _ in range(8)]  # SE ~ 1.5 % of the value
    assert np.mean(estimates) == pytest.approx(exact, rel=0.05)
    same = np.mean([float(mmd2(draw(), draw(), [bw])) for _ in range(8)])
    assert abs(same) < 0.02 * exact  # unbiased: about 0 for one distribution


def test_vfae_kl_matches_torch_distributions():
    from torch.distributions import Normal, kl_divergence

    from repbench.methods.invariance.vfae import gaussian_kl

    gen = torch.Generator().manual_seed(1)
    mu_q, lv_q, mu_p, lv_p = (torch.randn(5, 4, generator=gen) for _ in range(4))
    expected = kl_divergence(Normal(mu_q, (0.5 * lv_q).exp()), Normal(mu_p, (0.5 * lv_p).exp())).sum(dim=1)
    torch.testing.assert_close(gaussian_kl(mu_q, lv_q, mu_p, lv_p), expected)


def test_vfae_encoder_and_decoder_are_conditioned_on_s():
    data = synthetic()
    m = _built(VariationalFairAutoencoder(), data)
    X = torch.as_tensor(data.X_val[:50])
    s = torch.as_tensor(data.s_val[:50])
    assert not torch.allclose(m.representation(X, s), m.representation(X, 1 - s))
    assert m.net_["R"][0].in_features == data.z_dim + data.n_s  # p(x | z1, s)
    terms = m.losses(X, torch.as_tensor(data.y_val[:50]), s)
    assert set(terms) == {"reconstruction", "kl_z1", "kl_z2", "y", "mmd"} and terms["kl_z2"] >= 0
    with pytest.raises(ValueError, match="needs s"):
        m.representation(X)


# --- blocks ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(28, 28), (8, 8)])
def test_image_blocks_follow_the_uai_code(shape):
    from torch import nn

    blocks = Blocks(shape[0] * shape[1], 32, shape, conv_channels=8, decoder_channels=(6, 4))
    x = torch.rand(5, shape[0] * shape[1])
    encoder = blocks.encoder(10)
    z = encoder(x)
    assert isinstance(encoder[1], nn.Conv2d) and encoder[1].stride == (2, 2) and encoder[1].kernel_size == (5, 5)
    assert z.shape == (5, 10) and z.abs().max() <= 1  # tanh
    out = blocks.decoder(10)(z)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1  # sigmoid
    assert blocks.predictor(10, 7)(z).shape == (5, 7)


def test_group_mmd_follows_the_codes_scale_so_shrinking_them_cannot_evade_it():
    from repbench.methods.invariance.mmd import group_mmd2

    gen = torch.Generator().manual_seed(3)
    s = torch.arange(200) % 2
    z = torch.randn(200, 4, generator=gen, dtype=torch.float64) + 0.8 * s[:, None]  # the groups differ
    penalty = group_mmd2(z, s, 2)
    assert penalty > 0.05
    for scale in (1e-3, 1e3):
        torch.testing.assert_close(group_mmd2(scale * z, s, 2), penalty)
    same = torch.randn(200, 4, generator=gen, dtype=torch.float64)
    assert abs(float(group_mmd2(same, s, 2))) < 0.2 * float(penalty)


# --- mid-training checkpoints -------------------------------------------------------------------------------

class _Killed(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing on the way out catches it."""


@pytest.mark.parametrize("cls", ALL)
def test_a_fit_killed_mid_training_resumes_to_the_uninterrupted_model(cls, tmp_path, monkeypatch):
    """Checkpoints at every validation (every_s=0), a kill at update 70 (last checkpoint: 50), a fresh method
    resumed from it: the same weights, validation curve and selection as a fit never interrupted. Streamed
    inputs (fresh draws from the method's generator) and the epoch's permutation must travel too."""
    from dataclasses import replace

    from repbench.benchmarks.invariance.kind import Resampler
    from repbench.execution.checkpoints import Checkpointer

    def draw(batch, gen):
        s = torch.randint(2, (len(batch),), generator=gen)
        return batch * (2 * s[:, None] - 1).float(), s

    data = replace(synthetic(), resample=Resampler(synthetic().X_train, draw))
    uninterrupted = fit_seeded(_small(cls, steps=100), data, RunContext(seed=3, profile="quick"))

    def ctx():
        return RunContext(seed=3, profile="quick", checkpoint=Checkpointer(tmp_path / "fold0.pt", {}, every_s=0))

    dying, calls = _small(cls, steps=100), []
    step = dying.train_step
    monkeypatch.setattr(dying, "train_step", lambda *a: calls.append(1) or (len(calls) > 70 and _raise()) or step(*a))
    with pytest.raises(_Killed):
        fit_seeded(dying, data, ctx())
    resumed_ctx = ctx()
    resumed = fit_seeded(_small(cls, steps=100), data, resumed_ctx)
    assert resumed_ctx.checkpoint.resumed_from.startswith("update 50 ")
    assert resumed.best_.history == uninterrupted.best_.history
    assert resumed.best_.step == uninterrupted.best_.step
    for name, value in uninterrupted.net_.state_dict().items():
        assert torch.equal(resumed.net_.state_dict()[name], value), name


def _raise():
    raise _Killed
