"""Validation report of a simulated dataset: is it the regime the paper describes?

Input and output rates, the output's ISI CV, and NMDA plateaus: stretches where a distal dendritic site stays
above -40 mV for more than 20 ms (a back-propagating spike lasts a few ms, an NMDA plateau tens). Statistics
skip each trial's first 500 ms, as the evaluation does. One CSV row per dataset under results/neuron/, so the
variants sit side by side, plus a sample figure per dataset (input raster, dendritic and somatic voltage).
`comparison` sets a row beside the statistics of the authors' own simulation script.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from repbench.benchmarks.neuron.data.dataset import Dataset, Trial

BURN_IN_MS = 500
PLATEAU_MV = -40.0
PLATEAU_MIN_MS = 20

# Beniaguev et al.'s public simulation script on their cell (NMDA synapses), re-run for two 6 s simulations
# (seed 1234): segment and synapse counts, output rate and ISI CV as measured there; the input rates are the
# means their generator implies (the two simulations gave 12.9 and 11.5 Hz excitation, 10.9 and 8.1 Hz
# inhibition). Two simulations: the output statistics are rough (13 and 24 spikes).
AUTHORS_SCRIPT = {
    "basal_segments": 262, "apical_segments": 377, "dendritic_segments": 639, "synapses": 1278,
    "exc_rate_basal_hz": 15.3, "exc_rate_apical_hz": 10.6, "exc_rate_hz": 12.5, "inh_rate_hz": 9.8,
    "output_rate_hz": 3.1, "isi_cv": 1.62,
}


def above_runs(v: np.ndarray, threshold: float, min_len: int) -> list[tuple[int, int]]:
    """(start, stop) of the runs where `v` > threshold for more than `min_len` consecutive samples."""
    above = np.concatenate([[False], v > threshold, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a > min_len]


def trial_stats(trial: Trial, n_exc: int, burn_in: int = BURN_IN_MS, tree: np.ndarray | None = None
                ) -> dict[str, float]:
    """Per-trial counts; `tree` (0 basal, 1 apical per dendritic segment) adds per-tree excitation counts."""
    n_bins = trial.inputs.n_bins
    keep = trial.inputs.bin_index >= burn_in
    seconds = (n_bins - burn_in) / 1000
    index = trial.inputs.input_index[keep]
    exc = np.count_nonzero(index < n_exc)
    inh = np.count_nonzero(keep) - exc
    n_inh = trial.inputs.n_inputs - n_exc
    per_tree = {}
    if tree is not None:
        spikes_per_segment = np.bincount(index[index < n_exc], minlength=n_exc)
        for t, name in ((0, "basal"), (1, "apical")):
            per_tree[f"exc_spikes_{name}"] = spikes_per_segment[tree == t].sum() / max(np.count_nonzero(tree == t), 1)
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
        **per_tree,
    }


def is_authors_cell(identity: dict) -> bool:
    """The authors' cell model on Hay's cell1.asc (by checksum, whatever the file is called)."""
    from repbench.benchmarks.neuron.simulator.morphology import HAY2011_SHA256

    return identity.get("model") == "authors" and identity.get("morphology", {}).get("sha256") == HAY2011_SHA256


def cell_counts(dataset: Dataset) -> tuple[dict[str, int], np.ndarray | None]:
    """Segment and synapse counts of the dataset's compartmental cell, and its per-segment tree; ({}, None)
    for the integrate-and-fire control. Builds the cell in this process (a second or two)."""
    if not dataset.spec.variant.is_compartmental:
        return {}, None
    cell = dataset.spec.build_cell()
    basal = int(np.count_nonzero(cell.tree == 0))
    counts = {"basal_segments": basal, "apical_segments": cell.n_segments - basal,
              "dendritic_segments": cell.n_segments, "synapses": len(cell.excitatory) + len(cell.inhibitory)}
    return counts, cell.tree


def validation_row(dataset: Dataset, seconds: float | None = None) -> dict[str, object]:
    """One row of statistics over the dataset's trials (the first `seconds` of them if given)."""
    counts, tree = cell_counts(dataset)
    stats = [trial_stats(t, dataset.n_excitatory(t.inputs.n_inputs), tree=tree) for t in dataset.trials(seconds)]
    if not stats:
        raise ValueError(f"dataset {dataset.path} has no trials yet")
    total = sum(s["seconds"] for s in stats)
    isis = np.concatenate([s["isis"] for s in stats])
    soma = np.concatenate([s["soma_v"] for s in stats])
    sim_s = len(stats) * dataset.spec.trial_ms / 1000
    return {
        "dataset": dataset.name,
        "cell": dataset.spec.cell,
        "model": dataset.identity.get("model", "-"),
        "morphology": dataset.identity.get("morphology", {}).get("file", "-"),
        "authors_cell": is_authors_cell(dataset.identity),
        **counts,
        "trials": len(stats),
        "simulated_s": sim_s,
        "analysed_s": total,
        **({f"exc_rate_{name}_hz": sum(s[f"exc_spikes_{name}"] for s in stats) / total
            for name in ("basal", "apical")} if tree is not None else {}),
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


def comparison(row: dict[str, object]) -> pd.DataFrame:
    """The row's statistics beside the authors' script's (NaN where it has none: other cells or models)."""
    authors_cell = bool(row.get("authors_cell"))
    same_inputs = authors_cell and row.get("cell") == "l5pc-nmda"

    def reference(key: str) -> float:
        counts = key.endswith(("segments", "synapses"))
        return AUTHORS_SCRIPT[key] if (same_inputs or (counts and authors_cell)) else np.nan

    return pd.DataFrame([{"statistic": key, "this dataset": row[key], "authors' script": reference(key)}
                         for key in AUTHORS_SCRIPT if key in row]).set_index("statistic")


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
    model = f" ({dataset.spec.model} cell model)" if dataset.spec.variant.is_compartmental else ""
    fig.suptitle(f"{dataset.name}: {dataset.spec.variant.description}{model}", fontsize=10)
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
