"""Code that a faster version replaced, kept as the same-run 'before' of the timing benchmarks and as the
oracle the tests compare the new code with bit for bit."""

from __future__ import annotations

import torch

from repbench.methods.neuron.nets import SparseCausalConv


class _SparseMmConvFn(torch.autograd.Function):
    """The sparse layer's products as torch.sparse.mm on CSR matrices, each built from the dense input: the
    code before the embedding_bag products (the same numbers)."""

    @staticmethod
    def forward(ctx, x, weight):
        B, C, T = x.shape
        n_out, _, K = weight.shape
        y = torch.sparse.mm(x.transpose(1, 2).reshape(B * T, C).to_sparse_csr(),
                            weight.permute(1, 2, 0).reshape(C, K * n_out)).view(B, T, K, n_out)
        out = y[:, :, K - 1].clone()
        for k in range(K - 1):
            out[:, K - 1 - k:] += y[:, : T - (K - 1 - k), k]
        ctx.save_for_backward(x)
        ctx.kernel = K
        return out.transpose(1, 2)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        B, C, T = x.shape
        K, n_out = ctx.kernel, grad.shape[1]
        shifted = torch.zeros(B, T, K, n_out)
        for k in range(K):
            shifted[:, : T - (K - 1 - k), k] = grad.transpose(1, 2)[:, K - 1 - k:]
        grad_w = torch.sparse.mm(x.permute(1, 0, 2).reshape(C, B * T).to_sparse_csr(), shifted.view(B * T, K * n_out))
        return None, grad_w.view(C, K, n_out).permute(2, 0, 1)


class SparseMmConv(SparseCausalConv):
    def forward(self, x):
        return _SparseMmConvFn.apply(x, self.weight) + self.bias[None, :, None]


def on_the_fly_per_batch_grid(raw_images, angles):
    """MNIST-ROT's training stream as it was: each batch's sampling grid built from its drawn angles."""
    from repbench.benchmarks.invariance.data.images import rotate_batch
    from repbench.benchmarks.invariance.kind import Resampler

    n, h, w = raw_images.shape
    table = torch.tensor(angles, dtype=torch.float32)

    def draw(batch, generator):
        s = torch.randint(len(angles), (len(batch),), generator=generator, device=batch.device)
        return rotate_batch(batch.view(-1, h, w), table.to(batch.device)[s]).reshape(len(batch), -1), s

    return Resampler(raw_images.reshape(n, h * w), draw)
