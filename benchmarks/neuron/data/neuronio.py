"""The authors' public simulations ("NeuronIO", as Spieler et al. 2024 call them), imported into the suite's
chunk format so that any `neuron-io` method is scored on exactly the data the published numbers come from.

Source: Beniaguev, Segev & London (2021), released on Kaggle as `selfishgene/single-neurons-as-deep-nets-nmda-
train-data` (folders `full_ergodic_train_batch_1` ... `_10`) and `selfishgene/single-neurons-as-deep-nets-nmda-
test-data` (`Data_test/`), about 115 GB. Each `*.p` file is a Python-2 pickle (protocol 2) of a dict: `Params`
(`allSegmentsType`: 639 x 'basal'/'apical', `totalSimDurationInSec`: 6) and `Results` ->
`listOfSingleSimulationDicts`: 128 simulations with `exInputSpikeTimes` / `inhInputSpikeTimes` (segment -> spike
times in integer ms), `outputSpikeTimes` (float16 ms), `somaVoltageLowRes` and `nexusVoltageLowRes` (1 ms,
float16).

Pickles can run code when loaded: these files are read by a restricted unpickler that admits only builtin
containers, numbers, strings and numpy arrays, and refuses anything else with the name it asked for.
Split as in the ELM work: validation = batch 1, training = batches 2-10, test = `Data_test`.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from repbench.benchmarks.neuron.data.dataset import Trial, pack_trials, unpack_chunk
from repbench.benchmarks.neuron.kind import InputSpikes
from repbench.data.atomic import atomic_write
from repbench.data.paths import data_root

KAGGLE = ("https://www.kaggle.com/datasets/selfishgene/single-neurons-as-deep-nets-nmda-train-data and "
          "https://www.kaggle.com/datasets/selfishgene/single-neurons-as-deep-nets-nmda-test-data")
SPLITS = ("train", "val", "test")
IDENTITY = "neuronio-v1"  # the chunk format of imported files (checked when read)
# what a NeuronIO pickle may reference: numpy arrays (and their dtypes and scalars), and the encoder that
# protocol-2 pickles written by Python 3 use for raw bytes; builtin containers need no global at all
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"),
}


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle that asks for something a NeuronIO file never holds."""


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise UnsafePickleError(
                f"the pickle asks for {module}.{name}, which a NeuronIO file never holds; refusing to load it "
                "(unpickling can run code). Use the files published by the authors."
            )
        if module.startswith("numpy.core.") and hasattr(np, "_core"):
            module = module.replace("numpy.core.", "numpy._core.", 1)  # numpy 2 moved the private module
        return super().find_class(module, name)


def load_pickle(path: Path) -> Any:
    """One NeuronIO file through the restricted unpickler (Python-2 strings read as latin-1)."""
    with open(path, "rb") as handle:
        try:
            return _RestrictedUnpickler(handle, encoding="latin1").load()
        except UnsafePickleError as err:
            raise UnsafePickleError(f"{path}: {err}") from None


def split_of(path: Path) -> str:
    """The ELM split of a file, from its folder: batch 1 validates, batches 2-10 train, Data_test tests."""
    for part in reversed(path.parts[:-1]):
        match = re.fullmatch(r"full_ergodic_train_batch_(\d+)", part)
        if match:
            return "val" if int(match.group(1)) == 1 else "train"
        if part == "Data_test":
            return "test"
    raise ValueError(f"{path} is in none of the published folders (full_ergodic_train_batch_N, Data_test)")


def _inputs(simulation: dict, n_segments: int, n_bins: int) -> InputSpikes:
    index, bins = [], []
    for offset, key in ((0, "exInputSpikeTimes"), (n_segments, "inhInputSpikeTimes")):
        for segment, times in simulation[key].items():
            t = np.asarray(times, dtype=np.int64)
            keep = (t >= 0) & (t < n_bins)
            index.append(np.full(int(keep.sum()), offset + int(segment), dtype=np.int32))
            bins.append(t[keep].astype(np.int32))
    return InputSpikes(2 * n_segments, n_bins, np.concatenate(index or [np.zeros(0, np.int32)]),
                       np.concatenate(bins or [np.zeros(0, np.int32)]))


def trials_of(data: dict, first_index: int = 0) -> list[Trial]:
    """A loaded file's simulations as the suite's trials. Output spike times are stored as t - 0.5 ms, so the
    suite's binning floor(t) equals the authors' loaders' int(t - 0.5); the nexus voltage is the one dendritic
    site kept (the 639 dendritic traces would make a file 15 MB per simulation)."""
    params = data["Params"]
    n_segments = len(params["allSegmentsType"])
    n_bins = int(round(float(params["totalSimDurationInSec"]) * 1000))
    out = []
    for k, sim in enumerate(data["Results"]["listOfSingleSimulationDicts"]):
        spikes = np.asarray(sim["outputSpikeTimes"], dtype=np.float64) - 0.5
        soma = np.asarray(sim["somaVoltageLowRes"], dtype=np.float32)[:n_bins]
        nexus = np.asarray(sim["nexusVoltageLowRes"], dtype=np.float32)[:n_bins]
        out.append(Trial(first_index + k, _inputs(sim, n_segments, n_bins), soma, spikes, nexus[None], math.nan))
    return out


def folder(root: Path | None = None) -> Path:
    return (root or data_root()) / "neuron" / "neuronio"


def import_files(paths: Iterable[Path], root: Path | None = None) -> dict[str, int]:
    """Import `*.p` files (or folders holding them) into the data root; returns simulations per split. A file
    already imported (same name, same sha256) is skipped."""
    files = sorted(f for p in map(Path, paths) for f in ([p] if p.is_file() else p.rglob("*.p")))
    if not files:
        raise FileNotFoundError(f"no NeuronIO .p files under {', '.join(map(str, paths))}; download them from {KAGGLE}")
    target = folder(root)
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"files": {}}
    for path in files:
        split = split_of(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = manifest["files"].get(f"{split}/{path.stem}")
        if entry and entry["sha256"] == digest:
            continue
        data = load_pickle(path)
        trials = trials_of(data)
        segment_types = list(data["Params"]["allSegmentsType"])
        with atomic_write(target / split / f"{path.stem}.npz", "wb") as out:
            np.savez_compressed(out, identity=np.array(IDENTITY), **pack_trials(trials))
        manifest["files"][f"{split}/{path.stem}"] = {
            "source": path.name, "sha256": digest, "simulations": len(trials), "split": split,
            "segments": len(segment_types), "basal": segment_types.count("basal"),
            "apical": segment_types.count("apical"),
        }
        with atomic_write(manifest_path) as out:
            json.dump(manifest, out, indent=1, sort_keys=True)
    counts = dict.fromkeys(SPLITS, 0)
    for entry in manifest["files"].values():
        counts[entry["split"]] += entry["simulations"]
    return counts


def split_files(split: str, root: Path | None = None) -> list[Path]:
    return sorted((folder(root) / split).glob("*.npz"))


def read_split(split: str, max_files: int = 0, root: Path | None = None) -> Iterator[Trial]:
    """The imported trials of one split, file by file in name order (the first `max_files` if > 0)."""
    files = split_files(split, root)
    for path in files[:max_files] if max_files else files:
        with np.load(path) as f:
            data = {k: f[k] for k in f.files}
        if str(data.get("identity")) != IDENTITY:
            raise ValueError(f"{path} is not an imported NeuronIO file; rerun `repbench data import-neuronio`")
        yield from unpack_chunk(data)
