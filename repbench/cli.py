"""The `repbench` command line: list, info, run, leaderboard, and the families' `data` and `study` commands.

A thin layer over the library API (repbench/api.py): it parses options, calls the API and prints.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from repbench.data.paths import results_dir
from repbench.execution.batch import RunOptions, RunResult, execute
from repbench.execution.checkpoints import DEFAULT_EVERY_S
from repbench.execution.dask import DaskUnavailable
from repbench.execution.executors import start_workers_early
from repbench.execution.planning import PlannedCell, Sweep, parse_grid
from repbench.plugins.base import Component, Task
from repbench.plugins.params import Param, ParamError, did_you_mean
from repbench.plugins.profiles import PROFILES
from repbench.plugins.registry import PLUGIN_PATH_ENV, REGISTRY, RegistryError, discover
from repbench.results.store import ResultStore

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
plugin_path_option = click.option(
    "--plugin-path",
    "plugin_paths",
    multiple=True,
    type=click.Path(),
    help=f"Extra plugin file or folder (repeatable; also ${PLUGIN_PATH_ENV}).",
)
threads_option = click.option(
    "--threads", type=click.IntRange(min=1), default=None, metavar="N",
    help="Threads per cell for every thread pool (torch, OpenMP, BLAS); default: the free cores / --jobs, "
         "at least 1.")
results_option = click.option(
    "--results",
    "results",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Results folder (default: $REPBENCH_RESULTS or ./results).",
)


def fail(message: str) -> None:
    """Print an error in red and exit 2 (the exit code of a usage error); for the families' commands too."""
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(2)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="repbench")
def main() -> None:
    """repbench: reproduce and compare methods from three deep-learning papers.

    \b
    Typical use:
      repbench list                      what tasks and methods exist
      repbench info digits               one plugin's parameters, citation, reported values
      repbench run --profile quick       run every compatible task x method, print the leaderboard
      repbench leaderboard               rebuild results/leaderboard.{csv,md} from stored records
      repbench study --help              the papers' studies (tables and figures under results/)
      repbench check mlp                 the free smoke test of a plugin (every plugin: repbench check)
      repbench data --help               simulate or list datasets
    """


@main.command("list", context_settings=CONTEXT)
@click.argument("what", type=click.Choice(["all", "tasks", "methods", "studies"]), default="all")
@plugin_path_option
def list_cmd(what: str, plugin_paths: tuple[str, ...]) -> None:
    """List registered tasks, methods and studies, and plugins that failed to import."""
    registry = discover(plugin_paths)
    if what in ("all", "tasks"):
        click.secho("Tasks", bold=True)
        for name, cls in sorted(registry.tasks.items()):
            profiles = ",".join(p for p in PROFILES if cls.takes_part_in(p))
            click.echo(f"  {name:<18} {cls.kind.name:<16} [{profiles}]  {cls.summary()}")
    if what in ("all", "methods"):
        click.secho("Methods", bold=True)
        for name, cls in sorted(registry.methods.items()):
            kinds = ",".join(k.name for k in cls.solves)
            click.echo(f"  {name:<18} {kinds:<16} {cls.summary()}")
    if what in ("all", "studies"):
        click.secho("Studies", bold=True)
        for name, cls in sorted(registry.studies.items()):
            kind = "measures" if cls.measures else "records"
            click.echo(f"  {name:<18} {cls.family + ' (' + kind + ')':<24} {cls.summary()}")
    if registry.unavailable:
        click.secho("Unavailable (missing dependency or failed to import)", bold=True, fg="yellow")
        for item in registry.unavailable.values():
            click.echo(f"  {item.name}  ({item.origin})\n      {item.error.splitlines()[-1]}")


def _describe_param(name: str, spec: Param) -> str:
    bits = [f"default={spec.default!r}"]
    if spec.choices:
        bits.append(f"choices={list(spec.choices)}")
    if spec.low is not None or spec.high is not None:
        bits.append(f"range=[{spec.low}, {spec.high}]")
    if spec.search is not None:
        bits.append(f"tuned over {spec.search}")
    return f"  {name:<16} {'; '.join(bits)}\n  {'':<16} {spec.help}"


