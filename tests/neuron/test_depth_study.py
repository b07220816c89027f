"""The depth study's table: one row per (task, depth) of finished tcn records of the profile, presets aside."""

import pytest

from repbench.analysis.statistics import welch
from repbench.benchmarks.neuron.studies.depth import claim_table, plot
from repbench.benchmarks.neuron.studies.depth import depth_table as _depth_table
from repbench.benchmarks.neuron.studies.depth import under_current_settings as _under_current_settings
from tests.conftest import as_record, records_of


def depth_table(records, *args, **kwargs):
    return _depth_table(records_of(records), *args, **kwargs)


def under_current_settings(records, *args, **kwargs):
    return _under_current_settings(records_of(records), *args, **kwargs)

def _record(task, depth, auc, seed, profile="standard", preset="", status="ok", **task_params):
    """A tcn record on the task's current dataset of `profile`, unless `task_params` change it."""
    from repbench.plugins.registry import discover

    return {"status": status, "seed": seed,
            "metrics": [{"name": "spike_auc", "value": auc}, {"name": "n_parameters", "value": 1000.0 * depth}],
            "identity": {"task": task, "method": "tcn", "profile": profile,
                         "task_params": discover().get_task(task).resolve(profile, task_params),
                         "method_params": {"depth": depth, "preset": preset, "receptive_field": 0}}}


def test_records_of_an_older_dataset_or_split_stay_out_of_the_study():
    now = _record("neuron-nmda", 1, 0.9, 0)
    fewer_data = _record("neuron-nmda", 1, 0.9, 0, train_seconds="90")  # the data-scaling axis: kept
    older = _record("neuron-nmda", 1, 0.9, 0, seconds="600", test_fraction="0.2")
    other_cell = _record("neuron-nmda", 1, 0.9, 0, cell_model="demo")
    assert under_current_settings([now, fewer_data, older, other_cell], "standard") == records_of([now, fewer_data])


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


def _write(records, root):
    """Records into a results folder, as a run leaves them."""
    import json

    for r in records:
        record = as_record(r)
        path = root / "runs" / record.profile / f"{record.task}__{record.method}__{record.key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record.to_dict()))


def test_the_claim_is_a_difference_in_depth_gains_between_the_cells(tmp_path):
    """NMDA gains 0.05 from depth 3, AMPA nothing: a difference in differences of +0.05, clear at this
    spread; with depth 3 only on one cell there is nothing to compare at that depth. The study's table is the
    claims layer's."""
    def cell(task, depth, centre):  # each configuration its own seeds, as runs draw them
        return [_record(task, depth, centre + d, 10 * depth + seed) for seed, d in enumerate((-0.002, 0.0, 0.002))]

    _write([*cell("neuron-nmda", 1, 0.90), *cell("neuron-nmda", 3, 0.95), *cell("neuron-nmda", 5, 0.95),
            *cell("neuron-ampa", 1, 0.93), *cell("neuron-ampa", 3, 0.93)], tmp_path)
    claim = claim_table("standard", tmp_path)
    assert list(claim["side"].str.extract(r"depth=(\d)")[0]) == ["3"]
    assert claim.loc[0, "diff"] == pytest.approx(0.05)
    assert claim.loc[0, "verdict"] == "holds" and claim.loc[0, "pairing"] == "unpaired"
    assert claim.loc[0, "detectable"] > claim.loc[0, "ci_high"] - claim.loc[0, "diff"]
    tied = tmp_path / "tied"
    _write([*cell("neuron-nmda", 1, 0.90), *cell("neuron-nmda", 3, 0.901), *cell("neuron-ampa", 1, 0.93),
            *cell("neuron-ampa", 3, 0.93)], tied)
    assert claim_table("standard", tied).loc[0, "verdict"] in ("inconclusive", "no meaningful difference")
    one_cell = tmp_path / "one"
    _write(cell("neuron-nmda", 1, 0.9) + cell("neuron-nmda", 3, 0.9), one_cell)
    assert claim_table("standard", one_cell).empty


