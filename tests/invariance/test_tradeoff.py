"""The trade-off study: configurations grouped by stage and parameters, and tuned methods tested against `nn`."""


import numpy as np
import pytest

from repbench.benchmarks.invariance.studies.tradeoff import (
    finals_markdown,
    forgetting_versus_others,
    plot,
    stage_of,
    tradeoff_table,
    versus_baseline,
    versus_least_leaky,
)
from repbench.benchmarks.invariance.studies.tradeoff import (
    seed_rows as _seed_rows,
)
from tests.conftest import as_record, records_of


def seed_rows(records, *args, **kwargs):
    return _seed_rows(records_of(records), *args, **kwargs)

def _record(method, y, s, seed, params=None, stage="fixed", status="ok", task="adult", shifted=None, **task_params):
    values = {"y_acc": y, "s_acc_mlp": s, "s_majority": 60.0, **(shifted or {})}
    metrics = [{"name": n, "value": v} for n, v in values.items()]
    identity = {"task": task, "method": method, "method_params": params or {}, "profile": "standard",
                "replicate": seed}
    if stage == "trial":
        identity["stage"] = "trial"
    elif stage == "tuned":
        identity["tuning"] = {"trials": 8}
    if task_params:
        identity["task_params"] = task_params
    return {"status": status, "seed": seed, "metrics": metrics, "identity": identity}


def test_tradeoff_table_groups_methods_by_delta(tmp_path):
    records = [_record("nn", 85.0, 80.0, 1), _record("nn", 83.0, 78.0, 2),
               _record("cai", 84.0, 70.0, 1, {"delta": 1.0}), _record("cai", 80.0, 62.0, 1, {"delta": 10.0}),
               _record("cai", 82.0, 64.0, 2, {"delta": 10.0})]
    table = tradeoff_table(seed_rows(records, "standard", "mlp"))
    nn = table[table["method"] == "nn"].iloc[0]
    assert np.isnan(nn["delta"]) and nn["n_seeds"] == 2 and nn["y_acc"] == 84.0 and nn["s_acc_mlp"] == 79.0
    assert nn["leak"] == 19.0  # above the majority rate of 60
    cai = table[table["method"] == "cai"].set_index("delta")
    assert cai.loc[10.0, "y_acc"] == 81.0 and cai.loc[1.0, "n_seeds"] == 1
    assert list(cai["config"]) == ["delta=1", "delta=10"]
    assert plot(table, tmp_path / "front.png", "mlp", "test").stat().st_size > 0


def test_trials_and_finals_are_separate_rows_named_by_what_was_tuned(tmp_path):
    trial = {"delta": 0.5, "lr": 1e-3, "steps": 10000, "patience": 10}
    final = {**trial, "steps": 30000}  # the budget differs by design, so it does not name the configuration
    records = [_record("cai", 84.0, 70.0, 0, trial, "trial"), _record("cai", 83.0, 65.0, 0, {**trial, "delta": 5.0},
                                                                     "trial"),
               *(_record("cai", 84.0 + i, 68.0, i, final, "tuned", status=st) for i, st in
                 enumerate(("ok", "ok", "degenerate")))]
    table = tradeoff_table(seed_rows(records, "standard", "mlp"))
    assert list(table["stage"]) == ["trial", "trial", "tuned"]
    assert list(table["config"]) == ["delta=0.5", "delta=5", "delta=0.5"]
    tuned = table.iloc[2]
    assert tuned["n_seeds"] == 3 and tuned["n_degenerate"] == 1  # a collapsed seed counts against its method
    assert plot(table, tmp_path / "front.png", "mlp", "test").stat().st_size > 0


def test_stage_comes_from_the_tuners_identity_fields():
    def of(**identity):
        return as_record({"identity": {"task": "adult", "method": "nn", **identity}})

    assert stage_of(of(stage="trial")) == "trial"
    assert stage_of(of(tuning={"trials": 8})) == "tuned"
    assert stage_of(of()) == "fixed"


def _finals(rng_seed: int, means: dict[str, tuple[float, float]], seeds: int = 5) -> list[dict]:
    """Tuned finals of each method at (y, s) means, with independent N(0, 0.1) noise per seed; each method its
    own seeds, as runs draw them (shared seeds would be compared paired)."""
    rng = np.random.default_rng(rng_seed)
    return [_record(method, y + rng.normal(0, 0.1), s + rng.normal(0, 0.1), 1000 * i + seed, stage="tuned")
            for seed in range(seeds) for i, (method, (y, s)) in enumerate(means.items())]


