"""The depth study's table: one row per (task, depth) of finished tcn records of the profile, presets aside."""

import pytest

from repbench.benchmarks.neuron.studies.depth import depth_table, plot


def _record(task, depth, auc, seed, profile="standard", preset="", status="ok"):
    return {"status": status, "seed": seed,
            "metrics": [{"name": "spike_auc", "value": auc}, {"name": "n_parameters", "value": 1000.0 * depth}],
            "identity": {"task": task, "method": "tcn", "profile": profile,
                         "method_params": {"depth": depth, "preset": preset}}}


def test_depth_table_aggregates_seeds_per_task_and_depth(tmp_path):
    records = [_record("neuron-nmda", 1, 0.80, 1), _record("neuron-nmda", 1, 0.90, 2),
               _record("neuron-nmda", 7, 0.95, 1), _record("neuron-ampa", 1, 0.85, 1),
               _record("neuron-nmda", 7, 0.10, 3, status="failed"), _record("neuron-nmda", 7, 0.10, 4, profile="quick"),
               _record("neuron-nmda", 7, 0.10, 5, preset="nmda-large")]
    table = depth_table(records, "standard").set_index(["task", "depth"])
    assert table.loc[("neuron-nmda", 1), "mean"] == pytest.approx(0.85)
    assert table.loc[("neuron-nmda", 1), "n_seeds"] == 2
    assert table.loc[("neuron-nmda", 7), "n_seeds"] == 1 and table.loc[("neuron-nmda", 7), "mean"] == 0.95
    assert len(table) == 3
    assert plot(table.reset_index(), tmp_path / "auc.png", "test").stat().st_size > 0


def test_study_command_writes_the_profile_s_table_and_figure(tmp_path):
    import json

    from click.testing import CliRunner

    from repbench.cli import main

    for i, (depth, auc, profile) in enumerate([(1, 0.8, "quick"), (1, 0.9, "quick"), (2, 0.7, "standard")]):
        record = {**_record("neuron-nmda", depth, auc, i, profile=profile), "key": f"k{i}"}
        path = tmp_path / "runs" / profile / f"neuron-nmda__tcn__k{i}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record))
    runner = CliRunner()
    done = runner.invoke(main, ["study", "depth", "--profile", "quick", "--results", str(tmp_path)])
    assert done.exit_code == 0, done.output
    table = (tmp_path / "neuron" / "depth_study_quick.csv").read_text()
    assert "0.85" in table and "0.7" not in table  # the quick records only
    assert (tmp_path / "plots" / "neuron_depth_study_quick.png").stat().st_size > 0
    missing = runner.invoke(main, ["study", "depth", "--profile", "paper", "--results", str(tmp_path)])
    assert missing.exit_code == 2 and "no finished tcn records" in missing.output
