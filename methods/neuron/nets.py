"""The surrogate networks as torch modules: causal convolutions (dense and spike-sparse), the TCN of
Beniaguev et al. (2021) and its depth-0 linear-nonlinear special case, the Branch-ELM neuron of
Spieler et al. (2024) and an LSTM. The registered methods that train them are in surrogates.py."""

from __future__ import annotations

import math
import warnings

import torch
from torch import nn
from torch.nn import functional as F

PRESETS = {  # name -> (depth, width, first kernel, other kernels): the paper's models
    "nmda-large": (7, 128, 45, 19),  # receptive field 45 + 6*18 = 153 ms
    "nmda-small": (1, 128, 43, 1),  # 43 ms
    "ampa-large": (4, 64, 54, 23),  # 54 + 3*22 = 120 ms
}


def _sparse(matrix: torch.Tensor, layout: str) -> torch.Tensor:
    with warnings.catch_warnings():  # torch calls its (stable, tested here) CSR/CSC support "beta" on first use
        warnings.filterwarnings("ignore", message="Sparse CS[RC] tensor support is in beta")
        return matrix.to_sparse_csr() if layout == "csr" else matrix.to_sparse_csc()


def _sparse_product(offsets: torch.Tensor, indices: torch.Tensor, values: torch.Tensor,
                    table: torch.Tensor) -> torch.Tensor:
    """A compressed sparse matrix (row offsets, column indices, values) times a dense `table`: each output row
    the values-weighted sum of the table rows its entries name."""
    return F.embedding_bag(indices, table, offsets, mode="sum", per_sample_weights=values, include_last_offset=True)


