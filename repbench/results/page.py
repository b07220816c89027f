"""The results page (`repbench report`): one self-contained HTML page of a results folder, to read in a
browser without a server.

Per task and profile: the leaderboard table (the same rows, intervals, tie marks and published values as
leaderboard.md), each configuration's tuning and provenance (commits, dates, hardware, packages, the command
that reruns it); then every study table (results/<family>/*.csv) and figure (results/plots/*.png, embedded).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from repbench.analysis.figures import difference_text, p_text
from repbench.plugins.registry import Registry
from repbench.results import leaderboard as board
from repbench.results.record import Record, canonical_json

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1500px; padding: 0 1.5em 4em; color: #222; }
h1 { margin-top: 1em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-variant-numeric: tabular-nums; }
th, td { padding: .25em .6em; border-bottom: 1px solid #e4e4e4; text-align: right; vertical-align: top; }
td { white-space: nowrap; } th { background: #f4f4f4; } .scroll { overflow-x: auto; }
td.method, th.method { text-align: left; white-space: normal; min-width: 16em; } td.main { font-weight: 600; }
tr.reported td { color: #666; font-style: italic; } tr.degenerate td { color: #a00; }
details { margin: .1em 0; } summary { cursor: pointer; color: #0645ad; }
code { background: #f6f6f6; padding: 0 .2em; font-size: 90%; } .muted { color: #777; }
nav ul { columns: 3; } figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
.prov { text-align: left; font-size: 90%; color: #444; max-width: 60em; }
td.text { text-align: left; white-space: normal; min-width: 22em; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _anchor(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "_" for c in p) for p in parts if p)


def _command(records: list[Record], registry: Registry) -> str:
    """`repbench run` that reruns this configuration: the parameters that differ from the profile's defaults."""
    cell = records[0].cell
    profile = cell.profile
    parts = [f"repbench run --profile {profile} --task {cell.task} --method {cell.method}"]
    grid = {}
    for role, name, params in (("task", cell.task, cell.task_params), ("method", cell.method, cell.method_params)):
        cls = registry.tasks.get(name) if role == "task" else registry.methods.get(name)
        defaults = cls.resolve(profile) if cls is not None else {}
        for key, value in params.items():
            if canonical_json(defaults.get(key)) != canonical_json(value):
                grid[key] = "x".join(map(str, value)) if isinstance(value, list) else value
    parts += [f"--grid {k}={v}" for k, v in sorted(grid.items())]
    parts.append(f"--seeds {len({r.replicate for r in records})}")
    return " ".join(parts)


def _provenance(records: list[Record], registry: Registry) -> str:
    prov = [r.provenance or {} for r in records]
    commits = sorted({(p.get("git_commit") or "?")[:12] + ("+dirty" if p.get("git_dirty") else "") for p in prov})
    dates = sorted(p.get("date_utc", "") for p in prov if p.get("date_utc"))
    hardware = sorted({f"{p.get('cpu', '?')} × {p.get('cpu_count', '?')}"
                       + (f", GPU {p['gpu']}" if p.get("gpu") else "") for p in prov})
    torch = sorted({(p.get("packages") or {}).get("torch", "?") for p in prov})
    tuning = records[0].tuning
    walls = [r.wall_s for r in records if r.wall_s]
    lines = [
        f"commit {', '.join(commits)}; run {dates[0][:16]} – {dates[-1][:16]} UTC" if dates else "",
        f"hardware: {'; '.join(hardware)}; torch {', '.join(torch)}; python {prov[0].get('python', '?')}",
        f"{len(records)} records, wall {sum(walls) / 60:.1f} min in all" if walls else f"{len(records)} records",
        (f"tuned: {tuning['trials']} trials over {', '.join(tuning.get('params', []))}"
         + (f" (trial schedule {tuning['trial_schedule']})" if tuning.get("trial_schedule") else "")) if tuning else "",
        f"rerun: <code>{_e(_command(records, registry))}</code>",
    ]
    return "<br>".join(line if line.startswith("rerun") else _e(line) for line in lines if line)


def _records_by_config(records: Iterable[Record]) -> dict[tuple[str, str, str, str, str], list[Record]]:
    groups: dict[tuple[str, str, str, str, str], list[Record]] = {}
    for record in records:
        if record.stage != "final" or not record.finished:
            continue
        key = (record.task, record.profile, canonical_json(record.task_params), record.method,
               canonical_json(record.method_params))
        groups.setdefault(key, []).append(record)
    return groups