def test_study_command_writes_the_profile_s_table_and_figure(tmp_path):
    import json

    from click.testing import CliRunner

    from repbench.cli import main

    for i, (depth, auc, profile) in enumerate([(1, 0.8, "quick"), (1, 0.9, "quick"), (2, 0.7, "standard")]):
        record = as_record(_record("neuron-nmda", depth, auc, i, profile=profile))
        path = tmp_path / "runs" / profile / f"neuron-nmda__tcn__{record.key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record.to_dict()))
    runner = CliRunner()
    done = runner.invoke(main, ["study", "depth", "--profile", "quick", "--results", str(tmp_path)])
    assert done.exit_code == 0, done.output
    table = (tmp_path / "neuron" / "depth_study_quick.csv").read_text()
    assert "0.85" in table and "0.7" not in table  # the quick records only
    assert (tmp_path / "plots" / "neuron_depth_study_quick.png").stat().st_size > 0
    missing = runner.invoke(main, ["study", "depth", "--profile", "paper", "--results", str(tmp_path)])
    assert missing.exit_code == 2 and "no finished tcn records" in missing.output


def test_each_depth_is_compared_with_depth_1_and_called_inconclusive_within_the_noise():
    """Seeds 0.80/0.82/0.84 at depth 1; 0.90/0.91/0.92 at depth 5 is a clear gain; 0.81/0.83/0.85 at depth 7 is
    within the noise; a test-set bootstrap SE widens every interval."""
    def rec(depth, auc, seed, boot_se=None):
        r = _record("neuron-nmda", depth, auc, 10 * depth + seed)  # each configuration its own seeds
        if boot_se is not None:
            r["metrics"].append({"name": "spike_auc_boot_se", "value": boot_se})
        return r

    records = [rec(1, a, s) for s, a in enumerate((0.80, 0.82, 0.84))]
    records += [rec(5, a, s) for s, a in enumerate((0.90, 0.91, 0.92))]
    records += [rec(7, a, s) for s, a in enumerate((0.81, 0.83, 0.85))]
    table = depth_table(records, "standard").set_index("depth")
    assert table.loc[5, "diff_vs_depth1"] == pytest.approx(0.09)
    # two comparisons in the family: the detectable difference is at Holm's first-step level 0.05 / 2
    seeds_only = welch([0.90, 0.91, 0.92], [0.80, 0.82, 0.84])
    assert table.loc[5, "min_detectable_diff"] == pytest.approx(seeds_only.detectable(0.025))
    assert table.loc[5, "verdict"] == "holds" and table.loc[5, "pairing"] == "unpaired"
    assert table.loc[7, "verdict"].startswith("inconclusive (could detect")
    assert table.loc[1, "verdict"] == ""
    noisy = [rec(d, a, s, boot_se=0.05) for d, a, s in [(1, 0.80, 0), (1, 0.84, 1), (5, 0.90, 0), (5, 0.92, 1)]]
    assert depth_table(noisy, "standard").set_index("depth").loc[5, "verdict"].startswith("inconclusive")
    clear = [rec(d, a, s, boot_se=0.002) for d, a, s in [(1, 0.80, 0), (1, 0.81, 1), (5, 0.90, 0), (5, 0.91, 1)]]
    assert depth_table(clear, "standard").set_index("depth").loc[5, "verdict"] == "holds"


