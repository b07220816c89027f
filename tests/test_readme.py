"""The README's promises: CI runs its test command, and its plugin example works as printed."""

import re

from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.plugins.registry import discover
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.+?)\n```", README)
    test_command = next(c for c in commands if re.search(r"&& pytest( |$)", c))
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_plugin_example_registers_and_runs(tmp_path, clean_registry):
    code = re.search(r"<!-- plugin-example -->\n```python\n(.+?)```", README, re.S).group(1)
    (tmp_path / "knn.py").write_text(code)
    registry = discover([tmp_path / "knn.py"])
    cell = expand_cells(registry, "quick", ["digits"], ["knn"], seeds=1)[0]
    assert cell.method_params == {"ks": (1, 3)}
    record = run_cell(cell, CellOptions(device="cpu", plugin_paths=(str(tmp_path / "knn.py"),)))
    assert record.status == "ok", record.reason
    assert record.metrics[0].value < 5.0


def test_readme_fits_a_screen_and_links_every_doc_page():
    assert len(README.splitlines()) <= 250
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in README, f"README does not link docs/{page.name}"


def test_every_relative_link_and_image_in_the_docs_exists():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), f"{page.name} links {target}, which does not exist"
