"""`repbench report`: the page parses, holds every leaderboard table of the committed records with all their
rows, each row's provenance, and embeds the figures (no external resources)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from repbench import api
from repbench.cli import main
from repbench.results import leaderboard as board

RESULTS = Path(__file__).resolve().parents[1] / "results"


class Page(HTMLParser):
    """Tables (data-task, data-profile -> rows of cell texts), image sources and link targets."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, str, list[list[str]]]] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-task" in attrs:
            self.tables.append((attrs["data-task"], attrs["data-profile"], []))
            self._in_table = True
        elif tag == "tr" and self._in_table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("src", "href"):
            if attrs.get(key, "").startswith(("http:", "https:", "//")):
                self.external.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][2].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_report_holds_every_committed_table_with_its_rows_and_provenance(tmp_path):
    out = tmp_path / "report.html"
    done = CliRunner().invoke(main, ["report", "--results", str(RESULTS), "--out", str(out)])
    assert done.exit_code == 0, done.output
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    table = api.leaderboard(results=RESULTS)
    expected = list(board.blocks(table))
    assert len(page.tables) == len(expected) > 0
    for (task, profile, rows), (e_task, e_profile, _, block) in zip(page.tables, expected, strict=True):
        assert (task, profile) == (e_task, e_profile)
        heads, e_rows, _ = board.table_rows(block)
        assert rows[0][2:2 + len(heads)] == heads
        assert len(rows) - 1 == len(e_rows)
        for got, want in zip(rows[1:], e_rows, strict=True):
            assert got[0] == want.rank and got[1].startswith(want.label)  # label, then its provenance
            assert got[2:2 + len(heads)] == want.cells
            if want.origin == "ours":
                assert "commit " in got[1] and "rerun: repbench run --profile" in got[1]
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)
    assert not page.external  # self-contained


def test_report_without_records_says_so(tmp_path):
    done = CliRunner().invoke(main, ["report", "--results", str(tmp_path)])
    assert done.exit_code == 2 and "no records" in done.output