def test_a_clear_leak_reduction_holds_and_a_tight_tie_is_no_meaningful_difference():
    records = _finals(0, {"nn": (85.0, 75.0), "cai": (85.0, 61.0)})
    records += [_record("cai", 50.0, 90.0, seed, stage="trial") for seed in range(5)]  # trials never enter
    frame = seed_rows(records, "standard", "mlp")
    table = versus_baseline(frame).set_index("metric")
    finals = frame[frame["stage"] == "tuned"].groupby("method")["s_acc"].mean()
    assert table.loc["s_acc_mlp", "verdict"] == "holds"
    assert table.loc["s_acc_mlp", "diff"] == pytest.approx(finals["cai"] - finals["nn"])  # about -14
    assert table.loc["y_acc", "verdict"] == "no meaningful difference (within ±1 point)"  # 85 vs 85 under 0.1 noise
    assert table.loc["y_acc", "min_detectable"] > abs(table.loc["y_acc", "diff"])


def test_shifted_test_accuracies_are_compared_in_their_own_holm_family():
    rng = np.random.default_rng(1)
    records = []
    for seed in range(5):
        noise = rng.normal(0, 0.2, 4)
        records += [_record("nn", 95.0 + noise[0], 70.0 + noise[3], seed, stage="tuned", task="mnist-rot",
                            shifted={"y_acc_pm55": 90.0 + noise[1], "y_acc_dilated4": 57.0 + noise[2]}),
                    _record("adv-forgetting", 95.0 + noise[3], 40.0 + noise[0], 100 + seed, stage="tuned",
                            task="mnist-rot",
                            shifted={"y_acc_pm55": 80.0 + noise[2], "y_acc_dilated4": 57.0 + noise[1]})]
    frame = seed_rows(records, "standard", "mlp")
    table = versus_baseline(frame).set_index("metric")
    assert set(table["family"]) == {"main", "shifted"}
    assert table.loc["y_acc_pm55", "verdict"] == "fails (the opposite is significant)"
    assert table.loc["y_acc_pm55", "diff"] == pytest.approx(-10.0, abs=0.3)
    assert table.loc["y_acc_dilated4", "verdict"].startswith("inconclusive")
    # Holm runs per family: each family here holds two tests, so the smaller p is doubled, not quadrupled
    shifted = table[table["family"] == "shifted"]
    assert shifted["p_holm"].min() == pytest.approx(min(2 * shifted["p"].min(), 1.0))
    summary = tradeoff_table(frame).set_index("method")
    assert summary.loc["adv-forgetting", "y_acc_pm55"] == pytest.approx(80.0, abs=0.3)


def test_the_claim_table_sets_forgetting_against_every_other_method():
    records = _finals(2, {"adv-forgetting": (85.0, 62.0), "cai": (85.0, 70.0), "nn": (85.0, 61.0)})
    table = forgetting_versus_others(seed_rows(records, "standard", "mlp"))
    assert set(table["method"]) == {"adv-forgetting"} and set(table["against"]) == {"cai", "nn"}
    s_rows = table[table["metric"] == "s_acc_mlp"].set_index("against")
    assert s_rows.loc["cai", "verdict"] == "holds"  # forgetting's code leaks 8 points less than CAI's
    assert s_rows.loc["cai", "diff"] == pytest.approx(-8.0, abs=0.3)
    assert s_rows.loc["nn", "verdict"] == "fails (the opposite is significant)"


def test_each_method_is_tested_against_its_tasks_least_leaky_method():
    records = _finals(4, {"nn": (85.0, 75.0), "cai": (84.0, 61.0), "nn-mmd": (84.5, 61.05)})
    records += [{**r, "identity": {**r["identity"], "task": "mnist-rot"}}
                for r in _finals(5, {"nn": (95.0, 70.0), "uai": (95.0, 65.0)}, seeds=3)]
    records.append(_record("vfae", 80.0, 50.0, 0, stage="tuned"))  # leaks least, but one final cannot be tested
    frame = seed_rows(records, "standard", "mlp")
    table = versus_least_leaky(frame)
    adult = frame[(frame["task"] == "adult") & (frame["method"] != "vfae")].groupby("method")["s_acc"].mean()
    assert set(table.loc[table["task"] == "adult", "against"]) == {adult.idxmin()}  # cai or nn-mmd, by the noise
    assert set(table.loc[table["task"] == "mnist-rot", "against"]) == {"uai"}
    s_rows = table[table["metric"] == "s_acc_mlp"].set_index(["task", "method"])
    assert s_rows.loc[("adult", "nn"), "verdict"] == "fails (the opposite is significant)"
    tied = ({"cai", "nn-mmd"} - {adult.idxmin()}).pop()
    # 0.05 points apart under 0.1 noise: equivalent within the declared ±1 point
    assert s_rows.loc[("adult", tied), "verdict"] == "no meaningful difference (within ±1 point)"
    assert s_rows.loc[("mnist-rot", "nn"), "diff"] == pytest.approx(5.0, abs=0.3)
    assert versus_least_leaky(seed_rows(records[:3], "standard", "mlp")).empty  # one seed of each adult method


