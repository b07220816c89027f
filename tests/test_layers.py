"""The core's architecture as a test: `repbench/` is built in floors, and no module imports from a floor above
its own (function-local imports included)."""

import ast
from pathlib import Path

import repbench

ROOT = Path(repbench.__file__).parent
FLOORS = ["plugins", "data", "analysis", "results", "execution", "studies", "api", "cli"]  # bottom to top


def floor(module: str) -> int | None:
    """The floor of a `repbench.X...` module (None: the package root, or not the core)."""
    parts = module.split(".")
    if parts[0] != "repbench" or len(parts) < 2 or parts[1] in ("benchmarks", "methods"):
        return None
    return FLOORS.index(parts[1]) if parts[1] in FLOORS else -1


def imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [f"{node.module}.{a.name}" if node.module == "repbench" else node.module for a in node.names]
    return [n for n in names if n.startswith("repbench")]


def test_every_core_module_lives_on_a_floor():
    loose = [p.name for p in ROOT.glob("*.py") if p.stem not in ("__init__", "__main__", "api", "cli")]
    assert not loose, f"core modules outside the floors' folders: {loose}"
    assert sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == \
        sorted(FLOORS[:-2])


def test_no_import_runs_from_a_lower_floor_to_a_higher_one():
    upward = []
    for path in sorted(ROOT.rglob("*.py")):
        module = "repbench." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
        own = floor(module.removesuffix(".__init__"))
        if own is None or path.name == "__main__.py":
            continue  # the package root re-exports the public names (lazily above its floor)
        for name in imports(path):
            other = floor(name)
            if other is not None and other > own:
                upward.append(f"{module} imports {name}")
    assert not upward, "imports that run upwards:\n" + "\n".join(upward)


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from repbench.cli import main\n")
    assert [n for n in imports(bad) if floor(n) > floor("repbench.plugins.base")] == ["repbench.cli"]


def test_public_names_stay_importable_from_the_package():
    for name in repbench.__all__:
        assert getattr(repbench, name) is not None, name
