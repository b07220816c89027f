"""`pytest benchmarks --benchmark-only` and the run command give the same leaderboard."""

import os
import subprocess
import sys

import pandas as pd

from tests.conftest import ROOT, repbench_cli

MEASURED = ["mean", "std", "ci95", "rank", "n_seeds", "n_failed"]


def test_benchmark_json_builds_the_same_leaderboard_as_a_run(tmp_path):
    bench_json = tmp_path / "bench.json"
    env = {**os.environ, "REPBENCH_BENCH_SEEDS": "2"}
    bench = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks", "--benchmark-only", "-k", "digits-logreg",
         f"--benchmark-json={bench_json}", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert bench.returncode == 0, bench.stdout + bench.stderr
    assert "2 passed" in bench.stdout

    from_bench = tmp_path / "from_bench"
    made = repbench_cli("leaderboard", "--from-benchmark-json", str(bench_json), "--out", str(from_bench))
    assert made.returncode == 0, made.stderr
    ran = tmp_path / "ran"
    done = repbench_cli("run", "--task", "digits", "--method", "logreg", "--seeds", "2", "--jobs", "1",
                        "--no-progress", "--results", str(ran))
    assert done.returncode == 0, done.stderr

    a = pd.read_csv(from_bench / "leaderboard.csv", dtype={"commit": str})  # a short hash may be all digits
    b = pd.read_csv(ran / "leaderboard.csv", dtype={"commit": str})
    assert list(a["method"]) == ["logreg"] and a["n_seeds"].tolist() == [2]
    pd.testing.assert_frame_equal(a.drop(columns=["wall_s_mean"]), b.drop(columns=["wall_s_mean"]))


def test_unit_test_run_skips_benchmarks():
    """The configured addopts skip benchmarks unless --benchmark-only is given."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks", "-q", "-p", "no:cacheprovider", "-k", "digits-logreg"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0 and "skipped" in result.stdout and "passed" not in result.stdout
