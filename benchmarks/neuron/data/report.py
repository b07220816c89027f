"""Validation report of a simulated dataset: is it the regime the paper describes?

Input and output rates, the output's ISI CV, and NMDA plateaus: stretches where a distal dendritic site stays
above -40 mV for more than 20 ms (a back-propagating spike lasts a few ms, an NMDA plateau tens). Statistics
skip each trial's first 500 ms, as the evaluation does. One CSV row per dataset under results/neuron/, so the
variants sit side by side, plus a sample figure per dataset (input raster, dendritic and somatic voltage).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from repbench.benchmarks.neuron.data.dataset import Dataset, Trial

BURN_IN_MS = 500
PLATEAU_MV = -40.0
PLATEAU_MIN_MS = 20


def above_runs(v: np.ndarray, threshold: float, min_len: int) -> list[tuple[int, int]]:
    """(start, stop) of the runs where `v` > threshold for more than `min_len` consecutive samples."""
    above = np.concatenate([[False], v > threshold, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a > min_len]


def trial_stats(trial: Trial, n_exc: int, burn_in: int = BURN_IN_MS) -> dict[str, float]:
    n_bins = trial.inputs.n_bins
    keep = trial.inputs.bin_index >= burn_in
    seconds = (n_bins - burn_in) / 1000
    exc = np.count_nonzero(trial.inputs.input_index[keep] < n_exc)
    inh = np.count_nonzero(keep) - exc
    n_inh = trial.inputs.n_inputs - n_exc
    spikes = trial.spike_times[trial.spike_times >= burn_in]
    plateau_ms, n_plateaus, any_plateau = 0.0, 0, np.zeros(n_bins - burn_in, dtype=bool)
    for v in trial.dend_v:
        for a, b in above_runs(v[burn_in:], PLATEAU_MV, PLATEAU_MIN_MS):
            plateau_ms += b - a
            n_plateaus += 1
            any_plateau[a:b] = True
    n_sites = len(trial.dend_v)
    return {
        "seconds": seconds,
        "exc_spikes": exc / max(n_exc, 1),
        "inh_spikes": inh / max(n_inh, 1),
        "out_spikes": len(spikes),
        "isis": np.diff(spikes),
        "plateau_ms_per_site": plateau_ms / n_sites if n_sites else np.nan,
        "plateaus_per_site": n_plateaus / n_sites if n_sites else np.nan,
        "any_plateau_ms": float(any_plateau.sum()) if n_sites else np.nan,
        "wall_s": trial.wall_s,
        "soma_v": trial.soma_v[burn_in:],
    }


def validation_row(dataset: Dataset, seconds: float | None = None) -> dict[str, object]:
    """One row of statistics over the dataset's trials (the first `seconds` of them if given)."""
    stats = [trial_stats(t, dataset.n_excitatory(t.inputs.n_inputs)) for t in dataset.trials(seconds)]
    if not stats:
        raise ValueError(f"dataset {dataset.path} has no trials yet")
    total = sum(s["seconds"] for s in stats)
    isis = np.concatenate([s["isis"] for s in stats])
    soma = np.concatenate([s["soma_v"] for s in stats])
    sim_s = len(stats) * dataset.spec.trial_ms / 1000
    return {
        "dataset": dataset.name,
        "cell": dataset.spec.cell,
        "morphology": dataset.identity.get("morphology", {}).get("file", "-"),
        "trials": len(stats),
        "simulated_s": sim_s,
        "analysed_s": total,
        "exc_rate_hz": sum(s["exc_spikes"] for s in stats) / total,
        "inh_rate_hz": sum(s["inh_spikes"] for s in stats) / total,
        "output_rate_hz": sum(s["out_spikes"] for s in stats) / total,
        "isi_cv": float(isis.std() / isis.mean()) if len(isis) > 1 else np.nan,
        "soma_v_mean_mv": float(soma.mean()),
        "soma_v_sd_mv": float(soma.std()),
        "plateau_fraction_per_site": sum(s["plateau_ms_per_site"] for s in stats) / (1000 * total),
        "plateau_fraction_any_site": sum(s["any_plateau_ms"] for s in stats) / (1000 * total),
        "plateaus_per_site_per_s": sum(s["plateaus_per_site"] for s in stats) / total,
        "sim_speed_x_realtime": sim_s / sum(s["wall_s"] for s in stats),
    }


def write_csv_row(row: dict[str, object], path: Path) -> pd.DataFrame:
    """Insert or replace this dataset's row in the family's validation table."""
    table = pd.read_csv(path) if path.exists() else pd.DataFrame()
    if len(table):
        table = table[table["dataset"] != row["dataset"]]
    table = pd.concat([table, pd.DataFrame([row])], ignore_index=True).sort_values("dataset")
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format="%.6g")
    return table


def sample_figure(dataset: Dataset, path: Path, window_ms: int = 3000) -> Path:
    """Input raster, dendritic voltages and somatic voltage of the first trial."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trial = next(dataset.trials(dataset.spec.trial_ms / 1000))
    n_exc = dataset.n_excitatory(trial.inputs.n_inputs)
    t_end = min(window_ms, trial.inputs.n_bins)
    fig, axes = plt.subplots(3, 1, figsize=(11, 8), sharex=True, height_ratios=[2, 1.3, 1.3])
    keep = trial.inputs.bin_index < t_end
    idx, b = trial.inputs.input_index[keep], trial.inputs.bin_index[keep]
    exc = idx < n_exc
    axes[0].scatter(b[exc], idx[exc], s=0.3, c="tab:blue", marker=".", linewidths=0, label="excitatory")
    axes[0].scatter(b[~exc], idx[~exc], s=0.3, c="tab:red", marker=".", linewidths=0, label="inhibitory")
    axes[0].set_ylabel("input (synapse)")
    axes[0].legend(loc="upper right", markerscale=20, fontsize=8)
    t = np.arange(t_end)
    for k, v in enumerate(trial.dend_v):
        axes[1].plot(t, v[:t_end], lw=0.7, label=f"site {k}")
    axes[1].axhline(PLATEAU_MV, color="k", ls=":", lw=0.8)
    axes[1].set_ylabel("distal dendrites (mV)")
    if len(trial.dend_v) == 0:
        axes[1].text(0.5, 0.5, "no dendritic sites recorded", ha="center", va="center", transform=axes[1].transAxes)
    axes[2].plot(t, trial.soma_v[:t_end], lw=0.7, color="k")
    out = trial.spike_times[trial.spike_times < t_end]
    axes[2].plot(out, np.full(len(out), 20.0), "v", color="tab:orange", ms=4, label="output spikes")
    axes[2].set_ylabel("soma (mV)")
    axes[2].set_xlabel("time (ms)")
    fig.suptitle(f"{dataset.name}: {dataset.spec.variant.description}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(dataset: Dataset, out_dir: Path, seconds: float | None = None) -> tuple[dict, Path, Path]:
    row = validation_row(dataset, seconds)
    csv = out_dir / "validation.csv"
    write_csv_row(row, csv)
    png = sample_figure(dataset, out_dir / f"{dataset.name}_sample.png")
    return row, csv, png