@main.command(context_settings=CONTEXT)
@click.argument("name")
@plugin_path_option
def info(name: str, plugin_paths: tuple[str, ...]) -> None:
    """Describe a task or method: citation, parameters, profiles, metrics, reported values."""
    registry = discover(plugin_paths)
    found: list[type[Component]] = [t[name] for t in (registry.tasks, registry.methods) if name in t]
    if not found:
        fail(f"no task or method named {name!r}.{did_you_mean(name, [*registry.tasks, *registry.methods])}")
    for cls in found:
        click.secho(f"{cls.role} {cls.name} (version {cls.version})", bold=True)
        click.echo((cls.description or cls.__doc__ or "").strip())
        click.echo(f"citation: {cls.citation or '-'}")
        if issubclass(cls, Task):
            click.echo(f"kind: {cls.kind.name} (hands {cls.kind.hands.__name__}; expects {cls.kind.expects})")
            partners = sorted(n for n, m in registry.methods.items() if m.can_solve(cls))
        else:
            click.echo(f"solves: {', '.join(k.name for k in cls.solves)}")
            partners = sorted(n for n, t in registry.tasks.items() if cls.can_solve(t))
        click.echo(f"compatible: {', '.join(partners) or '-'}")
        click.echo("parameters:" if cls.params else "parameters: none")
        for pname, spec in cls.params.items():
            click.echo(_describe_param(pname, spec))
        click.echo("profiles:")
        for profile, overrides in cls.profiles.items():
            click.echo(f"  {profile:<10} {dict(overrides) or 'defaults'}")
        for metric in cls.metrics:
            arrow = ("information, not ranked" if metric.is_info
                     else "higher is better" if metric.higher_is_better else "lower is better")
            main_tag = ", main" if metric.main else ""
            click.echo(
                f"metric: {metric.name} [{metric.unit or '-'}] ({arrow}{main_tag}) {metric.description}"
            )
        for ref in getattr(cls, "reported", ()):
            click.echo(f"reported: {ref.label}: {ref.metric} = {ref.value} ({ref.source})")
        click.echo()


