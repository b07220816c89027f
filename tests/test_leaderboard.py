"""Leaderboard aggregation: statistics, ranks, reported values, and byte-identical golden output."""

import json
import math
import os
import random
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from repbench import Reported
from repbench.results import leaderboard as lb
from repbench.results.record import Record

GOLDEN = Path(__file__).parent / "golden"
REPORTED = {"toy": (
    Reported("accuracy", 97.5, "Imaginary et al. (2020), Table 1", label="Centroid (paper)", method="toy-ok",
             comparable=True),
    Reported("accuracy", 99.0, "Someone (2021)", label="Oracle"),
)}


SUITE = {"origin": "suite", "file": "methods/toy.py", "sha256": "0" * 64, "distribution": "repbench"}
EXTERNAL = {"origin": "external", "file": "/home/me/plugins/other.py", "sha256": "ab" * 32, "distribution": None}


def _record(method, params, replicate, accuracy, wall, status="ok", commit="abc123def4567890", plugin=SUITE):
    return Record.from_dict(_raw(method, params, replicate, accuracy, wall, status, commit, plugin))


def _raw(method, params, replicate, accuracy, wall, status, commit, plugin):
    metrics = [] if status != "ok" else [
        {"name": "accuracy", "value": accuracy, "unit": "%", "higher_is_better": True, "is_main": True,
         "bounds": [0.0, 100.0]},
        {"name": "fit_s", "value": wall / 2, "unit": "s", "higher_is_better": False, "is_main": False},
        {"name": "n_parameters", "value": 100 + replicate, "unit": "", "higher_is_better": None, "is_main": False},
    ]
    return {
        "plugins": {"task": SUITE, "method": plugin},
        "schema": 1, "key": f"{method}-{replicate}-{json.dumps(params)}", "status": status,
        "reason": None if status == "ok" else "RuntimeError: boom",
        "identity": {"task": "toy", "task_version": "1", "task_params": {"n": 60}, "method": method,
                     "method_version": "2", "method_params": params, "profile": "quick", "replicate": replicate},
        "metrics": metrics, "timings": {"wall_s": wall},
        "provenance": {"git_commit": commit, "git_dirty": False},
    }


RECORDS = [
    _record("toy-ok", {"shift": 0.0}, 0, 96.0, 1.0),
    _record("toy-ok", {"shift": 0.0}, 1, 97.0, 1.2),
    _record("toy-ok", {"shift": 0.0}, 2, 98.5, 1.1),
    _record("toy-ok", {"shift": 1.0}, 0, 90.0, 1.0),
    _record("toy-ok", {"shift": 1.0}, 1, 92.0, 1.0, commit="fff000fff000fff0"),
    _record("toy-ok", {"shift": 1.0}, 2, 0, 0.3, status="failed"),
    _record("other", {}, 0, 97.0, 3.0, plugin=EXTERNAL),
    _record("other", {}, 1, 97.0, 3.0, plugin=EXTERNAL),
    _record("broken", {}, 0, 0, 0.1, status="failed"),
]


