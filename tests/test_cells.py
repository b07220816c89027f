import pytest

from repbench.execution.planning import expand_cells, parse_grid
from repbench.plugins.params import ParamError
from repbench.plugins.registry import RegistryError
from repbench.results.record import Cell


def test_parse_grid():
    assert parse_grid(["depth=1,2,3", "method.lr=0.1", "depth=4"]) == {
        "depth": ["1", "2", "3", "4"], "method.lr": ["0.1"],
    }
    for bad in ("depth", "=1", "depth="):
        with pytest.raises(ParamError, match="NAME=V1,V2"):
            parse_grid([bad])


def test_grid_times_methods_times_seeds(registry):
    cells = expand_cells(registry, "quick", ["toy"], ["toy-ok", "toy-raises"], {"shift": ["0", "0.5", "1"]}, seeds=2)
    assert len(cells) == 2 * 3 * 2
    assert {c.method_params["shift"] for c in cells} == {0.0, 0.5, 1.0}
    assert len({c.key for c in cells}) == len(cells)
    assert len({c.seed for c in cells}) == len(cells)


def test_seeds_are_deterministic_and_follow_identity(registry):
    first = expand_cells(registry, "quick", ["toy"], ["toy-ok"], seeds=3)
    again = expand_cells(registry, "quick", ["toy"], ["toy-ok"], seeds=3)
    assert [c.seed for c in first] == [c.seed for c in again]
    cell = first[0]
    changed = Cell(cell.task, cell.task_version, cell.task_params, cell.method, cell.method_version,
                   {**cell.method_params, "shift": 0.25}, cell.profile, cell.replicate)
    assert changed.key != cell.key and changed.seed != cell.seed
    assert Cell(**{**cell.identity()}).key == cell.key  # identity round-trips through JSON
    assert 0 <= cell.seed < 2**32


def test_grid_applies_only_to_who_declares_the_parameter(registry):
    cells = expand_cells(registry, "quick", ["toy"], ["toy-ok", "toy-sleeps"], {"seconds": ["1", "2"]}, seeds=1)
    assert sorted(c.method for c in cells) == ["toy-ok", "toy-sleeps", "toy-sleeps"]
    task_cells = expand_cells(registry, "quick", ["toy"], ["toy-ok"], {"task.gap": ["1", "2"]}, seeds=1)
    assert sorted(c.task_params["gap"] for c in task_cells) == [1.0, 2.0]


def test_grid_mistakes_fail_before_anything_runs(registry):
    with pytest.raises(ParamError, match="Did you mean 'shift'"):
        expand_cells(registry, "quick", ["toy"], ["toy-ok"], {"shfit": ["1"]})
    with pytest.raises(ParamError, match="cannot read 'abc' as float"):
        expand_cells(registry, "quick", ["toy"], ["toy-ok"], {"shift": ["abc"]})
    with pytest.raises(ParamError, match="prefix"):
        expand_cells(registry, "quick", ["toy"], ["toy-ok"], {"solver.shift": ["1"]})
    with pytest.raises(ParamError, match="at least 1"):
        expand_cells(registry, "quick", ["toy"], ["toy-ok"], seeds=0)


def test_profiles_and_kinds_decide_the_pairs(registry):
    cells = expand_cells(registry, "quick", ["digits"], None, seeds=1)
    assert {c.method for c in cells} >= {"logreg", "mlp"}
    assert {c.method_params["max_epochs"] for c in cells if c.method == "mlp"} == {100}  # quick override
    with pytest.raises(RegistryError, match="Did you mean 'toy-ok'"):
        expand_cells(registry, "quick", ["toy"], ["toy-k"])
