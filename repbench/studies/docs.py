"""Text that cannot drift: the README's and the papers' pages' numbers and verdicts are generated from the
records and the claims table into marked blocks, `<!-- generated:NAME -->...<!-- /generated -->`, which
`repbench claims --update-docs ROOT` rewrites and a test compares with a fresh rendering.

Blocks: `PAPER.cost` (cells and CPU-hours of the paper's recipe, from the records' wall times),
`PAPER.measured` (how many of its claims hold, fail, are equivalent or inconclusive, and its headline claims
with their differences), `PAPER.claims` (every claim of the paper as a table)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from repbench.execution import recipes
from repbench.execution.planning import make_plan
from repbench.plugins.registry import Registry, discover
from repbench.results.store import ResultStore

BLOCK = re.compile(r"<!-- generated:(?P<name>[\w.-]+) -->(?P<body>.*?)<!-- /generated -->", re.S)
WORDS = ("holds", "fails", "no meaningful difference", "inconclusive", "untestable")


def cost(paper: str, profile: str, results: Path, registry: Registry | None = None) -> str:
    """"N cells (T tuning trials), H CPU-hours of cell time" for the recipe's runs in `profile`, from the stored
    records' wall times (cells without a record are counted as to do)."""
    registry = registry or discover()
    recipe = recipes.load(paper)
    plan = make_plan(registry, profile, recipe.runs.get(profile, []))
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
        lines.append(f"{r.claim[0].upper()}{r.claim[1:]} ({r.task}): {_diff(r)}, **{r.verdict_text}**.")
    return " ".join(lines)


def claims_block(table: pd.DataFrame, paper: str) -> str:
    """The paper's claims as a markdown table (claim, task, difference with 95 % interval, Holm p, seeds,
    pairing, verdict)."""
    rows = table[table["paper"] == paper]
    out = ["", "| family | claim | task | difference (95 % CI) | Holm p | seeds | test | verdict |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows.itertuples():
        seeds = f"{r.seeds} vs {r.seeds_against}" + (f" ({r.degenerate_seeds} degenerate)" if r.degenerate_seeds
                                                     else "")
        p = "" if not math.isfinite(r.p_holm) else ("<0.001" if r.p_holm < 0.001 else f"{r.p_holm:.3f}")
        out.append(f"| {r.family} | {r.claim} | {r.task} | {_diff(r)} | {p} | {seeds} | {r.pairing} | "
                   f"**{r.verdict_text}** |")
    return "\n".join(out) + "\n"


def _diff(r) -> str:
    if not math.isfinite(r.ci_low):
        return f"{r.diff:+.3g}".replace("-", "−")
    return f"{r.diff:+.3g} ({r.ci_low:+.3g} to {r.ci_high:+.3g})".replace("-", "−")


def render(name: str, table: pd.DataFrame, profile: str, results: Path) -> str:
    """The text of block `name` (PAPER.cost, PAPER.measured or PAPER.claims)."""
    paper, _, kind = name.rpartition(".")
    if kind == "cost":
        return cost(paper, profile, results)
    if kind == "measured":
        return measured(table, paper)
    if kind == "claims":
        return claims_block(table, paper)
    raise ValueError(f"unknown generated block {name!r}: PAPER.cost, PAPER.measured or PAPER.claims")


def refresh(text: str, table: pd.DataFrame, profile: str, results: Path) -> str:
    """`text` with every generated block rendered anew."""
    return BLOCK.sub(lambda m: f"<!-- generated:{m['name']} -->{render(m['name'], table, profile, results)}"
                               "<!-- /generated -->", text)


def update(root: Path, table: pd.DataFrame, profile: str, results: Path) -> list[Path]:
    """Rewrite the generated blocks of ROOT/README.md and ROOT/docs/*.md; returns the files that changed."""
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
