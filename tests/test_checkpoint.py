"""Mid-cell checkpoints: a cell killed mid-training resumes from its last checkpoint and gives the record an
uninterrupted run gives; a checkpoint from other code or a damaged file is never resumed."""

import json
import random

import numpy as np
import pytest
import torch

from repbench import api
from repbench.execution.checkpoints import Checkpointer
from repbench.plugins.early_stopping import BestCheckpoint
from repbench.results.record import Record
from tests.conftest import TOY


def _run(results, marker, **extra):
    return api.run("toy", "toy-resumes", profile="quick", grid={"marker": [str(marker)]}, seeds=1, jobs=1,
                   device="cpu", results=results, plugin_paths=[str(TOY)], progress=False, **extra)


def _record(results):
    (path,) = (results / "runs" / "quick").glob("toy__toy-resumes__*.json")
    record = Record.from_dict(json.loads(path.read_text()))
    return record, record.values


def test_a_killed_cell_resumes_from_its_checkpoint_and_gives_the_uninterrupted_record(tmp_path):
    marker, killed, clean = tmp_path / "died", tmp_path / "killed", tmp_path / "clean"
    first = _run(killed, marker, checkpoint_every=1e-9)
    assert first.summary.failed, "the worker should have killed itself halfway"
    assert list((killed / "checkpoints").rglob("fold0.pt")), "a killed cell keeps its checkpoint"

    _run(killed, marker, checkpoint_every=1e-9)
    record, resumed = _record(killed)
    assert record.status == "ok" and resumed["first_step"] == 10
    assert record.resumed_from[0].startswith("fold 0: step 10 (saved ")
    timings = record.timings
    assert 0 < timings.resumed_s < timings.wall_s, "wall time counts the killed attempt's, up to its checkpoint"
    assert not (killed / "checkpoints").exists(), "a stored record ends its cell's checkpoints (empty folders too)"

    _run(clean, marker)  # the marker exists: this one runs through
    record, uninterrupted = _record(clean)
    assert uninterrupted["first_step"] == 0 and record.resumed_from is None and record.timings.resumed_s is None
    assert resumed["total"] == uninterrupted["total"]  # the global random states travelled with the checkpoint


def test_no_checkpoints_when_switched_off(tmp_path):
    marker = tmp_path / "died"
    _run(tmp_path, marker, checkpoint_every=0)
    assert not (tmp_path / "checkpoints").exists()
    _run(tmp_path, marker, checkpoint_every=0)
    assert _record(tmp_path)[1]["first_step"] == 0  # started over


def test_a_checkpoint_restores_the_global_random_states(tmp_path):
    box = Checkpointer(tmp_path / "fold0.pt", {"key": "k"}, every_s=0)
    box.save({"x": torch.arange(3)}, "step 1")
    after = (random.random(), np.random.normal(), float(torch.rand(1)))
    random.seed(7), np.random.seed(7), torch.manual_seed(7)
    state = box.load()
    assert torch.equal(state["x"], torch.arange(3)) and box.resumed_from.startswith("step 1 (saved ")
    assert (random.random(), np.random.normal(), float(torch.rand(1))) == after


def test_a_resumed_fold_carries_the_wall_time_spent_before_its_checkpoint(tmp_path, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("repbench.execution.checkpoints.time.monotonic", lambda: clock[0])
    killed = Checkpointer(tmp_path / "fold0.pt", {"key": "k"})
    clock[0] += 40
    killed.save({}, "step 4")
    clock[0] += 25  # work after the checkpoint is lost with the kill, and not counted
    resumed = Checkpointer(tmp_path / "fold0.pt", {"key": "k"})
    resumed.load()
    clock[0] += 10
    assert resumed.earlier_s == 40 and resumed.elapsed_s() == 50
    resumed.save({}, "step 5")
    again = Checkpointer(tmp_path / "fold0.pt", {"key": "k"})
    again.load()
    assert again.earlier_s == 50  # a second kill adds up


def test_a_checkpoint_of_other_code_or_a_damaged_one_is_not_resumed(tmp_path):
    path = tmp_path / "fold0.pt"
    Checkpointer(path, {"key": "k", "sources": {"a.py": "1"}}).save({"step": 5}, "step 5")
    with pytest.warns(UserWarning, match="written by other code or for another cell"):
        assert Checkpointer(path, {"key": "k", "sources": {"a.py": "2"}}).load() is None
    path.write_bytes(b"not a checkpoint")  # e.g. a torch.save from another version cut short
    with pytest.warns(UserWarning, match="unreadable checkpoint"):
        assert Checkpointer(path, {"key": "k"}).load() is None


class _AllStates(BestCheckpoint):
    """The selection rule without pruning: every state kept (what BestCheckpoint did before it pruned)."""

    def update(self, score, step, module):
        signed = self.sign * float(score)
        improved = not self._states or signed > max(s for s, _, _ in self._states)
        self.history.append((step, float(score)))
        self.stale = 0 if improved else self.stale + 1
        if improved or self.tolerance > 0:
            if self.tolerance == 0:
                self._states.clear()
            self._states.append((signed, step, {"w": torch.tensor(float(step))}))
        return improved


@pytest.mark.parametrize("tolerance", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("higher", [True, False])
def test_pruned_selection_equals_keeping_every_state(tolerance, higher):
    """BestCheckpoint keeps only the states that can still be selected; it must select what keeping all does."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        scores = np.round(np.cumsum(rng.normal(0.2, 1.0, 30)), 1)  # ties included
        pruned, full = BestCheckpoint(higher, tolerance), _AllStates(higher, tolerance)
        for step, score in enumerate(scores):
            module = torch.nn.Linear(1, 1, bias=False)
            module.weight.data.fill_(float(step))
            pruned.update(score, step, module)
            full.update(score, step, module)
            assert (pruned.step, pruned.score, pruned.stale) == (full.step, full.score, full.stale)
        kept = [s for s, _, _ in pruned._states]
        assert kept == sorted(kept, reverse=True) and len(set(kept)) == len(kept) and len(kept) <= len(full._states)


def test_a_forced_rerun_starts_over(tmp_path):
    marker = tmp_path / "died"
    _run(tmp_path, marker, checkpoint_every=1e-9)  # killed halfway, checkpoint kept
    _run(tmp_path, marker, checkpoint_every=1e-9, force=True)
    assert _record(tmp_path)[1]["first_step"] == 0


def test_a_checkpoint_that_cannot_be_written_warns_and_the_fit_goes_on(tmp_path):
    (tmp_path / "file").write_text("")
    box = Checkpointer(tmp_path / "file" / "fold0.pt", {}, every_s=0)  # its folder cannot be made
    with pytest.warns(UserWarning, match="not resumable"):
        box.save({"step": 1}, "step 1")
    assert not box.due()


def test_the_fingerprint_covers_the_core_and_the_plugin_family_sources():
    from repbench.execution.checkpoints import fingerprint
    from repbench.plugins.registry import discover

    registry = discover()
    sources = fingerprint("k", (registry.get_task("mnist-rot"), registry.get_method("cai")))["sources"]
    for name in ("repbench:plugins/early_stopping.py", "repbench.methods.invariance:trainer.py",
                 "repbench.benchmarks.invariance:data/images.py"):
        assert name in sources
