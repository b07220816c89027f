"""What one simulated trial gives, whichever simulator made it (NEURON cell or integrate-and-fire)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TrialResult:
    soma_v: np.ndarray  # float32 [n_bins]: somatic voltage at t = 0, 1, ... ms
    spike_times: np.ndarray  # float64: upward crossings of -25 mV at the soma, ms (exact under CVODE)
    dend_v: np.ndarray  # float32 [n_sites, n_bins]
