import hashlib
import subprocess
import sys
import textwrap

import pytest

from repbench import Method, Metric, Task, register_method, register_task
from repbench.benchmarks.invariance.kind import INVARIANCE
from repbench.execution.cell import CellOptions, run_cell
from repbench.execution.planning import expand_cells
from repbench.plugins.kinds import CLASSIFICATION
from repbench.plugins.registry import RegistryError, discover
from tests.conftest import BROKEN, TOY


class Complete(Method):
    """The least a classification method implements."""

    solves = (CLASSIFICATION,)

    def fit(self, data, ctx):
        return self

    def predict(self, X):
        return X[:, 0].astype(int) * 0


def test_suite_plugins_are_discovered(registry):
    assert {"digits", "toy"} <= set(registry.tasks)
    assert {"logreg", "mlp", "toy-ok"} <= set(registry.methods)
    assert registry.get_method("mlp").can_solve(registry.get_task("digits"))


def test_unknown_name_suggests_the_closest(registry):
    with pytest.raises(RegistryError, match="Did you mean 'mlp'"):
        registry.get_method("mpl")
    with pytest.raises(RegistryError, match="Did you mean 'digits'"):
        registry.get_task("digit")


def test_duplicate_names_are_rejected(clean_registry):
    @register_method("dup-method")
    class First(Complete):
        pass

    with pytest.raises(RegistryError, match="duplicate method name 'dup-method'"):

        @register_method("dup-method")
        class Second(Complete):
            pass

    assert clean_registry.methods["dup-method"] is First


def test_malformed_plugins_fail_at_registration(clean_registry):
    with pytest.raises(TypeError, match="exactly one main metric"):

        @register_task("no-main")
        class NoMain(Task):
            kind = CLASSIFICATION
            metrics = (Metric("a"), Metric("b"))

    with pytest.raises(TypeError, match="solves"):

        @register_method("solves-nothing")
        class SolvesNothing(Method):
            pass

    with pytest.raises(ValueError, match="unknown profile 'quik'"):

        @register_method("bad-profile")
        class BadProfile(Complete):
            profiles = {"quik": {}}


def test_a_method_missing_what_its_kind_requires_fails_at_registration(clean_registry):
    with pytest.raises(TypeError, match="does not implement `fit"):

        @register_method("no-fit")
        class NoFit(Method):
            solves = (CLASSIFICATION,)

            def predict(self, X):
                return X

    with pytest.raises(TypeError, match="kind 'classification' but does not implement `predict`"):

        @register_method("no-predict")
        class NoPredict(Method):
            solves = (CLASSIFICATION,)

            def fit(self, data, ctx):
                return self

    with pytest.raises(TypeError, match="kind 'invariance' but does not implement `embed`"):

        @register_method("no-embed")
        class NoEmbed(Complete):
            solves = (CLASSIFICATION, INVARIANCE)

    assert not {"no-fit", "no-predict", "no-embed"} & set(clean_registry.methods)


def test_broken_plugin_is_listed_not_raised(clean_registry):
    registry = discover([BROKEN])
    [entry] = [u for u in registry.unavailable.values() if "broken.py" in u.name]
    assert "repbench_no_such_dependency" in entry.error
    assert "digits" in registry.tasks  # everything else still loads
    with pytest.raises(RegistryError, match="failed to import"):
        registry.get_method("nosuch")


def test_entry_point_plugin_from_an_installed_distribution(tmp_path, clean_registry, monkeypatch):
    """Build and install a real distribution declaring `repbench.methods` entry points, one of them broken."""
    src = tmp_path / "src"
    (src / "repbench_ep_demo").mkdir(parents=True)
    (src / "repbench_ep_demo" / "__init__.py").write_text(textwrap.dedent("""
        import numpy as np

        from repbench import Method, register_method
        from repbench.plugins.kinds import CLASSIFICATION

        @register_method("ep-demo")
        class Demo(Method):
            # predicts the most frequent training label

            solves = (CLASSIFICATION,)

            def fit(self, data, ctx):
                self.label_ = int(np.bincount(data.y_train).argmax())
                return self

            def predict(self, X):
                return np.full(len(X), self.label_)
    """))
    (src / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "repbench-ep-demo"
        version = "0.1"
        [project.entry-points."repbench.methods"]
        ep-demo = "repbench_ep_demo"
        ep-broken = "repbench_ep_demo_missing"
        [tool.setuptools]
        packages = ["repbench_ep_demo"]
    """))
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site),
         str(src)],
        check=True, capture_output=True,
    )
    monkeypatch.syspath_prepend(str(site))
    registry = discover()
    assert registry.get_method("ep-demo").__module__ == "repbench_ep_demo"
    assert "repbench_ep_demo_missing" in registry.unavailable["ep-broken"].error

    # its results name the distribution and the code that produced them, not repbench's commit alone
    record = run_cell(expand_cells(registry, "quick", ["digits"], ["ep-demo"], seeds=1)[0], CellOptions(device="cpu"))
    assert record.status == "degenerate", record.reason  # a majority-class predictor is flagged as one
    plugin = record.plugins["method"]
    installed = site / "repbench_ep_demo" / "__init__.py"
    assert plugin["origin"] == "external" and plugin["distribution"] == "repbench-ep-demo"
    assert plugin["version"] == "0.1"
    assert plugin["sha256"] == hashlib.sha256(installed.read_bytes()).hexdigest()
    assert record.plugins["task"]["origin"] == "suite"
    assert record.plugins["task"]["file"] == "benchmarks/classic/tasks.py"


def test_toy_plugin_path_loads_once(registry):
    before = dict(registry.tasks)
    discover([TOY])  # second call: no re-import, so no duplicate error
    assert registry.tasks == before


def test_plugin_commands_join_their_cli_group(clean_registry, monkeypatch):
    import click
    from click.testing import CliRunner

    from repbench import register_command
    from repbench.cli import main

    monkeypatch.setattr(clean_registry, "commands", {})

    @register_command("data")
    @click.command("fetch-toy")
    def fetch_toy() -> None:
        """Toy data command."""
        click.echo("fetched")

    result = CliRunner().invoke(main, ["data", "fetch-toy"])
    assert result.exit_code == 0 and result.output == "fetched\n"
    assert "fetch-toy" in CliRunner().invoke(main, ["data", "--help"]).output

    @click.command("fetch-toy")
    def other() -> None:
        """Another command under the same name."""

    with pytest.raises(RegistryError, match="duplicate command `repbench data fetch-toy`"):
        register_command("data")(other)
