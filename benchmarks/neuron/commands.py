"""The neuron family's commands: `repbench data simulate|import-neuronio` (make the datasets; `repbench data
list` shows them through `simulated_datasets`). The simulator loads only when a command runs; the family's
studies are plugins in `studies/`."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import click

from repbench import register_command
from repbench.cli import fail, results_option
from repbench.data.files import LocalDataset, register_lister
from repbench.data.paths import data_root, results_dir

CELLS = ("l5pc-nmda", "l5pc-ampa", "if")  # simulator/variants.py defines them; a test keeps the two in step
MODELS = ("authors", "demo")  # simulator/cell.py's, likewise


@register_command("data")
@click.command("simulate")
@click.option("--cell", type=click.Choice(CELLS), default="l5pc-nmda", show_default=True)
@click.option("--seconds", type=click.FloatRange(min=0.001), default=60.0, show_default=True,
              help="Simulated time to have in the dataset; existing chunks are kept, missing ones made.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Trials simulated at once: processes (with --executor dask and no --scheduler: LocalCluster "
                   "workers). 1 simulates in this process.")
@click.option("--executor", type=click.Choice(["process", "dask"]), default="process", show_default=True,
              help="dask: one Dask task per trial (the data root must be shared with the workers).")
@click.option("--scheduler", default=None, metavar="ADDRESS|FILE",
              help="Dask scheduler (tcp://HOST:PORT or a scheduler file); implies --executor dask.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--trial-ms", type=click.IntRange(min=100), default=6000, show_default=True,
              help="Length of one simulation (the authors': 6000).")
@click.option("--trials-per-chunk", type=click.IntRange(min=1), default=1, show_default=True,
              help="Trials stored per chunk file (work is spread over trials either way).")
@click.option("--model", type=click.Choice(MODELS), default="authors", show_default=True,
              help="Cell model of the L5PC cells: the authors' (Hay 2011 cell1.asc, downloaded on first use; Shai "
                   "2015 biophysics as Beniaguev et al. changed them; 639 segments) or the small demo cell "
                   "(NEURON's demo pyramid.nrn, the quick profile's).")
@click.option("--morphology", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Neurolucida .asc or .swc file instead of the model's own morphology.")
@click.option("--fixed-dt", type=click.FloatRange(min=1e-4, max=1.0), default=None,
              help="Fixed time step in ms instead of variable-step CVODE.")
@click.option("--atol", type=click.FloatRange(min=1e-8), default=1e-3, show_default=True, help="CVODE tolerance.")
@click.option("--dendritic-sites", type=click.IntRange(min=0), default=4, show_default=True,
              help="Distal dendritic sites recorded per tree (0: soma only).")
@click.option("--report/--no-report", default=True, show_default=True,
              help="Write the validation CSV and sample figure under RESULTS/neuron/.")
@results_option
@click.option("--no-progress", is_flag=True)
def simulate(cell, seconds, jobs, executor, scheduler, seed, trial_ms, trials_per_chunk, model, morphology, fixed_dt,
             atol, dendritic_sites, report, results, no_progress) -> None:
    """Simulate a dataset of the neuron family into the data root ($REPBENCH_DATA or ./data), then print its
    validation beside the statistics of the authors' own simulation script."""
    from repbench.benchmarks.neuron.data.dataset import Dataset, DatasetError, DatasetSpec, generate
    from repbench.execution.dask import DaskUnavailable

    spec = DatasetSpec(cell=cell, seed=seed, trial_ms=trial_ms, trials_per_chunk=trials_per_chunk,
                       morphology=str(Path(morphology).resolve()) if morphology else None, model=model,
                       fixed_dt=fixed_dt, atol=atol, dendritic_sites_per_tree=dendritic_sites)
    try:
        dataset = Dataset.open(spec)
    except (DatasetError, ValueError, OSError) as err:  # DataFileError (no morphology) is an OSError
        fail(str(err))
    chunks = dataset.n_chunks(seconds)
    stored = chunks * trials_per_chunk * trial_ms / 1000
    if not math.isclose(stored, seconds):
        click.echo(f"note: {seconds:g} s is rounded up to {chunks * trials_per_chunk} whole trials of {trial_ms} ms "
                   f"= {stored:g} s")
    have = chunks - len(dataset.missing(seconds))
    click.echo(f"dataset {dataset.path} ({have}/{chunks} chunks of {trials_per_chunk} trial(s) present)")
    start = time.perf_counter()
    try:
        made = generate(dataset, seconds, jobs=jobs, progress=not no_progress,
                        executor="dask" if scheduler else executor, scheduler=scheduler)
    except (DaskUnavailable, DatasetError) as err:
        fail(str(err))
    except KeyboardInterrupt:
        click.secho("interrupted: finished chunks are kept; run the same command again to resume", err=True)
        sys.exit(130)
    wall = time.perf_counter() - start
    if made:
        sim = len(made) * spec.trials_per_chunk * spec.trial_ms / 1000
        click.echo(f"simulated {sim:g} s in {wall:.1f} s wall on {jobs} worker(s): "
                   f"{sim / wall:.3g} simulated s per wall s ({sim / wall / jobs:.3g} per worker)")
    if report:
        from repbench.benchmarks.neuron.data.report import comparison, write_report

        row, csv, png = write_report(dataset, (results or results_dir()) / "neuron", stored)
        for key, value in row.items():
            click.echo(f"  {key:28s} {value:.4g}" if isinstance(value, float) else f"  {key:28s} {value}")
        table = comparison(row)
        if len(table):
            click.echo("\nbeside the authors' own simulation script (Beniaguev et al. 2021, public code; NMDA cell):")
            click.echo(table.to_string(float_format=lambda v: f"{v:.4g}", na_rep="-"))
        click.echo(f"report: {csv}\nfigure: {png}")


