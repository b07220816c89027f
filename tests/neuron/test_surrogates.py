"""The neuron surrogates: sparse first layer == dense conv, causality, metric functions, LN on the I&F."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score, roc_curve

from benchmarks.timings.before import SparseMmConv
from repbench.benchmarks.neuron.kind import soma_target, spike_target
from repbench.benchmarks.neuron.metrics import bootstrap_auc, soma_metrics, spike_metrics, tpr_at_fpr
from repbench.methods.neuron.nets import (
    PRESETS,
    TCN,
    CausalConv,
    ELMNeuron,
    LIFNeuron,
    LSTMNeuron,
    SparseCausalConv,
)


def sparse_input(B=3, C=20, T=60, p=0.05, seed=0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(B, C, T, generator=g) < p).float()


def test_sparse_first_layer_equals_the_dense_causal_conv_and_its_gradients():
    torch.manual_seed(0)
    sparse = SparseCausalConv(20, 7, 9).double()
    dense = CausalConv(20, 7, 9).double()
    with torch.no_grad():
        dense.weight.copy_(sparse.weight)
        dense.bias.copy_(sparse.bias)
    x = sparse_input().double()
    a, b = sparse(x), dense(x)
    assert torch.allclose(a, b, atol=1e-12)
    g = torch.randn_like(a)
    (a * g).sum().backward()
    (b * g).sum().backward()
    assert torch.allclose(sparse.weight.grad, dense.weight.grad, atol=1e-12)
    assert torch.allclose(sparse.bias.grad, dense.bias.grad, atol=1e-12)


def test_sparse_first_layer_sums_like_torch_sparse_mm_bit_for_bit():
    """The layer's embedding_bag products give exactly what the torch.sparse.mm products they replaced give
    (kept as the benchmarks' 'before'), forward and backward, in float32."""
    torch.manual_seed(2)
    new = SparseCausalConv(60, 8, 11)
    old = SparseMmConv(60, 8, 11)
    old.load_state_dict(new.state_dict())
    x = sparse_input(B=3, C=60, T=50, p=0.05)
    x[0, :, 7] = 2.0  # spike counts above one are weighted, not just counted
    grad = torch.randn(3, 8, 50)
    outputs = [layer(x) for layer in (new, old)]
    for out in outputs:
        (out * grad).sum().backward()
    assert torch.equal(*outputs)
    assert torch.equal(new.weight.grad, old.weight.grad) and torch.equal(new.bias.grad, old.bias.grad)


@pytest.mark.parametrize("make", [
    lambda: TCN(20, 3, 8, 7, 5, sparse_first=True),
    lambda: TCN(20, 3, 8, 7, 5, sparse_first=False),
    lambda: TCN(20, 0, 0, 11, 1, sparse_first=True),
    lambda: ELMNeuron(20, 10, 4, 5, 8),
    lambda: LSTMNeuron(20, 6),
    lambda: LIFNeuron(20, 10),
], ids=["tcn-sparse", "tcn-dense", "ln", "elm", "lstm", "lif"])
def test_outputs_before_t_do_not_depend_on_inputs_at_or_after_t(make):
    torch.manual_seed(1)
    net = make().eval()
    x = sparse_input(B=1, T=80)
    y = net(x)
    t = 40
    x2 = x.clone()
    x2[:, :, t:] = 1.0 - x2[:, :, t:]  # change everything from t on
    y2 = net(x2)
    for a, b in zip(y, y2, strict=True):
        assert torch.equal(a[:, :t], b[:, :t])
        assert not torch.allclose(a[:, t:], b[:, t:])


def test_elm_synapses_start_as_the_reference_and_keep_their_sign():
    elm = ELMNeuron(8, 4, 2, 3, 5)
    assert torch.equal(elm.w_syn.detach(), torch.full((8,), 0.5))  # Spieler et al.: 0.5, rectified, signed
    with torch.no_grad():
        elm.w_syn.copy_(torch.tensor([1.0, -1.0, 2.0, 0.0, 1.0, -1.0, 2.0, 0.0]))
        x = torch.zeros(1, 8, 1)
        x[0, :, 0] = 1.0
        weights = elm.sign * torch.relu(elm.w_syn)
    assert weights.tolist() == [1.0, 0.0, 2.0, 0.0, -1.0, -0.0, -2.0, -0.0]  # excitatory >= 0, inhibitory <= 0


def _elm_step_by_step(elm: ELMNeuron, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The Branch-ELM update as Spieler et al. (2024) write it, one time bin at a time: branch traces
    s_t = k_s s_{t-1} + b_t, and the MLP reading [s_t, k_m m_{t-1}]."""
    B, C, T = x.shape
    weights = elm.sign * torch.relu(elm.w_syn)
    s = torch.zeros(B, elm.n_branches, dtype=x.dtype)
    m = torch.zeros(B, len(elm.kappa_m), dtype=x.dtype)
    outs = []
    for t in range(T):
        b_t = torch.zeros(B, elm.n_branches, dtype=x.dtype).index_add_(1, elm.branch, x[:, :, t] * weights)
        s = elm.kappa_s * s + b_t
        km = elm.kappa_m * m
        m = km + elm.lam * (1 - elm.kappa_m) * 1.7159 * torch.tanh(2.0 / 3.0 * elm.mlp(torch.cat([s, km], dim=1)))
        outs.append(m)
    y = elm.readout(torch.stack(outs, dim=1))
    return y[..., 0], y[..., 1]


@pytest.mark.parametrize("n_branches", [0, 3])
def test_the_elm_forward_and_gradients_equal_the_step_by_step_update(n_branches):
    """forward() projects all time bins through the MLP's first layer before the time loop; a wrong hoisting
    (e.g. filtering after the ReLU, or dropping the trace filter) changes outputs and gradients."""
    torch.manual_seed(3)
    elm = ELMNeuron(12, 6, n_branches, 4, 7).double()
    with torch.no_grad():
        elm.w_syn.uniform_(-0.2, 1.0)  # some rectified to zero
    x = sparse_input(B=2, C=12, T=60, p=0.2).double()
    grads = []
    for forward in (elm, lambda x: _elm_step_by_step(elm, x)):
        elm.zero_grad()
        spike, soma = forward(x)
        (spike.sin().sum() + soma.cos().sum()).backward()
        grads.append({name: p.grad.clone() for name, p in elm.named_parameters()})
        grads[-1]["out"] = torch.stack([spike, soma]).detach()
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        assert torch.allclose(grads[0][name], grads[1][name], rtol=1e-10, atol=1e-12), name


def test_the_plain_elm_feeds_every_synapse_to_the_memory_mlp():
    """n_branches=0: no summation into branches; the MLP reads each synapse's trace (and the memory)."""
    plain, branched = ELMNeuron(8, 4, 0, 3, 5), ELMNeuron(8, 4, 2, 3, 5)
    assert plain.mlp[0].in_features == 8 + 3 and branched.mlp[0].in_features == 2 + 3
    assert torch.equal(plain.branch, torch.arange(8))


def test_lstm_has_the_elm_works_parameter_count():
    lstm = LSTMNeuron(1278, 50)
    assert sum(p.numel() for p in lstm.lstm.parameters()) == pytest.approx(266e3, rel=0.01)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 7])