def test_the_docs_tables_show_each_tuned_final_with_its_verdicts():
    rng = np.random.default_rng(3)
    records = []
    for seed in range(5):
        noise = rng.normal(0, 0.2, 3)
        records += [_record("nn", 95.0 + noise[0], 70.0 + noise[1], seed, {"lr": 1e-4}, stage="tuned",
                            task="mnist-rot", shifted={"y_acc_pm55": 90.0 + noise[2]}),
                    _record("nn-mmd", 95.0 + noise[1], 45.0 + noise[2], seed, {"beta": 27.0, "lr": 1e-4},
                            stage="tuned", task="mnist-rot", shifted={"y_acc_pm55": 85.0 + noise[0]})]
    for r in records:
        r["identity"]["tuning"]["params"] = ["lr"] if r["identity"]["method"] == "nn" else ["beta", "lr"]
    frame = seed_rows(records, "standard", "mlp")
    text = finals_markdown(frame, versus_baseline(frame))
    lines = text.splitlines()
    assert lines[0] == "### mnist-rot"
    mmd = next(line for line in lines if line.startswith("| `nn-mmd` (beta 27, lr 0.0001) | 5 |"))
    assert "**holds**" in mmd and "−25" in mmd  # 45 % against 70 %
    shifted = [line for line in lines if line.startswith("| `nn-mmd` |")][-1]
    diff = float(shifted.split("(")[1].split(",")[0].replace("−", "-"))
    assert diff == pytest.approx(-5.0, abs=0.5)  # 85 % against 90 % at ±55°
    assert "**fails (the opposite is significant)**" in shifted
    assert any(line.startswith("| method | y_acc_pm55 |") for line in lines)
    assert "| method | degenerate seeds |" in lines and "| `nn-mmd` | 0 |" in lines


def test_the_docs_side_table_holds_the_other_probe_the_gaps_and_collapsed_seeds():
    def final(method, seed, status="ok"):
        side = {"s_acc_logreg": 61.0 + seed, "dp_diff": 0.1, "eo_diff": 0.2}
        return _record(method, 80.0 + seed, 70.0 - seed, seed, stage="tuned", status=status, shifted=side)

    records = [final("nn", seed) for seed in range(3)] + [final("cai", seed, ("ok", "degenerate")[seed % 2])
                                                           for seed in range(3)]
    frame = seed_rows(records, "standard", "mlp")
    lines = finals_markdown(frame, versus_baseline(frame)).splitlines()
    assert "| method | s-acc, logreg probe (%) | DP gap | EO gap | degenerate seeds |" in lines
    assert "| `cai` | 62.0 ± 2.5 | 0.10 | 0.20 | 1 |" in lines  # logreg 61, 62, 63: 2.48 the t half-width


def test_a_method_with_one_final_so_far_is_shown_but_not_tested():
    def final(method, y, s, seed):
        return _record(method, y, s, seed, stage="tuned", task="mnist-rot", shifted={"y_acc_pm55": y - 5})

    records = [final("nn", 85.0 + seed, 75.0 - seed, seed) for seed in range(3)]
    records += [final("cai", 80.0, 61.0, 0), final("nn-mmd", 84.0, 60.0, 0), final("nn-mmd", 85.0, 62.0, 1)]
    frame = seed_rows(records, "standard", "mlp")
    table = versus_baseline(frame)
    assert set(table["method"]) == {"nn-mmd"} and table["min_detectable"].notna().all()
    lines = finals_markdown(frame, table).splitlines()
    cai = [line.split(" | ") for line in lines if line.startswith("| `cai`")]
    assert cai[0][1:5] == ["1", "80.00", "61.00", ""]  # one seed: its values, no difference or verdict
    assert cai[-1] == ["| `cai`", "75.00 |"]  # and its shifted accuracy bare


def test_the_comparison_needs_tuned_nn():
    with pytest.raises(ValueError, match="tuned finals"):
        versus_baseline(seed_rows([_record("cai", 85.0, 61.0, 0, stage="tuned")], "standard", "mlp"))


def test_a_study_reads_only_records_of_the_tasks_current_settings():
    from repbench.plugins.registry import discover
    from repbench.results.frames import current_protocol

    now = discover().get_task("adult").resolve("standard", {})
    current = as_record(_record("nn", 85.0, 70.0, 0, **now))
    older = as_record(_record("nn", 85.0, 70.0, 0, **{k: v for k, v in now.items() if k != "select_margin"}))
    assert current_protocol([current, older], "standard", ["adult"]) == [current]
