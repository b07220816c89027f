"""Discovery loads plugins only: listing never imports a simulator, and a family whose dependency is missing
is listed as unavailable with the command that installs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_list_and_info_leave_neuron_unimported():
    done = _python(textwrap.dedent("""
        import sys
        from click.testing import CliRunner
        from repbench.cli import main

        runner = CliRunner()
        for args in (["list"], ["info", "neuron-nmda"], ["info", "tcn"], ["data", "--help"], ["study", "--help"]):
            result = runner.invoke(main, args)
            assert result.exit_code == 0, (args, result.output)
        print("listed:", "neuron-nmda" in runner.invoke(main, ["list"]).output)
        print("imported:", sorted(m for m in ("neuron", "repbench.benchmarks.neuron.simulator") if m in sys.modules))
    """))
    assert done.returncode == 0, done.stderr
    assert "listed: True" in done.stdout and "imported: []" in done.stdout


BLOCK = """
    import importlib.abc, sys

    class Missing(importlib.abc.MetaPathFinder):
        '''As if neuron and fairlearn were not installed.'''
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("neuron", "fairlearn"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Missing())
"""


def test_core_works_without_the_families_dependencies():
    done = _python(textwrap.dedent(BLOCK) + textwrap.dedent("""
        import repbench, repbench.api, repbench.cli, repbench.results.leaderboard  # the core needs neither
        from click.testing import CliRunner

        print(CliRunner().invoke(repbench.cli.main, ["list"]).output)
    """))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    tasks = out.split("Methods")[0]
    assert "digits" in tasks and "mnist-1k" in tasks  # the other families still load
    assert "neuron-nmda" not in tasks and "adult" not in tasks
    assert "repbench.benchmarks.neuron" in out and "pip install neuron" in out
    assert "repbench.benchmarks.invariance" in out and "pip install fairlearn" in out