@pytest.mark.parametrize("field", [43, 153])
def test_a_fixed_receptive_field_is_exact_at_every_depth(depth, field):
    from repbench.methods.neuron.surrogates import fixed_field_kernels

    k1, k2 = fixed_field_kernels(field, depth, 45)
    assert TCN(10, depth, 4, k1, k2, sparse_first=False).receptive_field == field
    assert k1 >= 1 and k2 >= 1


def test_presets_have_the_papers_receptive_fields():
    fields = {name: TCN(10, d, 4, k1, k2, True).receptive_field for name, (d, _, k1, k2) in PRESETS.items()}
    assert fields == {"nmda-large": 153, "nmda-small": 43, "ampa-large": 120}


def test_spike_metrics_agree_with_scikit_learn_and_honour_the_burn_in():
    rng = np.random.default_rng(0)
    y = (rng.random((4, 1000)) < 0.01).astype(np.float32)
    p = np.clip(y * 0.6 + rng.random(y.shape) * 0.5, 0, 1)
    got = spike_metrics(p, y, burn_in_ms=200)
    assert got["spike_auc"] == pytest.approx(roc_auc_score(y[:, 200:].ravel(), p[:, 200:].ravel()))
    p_bad = p.copy()
    p_bad[:, :200] = 1 - y[:, :200]  # anti-predictions inside the burn-in are ignored
    assert spike_metrics(p_bad, y, 200) == got
    assert spike_metrics(p_bad, y, 0)["spike_auc"] < got["spike_auc"]


def test_bootstrap_over_trials_matches_the_spread_of_independent_test_sets():
    def test_set(rng, trials=20):
        y = (rng.random((trials, 600)) < 0.01).astype(np.float32)
        return np.clip(y * 0.3 + rng.random(y.shape) * 0.8, 0, 1), y

    rng = np.random.default_rng(1)
    aucs = [roc_auc_score(y[:, 100:].ravel(), p[:, 100:].ravel()) for p, y in (test_set(rng) for _ in range(200))]
    spread = np.std(aucs)
    p, y = test_set(np.random.default_rng(2))
    got = bootstrap_auc(p, y, 100, np.random.default_rng(0), n_boot=300)
    assert got["spike_auc_boot_se"] == pytest.approx(spread, rel=0.35)  # the SE a replicate test set shows
    assert got["spike_auc_boot_low"] < spike_metrics(p, y, 100)["spike_auc"] < got["spike_auc_boot_high"]
    assert got["test_output_spikes"] == y[:, 100:].sum()
    assert bootstrap_auc(p, y, 100, np.random.default_rng(0), n_boot=300) == got  # seeded


