"""Text that cannot drift: the README's and the papers' pages' numbers and verdicts are generated from the
records and the claims table into marked blocks, `<!-- generated:NAME -->...<!-- /generated -->`, which
`repbench claims --update-docs ROOT` rewrites and a test compares with a fresh rendering.

Blocks: `PAPER.cost` (cells and CPU-hours of the paper's recipe, from the records' wall times; `PAPER.cost.I,J`:
its runs I and J only, numbered as in the recipe's profile), `PAPER.measured` (how many of its claims hold,
fail, are equivalent or inconclusive, and its headline claims with their differences), `PAPER.claims` (every
claim of the paper as a table), `table:FILE:COLUMNS` (columns of a committed results CSV, e.g.
`table:neuron/depth_study_standard.csv:task,depth,mean,verdict`, with `task=neuron-nmda` style filters after a
second colon), `md:FILE:HEADING` (a section of a generated markdown file, e.g.
`md:invariance/tradeoff_finals_standard.md:adult`)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from repbench.analysis.figures import difference_text
from repbench.analysis.statistics import Verdict
from repbench.execution import recipes
from repbench.execution.planning import make_plan
from repbench.plugins.registry import Registry, discover
from repbench.results.store import ResultStore
from repbench.studies.claims import paper_table

BLOCK = re.compile(r"<!-- generated:(?P<name>[\w.,:/+=-]+) -->(?P<body>.*?)<!-- /generated -->", re.S)
WORDS = (Verdict.HOLDS, Verdict.FAILS, Verdict.EQUIVALENT, Verdict.INCONCLUSIVE, Verdict.UNTESTABLE)


def cost(paper: str, profile: str, results: Path, runs: list[int] | None = None,
         registry: Registry | None = None) -> str:
    """"N cells (T tuning trials), H CPU-hours of cell time" for the recipe's runs in `profile` (or its runs
    numbered `runs`, from 1), from the stored records' wall times (cells without a record count as to do)."""
    registry = registry or discover()
    recipe = recipes.load(paper)
    sweeps = recipe.runs.get(profile, [])
    if runs and not all(1 <= i <= len(sweeps) for i in runs):
        raise ValueError(f"recipe {paper!r} has {len(sweeps)} runs in profile {profile!r}; asked for runs {runs}")
    plan = make_plan(registry, profile, [sweeps[i - 1] for i in runs] if runs else sweeps)
    records = ResultStore(results).by_key()
    cells = [c for part in plan.listing(records) for c in part]
    done = [records[c.cell.key] for c in cells if c.done and c.cell is not None]
    trials = sum(c.stage == "trial" for c in cells)
    hours = sum(r.wall_s or 0.0 for r in done) / 3600
    todo = len(cells) - len(done)
    return (f"{len(cells)} cells" + (f" ({trials} tuning trials)" if trials else "")
            + f", {hours:.1f} CPU-hours of cell time in the records" + (f"; {todo} not run yet" if todo else ""))


def measured(table: pd.DataFrame, paper: str) -> str:
    """One table cell: the paper's verdict counts and its headline claims with difference, interval and
    verdict."""
    rows = table[table["paper"] == paper]
    counts = rows["verdict"].value_counts()
    summary = ", ".join(f"{w} {counts[w]}" for w in WORDS if w in counts)
    lines = [f"{len(rows)} claims tested: {summary} (`results/claims_standard.md`)."]
    for r in rows[rows["headline"]].itertuples():
        difference = difference_text(r.diff, r.ci_low, r.ci_high)
        lines.append(f"{r.claim[0].upper()}{r.claim[1:]} ({r.task}): {difference}, **{r.verdict_text}**.")
    return " ".join(lines)


def csv_table(spec: str, results: Path) -> str:
    """`FILE:COLUMNS[:NAME=VALUE,...]` -> those columns of results/FILE as a markdown table (4 significant
    digits), rows filtered by the NAME=VALUE pairs."""
    file, columns, *filters = spec.split(":")
    frame = pd.read_csv(results / file)
    for pair in filters[0].split(",") if filters else []:
        name, value = pair.split("=")
        numeric = pd.api.types.is_numeric_dtype(frame[name])
        frame = frame[frame[name] == float(value)] if numeric else frame[frame[name].astype(str) == value]
    names = columns.split(",")

    def cell(value) -> str:
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.4g}".replace("-", "−")
        return str(value)

    lines = ["", "| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame[names].itertuples(index=False)]
    return "\n".join(lines) + "\n"


def md_section(spec: str, results: Path) -> str:
    """`FILE:HEADING` -> the section of the generated markdown file results/FILE under `### HEADING`."""
    file, heading = spec.split(":")
    text = (results / file).read_text()
    start = text.index(f"### {heading}\n") + len(f"### {heading}\n")
    end = text.find("\n### ", start)
    return text[start:] if end < 0 else text[start:end + 1]


def render(name: str, table: pd.DataFrame, profile: str, results: Path) -> str:
    """The text of block `name` (PAPER.cost[.RUNS], PAPER.measured, PAPER.claims, table:SPEC or md:SPEC)."""
    if name.startswith("table:"):
        return csv_table(name[len("table:"):], results)
    if name.startswith("md:"):
        return md_section(name[len("md:"):], results)
    if ".cost" in name:
        paper, _, runs = name.partition(".cost")
        return cost(paper, profile, results, [int(i) for i in runs.lstrip(".").split(",")] if runs else None)
    paper, _, kind = name.rpartition(".")
    if kind == "measured":
        return measured(table, paper)
    if kind == "claims":
        return paper_table(table, paper)
    raise ValueError(f"unknown generated block {name!r}: PAPER.cost, PAPER.measured, PAPER.claims or table:SPEC")


def refresh(text: str, table: pd.DataFrame, profile: str, results: Path) -> str:
    """`text` with every generated block rendered anew."""
    def block(m: re.Match) -> str:
        line_start = text.rfind("\n", 0, m.start()) + 1
        indent = re.match(r"[ \t]*", text[line_start:m.start()]).group()  # a block inside a list item stays in it
        body = render(m["name"], table, profile, results).replace("\n", "\n" + indent)
        return f"<!-- generated:{m['name']} -->{body}<!-- /generated -->"

    return BLOCK.sub(block, text)


def update(root: Path, profile: str, results: Path) -> list[Path]:
    """Rewrite the generated blocks of ROOT/README.md and ROOT/docs/*.md from the claims table as written
    (results/claims_<profile>.csv, so that a fresh rendering of the committed files agrees to the digit);
    returns the files that changed."""
    table = pd.read_csv(results / f"claims_{profile}.csv")
    changed = []
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        if not path.is_file():
            continue
        text = path.read_text()
        new = refresh(text, table, profile, results)
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed
