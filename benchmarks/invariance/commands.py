"""The invariance family's command: `repbench study tradeoff`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from repbench import register_command
from repbench.profiles import PROFILES


@register_command("study")
@click.command("tradeoff")
@click.option("--profile", type=click.Choice(list(PROFILES)), default="standard", show_default=True)
@click.option("--probe", type=click.Choice(["mlp", "logreg"]), default="mlp", show_default=True,
              help="The post-hoc probe whose s-accuracy is plotted.")
@click.option("--results", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Results folder (default: $REPBENCH_RESULTS or ./results).")
def tradeoff(profile: str, probe: str, results: Path | None) -> None:
    """y-accuracy against the probe's s-accuracy across delta, per task and method, from the records of
    `repbench run --task adult --method nn --method cai --method adv-forgetting --grid delta=0.1,1,10`."""
    from repbench.benchmarks.invariance.studies.tradeoff import run_study

    try:
        paths = run_study(profile, probe, results)
    except ValueError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(2)
    click.echo("written " + " and ".join(map(str, paths)))