def test_tpr_at_fpr_on_a_known_case():
    y = np.array([0] * 1000 + [1] * 10)
    score = np.concatenate([np.linspace(0, 1, 1000), [2.0] * 6 + [0.9995] * 4])
    # above every negative: 6 positives (FPR 0); the other 4 sit above 999 negatives (FPR 0.001 -> 1 negative)
    assert tpr_at_fpr(y, score, 0.0) == pytest.approx(0.6)
    assert tpr_at_fpr(y, score, 0.001) == pytest.approx(1.0)
    fpr, tpr, _ = roc_curve(y, score)
    assert tpr_at_fpr(y, score, 0.0025) == pytest.approx(tpr[np.searchsorted(fpr, 0.0025, side="right") - 1])


def test_soma_metrics_raw_and_rescaled():
    truth = np.sin(np.linspace(0, 20, 2000))[None, :].astype(np.float32)
    pred = 3 * truth + 1  # right shape, wrong scale and offset
    m = soma_metrics(pred, truth, 0)
    assert m["soma_rmse_rescaled_mv"] == pytest.approx(0.0, abs=1e-5)
    assert m["soma_rmse_mv"] > 1.0
    assert soma_metrics(truth, truth, 0)["soma_explained_variance"] == pytest.approx(1.0)


def test_targets_clip_the_soma_and_bin_the_spikes():
    assert spike_target(np.array([0.2, 3.999, 4.0, 9.5]), 8).tolist() == [1, 0, 0, 1, 1, 0, 0, 0]
    assert soma_target(np.array([-70.0, -50.0, 20.0])) == pytest.approx([-2.3, 12.7, 12.7], abs=1e-5)


def test_lif_follows_its_equations():
    """The recurrence by hand: a 5 ms synaptic trace, the membrane filter, the soft reset by the spike
    probability times the threshold, signed rectified weights."""
    torch.manual_seed(2)
    net = LIFNeuron(4, 2).double()
    with torch.no_grad():
        net.w_syn.copy_(torch.tensor([0.8, -0.3, 0.5, 0.4], dtype=torch.float64))  # a negative one is rectified
    x = sparse_input(B=2, C=4, T=30, p=0.3).double()
    with torch.no_grad():
        logit, _ = net(x)
    w = np.array([0.8, 0.0, -0.5, -0.4])  # sign x relu(w): inputs 2, 3 are inhibitory
    ks, km = net.kappa_s.item(), torch.exp(-1 / net.log_tau_m.exp()).item()
    assert (ks, km) == (pytest.approx(np.exp(-1 / 5.0)), pytest.approx(np.exp(-1 / 20.0)))  # tau_s 5, tau_m 20 ms
    theta, beta = net.threshold.item(), net.log_sharpness.exp().item()
    for b in range(2):
        current = v = 0.0
        for t in range(30):
            current = ks * current + float(w @ x[b, :, t].numpy())
            v = km * v + (1 - km) * current
            assert logit[b, t].item() == pytest.approx((v - theta) / beta, rel=1e-9, abs=1e-12)
            v -= theta / (1 + np.exp(-(v - theta) / beta))


def test_ln_recovers_the_integrate_and_fire_control(data_dir):
    from repbench import RunContext
    from repbench.benchmarks.neuron.tasks import NeuronIF
    from repbench.methods.neuron.surrogates import LNMethod

    task = NeuronIF(seconds=600.0, trial_ms=2000)
    ctx = RunContext(seed=0, profile="quick", device="cpu")
    data = task.load(ctx)
    method = LNMethod(steps=300, window_ms=200, val_every=100, lr=1e-2, kernel=80).fit(data, ctx)
    metrics = task.evaluate(method, ctx)
    assert metrics["spike_auc"] > 0.8  # 0.5 = chance; the true membrane potential scores 0.96
    kernel = method.net_.head.weight.detach()[0].flip(-1).numpy()  # [inputs, lag]: lag 0 = the current bin
    exc, inh = kernel[:80].mean(0), kernel[80:].mean(0)
    assert exc[:20].mean() > 0 > inh[:20].mean()  # excitation drives spikes, inhibition prevents them
    membrane = np.exp(-np.arange(80) / 20.0)  # the I&F's own filter (tau 20 ms)
    assert np.corrcoef(exc, membrane)[0, 1] > 0.7


