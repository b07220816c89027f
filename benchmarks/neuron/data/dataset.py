"""Simulated datasets in the data root: a manifest plus chunk files of a fixed number of trials.

`<data>/neuron/<cell>-<hash>/manifest.json` holds the dataset's identity: cell variant, every input,
synapse and integration parameter, the morphology's and mechanisms' sha256, the seed and the trial layout.
The folder name carries a hash of that identity, so datasets made with different mechanisms or parameters
never share a folder; opening a folder whose manifest disagrees with the request, or reading a chunk written
for another identity, is an error. Trial i uses the generator seeded by (seed, i), so the same seed gives the
same spikes whichever chunks exist, in whatever order or process they were made. Generation spreads the
missing *trials* over the core's executors (local processes or Dask workers); this process writes each chunk
once all its trials are back, to a temporary file renamed into place, so an interrupted generation leaves
whole chunks only and a rerun fills the gaps.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import platform
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from repbench.benchmarks.neuron.kind import InputSpikes
from repbench.benchmarks.neuron.simulator.inputs import InputParams, draw_inputs
from repbench.benchmarks.neuron.simulator.integrate_fire import draw_if_inputs, simulate_if
from repbench.benchmarks.neuron.simulator.variants import Variant, get_variant
from repbench.data.atomic import atomic_write
from repbench.data.paths import data_root, forwarded_env

FORMAT = 1
# Bump when a change to the simulator (cell, morphology handling, inputs, integration) alters the data it
# produces: the version is part of every dataset's identity, so older datasets are not reused.
SIMULATOR_VERSION = 2  # 2: the authors' cell model and input recipe


class DatasetError(ValueError):
    """A dataset folder or chunk that does not match what was asked for."""


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that determines a dataset's content. `fixed_dt=None` means CVODE with `atol`. `model` is the
    compartmental cell model (simulator/cell.py): `authors` on Hay's cell1.asc unless `morphology` names another
    file, `demo` on NEURON's embedded pyramid.nrn unless it does."""

    cell: str = "l5pc-nmda"
    seed: int = 0
    trial_ms: int = 6000
    trials_per_chunk: int = 1
    morphology: str | None = None
    model: str = "authors"
    max_segment_um: float = 40.0  # the demo model's segment rule; the authors' has its own
    fixed_dt: float | None = None
    atol: float = 1e-3
    dendritic_sites_per_tree: int = 4
    inputs: InputParams | None = None  # None: the variant's

    @property
    def variant(self) -> Variant:
        return get_variant(self.cell)

    @property
    def input_params(self) -> InputParams:
        return self.inputs or self.variant.inputs

    @property
    def label(self) -> str:
        """The folder name's prefix: the cell, and for a compartmental cell its model."""
        return f"{self.cell}-{self.model}" if self.variant.is_compartmental else self.cell

    def morphology_path(self) -> Path:
        """The morphology file: the given one, else the model's own (Hay's cell1.asc is downloaded on first use)."""
        from repbench.benchmarks.neuron.simulator.morphology import embedded_morphology, hay2011_morphology

        if self.morphology:
            return Path(self.morphology).expanduser()
        return hay2011_morphology() if self.model == "authors" else embedded_morphology()

    def build_cell(self):
        """The compartmental cell this dataset simulates, built (or reused) in this process."""
        from repbench.benchmarks.neuron.simulator.cell import build_cell

        return build_cell(self.morphology_path(), self.max_segment_um, self.model)

    def identity(self) -> dict:
        """The content-determining fields, with the morphology and mechanisms resolved to their hashes."""
        variant = self.variant
        ident = {
            "format": FORMAT,
            "simulator_version": SIMULATOR_VERSION,
            "cell": self.cell,
            "seed": self.seed,
            "trial_ms": self.trial_ms,
            "trials_per_chunk": self.trials_per_chunk,
            "inputs": asdict(self.input_params),
        }
        if variant.is_compartmental:
            from repbench.benchmarks.neuron.simulator.cell import MODELS
            from repbench.benchmarks.neuron.simulator.mechanisms import mechanisms_hash
            from repbench.benchmarks.neuron.simulator.morphology import file_sha256

            if self.model not in MODELS:
                raise DatasetError(f"unknown cell model {self.model!r}; use one of {', '.join(MODELS)}")
            morph = self.morphology_path()
            ident.update(
                model=self.model,
                synapses=asdict(variant.synapses),
                morphology={"file": morph.name, "sha256": file_sha256(morph)},
                mechanisms_sha256=mechanisms_hash(),
                integrator={"method": "fixed", "dt": self.fixed_dt} if self.fixed_dt else {"method": "cvode",
                                                                                            "atol": self.atol},
                dendritic_sites_per_tree=self.dendritic_sites_per_tree,
            )
            if self.model == "demo":
                ident["max_segment_um"] = self.max_segment_um
        else:
            ident["integrate_fire"] = asdict(variant.integrate_fire)
        return json.loads(json.dumps(ident))  # as it reads back from the manifest (tuples become lists)


