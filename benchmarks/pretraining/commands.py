"""The pretraining family's commands: `repbench study codes|convergence|claims|rbm-speed`."""

from __future__ import annotations

from pathlib import Path

import click

from repbench import register_command
from repbench.cli import profile_option, report_study, results_option


@register_command("study")
@click.command("codes")
@profile_option
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Pretraining epochs per layer (default: quick 20, standard and paper the authors' 10).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N or mps.")
@results_option
def codes(profile: str, epochs: int | None, seed: int, device: str, results: Path | None) -> None:
    """2-D codes of a 784-1000-500-250-2 RBM stack pretrained with CD-1 and with REBA, test images coloured by
    digit (Hinton & Salakhutdinov 2006's visualisation; Golovko et al. 2016's rules). The quick profile uses
    the embedded 8x8 digits, standard and paper MNIST."""
    from repbench.benchmarks.pretraining.studies.codes import run_study

    report_study(run_study, profile, epochs, seed, device, results)


@register_command("study")
@click.command("convergence")
@profile_option
@click.option("--task", type=click.Choice(["mnist", "mnist-1k", "digits"]), default="mnist", show_default=True)
@results_option
def convergence(profile: str, task: str, results: Path | None) -> None:
    """Reconstruction error per pretraining epoch and validation error per fine-tuning epoch of the pretraining
    rules, with the epochs each needs to reach a common validation error (from the records' learning curves)."""
    from repbench.benchmarks.pretraining.studies.convergence import run_study

    report_study(run_study, profile, task, results)


@register_command("study")
@click.command("claims")
@profile_option
@results_option
def claims(profile: str, results: Path | None) -> None:
    """The paper's claims (REBA vs mean-field and sampled CD-1, hybrid vs CD-1, pretraining vs scratch, faster
    fine-tuning) tested on the tuned final seeds of mnist and mnist-1k: difference, interval, Holm-corrected p,
    smallest detectable difference and a verdict."""
    from repbench.benchmarks.pretraining.studies.claims import run_study

    report_study(run_study, profile, results)


@register_command("study")
@click.command("rbm-speed")
@profile_option
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Torch threads for both the epochs and the matmul bound.")
@results_option
def rbm_speed(profile: str, threads: int, results: Path | None) -> None:
    """One CD-1, mean-field CD-1 and REBA epoch (784-800, batch 128) as a fraction of this machine's matmul
    throughput for the same products, beside scikit-learn's BernoulliRBM (quick: the 8x8 digits)."""
    from repbench.benchmarks.pretraining.studies.rbm_speed import run_study

    report_study(run_study, profile, threads, results)
