"""Device selection: CUDA when present, never a CPU-only assumption in the methods."""

from __future__ import annotations

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def resolve_device(preference: str = "auto") -> str:
    """Map 'auto' to the best available torch device; refuse an unavailable explicit one clearly."""
    import torch

    base = preference.split(":", 1)[0]
    if base not in DEVICE_CHOICES:
        raise ValueError(f"unknown device {preference!r}; use one of {', '.join(DEVICE_CHOICES)} (or cuda:N)")
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if base == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if base == "cuda" and not cuda:
        raise ValueError("device 'cuda' was asked for but torch sees no CUDA GPU; use --device cpu or auto")
    if base == "mps" and not mps:
        raise ValueError("device 'mps' was asked for but is not available; use --device cpu or auto")
    return preference
