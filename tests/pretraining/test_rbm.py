"""The RBM rules against closed forms: CD-1 = REBA with unit derivatives, REBA = autograd of its objective,
CD-k and PCD follow the exact log-likelihood gradient of an RBM small enough to enumerate."""

import itertools

import pytest
import torch

from repbench.methods.pretraining.rbm import RBM, Momentum


@pytest.fixture(autouse=True)
def _float64():
    """Exact comparisons in float64; the methods themselves run in float32."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _rbm(n_vis=7, n_hid=5, visible="bernoulli", hidden="bernoulli", seed=0):
    gen = torch.Generator().manual_seed(seed)
    rbm = RBM.create(n_vis, n_hid, visible=visible, hidden=hidden, init_std=0.5, hidden_bias=-0.3, generator=gen)
    rbm.b += torch.randn(n_vis, generator=gen) * 0.3
    return rbm, gen


def _data(n=32, n_vis=7, seed=1):
    return torch.rand(n, n_vis, generator=torch.Generator().manual_seed(seed))


UNIT_PAIRS = [("bernoulli", "bernoulli"), ("gaussian", "bernoulli"), ("bernoulli", "gaussian")]


@pytest.mark.parametrize(("visible", "hidden"), UNIT_PAIRS)
def test_reba_with_unit_derivatives_is_mean_field_cd1(visible, hidden):
    rbm, _ = _rbm(visible=visible, hidden=hidden)
    x = _data()
    for ours, cd in zip(rbm.reba(x, unit_derivatives=True), rbm.cd(x, k=1, sample=False), strict=True):
        torch.testing.assert_close(ours, cd, rtol=1e-12, atol=1e-12)
    # and the derivative factors really change the update
    assert not torch.allclose(rbm.reba(x)[0], rbm.cd(x, k=1, sample=False)[0])


@pytest.mark.parametrize(("visible", "hidden"), UNIT_PAIRS)
def test_reba_is_the_gradient_of_its_truncated_objective(visible, hidden):
    """E = 1/2B sum(||x1 - x0||^2 + ||y1 - y0||^2) with y0 and x1 held constant inside the error terms."""
    rbm, _ = _rbm(visible=visible, hidden=hidden)
    x0 = _data()
    W, b, c = (t.clone().requires_grad_() for t in (rbm.W, rbm.b, rbm.c))
    F_v = torch.sigmoid if visible == "bernoulli" else (lambda s: s)
    F_h = torch.sigmoid if hidden == "bernoulli" else (lambda s: s)
    y0 = F_h(x0 @ W + c).detach()
    x1 = F_v(y0 @ W.T + b)
    y1 = F_h(x1.detach() @ W + c)
    E = 0.5 * (((x1 - x0) ** 2).sum() + ((y1 - y0) ** 2).sum()) / len(x0)
    E.backward()
    for ours, auto in zip(rbm.reba(x0), (W.grad, b.grad, c.grad), strict=True):
        torch.testing.assert_close(ours, auto, rtol=1e-10, atol=1e-12)


def _states(n):
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)))


def _exact(rbm, data):
    """Exact mean log-likelihood of `data` and its gradient (W, b, c) by enumerating all visible states."""
    V = _states(rbm.W.shape[0])

    def free_energy(v):
        return -(v @ rbm.b) - torch.nn.functional.softplus(v @ rbm.W + rbm.c).sum(1)

    log_z = torch.logsumexp(-free_energy(V), 0)
    p = torch.exp(-free_energy(V) - log_z)
    h_model, h_data = torch.sigmoid(V @ rbm.W + rbm.c), torch.sigmoid(data @ rbm.W + rbm.c)
    grad_W = data.T @ h_data / len(data) - (V * p[:, None]).T @ h_model
    grad_b = data.mean(0) - p @ V
    grad_c = h_data.mean(0) - p @ h_model
    return float((-free_energy(data) - log_z).mean()), (grad_W, grad_b, grad_c)


def _flat(grads):
    return torch.cat([g.reshape(-1) for g in grads])


def _small_problem(seed=3):
    rbm, gen = _rbm(n_vis=6, n_hid=4, seed=seed)
    prototypes = torch.tensor([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=torch.float64)
    data = prototypes[torch.randint(0, 2, (64,), generator=gen)]
    flips = torch.rand(data.shape, generator=gen) < 0.1
    return rbm, gen, torch.where(flips, 1 - data, data)


@pytest.mark.parametrize("k", [1, 5])
def test_average_cd_update_points_along_the_exact_gradient(k):
    rbm, gen, data = _small_problem()
    _, exact = _exact(rbm, data)
    runs = [rbm.cd(data, k=k, sample=True, gen=gen) for _ in range(400)]
    average = [torch.stack(parts).mean(0) for parts in zip(*runs, strict=True)]
    cosine = torch.nn.functional.cosine_similarity(-_flat(average), _flat(exact), dim=0)
    assert cosine > 0.8, f"CD-{k} update has cosine {cosine:.3f} with the exact log-likelihood gradient"


def test_pcd_chain_at_equilibrium_estimates_the_exact_gradient():
    rbm, gen, data = _small_problem()
    _, exact = _exact(rbm, data)
    chain = torch.bernoulli(rbm.hidden_mean(data), generator=gen)
    for _ in range(200):  # burn in the persistent chain without changing the weights
        _, chain = rbm.pcd(data, chain, gen=gen)
    runs = []
    for _ in range(400):
        grads, chain = rbm.pcd(data, chain, gen=gen)
        runs.append(grads)
    average = [torch.stack(parts).mean(0) for parts in zip(*runs, strict=True)]
    cosine = torch.nn.functional.cosine_similarity(-_flat(average), _flat(exact), dim=0)
    assert cosine > 0.95


@pytest.mark.parametrize("rule", ["cd", "reba"])
def test_training_raises_the_exact_log_likelihood(rule):
    rbm, gen, data = _small_problem(seed=5)
    before, _ = _exact(rbm, data)
    optimizer = Momentum(rbm)
    for _ in range(300):
        grads = rbm.cd(data, k=1, sample=True, gen=gen) if rule == "cd" else rbm.reba(data)
        optimizer.step(grads, lr=0.1, momentum=0.5)
    after, _ = _exact(rbm, data)
    assert after > before + 0.5, f"{rule}: log-likelihood {before:.3f} -> {after:.3f}"


def test_momentum_step_is_classical_momentum():
    rbm, _ = _rbm()
    W0 = rbm.W.clone()
    g = tuple(torch.ones_like(p) for p in (rbm.W, rbm.b, rbm.c))
    opt = Momentum(rbm)
    opt.step(g, lr=0.1, momentum=0.9)
    opt.step(g, lr=0.1, momentum=0.9)
    torch.testing.assert_close(rbm.W, W0 - 0.1 - (0.9 * 0.1 + 0.1))
