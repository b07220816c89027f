"""The `repbench` command as a user meets it."""

import json

import pytest
import torch
from click.testing import CliRunner

from repbench.cli import main
from tests.conftest import BROKEN, TOY, repbench_cli


@pytest.fixture
def cli():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["list"], ["info"], ["run"], ["leaderboard"]])
def test_help_everywhere(cli, command):
    result = cli(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_unknown_method_exits_nonzero_with_suggestions():
    result = repbench_cli("run", "--method", "mpl")
    assert result.returncode == 2
    assert "unknown method 'mpl'. Did you mean 'mlp'?" in result.stderr
    nosuch = repbench_cli("run", "--method", "nosuch")
    assert nosuch.returncode == 2 and "unknown method 'nosuch'. Nearest names: " in nosuch.stderr
    assert "Known methods: " in nosuch.stderr and "logreg" in nosuch.stderr


def test_list_shows_plugins_and_unavailable_ones(cli):
    result = cli("list", "--plugin-path", TOY, "--plugin-path", BROKEN)
    assert result.exit_code == 0
    assert "digits" in result.output and "toy-ok" in result.output
    assert "Unavailable" in result.output and "repbench_no_such_dependency" in result.output


def test_info_shows_citation_parameters_and_reported_values(cli):
    result = cli("info", "toy", "--plugin-path", TOY)
    assert result.exit_code == 0
    for text in ("citation: repbench test suite", "gap", "default=3.0", "Imaginary et al. (2020)", "toy-ok"):
        assert text in result.output
    assert "Did you mean 'digits'" in cli("info", "digitz").output


def test_bad_grid_and_profile_are_user_errors(cli):
    assert "Did you mean 'shift'" in cli("run", "--task", "toy", "--grid", "shfit=1", "--plugin-path", TOY).output
    assert cli("run", "--profile", "huge").exit_code == 2


def test_dry_run_then_run_then_resume(cli, tmp_path):
    args = ["--task", "toy", "--method", "toy-ok", "--method", "toy-raises", "--seeds", "2", "--jobs", "0",
            "--results", tmp_path, "--plugin-path", TOY, "--no-progress"]
    dry = cli("run", "--dry-run", *args)
    assert dry.exit_code == 0 and dry.output.count("todo") == 4 and not (tmp_path / "runs").exists()

    first = cli("run", *args)
    assert first.exit_code == 1  # toy-raises failed, and says so
    assert "2 ran ok, 0 already done, 2 failed" in first.output
    assert "boom: this method always fails" in first.output
    assert (tmp_path / "leaderboard.csv").exists() and "## toy" in (tmp_path / "leaderboard.md").read_text()

    again = cli("run", *args)
    assert "0 ran ok, 2 already done, 2 failed" in again.output  # failed cells are retried, finished ones not
    forced = cli("run", "--force", *args)
    assert "2 ran ok, 0 already done" in forced.output


def test_leaderboard_command(cli, tmp_path):
    assert cli("leaderboard", "--results", tmp_path).exit_code == 2
    cli("run", "--task", "toy", "--method", "toy-ok", "--jobs", "0", "--results", tmp_path, "--plugin-path", TOY)
    out = tmp_path / "board"
    result = cli("leaderboard", "--results", tmp_path, "--out", out, "--plugin-path", TOY)
    assert result.exit_code == 0 and (out / "leaderboard.csv").exists()
    assert "Centroid (paper) (reported)" in (out / "leaderboard.md").read_text()


def test_benchmark_json_that_is_not_json(cli, tmp_path):
    bad = tmp_path / "bench.json"
    bad.write_text(json.dumps({"machine_info": {}}))
    result = cli("leaderboard", "--from-benchmark-json", bad)
    assert result.exit_code == 2 and "holds no repbench records" in result.output


def test_run_prints_its_profile_and_writes_every_profile(cli, tmp_path):
    common = ["--task", "toy", "--method", "toy-ok", "--jobs", "0", "--results", tmp_path, "--plugin-path", TOY]
    cli("run", "--profile", "standard", *common)
    quick = cli("run", "--profile", "quick", *common)
    assert "toy [quick]: accuracy %, higher is better" in quick.output and "[standard]" not in quick.output
    assert "toy-ok" in quick.output and "3 seeds" in quick.output  # the compact summary, not the full tables
    written = (tmp_path / "leaderboard.md").read_text()
    assert "profile `quick`" in written and "profile `standard`" in written


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--device", "cuda"], "torch sees no CUDA GPU",
                 marks=pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")),
    (["--timeout", "-5"], "timeout must be a positive number of seconds"),
])
def test_run_wide_options_are_checked_before_any_cell_runs(tmp_path, args, message):
    done = repbench_cli("run", "--task", "toy", "--method", "toy-ok", "--plugin-path", str(TOY), *args,
                        env={"REPBENCH_RESULTS": str(tmp_path)})
    assert done.returncode == 2 and message in done.stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_missing_data_is_one_error_listing_every_file(tmp_path):
    done = repbench_cli("run", "--profile", "standard", "--task", "mnist", "--task", "german", "--method", "logreg",
                        "--method", "nn", env={"REPBENCH_RESULTS": str(tmp_path / "results"),
                                               "REPBENCH_DATA": str(tmp_path / "empty")})
    assert done.returncode == 2
    assert done.stderr.count("mnist: ") == 4 and "german: " in done.stderr and "repbench data fetch" in done.stderr
    assert not (tmp_path / "results").exists()