def test_data_scaling_compares_depths_at_each_size_and_measures_the_growth_of_the_gap(tmp_path):
    """Depth 7's advantage grows by 0.02 per tenfold more data (0.00, 0.02, 0.04 at 9, 90 and 900 s, the last
    being the whole training split): the slope is 0.02 per decade; the verdicts follow the intervals."""
    from repbench.benchmarks.neuron.studies.scaling import growth_rates, plot, scaling_table

    def rec(depth, seconds, auc, seed, **method_params):
        r = _record("neuron-nmda", depth, auc, seed, train_seconds=str(seconds))
        r["identity"]["method_params"].update(method_params)
        r["metrics"] += [{"name": "spike_auc_boot_se", "value": 0.001},
                         {"name": "soma_explained_variance", "value": 0.5 + auc / 10}]
        return r

    records = []
    for i, seconds in enumerate((9.0, 90.0, 0.0)):  # 0: the whole training split, 900 s in the standard profile
        for seed, noise in enumerate((-0.002, 0.0, 0.002)):
            records += [rec(1, seconds, 0.80 + noise, seed), rec(7, seconds, 0.80 + 0.02 * i + noise, seed)]
    records.append(rec(3, 0.0, 0.99, 9))  # a depth the smaller sizes lack belongs to the depth study only
    records.append(rec(1, 0.0, 0.99, 9, receptive_field=153))  # the fixed-field control too
    table = scaling_table(records_of(records), "standard").set_index(["depth", "train_seconds"])
    assert sorted(set(table.index)) == [(1, 9.0), (1, 90.0), (1, 900.0), (7, 9.0), (7, 90.0), (7, 900.0)]
    assert table.loc[(7, 90.0), "diff_vs_depth1"] == pytest.approx(0.02)
    # no gain at 9 s, measured tightly enough to say so (within the declared ±0.005); a clear one at 900 s
    assert table.loc[(7, 9.0), "verdict"].startswith("no meaningful difference")
    assert table.loc[(7, 900.0), "verdict"] == "holds"
    assert table.loc[(1, 9.0), "soma_ev_mean"] == pytest.approx(0.58)
    [rate] = growth_rates(table.reset_index()).to_dict("records")
    assert rate["slope_per_decade"] == pytest.approx(0.02) and rate["slope_ci95"] == pytest.approx(0.0, abs=1e-9)
    assert plot(table.reset_index(), tmp_path / "scaling.png", "test").stat().st_size > 0
    with pytest.raises(ValueError, match="two or more"):
        scaling_table(records_of([rec(1, 0.0, 0.8, 0), rec(7, 0.0, 0.8, 0)]), "standard")  # full data only: one size


def test_the_fixed_field_control_compares_depths_at_one_receptive_field(tmp_path):
    """Depth 1 and 3 run with receptive_field=153 join the paper-rule depth 7 (45 + 6 x 18 = 153 ms) in the
    control; they stay out of the main table, whose depth-1 net sees 45 ms."""
    from repbench.benchmarks.neuron.studies.depth import fixed_field_table

    def rec(depth, auc, seed, field=0):
        r = _record("neuron-nmda", depth, auc, 10 * depth + seed)  # each configuration its own seeds
        r["identity"]["method_params"].update(kernel_first=45, kernel_rest=19, receptive_field=field)
        return r

    records = [rec(1, a, s) for s, a in enumerate((0.80, 0.82))] + [rec(7, a, s) for s, a in enumerate((0.90, 0.92))]
    records += [rec(1, a, s, field=153) for s, a in enumerate((0.88, 0.90))]
    records += [rec(3, a, s, field=153) for s, a in enumerate((0.89, 0.91))]
    main = depth_table(records, "standard").set_index("depth")
    assert sorted(main.index) == [1, 7] and main.loc[1, "mean"] == pytest.approx(0.81)
    fixed = fixed_field_table(records_of(records), "standard").set_index("depth")
    assert set(fixed["field_ms"]) == {153}
    assert fixed.loc[1, "mean"] == pytest.approx(0.89) and fixed.loc[7, "diff_vs_depth1"] == pytest.approx(0.02)
    assert fixed.loc[3, "verdict"].startswith("inconclusive")
    assert fixed_field_table(records_of(records[:4]), "standard").empty
    assert plot(main.reset_index(), tmp_path / "d.png", "t", fixed=fixed.reset_index()).stat().st_size > 0