def identity_hash(identity: dict) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def _versions() -> dict:
    import neuron

    import repbench

    return {
        "repbench": repbench.__version__,
        "neuron": neuron.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _diff(a: dict, b: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            out += _diff(x, y, f"{prefix}{key}.")
        elif x != y:
            out.append(f"{prefix}{key}: {x!r} (on disk) != {y!r} (asked)")
    return out


@dataclass
class Dataset:
    """A dataset folder; chunks are read and written through it."""

    path: Path
    spec: DatasetSpec
    identity: dict
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = identity_hash(self.identity)

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def open(cls, spec: DatasetSpec, root: Path | None = None, folder: Path | None = None) -> Dataset:
        """The dataset for `spec`, created if new; refuses a folder whose manifest says something else."""
        identity = spec.identity()
        key = identity_hash(identity)
        path = folder or (root or data_root() / "neuron") / f"{spec.label}-{key[:12]}"
        manifest = path / "manifest.json"
        if manifest.exists():
            try:
                on_disk = json.loads(manifest.read_text())["identity"]
            except (ValueError, KeyError) as err:
                raise DatasetError(f"{manifest} is not a valid dataset manifest ({err}); delete {path}") from None
            if on_disk != identity:
                raise DatasetError(
                    f"dataset {path} was generated with different settings; refusing to mix them:\n  "
                    + "\n  ".join(_diff(on_disk, identity))
                    + f"\nDelete {path} to regenerate it, or put the new dataset in another folder."
                )
        else:
            path.mkdir(parents=True, exist_ok=True)
            with atomic_write(manifest) as out:
                json.dump({"identity": identity, "key": key, "spec": asdict(spec), "versions": _versions(),
                           "created": datetime.now(UTC).isoformat(timespec="seconds")}, out, indent=2,
                          sort_keys=True)
        return cls(path, spec, identity)

    @classmethod
    def from_folder(cls, path: str | Path) -> Dataset:
        """Reopen an existing dataset folder (e.g. in a worker process) and check it against its manifest."""
        path = Path(path)
        manifest = json.loads((path / "manifest.json").read_text())
        spec = _spec_from_dict(manifest["spec"])
        return cls.open(spec, folder=path)

    def n_trials(self, seconds: float) -> int:
        return max(1, math.ceil(seconds * 1000 / self.spec.trial_ms))

    def n_chunks(self, seconds: float) -> int:
        return math.ceil(self.n_trials(seconds) / self.spec.trials_per_chunk)

    def chunk_path(self, index: int) -> Path:
        return self.path / f"chunk_{index:05d}.npz"

    def missing(self, seconds: float) -> list[int]:
        return [i for i in range(self.n_chunks(seconds)) if not self.chunk_path(i).exists()]

    def read_chunk(self, index: int) -> dict[str, np.ndarray]:
        path = self.chunk_path(index)
        try:
            with np.load(path) as f:
                data = {k: f[k] for k in f.files}
        except (OSError, ValueError, EOFError) as err:
            raise DatasetError(f"chunk {path} is unreadable ({err}); delete it and rerun to regenerate it") from None
        if str(data.get("identity")) != self.key:
            raise DatasetError(
                f"chunk {path} belongs to another dataset (identity {data.get('identity')!s:.12}, this one "
                f"{self.key:.12}); delete it and rerun"
            )
        return data

    def trials(self, seconds: float | None = None) -> Iterator[Trial]:
        """The trials of the first `seconds` of simulated time (all existing chunks if None), in order."""
        n = self.n_chunks(seconds) if seconds is not None else len(list(self.path.glob("chunk_*.npz")))
        limit = self.n_trials(seconds) if seconds is not None else None
        count = 0
        for c in range(n):
            if not self.chunk_path(c).exists():
                raise DatasetError(f"{self.chunk_path(c)} is missing; run `repbench data simulate` to complete it")
            for trial in unpack_chunk(self.read_chunk(c)):
                if limit is not None and count >= limit:
                    return
                count += 1
                yield trial

    def n_excitatory(self, n_inputs: int) -> int:
        """How many of the inputs are excitatory (they come first): the I&F's own count, else one excitatory and
        one inhibitory synapse per segment."""
        fire = self.identity.get("integrate_fire")
        return int(fire["n_exc"]) if fire else n_inputs // 2

    def chunk_trials(self, index: int) -> range:
        """The trial indices chunk `index` holds."""
        first = index * self.spec.trials_per_chunk
        return range(first, first + self.spec.trials_per_chunk)

    def write_chunk(self, index: int, trials: list[Trial]) -> Path:
        """Write chunk `index` atomically from its simulated trials."""
        if [t.index for t in trials] != list(self.chunk_trials(index)):
            raise DatasetError(f"chunk {index} holds trials {list(self.chunk_trials(index))}, "
                               f"got {[t.index for t in trials]}")
        target = self.chunk_path(index)
        with atomic_write(target, "wb") as out:
            np.savez_compressed(out, identity=np.array(self.key), **pack_trials(trials))
        return target


@dataclass
class Trial:
    index: int  # trial i was drawn from the generator seeded by (dataset seed, i)
    inputs: InputSpikes
    soma_v: np.ndarray
    spike_times: np.ndarray
    dend_v: np.ndarray
    wall_s: float


def trial_rng(spec: DatasetSpec, index: int) -> np.random.Generator:
    return np.random.default_rng([spec.seed, index])


def simulate_one(spec: DatasetSpec, index: int) -> Trial:
    variant = spec.variant
    rng = trial_rng(spec, index)
    start = time.perf_counter()
    if variant.is_compartmental:
        from repbench.benchmarks.neuron.simulator.run import simulate_trial

        cell = spec.build_cell()
        cell.set_synapses(variant.synapses)
        inputs = draw_inputs(rng, cell.seg_length_um, cell.tree, spec.trial_ms, spec.input_params)
        sites = cell.distal_sites(spec.dendritic_sites_per_tree)
        result = simulate_trial(cell, inputs, sites, fixed_dt=spec.fixed_dt, atol=spec.atol)
    else:
        inputs = draw_if_inputs(rng, spec.trial_ms, variant.integrate_fire, spec.input_params)
        result = simulate_if(inputs, variant.integrate_fire)
    wall = time.perf_counter() - start
    return Trial(index, inputs, result.soma_v, result.spike_times, result.dend_v, wall)


def pack_trials(trials: list[Trial]) -> dict[str, np.ndarray]:
    """Sparse inputs and output spikes as concatenations with per-trial offsets (CSR style)."""
    n_spikes = [len(t.inputs.bin_index) for t in trials]
    n_out = [len(t.spike_times) for t in trials]
    small = np.uint16 if trials[0].inputs.n_bins <= 65535 and trials[0].inputs.n_inputs <= 65535 else np.int32
    return {
        "trial_index": np.array([t.index for t in trials], dtype=np.int64),
        "n_inputs": np.array(trials[0].inputs.n_inputs),
        "n_bins": np.array(trials[0].inputs.n_bins),
        "input_ptr": np.concatenate([[0], np.cumsum(n_spikes)]).astype(np.int64),
        "input_index": np.concatenate([t.inputs.input_index for t in trials]).astype(small),
        "input_bin": np.concatenate([t.inputs.bin_index for t in trials]).astype(small),
        "soma_v": np.stack([t.soma_v for t in trials]).astype(np.float32),
        "dend_v": np.stack([t.dend_v for t in trials]).astype(np.float32),
        "spike_ptr": np.concatenate([[0], np.cumsum(n_out)]).astype(np.int64),
        "spike_times": np.concatenate([t.spike_times for t in trials]).astype(np.float64),
        "wall_s": np.array([t.wall_s for t in trials]),
    }


def unpack_chunk(data: dict[str, np.ndarray]) -> Iterator[Trial]:
    ip, sp = data["input_ptr"], data["spike_ptr"]
    n_inputs, n_bins = int(data["n_inputs"]), int(data["n_bins"])
    for k, index in enumerate(data["trial_index"].tolist()):
        inputs = InputSpikes(
            n_inputs,
            n_bins,
            data["input_index"][ip[k] : ip[k + 1]].astype(np.int32),
            data["input_bin"][ip[k] : ip[k + 1]].astype(np.int32),
        )
        yield Trial(
            index, inputs, data["soma_v"][k], data["spike_times"][sp[k] : sp[k + 1]], data["dend_v"][k],
            float(data["wall_s"][k]),
        )


def _spec_from_dict(d: dict) -> DatasetSpec:
    inputs = d.get("inputs")
    if inputs is not None:
        inputs = InputParams(**{k: tuple(v) if isinstance(v, list) else v for k, v in inputs.items()})
    return DatasetSpec(**{**d, "inputs": inputs})


def _simulate_in_worker(index: int, folder: str) -> Trial:
    """Top-level so process pools and Dask can ship it: simulate trial `index` of the dataset in `folder`."""
    return simulate_one(Dataset.from_folder(folder).spec, index)


def generate(
    dataset: Dataset,
    seconds: float,
    jobs: int = 0,
    progress: bool = True,
    executor: str = "process",
    scheduler: str | None = None,
) -> list[int]:
    """Simulate the chunks missing from the first `seconds` of `dataset`; returns their indices.

    The missing trials run on the core's executors: in this process (`jobs=0`, or 1), on `jobs` processes, or
    as Dask tasks (`executor="dask"`: a LocalCluster of `jobs` workers, or the cluster behind `scheduler`; the
    data root must then be on a filesystem the workers share). A trial that fails stops the generation with
    its reason; the chunks written before it are kept."""
    import fcntl

    from tqdm.auto import tqdm

    from repbench.execution.executors import Failure, make_executor

    if not dataset.missing(seconds):
        return []
    engine = make_executor(executor, jobs if jobs > 1 or executor == "dask" or scheduler else 0, scheduler)
    env = forwarded_env(absolute_data_root=True)
    with open(dataset.path / ".generate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs asking for the same dataset: the second waits, then reuses
        todo = dataset.missing(seconds)
        waiting: dict[int, dict[int, Trial]] = {chunk: {} for chunk in todo}
        trials = [i for chunk in todo for i in dataset.chunk_trials(chunk)]
        bar = tqdm(total=len(trials), unit="trial", desc=dataset.name, disable=not progress)
        results = engine.map(functools.partial(_simulate_in_worker, folder=str(dataset.path.resolve())), trials,
                             env=env, key=lambda i: f"repbench-trial-{dataset.name}-{i}")
        try:
            for index, trial in results:
                if isinstance(trial, Failure):
                    detail = f"{trial.reason}\n{trial.traceback or ''}"
                    raise DatasetError(f"trial {index} of {dataset.path} failed: {detail}")
                chunk = index // dataset.spec.trials_per_chunk
                waiting[chunk][index] = trial
                if len(waiting[chunk]) == dataset.spec.trials_per_chunk:
                    dataset.write_chunk(chunk, [waiting[chunk][i] for i in dataset.chunk_trials(chunk)])
                    del waiting[chunk]
                bar.update(1)
        finally:
            results.close()
            bar.close()
    return todo


def with_inputs(spec: DatasetSpec, **changes: float) -> DatasetSpec:
    """`spec` with some input parameters changed (e.g. ex_max), keeping the variant's others."""
    return replace(spec, inputs=replace(spec.input_params, **changes))
