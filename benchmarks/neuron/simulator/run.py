"""One trial of the L5PC: deliver the input spikes, integrate with CVODE (or a fixed step), sample at 1 ms."""

from __future__ import annotations

import numpy as np
from neuron import h

from repbench.benchmarks.neuron.kind import InputSpikes
from repbench.benchmarks.neuron.simulator.cell import L5PCell
from repbench.benchmarks.neuron.simulator.result import TrialResult

SPIKE_THRESHOLD_MV = -25.0
V_INIT_MV = -76.0

h.load_file("stdrun.hoc")  # continuerun


def simulate_trial(
    cell: L5PCell,
    spikes: InputSpikes,
    dend_sites: list[int] = (),
    fixed_dt: float | None = None,
    atol: float = 1e-4,
) -> TrialResult:
    """Simulate `spikes.n_bins` ms; input k of bin b arrives at t = b ms. `fixed_dt` switches CVODE off."""
    n = cell.n_segments
    if spikes.n_inputs != 2 * n:
        raise ValueError(f"{spikes.n_inputs} inputs given, the cell has {2 * n} synapses ({n} segments x exc/inh)")
    cvode = h.CVode()
    cvode.active(fixed_dt is None)
    if fixed_dt is None:
        cvode.atol(atol)
    else:
        h.dt = fixed_dt
    duration = float(spikes.n_bins)
    # every integration step is recorded and interpolated onto the 1 ms grid: NEURON's fixed-interval
    # recording under CVODE drops samples that coincide with input events
    t_rec = h.Vector().record(h._ref_t)
    soma_v = h.Vector().record(cell.soma._ref_v)
    dend_v = [h.Vector().record(cell.segments[i]._ref_v) for i in dend_sites]
    out = h.Vector()
    detector = h.NetCon(cell.soma._ref_v, None, sec=cell.soma.sec)
    detector.threshold = SPIKE_THRESHOLD_MV
    detector.record(out)
    targets = cell.excitatory + cell.inhibitory
    netcons = [h.NetCon(None, syn) for syn in targets]
    for nc in netcons:
        nc.weight[0] = 1.0
    h.finitialize(V_INIT_MV)
    order = np.argsort(spikes.bin_index, kind="stable")  # events queued in time order
    for k, b in zip(spikes.input_index[order].tolist(), spikes.bin_index[order].tolist(), strict=True):
        netcons[k].event(float(b))
    if fixed_dt is None:
        cvode.solve(duration)  # exactly to `duration`; continuerun stops up to half a (variable) step early
    else:
        h.continuerun(duration)
    t, grid = np.array(t_rec), np.arange(spikes.n_bins, dtype=np.float64)

    def on_grid(v) -> np.ndarray:
        return np.interp(grid, t, np.array(v)).astype(np.float32)

    return TrialResult(
        soma_v=on_grid(soma_v),
        spike_times=np.array(out, dtype=np.float64),
        dend_v=np.array([on_grid(v) for v in dend_v], dtype=np.float32).reshape(len(dend_sites), spikes.n_bins),
    )