def test_statistics_and_ranks():
    table = lb.aggregate(RECORDS, REPORTED)
    row = table[(table.method == "toy-ok") & (table.method_params == '{"shift":0.0}') & (table.metric == "accuracy")]
    row = row.iloc[0]
    values = np.array([96.0, 97.0, 98.5])
    assert row["n_seeds"] == 3 and row["mean"] == pytest.approx(values.mean())
    assert row["std"] == pytest.approx(values.std(ddof=1))
    low, _ = stats.t.interval(0.95, 2, loc=values.mean(), scale=stats.sem(values))
    assert row["ci95"] == pytest.approx(values.mean() - low)
    assert row["rank"] == 1 and row["reported"] == 97.5
    assert row["delta_vs_reported"] == pytest.approx(values.mean() - 97.5)
    other = table[(table.method == "other") & (table.metric == "accuracy")].iloc[0]
    assert other["rank"] == 1 and other["tied_with_best"] and other["p_vs_best"] > 0.05  # 97.0 vs 97.2: a tie
    shifted = table[(table.method_params == '{"shift":1.0}') & (table.metric == "accuracy")].iloc[0]
    assert shifted["n_failed"] == 1 and shifted["rank"] == 3 and shifted["commit"] == "abc123def456;fff000fff000"
    # lower-is-better metrics rank the other way
    fit = table[table.metric == "fit_s"].set_index("method_params")["rank"]
    assert fit['{"shift":1.0}'] == 1
    # information columns carry no direction and no rank
    assert table[table.metric == "n_parameters"]["rank"].isna().all()
    # the code column tells the suite's code from code outside the repository
    codes = table[(table.metric == "accuracy") & (table.origin == "ours")].set_index("method")["code"]
    assert codes["other"] == "external: other.py sha256:abababababab" and set(codes.drop("other")) <= {"repbench"}
    # a configuration that only failed stays visible
    assert table[table.method == "broken"]["n_failed"].iloc[0] == 1
    refs = table[table.origin == "reported"]
    assert sorted(refs["mean"]) == [97.5, 99.0] and refs["rank"].isna().all()
    assert math.isnan(table[(table.method == "other") & (table.metric == "accuracy")]["reported"].iloc[0])


def test_same_records_in_byte_identical_files_out(tmp_path):
    shuffled = RECORDS[:]
    random.Random(1).shuffle(shuffled)
    for name, records in (("a", RECORDS), ("b", shuffled)):
        table = lb.aggregate(records, REPORTED)
        lb.write_csv(table, tmp_path / name / "leaderboard.csv")
        lb.write_markdown(table, tmp_path / name / "leaderboard.md")
    for filename in ("leaderboard.csv", "leaderboard.md"):
        produced = (tmp_path / "a" / filename).read_bytes()
        assert produced == (tmp_path / "b" / filename).read_bytes()
        if os.environ.get("REPBENCH_UPDATE_GOLDEN"):
            (GOLDEN / filename).write_bytes(produced)
        assert produced == (GOLDEN / filename).read_bytes(), f"{filename} differs from tests/golden/"


def test_benchmark_json_without_records_is_refused(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"benchmarks": [{"name": "x", "extra_info": {}}]}))
    with pytest.raises(ValueError, match="holds no repbench records"):
        lb.records_from_benchmark_json(path)


def _seeds(method, values):
    return [_record(method, {}, i, v, 1.0) for i, v in enumerate(values)]


def test_a_clearly_better_method_ranks_alone_and_equal_methods_tie():
    rng = np.random.default_rng(0)
    records = (_seeds("strong", 95 + rng.normal(0, 0.3, 5)) + _seeds("weak-a", 90 + rng.normal(0, 0.3, 5))
               + _seeds("weak-b", 90 + rng.normal(0, 0.3, 5)))
    main = lb.aggregate(records).query("metric == 'accuracy'").set_index("method")
    assert main.loc["strong", "rank"] == 1 and main.loc["strong", "tied_with_best"]
    assert not main.loc["weak-a", "tied_with_best"] and not main.loc["weak-b", "tied_with_best"]
    assert main.loc["weak-a", "p_vs_best"] < 0.001 and main.loc["weak-b", "rank"] > 1

    equal = _seeds("twin-a", 90 + rng.normal(0, 1.0, 5)) + _seeds("twin-b", 90 + rng.normal(0, 1.0, 5))
    twins = lb.aggregate(equal).query("metric == 'accuracy'").set_index("method")
    assert (twins["rank"] == 1).all() and twins["tied_with_best"].all()


def test_holm_adjusts_in_order_and_caps_at_one():
    np.testing.assert_allclose(lb.holm(np.array([0.01, 0.04, 0.03, 0.5])), [0.04, 0.09, 0.09, 0.5])
    assert lb.holm(np.array([0.6, 0.9])).max() == 1.0
    # an untestable comparison stays NaN and leaves the family: the rest are adjusted as a family of 4
    np.testing.assert_allclose(lb.holm(np.array([0.01, np.nan, 0.04, 0.03, 0.5])), [0.04, np.nan, 0.09, 0.09, 0.5])
