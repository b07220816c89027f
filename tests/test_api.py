"""The library API: run, load_results and leaderboard as DataFrames; the CLI prints what they return."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import repbench
from repbench.plugins.params import ParamError
from tests.conftest import TOY


def test_run_returns_the_records_and_load_results_reads_them_back(tmp_path, registry):
    result = repbench.run("toy", ["toy-ok"], profile="quick", grid={"shift": [0.0, 1.0]}, seeds=2, jobs=0,
                          results=tmp_path, plugin_paths=[str(TOY)], progress=False)
    assert isinstance(result, repbench.RunResult) and len(result.records) == 4 and result.choices == []
    assert result.summary.ok == 4 and not result.summary.failed and result.exit_code == 0
    records = result.frame
    assert isinstance(records, pd.DataFrame)
    main = records[records["metric"] == "accuracy"]
    assert len(main) == 4 and set(main["method.shift"]) == {0.0, 1.0} and set(main["task.n"]) == {60}
    assert (main["status"] == "ok").all() and (main["code_origin"] == "external").all()  # a file outside the suite
    loaded = repbench.load_results(profile="quick", root=tmp_path)
    pd.testing.assert_frame_equal(loaded.sort_values(["key", "metric"]).reset_index(drop=True),
                                  records.sort_values(["key", "metric"]).reset_index(drop=True))
    assert repbench.load_results(profile="standard", root=tmp_path).empty
    assert (tmp_path / "leaderboard.csv").exists() and (tmp_path / "leaderboard.md").exists()

    # a second run reuses every finished cell
    again = repbench.run("toy", ["toy-ok"], profile="quick", grid={"shift": "0.0,1.0"}, seeds=2, jobs=0,
                         results=tmp_path, plugin_paths=[str(TOY)], progress=False)
    assert again.summary.skipped == 4

    table = repbench.leaderboard(profile="quick", results=tmp_path, plugin_paths=[str(TOY)])
    ranked = table[(table["metric"] == "accuracy") & (table["origin"] == "ours")]
    assert list(ranked["rank"]) == sorted(ranked["rank"])
    toy_sha = hashlib.sha256(TOY.read_bytes()).hexdigest()
    assert set(ranked["code"]) == {f"external: toy.py sha256:{toy_sha[:12]}"}  # the test plugin is not the suite's


def test_run_refuses_bad_input_before_anything_runs(tmp_path, registry):
    with pytest.raises(ParamError, match="timeout must be a positive"):
        repbench.run("toy", "toy-ok", timeout=-5, results=tmp_path, plugin_paths=[str(TOY)])
    with pytest.raises(ValueError, match="unknown device"):
        repbench.run("toy", "toy-ok", device="tpu", results=tmp_path, plugin_paths=[str(TOY)])
    assert not (tmp_path / "runs").exists()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity API on this platform")
def test_cells_use_the_cores_the_run_may_use_not_the_machines(tmp_path):
    """`taskset -c 0 repbench run ...` beside another run: one torch thread per cell, not cpu_count's."""
    script = (f"import os; os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}}); import repbench; "
              f"repbench.run('toy', ['toy-ok'], profile='quick', jobs=1, results={str(tmp_path)!r}, "
              f"plugin_paths=[{str(TOY)!r}], progress=False)")
    subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, timeout=300)
    records = [json.loads(p.read_text()) for p in tmp_path.glob("runs/quick/*.json")]
    assert records and {r["threads"] for r in records} == {1}