def test_patience_stops_once_validation_stops_improving(data_dir, monkeypatch):
    from repbench import RunContext
    from repbench.benchmarks.neuron.tasks import NeuronIF
    from repbench.methods.neuron import surrogates

    scores = iter([0.6, 0.7, 0.65, 0.69, 0.7, 0.5, 0.9])  # best at the 2nd validation, then 3 without a gain
    monkeypatch.setattr(surrogates.Surrogate, "_val_auc", lambda self, data: next(scores))
    data = NeuronIF(seconds=8.0, trial_ms=2000).load(RunContext(seed=0, profile="quick", device="cpu"))
    ctx = RunContext(seed=0, profile="quick", device="cpu")
    method = surrogates.LNMethod(steps=100, window_ms=100, val_every=10, kernel=10, patience=3).fit(data, ctx)
    report = method.measurements()
    assert report["steps_run"] == 50 and report["selected_step"] == 20 and report["best_val_auc"] == 0.7


def test_tcn_records_the_receptive_field_it_trained_with(data_dir):
    from repbench import RunContext
    from repbench.benchmarks.neuron.tasks import NeuronIF
    from repbench.methods.neuron.surrogates import TCNMethod

    ctx = RunContext(seed=0, profile="quick", device="cpu")
    data = NeuronIF(seconds=8.0, trial_ms=2000).load(ctx)
    small = {"steps": 2, "window_ms": 100, "val_every": 1, "width": 2}
    assert TCNMethod(**small, depth=3, receptive_field=30).fit(data, ctx).measurements()["receptive_field_ms"] == 30
    paper_rule = TCNMethod(**small, depth=2, kernel_first=5, kernel_rest=3).fit(data, ctx).measurements()
    assert paper_rule["receptive_field_ms"] == 5 + 2


def test_loss_weights_move_geometrically_and_the_record_shows_where_they_ended(data_dir):
    from repbench import RunContext
    from repbench.benchmarks.neuron.tasks import NeuronIF
    from repbench.methods.neuron.surrogates import LNMethod, TCNMethod, _geometric

    assert _geometric(0.02, 2e-5, 0.0) == 0.02 and _geometric(0.02, 2e-5, 1.0) == pytest.approx(2e-5)
    assert _geometric(0.02, 2e-5, 0.5) == pytest.approx(2e-5 * 10 ** 1.5)  # halfway in log space
    assert _geometric(1.0, 0.0, 0.25) == 0.75  # a zero end: linear
    paper = TCNMethod.resolve("paper")  # the authors' recipe: 400 ms windows, batch 8, Nadam 1e-4 -> 1e-6
    assert (paper["window_ms"], paper["batch_size"], paper["lr"]) == (400, 8, 1e-4)
    assert paper["spike_weight_final"] > paper["spike_weight"] and paper["soma_weight_final"] < paper["soma_weight"]
    task = NeuronIF(seconds=20.0, trial_ms=2000)
    ctx = RunContext(seed=0, profile="quick", device="cpu")
    data = task.load(ctx)
    fixed = dict(steps=20, window_ms=100, val_every=20, kernel=20)
    fading = LNMethod(**fixed, soma_weight=0.02, soma_weight_final=0.0).fit(data, ctx).measurements()
    constant = LNMethod(**fixed, soma_weight=0.02, soma_weight_final=0.02).fit(data, ctx).measurements()
    # over the last 10 % of the steps the fading weight averages 0.001, the constant one 0.02
    assert 0 < fading["end_soma_to_spike_loss"] < constant["end_soma_to_spike_loss"] / 10


def test_train_seconds_keeps_the_first_training_trials_and_the_same_validation_and_test(data_dir):
    from repbench import RunContext
    from repbench.benchmarks.neuron.tasks import NeuronIF, full_training_seconds

    ctx = RunContext(seed=0, profile="quick", device="cpu")
    full_task, part_task = NeuronIF(seconds=20.0, trial_ms=2000), NeuronIF(seconds=20.0, trial_ms=2000, train_seconds=3)
    full, part = full_task.load(ctx), part_task.load(ctx)
    assert len(full.train) == 7 and len(part.train) == 2  # 10 trials: 7 train, 1 val, 2 test; 3 s = 2 trials
    params = NeuronIF.resolve("quick", {"seconds": 20.0, "trial_ms": 2000})
    assert full_training_seconds(params) == 14.0  # what the data-scaling study calls full data: 7 trials
    np.testing.assert_array_equal(part.train.spikes, full.train.spikes[:2])
    np.testing.assert_array_equal(part.val.spikes, full.val.spikes)
    np.testing.assert_array_equal(part_task.test_.spikes, full_task.test_.spikes)
    with pytest.raises(ValueError, match="raise `seconds`"):
        NeuronIF(seconds=20.0, trial_ms=2000, train_seconds=60).load(ctx)