class _SparseCausalConvFn(torch.autograd.Function):
    """y = causal_conv(x, W) for sparse x as ONE sparse x dense product and a shift-add (hand-rolled: torch has
    no sparse Conv1d): Y[b, t, k, :] = sum_c x[b, c, t] W[:, c, k] ([B*T, C] @ [C, K*O]), then
    out[t] = sum_k Y[t - (K - 1 - k), k]. Backward: grad_W = x^T @ (grad_out shifted per lag), again sparse.
    Both products are `embedding_bag` sums over the active inputs (rows of the CSR form forward, of its CSC form
    backward, so the dense input is scanned once): the same sums in the same order as `torch.sparse.mm`, bit
    for bit, at about half the cost. No gradient flows to x (it is data)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        B, C, T = x.shape
        n_out, _, K = weight.shape
        rows = _sparse(x.transpose(1, 2).reshape(B * T, C), "csr")
        y = _sparse_product(rows.crow_indices(), rows.col_indices(), rows.values(),
                            weight.permute(1, 2, 0).reshape(C, K * n_out)).view(B, T, K, n_out)
        out = y[:, :, K - 1].clone()  # lag 0
        for k in range(K - 1):
            lag = K - 1 - k
            out[:, lag:] += y[:, : T - lag, k]
        columns = _sparse(rows, "csc")
        ctx.save_for_backward(columns.ccol_indices(), columns.row_indices(), columns.values())
        ctx.shape = (B, C, T, K)
        return out.transpose(1, 2)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[None, torch.Tensor]:
        B, C, T, K = ctx.shape
        n_out = grad.shape[1]
        g = grad.transpose(1, 2)
        shifted = torch.zeros(B, T, K, n_out, dtype=grad.dtype, device=grad.device)
        for k in range(K):
            lag = K - 1 - k
            shifted[:, : T - lag, k] = g[:, lag:]
        grad_w = _sparse_product(*ctx.saved_tensors, shifted.view(B * T, K * n_out))
        return None, grad_w.view(C, K, n_out).permute(2, 0, 1)


class SparseCausalConv(nn.Module):
    """Causal Conv1d for sparse inputs (the L5PC's 1,278 inputs are ~1.5 % active per ms): the cost grows with
    the input spikes, not inputs x time. On one CPU core at the standard sizes (1,278 inputs, 32 channels,
    kernel 45, 8 windows of 444 ms) a training step takes 0.18 s against 0.73 s for the dense conv
    (`benchmarks/timings/test_neuron_first_layer.py`). Same initialisation as a dense layer. On a GPU it runs
    as the dense conv: cuDNN is faster there, and cuSPARSE's product does not repeat bit for bit."""

    def __init__(self, n_in: int, n_out: int, kernel: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_out, n_in, kernel))
        self.bias = nn.Parameter(torch.empty(n_out))
        dense = nn.Conv1d(n_in, n_out, kernel)
        with torch.no_grad():
            self.weight.copy_(dense.weight)
            self.bias.copy_(dense.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.is_cuda:  # cuDNN's dense conv: 1.5-1.9x faster there than cuSPARSE's product, and deterministic
            return F.conv1d(F.pad(x, (self.weight.shape[-1] - 1, 0)), self.weight, self.bias)
        return _SparseCausalConvFn.apply(x, self.weight) + self.bias[None, :, None]


class CausalConv(nn.Conv1d):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(F.pad(x, (self.kernel_size[0] - 1, 0)))


def receptive_field(depth: int, k_first: int, k_rest: int) -> int:
    """Input history (ms) one output bin of a causal TCN sees: the first kernel, plus k - 1 per later layer."""
    return k_first + max(depth - 1, 0) * (k_rest - 1)


class TCN(nn.Module):
    """Conv -> ReLU -> BatchNorm layers, then 1x1 heads (spike logit with bias -2, soma). depth 0: the heads
    are one causal filter on the inputs (the LN model)."""

    def __init__(self, n_in: int, depth: int, width: int, k_first: int, k_rest: int, sparse_first: bool) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        ch = n_in
        for i in range(depth):
            k = k_first if i == 0 else k_rest
            conv = SparseCausalConv(ch, width, k) if i == 0 and sparse_first else CausalConv(ch, width, k)
            layers += [conv, nn.ReLU(), nn.BatchNorm1d(width)]
            ch = width
        self.body = nn.Sequential(*layers)
        k_head = 1 if depth else k_first
        if depth == 0 and sparse_first:
            self.head = SparseCausalConv(ch, 2, k_head)
        else:
            self.head = CausalConv(ch, 2, k_head)
        self.set_spike_bias(-2.0)  # the authors' initialisation; the trainer sets the data's base rate
        self.receptive_field = receptive_field(depth, k_first, k_rest)

    @torch.no_grad()
    def set_spike_bias(self, value: float) -> None:
        self.head.bias[0] = value

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = self.head(self.body(x))
        return y[:, 0], y[:, 1]  # spike logit, soma


def add_signed_synapses(module: nn.Module, n_in: int, n_excitatory: int) -> None:
    """Synaptic weights as in the ELM reference: `w_syn` starting at 0.5, and a sign per input (+1 for the
    first `n_excitatory`, -1 after), so an excitatory input can only excite and an inhibitory one only inhibit."""
    module.w_syn = nn.Parameter(torch.full((n_in,), 0.5))
    sign = torch.ones(n_in)
    sign[n_excitatory:] = -1.0
    module.register_buffer("sign", sign)


def synaptic_weights(module: nn.Module) -> torch.Tensor:
    """sign x relu(w_syn): the effective weights of `add_signed_synapses`."""
    return module.sign * F.relu(module.w_syn)


class ELMNeuron(nn.Module):
    """Branch-ELM (Spieler et al. 2024; with n_branches=0 their plain ELM neuron, whose synapses feed the MLP one
    by one): synaptic traces (tau 5 ms) summed into branches; memory units with
    log-spaced time constants (1-150 ms) updated by an MLP:
    m_t = k_m m_{t-1} + lambda (1 - k_m) 1.7159 tanh(2/3 MLP([b_t, k_m m_{t-1}])).
    Synaptic weights as in the reference: sign(input) x relu(w), w starting at 0.5, so an excitatory input can
    only excite and an inhibitory one only inhibit."""

    def __init__(self, n_in: int, n_excitatory: int, n_branches: int, n_memory: int, hidden: int,
                 tau_s: float = 5.0, lam: float = 5.0) -> None:
        super().__init__()
        self.n_in, self.n_branches, self.lam = n_in, n_branches or n_in, lam
        add_signed_synapses(self, n_in, n_excitatory)
        if n_branches == 0:  # the plain ELM neuron: every synapse feeds the memory MLP on its own
            self.register_buffer("branch", torch.arange(n_in))
        else:  # fixed assignment of consecutive synapses to branches (neighbouring segments share a branch); the
            # inhibitory half of the inputs mirrors the excitatory half
            half = n_in // 2 if n_in % 2 == 0 else n_in
            self.register_buffer("branch", torch.arange(n_in) % half * n_branches // half)
        self.register_buffer("kappa_s", torch.tensor(math.exp(-1.0 / tau_s)))
        self.register_buffer("kappa_m", torch.exp(-1.0 / torch.logspace(0, math.log10(150.0), n_memory)))
        self.mlp = nn.Sequential(nn.Linear(self.n_branches + n_memory, hidden), nn.ReLU(), nn.Linear(hidden, n_memory))
        self.readout = nn.Linear(n_memory, 2)
        self.set_spike_bias(-2.0)
        self.receptive_field = 150

    @torch.no_grad()
    def set_spike_bias(self, value: float) -> None:
        self.readout.bias[0] = value

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, C, T = x.shape
        drive = x * synaptic_weights(self)[None, :, None]
        branch_in = torch.zeros(B, self.n_branches, T, device=x.device, dtype=x.dtype)
        branch_in.index_add_(1, self.branch, drive)  # synapse -> branch sums, before the trace filter (linear)
        first, second = self.mlp[0], self.mlp[2]
        w_branch, w_memory = first.weight[:, :self.n_branches], first.weight[:, self.n_branches:]
        # The trace filter and the MLP's branch weights are linear and blind to the memory, so every time bin's
        # branch input is projected at once (one GEMM) and the projection filtered: W s_t = k_s W s_{t-1} + W b_t.
        # The time loop then carries hidden-width vectors only (the plain ELM has 1,278 branches).
        projected = branch_in.permute(2, 0, 1) @ w_branch.T  # [T, B, hidden]
        gain = self.lam * (1 - self.kappa_m)
        q = torch.zeros(B, first.out_features, device=x.device, dtype=x.dtype)
        m = torch.zeros(B, len(self.kappa_m), device=x.device, dtype=x.dtype)
        outs = []
        for t in range(T):
            q = self.kappa_s * q + projected[t]
            km = self.kappa_m * m
            hidden = F.relu(q + F.linear(km, w_memory, first.bias))
            m = km + gain * 1.7159 * torch.tanh(2.0 / 3.0 * second(hidden))
            outs.append(m)
        y = self.readout(torch.stack(outs, dim=1))  # [B, T, 2]
        return y[..., 0], y[..., 1]


class LSTMNeuron(nn.Module):
    """One LSTM layer over the input spikes and a linear readout (spike logit, soma): the ELM work's LSTM
    baseline (hidden 50 on 1,278 inputs = 266 K parameters)."""

    def __init__(self, n_in: int, hidden: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, 2)
        self.set_spike_bias(-2.0)
        self.receptive_field = 150  # windows start with this many unscored bins, as for the ELM

    @torch.no_grad()
    def set_spike_bias(self, value: float) -> None:
        self.readout.bias[0] = value

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h, _ = self.lstm(x.transpose(1, 2))  # [B, T, hidden]
        y = self.readout(h)
        return y[..., 0], y[..., 1]


class LIFNeuron(nn.Module):
    """A leaky integrate-and-fire point neuron with learned synapses, the point-neuron control of the ELM work
    (Spieler et al. 2024, "LIF"): signed synaptic weights (excitatory inputs excite, inhibitory ones inhibit)
    drive a synaptic current with a 5 ms trace into a membrane with a learned time constant; the spike
    probability is sigmoid((V - threshold) / sharpness) and a spike resets V by that probability (a soft
    reset, so gradients flow), the readout of V is the soma prediction. About n_in + 6 parameters."""

    def __init__(self, n_in: int, n_excitatory: int, tau_s: float = 5.0, tau_m: float = 20.0) -> None:
        super().__init__()
        add_signed_synapses(self, n_in, n_excitatory)
        self.register_buffer("kappa_s", torch.tensor(math.exp(-1.0 / tau_s)))
        self.log_tau_m = nn.Parameter(torch.tensor(math.log(tau_m)))
        self.threshold = nn.Parameter(torch.tensor(1.0))
        self.log_sharpness = nn.Parameter(torch.tensor(math.log(0.2)))
        self.soma = nn.Linear(1, 1)
        self.receptive_field = 150

    @torch.no_grad()
    def set_spike_bias(self, value: float) -> None:
        """Start the spike probability at the base rate: at rest (V = 0) the logit is -threshold / sharpness."""
        self.threshold.copy_(-value * self.log_sharpness.exp())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        drive = torch.einsum("bct,c->bt", x, synaptic_weights(self))  # linear: summed before the loop
        kappa_m = torch.exp(-1.0 / self.log_tau_m.exp())
        sharpness = self.log_sharpness.exp()
        current = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)
        v = torch.zeros_like(current)
        logits, potentials = [], []
        for t in range(x.shape[2]):
            current = self.kappa_s * current + drive[:, t]
            v = kappa_m * v + (1 - kappa_m) * current
            logit = (v - self.threshold) / sharpness
            logits.append(logit)
            potentials.append(v)
            v = v - torch.sigmoid(logit) * self.threshold  # soft reset towards rest after a (probable) spike
        logit, v = torch.stack(logits, dim=1), torch.stack(potentials, dim=1)
        return logit, self.soma(v[..., None])[..., 0]