def print_summary(blocks: list) -> None:
    """The end-of-run summary: one compact rich table per task (plain text where output is not a terminal)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from repbench.results.leaderboard import SUMMARY_NOTE

    console = Console(width=max(110, Console().width), highlight=False)
    for block in blocks:
        if not block.rows:
            console.print(Text(block.title, style="red"))
            continue
        table = Table(title=Text(block.title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for name, justify in (("rank", "right"), ("configuration", "left"), ("mean ± 95 % CI", "right"),
                              ("", "left")):
            table.add_column(name, justify=justify)
        for rank, label, value, notes in block.rows:
            table.add_row(*map(Text, (rank, label, value, notes)), style="bold" if rank.startswith("1") else None)
        console.print(table)
    console.print(Text(SUMMARY_NOTE))


def print_outcome(result: RunResult, profile: str) -> int:
    """What a run chose, the leaderboard summary, the counts and every failure; returns the exit code."""
    from repbench.results import leaderboard as lb

    for choice in result.choices:
        first = choice.group.finals[0]
        picked = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in (choice.params or {}).items() if k in choice.group.tuned)
        outcome = f"chose {picked} (validation {choice.score:.4g})" if choice.params else choice.reason
        click.echo(f"tuned {first.task}/{first.method}: {choice.n_ok}/{len(choice.group.trials)} trials "
                   f"finished; {outcome}")
    if result.leaderboard is not None:
        print_summary(lb.summary_blocks(result.leaderboard[result.leaderboard["profile"] == profile]))
    summary = result.summary
    click.echo(f"{summary.line()}. Records: {result.results_dir / 'runs'}/; leaderboard: "
               f"{result.results_dir / 'leaderboard.csv'} and leaderboard.md")
    for label, reason in summary.failed:
        click.secho(f"  failed {label}: {reason}", fg="red", err=True)
    for label, reason in summary.degenerate:
        click.secho(f"  {label}: {reason}", fg="yellow", err=True)
    for path in summary.kept:
        click.secho(f"  an earlier ok record was kept; the failed attempt is in {path}", fg="yellow", err=True)
    if summary.interrupted:
        click.secho("interrupted: finished records are kept; run the same command again to resume", err=True)
    return summary.exit_code


def print_listing(listing: list[list[PlannedCell]], store: ResultStore, jobs: int, per_sweep: bool) -> None:
    """A dry run: every planned cell (done or to do, with its record's path and expected time), then the total."""
    todo = []
    for i, lines in enumerate(listing, start=1):
        for c in lines:
            where = f"  seed={c.cell.seed}  -> {store.path(c.cell)}" if c.cell and not per_sweep else ""
            click.echo(f"{'done' if c.done else 'todo'}  [{c.stage}] {c.label}{where}{_estimate(c)}")
        run_todo = [c for c in lines if not c.done]
        todo += run_todo
        if per_sweep:
            click.echo(f"run {i}: {len(lines)} cells, {len(lines) - len(run_todo)} done, {len(run_todo)} to do")
    if not per_sweep:
        click.echo(f"{sum(map(len, listing))} cells, {len(todo)} to do; {_expected(todo, jobs)}")
    else:
        click.echo(_expected(todo, jobs))


@main.command(context_settings=CONTEXT)
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default="quick",
    show_default=True,
    help="quick: embedded data, minutes; standard: real datasets, CPU hours; paper: full scale.",
)
@click.option(
    "--task", "tasks", multiple=True, help="Task name (repeatable; default: every task of the profile)."
)
@click.option(
    "--method", "methods", multiple=True, help="Method name (repeatable; default: every compatible one)."
)
@click.option(
    "--grid",
    "grid",
    multiple=True,
    metavar="NAME=V1,V2",
    help="Parameter values to sweep (repeatable); prefix task. or method. to disambiguate.",
)
@click.option("--seeds", type=int, default=None, help="Seeds per configuration (default: the profile's).")
@click.option(
    "--jobs",
    type=int,
    default=1,
    show_default=True,
    help="Cells run in parallel, each in its own process; 0 runs in this process (debugging, no timeout). "
    "With --executor dask and no --scheduler: the LocalCluster's worker count.",
)
@click.option(
    "--executor",
    type=click.Choice(["process", "dask"]),
    default="process",
    show_default=True,
    help="process: local processes; dask: Dask tasks on a LocalCluster or on --scheduler's cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS|FILE",
    help="Dask scheduler (tcp://HOST:PORT or a --scheduler-file); implies --executor dask.",
)
@click.option(
    "--timeout", type=float, default=None, help="Per-cell limit in seconds (default: the profile's)."
)
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N or mps.")
@click.option("--force", is_flag=True, help="Recompute cells that already have a finished record.")
@click.option("--tune", type=int, default=None, metavar="N",
              help="Tune every method first: N random trials per task x method from its declared search "
                   "distributions, the winner chosen on validation data, then the seeds (default: the profile's).")
@click.option("--trial-set", "trial_set", multiple=True, metavar="NAME=VALUE",
              help="A parameter value for the tuning trials only, for every method that has it (a shorter "
                   "schedule, e.g. finetune_epochs=10); repeatable.")
@click.option("--checkpoint-every", type=click.FloatRange(min=0), default=DEFAULT_EVERY_S, show_default=True,
              metavar="SECONDS", help="How often a long cell saves its state under <results>/checkpoints/, so a "
              "killed run resumes it mid-training (methods that support it); 0: never.")
