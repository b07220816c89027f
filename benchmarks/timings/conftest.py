from __future__ import annotations

import pytest
import torch


@pytest.fixture
def one_thread():
    """One torch thread, as in a standard-profile cell (`--jobs N` runs N single-threaded cells)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