@register_lister
def simulated_datasets() -> list[LocalDataset]:
    """The simulated datasets (cell, model, seed, simulated time) and the imported NeuronIO splits."""
    root = data_root() / "neuron"
    rows = []
    for manifest in sorted(root.glob("*/manifest.json")) if root.exists() else []:
        ident = json.loads(manifest.read_text())["identity"]
        chunks = len(list(manifest.parent.glob("chunk_*.npz")))
        seconds = chunks * ident["trials_per_chunk"] * ident["trial_ms"] / 1000
        state = (f"cell={ident['cell']} model={ident.get('model', '-')} seed={ident['seed']}: {chunks} chunks "
                 f"= {seconds:g} s simulated")
        rows.append(LocalDataset(manifest.parent.name, "simulated", state, manifest.parent))
    neuronio = root / "neuronio"
    for split in sorted(p for p in neuronio.iterdir() if p.is_dir()) if neuronio.exists() else []:
        rows.append(LocalDataset(f"neuronio/{split.name}", "imported",
                                 f"{len(list(split.glob('*.npz')))} files of the authors' simulations", split))
    return rows


@register_command("data")
@click.command("import-neuronio")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def import_neuronio(paths: tuple[Path, ...]) -> None:
    """Import the authors' public simulations (NeuronIO) for the `neuronio` task.

    PATHS are the downloaded folders (full_ergodic_train_batch_1 ... _10, Data_test) or their .p files, from
    Kaggle: selfishgene/single-neurons-as-deep-nets-nmda-train-data and ...-nmda-test-data (about 115 GB).
    Files are read through a restricted unpickler (numbers, strings, containers and numpy arrays only); batch 1
    becomes the validation split, batches 2-10 training, Data_test the test split.
    """
    from repbench.benchmarks.neuron.data import neuronio

    try:
        counts = neuronio.import_files(paths)
    except (neuronio.UnsafePickleError, ValueError, FileNotFoundError, KeyError) as err:
        fail(f"{type(err).__name__}: {err}")
    click.echo(f"imported into {neuronio.folder()}: " + ", ".join(f"{n} {s} simulations" for s, n in counts.items()))