@click.option("--dry-run", is_flag=True, help="Print the cells that would run, and exit.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@threads_option
@results_option
@plugin_path_option
def run(
    profile: str,
    tasks: tuple[str, ...],
    methods: tuple[str, ...],
    grid: tuple[str, ...],
    seeds: int | None,
    jobs: int,
    executor: str,
    scheduler: str | None,
    timeout: float | None,
    device: str,
    force: bool,
    tune: int | None,
    trial_set: tuple[str, ...],
    checkpoint_every: float,
    dry_run: bool,
    no_progress: bool,
    threads: int | None,
    results: Path | None,
    plugin_paths: tuple[str, ...],
) -> None:
    """Run task x method x grid x seed cells, store one record per cell, then print the leaderboard.

    Finished cells are skipped, so an interrupted run resumes where it stopped (a long cell from its last
    checkpoint). Exits non-zero when any cell failed (its reason is stored and printed).
    """
    from repbench import api

    if executor == "dask" and timeout is not None:
        click.secho("note: the dask executor enforces no per-cell --timeout; the cluster's walltime applies", err=True)
    if executor == "process" and not scheduler and jobs > 0 and not dry_run:
        start_workers_early()
    try:
        sweep = Sweep.of(tasks, methods, parse_grid(grid), seeds, tune,
                         {k: v[0] for k, v in parse_grid(trial_set).items()})
        options = RunOptions(jobs=jobs, executor=executor, scheduler=scheduler, timeout=timeout, device=device,
                                 force=force, results=results, plugin_paths=plugin_paths,
                                 progress=not no_progress, checkpoint_every=checkpoint_every, threads=threads)
        plan = api.plan(sweep, profile, plugin_paths)
        if dry_run:
            store = ResultStore(options.results_dir)
            known = {} if force else store.by_key()
            print_listing(plan.listing(known), store, 1, per_sweep=False)
            return
        result = execute(plan, options)
    except (RegistryError, ParamError, ValueError, DaskUnavailable) as err:
        fail(str(err))
    sys.exit(print_outcome(result, profile))


@main.command(context_settings=CONTEXT)
@click.option(
    "--from-benchmark-json",
    "bench_json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Build from `pytest benchmarks --benchmark-only --benchmark-json FILE` output.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write leaderboard.csv/.md (default: the results folder).",
)
@results_option
@plugin_path_option
def leaderboard(
    bench_json: Path | None, out_dir: Path | None, results: Path | None, plugin_paths: tuple[str, ...]
) -> None:
    """Aggregate records into leaderboard.csv (one row per task x method x metric) and leaderboard.md."""
    from repbench.results import leaderboard as lb
    from repbench.results.frames import load_records

    store = ResultStore(results or results_dir())
    try:
        records = lb.records_from_benchmark_json(bench_json) if bench_json else load_records(root=store.results_dir)
    except ValueError as err:
        fail(str(err))
    if not records:
        fail(f"no records under {store.runs_dir}; run `repbench run` first")
    table = lb.write_leaderboard(records, discover(plugin_paths), out_dir or store.results_dir)
    click.echo(lb.to_markdown(table))


class PluginGroup(click.Group):
    """A command group whose subcommands come from plugins (`repbench.register_command(group)`)."""

    def _commands(self) -> dict[str, click.Command]:
        discover()
        return {**self.commands, **REGISTRY.commands.get(self.name or "", {})}  # type: ignore[dict-item]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._commands())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get(name)


@main.group(cls=PluginGroup, context_settings=CONTEXT)
def data() -> None:
    """Fetch, make and inspect datasets (`fetch` and `list` here; the families add theirs, e.g. `simulate`)."""


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


@data.command("fetch", context_settings=CONTEXT)
@click.argument("names", nargs=-1)
@click.option("--no-progress", is_flag=True, help="No progress bars.")
def fetch_cmd(names: tuple[str, ...], no_progress: bool) -> None:
    """Download public data files into the data root ($REPBENCH_DATA or ./data), checked against pinned
    sha256 sums, from the first mirror that answers. NAMES: sources as `repbench data list` shows them
    (default: all)."""
    from repbench.data import files as datafiles

    try:
        done = datafiles.fetch(names, progress=not no_progress)
    except KeyError as err:
        fail(err.args[0])
    except datafiles.DataFileError as err:
        fail(str(err))
    for file, what in done:
        click.echo(f"{file.relpath:42s} {what}")


@data.command("list", context_settings=CONTEXT)
def list_data() -> None:
    """Every data set: the public files (ok, missing or corrupt) and what was simulated or imported."""
    from repbench.data import files as datafiles

    click.echo(f"data root: {datafiles.data_root().resolve()}")
    click.echo(f"{'source':20s} {'file':42s} {'state':8s} {'size':>9s}")
    states = [(source, file, datafiles.state(file)) for source in datafiles.all_sources() for file in source.files]
    for source, file, state in states:
        path = file.found()
        size = _size(path.stat().st_size) if path else "-"
        click.echo(f"{source.name:20s} {file.relpath:42s} {state:8s} {size:>9s}")
    made = [row for lister in datafiles.LISTERS for row in lister()]
    if made:
        click.echo(f"\n{'made here':36s} {'kind':10s} {'size':>9s}  state")
        for row in made:
            click.echo(f"{row.name:36s} {row.kind:10s} {_size(datafiles.size_of(row.path)):>9s}  {row.state}")
    missing = sum(state != "ok" for _, _, state in states)
    if missing:
        click.echo(f"\n{missing} file(s) not ok: `repbench data fetch` downloads them")


def _option(name: str, spec: Param) -> click.Option:
    """A study's declared option as a click option; values are checked by the declaration (`Param.validate`)."""
    kind = click.Choice([str(c) for c in spec.choices]) if spec.choices else \
        {int: int, float: float, bool: bool}.get(spec.type, str) if spec.default is not None else str
    return click.Option([f"--{name.replace('_', '-')}", name], type=kind, default=spec.default, show_default=True,
                        help=spec.help)


def run_study(name: str, profile: str, results: Path | None, options: dict[str, Any],
              plugin_paths: Sequence[str] = ()) -> None:
    """Run a registered study and say what it wrote; its usage errors (e.g. no records of the profile yet) are a
    clear message and exit 2, not a traceback."""
    from repbench.studies import StudyContext

    cls = discover(plugin_paths).get("study", name)
    try:
        ctx = StudyContext.make(cls, profile, results, options)
        written = cls().run(ctx)
    except (ParamError, *cls.usage_errors) as err:
        fail(str(err))
    click.echo("written " + " and ".join(map(str, written if isinstance(written, tuple) else (written,))))


def study_command(cls: type) -> click.Command:
    """`repbench study NAME`: the study's docstring as help, `--profile`, `--results` and its declared options."""

    def callback(profile: str, results: Path | None, **options: Any) -> None:
        run_study(cls.name, profile, results, options)

    inputs = ", ".join([*cls.tasks, *cls.methods]) or "any"
    epilog = (f"Family {cls.family}; {'measures' if cls.measures else 'reads the records of: ' + inputs}. Writes "
              + ", ".join(f"results/{o}" for o in cls.outputs)) if cls.outputs else None
    params = [
        click.Option(["--profile"], type=click.Choice(list(PROFILES)), default="standard", show_default=True,
                     help="Which profile's records (or sizes) the study uses; its outputs carry the profile in their "
                          "names."),
        click.Option(["--results"], type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Results folder (default: $REPBENCH_RESULTS or ./results)."),
        *(_option(n, spec) for n, spec in cls.options.items()),
    ]
    return click.Command(cls.name, callback=callback, params=params, help=cls.__doc__, epilog=epilog,
                         context_settings=CONTEXT)


class StudyGroup(click.Group):
    """`repbench study NAME`: one command per registered study (`repbench list studies`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(discover().studies)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        cls = discover().studies.get(name)
        return study_command(cls) if cls is not None else None


@main.group(cls=StudyGroup, context_settings=CONTEXT)
def study() -> None:
    """The papers' studies: each reads records (or measures) and writes its table and figure under results/,
    with the profile in the file names (the studies come from the plugin families: `repbench list studies`)."""


@main.command(context_settings=CONTEXT)
@results_option
@click.option("--profile", type=click.Choice(list(PROFILES)), default=None, help="Only this profile's records.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Page to write (default: RESULTS/report.html).")
@plugin_path_option
def report(results: Path | None, profile: str | None, out: Path | None, plugin_paths: tuple[str, ...]) -> None:
    """One self-contained HTML page of the results: every leaderboard table with intervals, tie marks and
    published values, each row's tuning and provenance (commit, date, hardware, the command that reruns it),
    the study tables and the figures. Open it in any browser; no server."""
    from repbench.results.frames import load_records
    from repbench.results.page import write_page

    root = results or results_dir()
    records = load_records(profile, root)
    if not records:
        fail(f"no records under {root / 'runs'}; run `repbench run` first")
    click.echo(f"written {write_page(records, discover(plugin_paths), root, out or root / 'report.html')}")


@main.command(context_settings=CONTEXT)
@click.argument("papers", nargs=-1)
@click.option("--profile", type=click.Choice(list(PROFILES)), default="standard", show_default=True)
@click.option("--update-docs", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="ROOT",
              help="Also rewrite the generated blocks (<!-- generated:... -->) of ROOT/README.md and ROOT/docs/*.md.")
@results_option
def claims(papers: tuple[str, ...], profile: str, update_docs: Path | None, results: Path | None) -> None:
    """Test every paper's claims (declared as `[[claim]]` in its recipe) on the profile's records with one set of
    statistics: the difference with its Student-t interval, paired where the records allow, Holm within each
    declared family, the smallest detectable difference at the corrected level, an equivalence test against the
    declared margin, and a verdict (holds / fails / no meaningful difference / inconclusive). Writes
    RESULTS/claims_<profile>.csv and .md for every paper; PAPERS (recipe names) only narrows what is printed."""
    from repbench.execution import recipes

    for paper in papers:
        if paper not in recipes.available():
            fail(f"unknown paper {paper!r}; papers: {', '.join(recipes.available())}")
    write_claims_of(profile, results or results_dir(), papers)
    if update_docs is not None:
        from repbench.studies import docs

        for path in docs.update(update_docs, profile, results or results_dir()):
            click.echo(f"updated {path}")


def write_claims_of(profile: str, root: Path, papers: tuple[str, ...] = ()) -> None:
    """Every paper's claims into ROOT/claims_<profile>.csv and .md; print those of `papers` (default: all)."""
    from repbench.studies.claims import claims_markdown, claims_table, write_claims

    try:
        table = claims_table(profile, None, root)
    except (ValueError, ParamError) as err:
        fail(str(err))
    csv, md = write_claims(table, profile, root)
    shown = table[table["paper"].isin(papers)] if papers else table
    click.echo(claims_markdown(shown, profile))
    click.echo(f"written {csv} and {md}")


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"


def _estimate(cell) -> str:
    """One planned cell's expected wall time; '?' marks a guess from records with other fixed parameters."""
    if cell.done:
        return ""
    return f"  ~{cell.estimate_s:.0f} s{'?' if cell.rough else ''}" if cell.estimate_s else "  (no record to time it)"


def _expected(todo: list, jobs: int) -> str:
    """The expected cell time of the cells to do, saying how much of it is a guess and how much unknown."""
    total = sum(c.estimate_s or 0 for c in todo)
    rough = sum(c.estimate_s for c in todo if c.rough)
    parts = [f"{_duration(rough)} of it guessed from records with other fixed parameters (marked ?)"] if rough else []
    if unknown := sum(c.estimate_s is None for c in todo):
        parts.append(f"{unknown} cells have no stored record to time them")
    return (f"expected: {_duration(total)} of cell time, about {_duration(total / jobs)} on {jobs} job(s)"
            + "".join(f"; {p}" for p in parts))


@main.command(context_settings=CONTEXT)
@click.argument("name")
@click.option("--profile", type=click.Choice(list(PROFILES)), default="standard", show_default=True)
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Cells run in parallel.")
@click.option("--dry-run", is_flag=True, help="List the cells (done or to do) and the expected time, and exit.")
@threads_option
@results_option
@plugin_path_option
def reproduce(name: str, profile: str, jobs: int, dry_run: bool, threads: int | None, results: Path | None,
              plugin_paths: tuple[str, ...]) -> None:
    """Run what a paper needs (NAME: golovko2016, beniaguev2021, jaiswal2020; files in benchmarks/recipes/):
    its runs with their grids, seeds and tuning budget, then its studies. Resumable like `run`."""
    from repbench import api
    from repbench.execution import recipes

    try:
        recipe = recipes.load(name)
    except ParamError as err:
        fail(str(err))
    if profile not in recipe.profiles():
        fail(f"recipe {name!r} has nothing for profile {profile!r}; it has {', '.join(recipe.profiles())}")
    options = RunOptions(jobs=jobs, results=results, plugin_paths=plugin_paths, threads=threads)
    if not dry_run:
        start_workers_early()
    click.echo(f"{recipe.title}\n{recipe.citation}\nprofile {profile}")
    try:
        plan = api.plan(recipe.runs.get(profile, []), profile, plugin_paths)
        if dry_run:
            store = ResultStore(options.results_dir)
            print_listing(plan.listing(store.by_key()), store, jobs, per_sweep=True)
            for step in recipe.studies.get(profile, []):
                opts = "".join(f" --{k.replace('_', '-')} {v}" for k, v in step.options.items())
                click.echo(f"then: repbench study {step.name}{opts} --profile {profile}")
            if recipe.claims:
                click.echo(f"then: repbench claims {name} --profile {profile}")
            return
        result = execute(plan, options)
    except (RegistryError, ParamError, ValueError, DaskUnavailable) as err:
        fail(str(err))
    code = print_outcome(result, profile)
    if result.summary.interrupted:
        sys.exit(code)  # the studies wait for a finished run
    for step in recipe.studies.get(profile, []):
        run_study(step.name, profile, options.results_dir, step.options, plugin_paths)
    if recipe.claims:
        write_claims_of(profile, options.results_dir, (name,))
    click.echo(f"done; `repbench report --results {options.results_dir}` makes the page")
    sys.exit(code)


@main.command(context_settings=CONTEXT)
@click.argument("names", nargs=-1)
@click.option("--device", default="cpu", show_default=True, help="auto, cpu, cuda, cuda:N or mps.")
@plugin_path_option
def check(names: tuple[str, ...], device: str, plugin_paths: tuple[str, ...]) -> None:
    """The free smoke test of plugins (NAMES: tasks or methods; default: every registered one): each method
    runs a few steps on a tiny compatible task, each task with a cheap method, and a finished record with every
    declared metric finite must come out. Exits 1 when any check fails."""
    from repbench.execution.check import checks, run_check

    registry = discover(plugin_paths)
    try:
        todo = checks(registry, list(names))
    except RegistryError as err:
        fail(str(err))
    failed = 0
    for item in todo:
        outcome = run_check(registry, item, device, plugin_paths)
        where = f"{item.cell.task}/{item.cell.method} [{item.cell.profile}]" if item.cell else ""
        if item.skip:
            click.secho(f"skip  {item.role} {item.plugin}: {item.skip}", fg="yellow")
        elif outcome.passed:
            click.echo(f"ok    {item.role} {item.plugin}: {where}, {len(outcome.record.metrics)} metrics")
        else:
            failed += 1
            click.secho(f"FAIL  {item.role} {item.plugin}: {where}: {'; '.join(outcome.problems)}", fg="red")
    click.echo(f"{len(todo)} checks: {len(todo) - failed - sum(bool(c.skip) for c in todo)} passed, {failed} failed, "
               f"{sum(bool(c.skip) for c in todo)} skipped")
    sys.exit(1 if failed else 0)
