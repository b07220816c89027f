"""The claims layer: claims declared in the recipes, decided on records by the statistics layer, in one table
that the README's verdicts are checked against."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repbench.analysis.statistics import PairwiseAUC
from repbench.execution import recipes
from repbench.execution.cell import reflag_kfold
from repbench.results.record import Status, Validation
from repbench.results.store import ResultStore
from repbench.studies.claims import claims_of, claims_table, compare_records, side_records
from tests.conftest import as_record

ROOT = Path(__file__).resolve().parents[1]


def _record(task, method, value, seed, metric="spike_auc", **params):
    from repbench.plugins.registry import discover

    return as_record({"status": "ok", "seed": seed, "metrics": [{"name": metric, "value": value}],
                      "identity": {"task": task, "method": method, "profile": "standard",
                                   "task_params": discover().get_task(task).resolve("standard", {}),
                                   "method_params": params}})


def test_every_recipe_s_claims_parse_against_the_registry():
    claims = {paper: claims_of(paper) for paper in recipes.available()}
    assert all(claims.values())
    texts = " | ".join(c.text for cs in claims.values() for c in cs)
    for needed in ("REBA pretrains better than mean-field CD-1", "REBA pretrains better than sampled CD-1",
                   "beats training from scratch", "the deeper net", "the NMDA cell needs depth",
                   "one hidden layer suffices for the AMPA-only cell", "gains more on the NMDA cell",
                   "linear-nonlinear", "leaks less of s than nn", "leaks less of s than cai",
                   "leaks less of s than uai", "leaks less of s than nn-mmd", "leaks less of s than vfae",
                   "at unseen angles", "removes bias on Adult"):
        assert needed in texts, needed
    for cs in claims.values():
        for c in cs:
            assert c.margin > 0 and c.margin_why


def test_a_side_naming_two_configurations_is_an_error():
    records = [_record("neuron-nmda", "tcn", 0.9, s, depth=1, receptive_field=rf) for s, rf in ((1, 0), (2, 153))]
    from repbench.studies.claims import Side

    with pytest.raises(ValueError, match="receptive_field"):
        side_records(records, Side("neuron-nmda", "tcn", {"depth": 1}))
    assert len(side_records(records, Side("neuron-nmda", "tcn", {"depth": 1, "receptive_field": 0}))) == 1


def test_records_with_item_scores_are_compared_paired(tmp_path):
    """Two depths scored on the same 30 test trials: depth 7 ranks each trial's spikes a little better. With the
    trials' item scores kept, the comparison is paired over them; without, it is unpaired."""
    rng = np.random.default_rng(0)
    labels = rng.random((30, 300)) < 0.05
    base = rng.random((30, 300)) + labels * rng.uniform(0.2, 1.0, (30, 1))
    store = ResultStore(tmp_path)
    sides = []
    for depth, shift in ((1, 0.0), (7, 0.05)):
        side = []
        for seed in range(3):
            scores = base + shift * labels + rng.normal(0, 0.005, base.shape)
            items = PairwiseAUC.from_scores(scores, labels)
            record = _record("neuron-nmda", "tcn", float(items.value(np.ones((1, 30)))[0]), 10 * depth + seed,
                             depth=depth, receptive_field=0)
            record.item_scores = [{"spike_auc": items}]
            store.write(record)
            side.append(record)
        sides.append(side)
    paired = compare_records(sides[1], sides[0], "spike_auc", store)
    unpaired = compare_records(sides[1], sides[0], "spike_auc", None)
    assert "paired bootstrap (test items)" in paired.test and unpaired.test == "welch t (seeds)"
    assert paired.diff == pytest.approx(unpaired.diff) and paired.diff > 0
    assert paired.se >= unpaired.se  # the test items' noise is added, not ignored
    assert paired.p() < 0.05
    reread = store.item_scores(next(store.records()))
    assert reread["spike_auc"].n_items == 30


def test_the_committed_claims_table_is_current():
    """results/claims_standard.csv is what `repbench claims --profile standard` makes of the committed
    records (regenerate it when records land)."""
    committed = pd.read_csv(ROOT / "results" / "claims_standard.csv")
    fresh = claims_table("standard", None, ROOT / "results")
    assert list(committed["claim"]) == list(fresh["claim"])
    assert list(committed["verdict_text"]) == list(fresh["verdict_text"])
    np.testing.assert_allclose(committed["diff"], fresh["diff"], rtol=1e-3, atol=1e-6)


def test_the_readme_and_docs_numbers_are_generated_from_the_records():
    """The README's cost and "what we measured" cells and each paper page's claims table are generated blocks:
    rendering them anew from the committed records and claims table changes nothing."""
    from repbench.studies import docs

    table = pd.read_csv(ROOT / "results" / "claims_standard.csv")
    blocks = 0
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        blocks += len(docs.BLOCK.findall(text))
        assert docs.refresh(text, table, "standard", ROOT / "results") == text, \
            f"{path.name} drifted: run `repbench claims --profile standard --update-docs .`"
    assert blocks >= 9  # cost and measured per paper in the README, a claims table per paper page


def test_shared_seeds_are_matched_by_seed_whatever_the_order():
    """Each seed moves both sides alike (a shared data draw): paired by seed the +0.01 gain is exact; the
    records' order must not matter."""
    base = {1: 0.80, 2: 0.90, 3: 0.85, 4: 0.95}
    a = [_record("neuron-nmda", "tcn", v + 0.01, s, depth=7) for s, v in base.items()]
    b = [_record("neuron-nmda", "tcn", v, s, depth=1) for s, v in reversed(base.items())]
    d = compare_records(a, b, "spike_auc")
    assert d.test == "paired t (seeds)" and d.diff == pytest.approx(0.01) and d.se == pytest.approx(0, abs=1e-12)


def test_kfold_records_are_reflagged_once_and_say_so():
    record = _record("german", "nn", 75.0, 1, metric="y_acc")
    record.folds = [{"y_acc": 75.0}] * 5
    record.status = Status.DEGENERATE
    record.validation = Validation("y_acc", 75.0, baseline=70.0, baseline_name="majority", margin=7.25)
    assert reflag_kfold(record, True, "abc")
    assert record.status is Status.OK and record.validation.margin == pytest.approx(7.25 / math.sqrt(5))
    assert record.amended[0]["old_status"] == "degenerate" and record.amended[0]["by_commit"] == "abc"
    assert not reflag_kfold(record, True, "abc")  # once only
    assert json.loads(json.dumps(record.to_dict()))["amended"][0]["new_status"] == "ok"
