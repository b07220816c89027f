"""The invariance family's command: `repbench study tradeoff`."""

from __future__ import annotations

from pathlib import Path

import click

from repbench import register_command
from repbench.cli import profile_option, report_study, results_option


@register_command("study")
@click.command("tradeoff")
@profile_option
@click.option("--probe", type=click.Choice(["mlp", "logreg"]), default="mlp", show_default=True,
              help="The post-hoc probe whose s-accuracy is plotted.")
@results_option
def tradeoff(profile: str, probe: str, results: Path | None) -> None:
    """y-accuracy against the probe's s-accuracy across delta, per task and method, from the records of
    `repbench run --task adult --method nn --method cai --method adv-forgetting --grid delta=0.1,1,10`."""
    from repbench.benchmarks.invariance.studies.tradeoff import run_study

    report_study(run_study, profile, probe, results)
