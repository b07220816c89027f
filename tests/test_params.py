import math

import pytest

from repbench.plugins.params import Param, ParamError, did_you_mean, resolve_params


@pytest.mark.parametrize(
    ("param", "given", "expected"),
    [
        (Param(3), "7", 7),
        (Param(3), 7.0, 7),
        (Param(0.5), "1e-3", 1e-3),
        (Param(True), "false", False),
        (Param(True), "1", True),
        (Param("a"), 5, "5"),
        (Param((800, 800)), "500x250x30", (500, 250, 30)),
        (Param((0.1, 1.0)), [1, 2], (1.0, 2.0)),
        (Param(None, nullable=True), "none", None),
    ],
)
def test_coercion(param, given, expected):
    assert param.validate("p", given) == expected


@pytest.mark.parametrize(
    ("param", "given", "message"),
    [
        (Param(3), "3.5", "cannot read '3.5' as int"),
        (Param(3), True, "cannot read True as int"),
        (Param(True), "maybe", "as bool"),
        (Param(1.0, low=0.0), -1, "below its minimum"),
        (Param(1.0, high=2.0), 3, "above its maximum"),
        (Param((1, 2), low=1), "4x0", "below its minimum"),
        (Param("cd", choices=("cd", "reba")), "pcd", "not one of"),
        (Param(1.0), math.nan, "must be finite"),
        (Param(1.0), None, "may not be None"),
    ],
)
def test_rejections_say_what_is_wrong(param, given, message):
    with pytest.raises(ParamError, match=message):
        param.validate("p", given)


def test_resolve_layers_in_order_and_suggests_names():
    schema = {"lr": Param(0.1), "epochs": Param(10, low=1)}
    assert resolve_params("m", schema, {"lr": "0.5"}, {"epochs": "3"}) == {"lr": 0.5, "epochs": 3}
    assert resolve_params("m", schema, {"epochs": 3}, {"epochs": 5})["epochs"] == 5
    with pytest.raises(ParamError, match="Did you mean 'epochs'"):
        resolve_params("m", schema, {"epoch": 3})


def test_did_you_mean_prefers_close_names_then_the_nearest():
    assert did_you_mean("mpl", ["mlp", "logreg"]) == " Did you mean 'mlp'?"
    assert did_you_mean("nosuch", ["mlp", "logreg"]).startswith(" Nearest names: ")
    assert did_you_mean("x", []) == ""