def _leaderboard_section(task: str, profile: str, setting: str, block: pd.DataFrame, by_config: dict,
                         registry: Registry) -> str:
    heads, rows, sources = board.table_rows(block)
    task_params = next((p for p in block.loc[block["origin"] == "ours", "task_params"]), "")
    title = f"{task} · profile {profile}" + (f" · {setting}" if setting else "")
    out = [f'<h2 id="{_anchor(task, profile, setting)}">{_e(title)}</h2>',
           f'<div class=scroll><table data-task="{_e(task)}" data-profile="{_e(profile)}"><thead><tr><th>rank</th>'
           '<th class="method">method</th>' + "".join(f"<th>{_e(h)}</th>" for h in heads)
           + "<th>seeds</th><th>failed</th><th>degenerate</th><th>wall s</th></tr></thead><tbody>"]
    for row in rows:
        records = by_config.get((task, profile, task_params, row.method, row.method_params), [])
        css = "reported" if row.origin == "reported" else "degenerate" if row.counts[2] not in ("", "0") else ""
        label = _e(row.label)
        if records:
            prov = _provenance(records, registry)
            label = f"<details><summary>{label}</summary><div class=prov>{prov}</div></details>"
        out.append(f'<tr class="{css}"><td>{_e(row.rank)}</td><td class="method">{label}</td>'
                   + "".join(f'<td{" class=main" if i == 0 else ""}>{_e(c)}</td>' for i, c in enumerate(row.cells))
                   + "".join(f"<td>{_e(c)}</td>" for c in row.counts) + "</tr>")
    out.append("</tbody></table></div>")
    out += [f'<p class="muted">[{n}] {_e(source)}</p>' for source, n in sources.items()]
    return "\n".join(out)


def _study_tables(results: Path) -> list[str]:
    out = []
    for path in sorted(results.glob("*/*.csv")):
        if path.parent.name in ("runs", "plots"):
            continue
        frame = pd.read_csv(path)
        out.append(f'<h3 id="{_anchor("table", path.stem)}">{_e(path.relative_to(results))}</h3><div class=scroll>'
                   + frame.to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0, na_rep="") + "</div>")
    return out


def _claims(results: Path) -> list[str]:
    """The papers' claims (`repbench claims` writes results/claims_<profile>.csv): the page's first tables, one
    per paper, the verdict beside each claim."""
    out = []
    for path in sorted(results.glob("claims_*.csv")):
        frame = pd.read_csv(path)
        out.append(f'<h2 id="{_anchor("claims", path.stem)}">The papers\' claims ({_e(path.stem[7:])} profile)</h2>'
                   f'<p class="muted">{_e(path.name)}: difference = side minus against with its 95 % interval; '
                   "Holm p within each family; an inconclusive verdict says what the design could detect (80 % "
                   "power at the family's corrected level); no meaningful difference: equivalent within the "
                   "claim's declared margin.</p>")
        for paper, block in frame.groupby("paper", sort=False):
            rows = "".join(
                f"<tr><td>{_e(r.family)}</td><td class=text>{_e(r.claim)}</td><td>{_e(r.task)}</td>"
                f"<td>{_e(difference_text(r.diff, r.ci_low, r.ci_high))}</td><td>{_e(p_text(r.p_holm))}</td>"
                f"<td>{r.seeds} vs {r.seeds_against}</td>"
                f"<td>{_e(r.pairing)}</td><td class=text><b>{_e(r.verdict_text)}</b></td></tr>"
                for r in block.itertuples())
            out.append(f"<h3>{_e(paper)}</h3><div class=scroll><table><tr><th>family</th><th>claim</th>"
                       "<th>task</th><th>difference (95 % CI)</th><th>Holm p</th><th>seeds</th><th>test</th>"
                       f"<th>verdict</th></tr>{rows}</table></div>")
    return out


def _figures(results: Path) -> list[str]:
    out = []
    for path in sorted((results / "plots").glob("*.png")) + sorted(results.glob("*/*_sample.png")):
        data = base64.b64encode(path.read_bytes()).decode()
        out.append(f'<figure><img alt="{_e(path.name)}" src="data:image/png;base64,{data}">'
                   f"<figcaption>{_e(path.relative_to(results))}</figcaption></figure>")
    return out


def render(records: list[Record], registry: Registry, results: Path, table: pd.DataFrame) -> str:
    """The page: the papers' claims, contents, one section per leaderboard table, the study tables, the figures."""
    by_config = _records_by_config(records)
    sections = [(task, profile, setting, block) for task, profile, setting, block in board.blocks(table)]
    toc = "".join(f'<li><a href="#{_anchor(t, p, s)}">{_e(t)} · {_e(p)}{" · " + _e(s) if s else ""}</a></li>'
                  for t, p, s, _ in sections)
    commits = sorted({(r.git_commit or "?")[:12] for r in records})
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "<h1>repbench results</h1>",
        f'<p class="muted">{len(records)} records from {_e(results.resolve())}, commits {_e(", ".join(commits))}; '
        f"page made {now}.</p>",
        *_claims(results),
        f"<p>{_e(board.LEGEND)}</p>",
        f"<nav><ul>{toc}</ul></nav>",
        *(_leaderboard_section(t, p, s, b, by_config, registry) for t, p, s, b in sections),
    ]
    tables, figures = _study_tables(results), _figures(results)
    if tables:
        body += ['<h2 id="studies">Study tables</h2>', *tables]
    if figures:
        body += ['<h2 id="figures">Figures</h2>', *figures]
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>repbench results</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(body) + "</body></html>\n")


def write_page(records: list[Record], registry: Registry, results: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(records, registry, results, board.table_of(records, registry)), encoding="utf-8")
    return out
