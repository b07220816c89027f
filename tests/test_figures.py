import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from repbench.analysis.figures import error_bars, save_figure  # noqa: E402


def _figure():
    fig, ax = plt.subplots()
    ax.fill_between([0, 1, 2], [0, 1, 0], alpha=0.3)  # a clipped patch: SVG ids would be random
    ax.plot([0, 1, 2], [1, 0, 1], label="line")
    ax.legend()
    return fig


def test_a_redrawn_figure_is_byte_identical(tmp_path):
    """Rebuilt studies must not show in `git diff` unless what they draw changed."""
    first, second = tmp_path / "a" / "fig.png", tmp_path / "b" / "fig.png"
    save_figure(_figure(), first)
    save_figure(_figure(), second)
    for suffix in (".png", ".svg"):
        assert first.with_suffix(suffix).read_bytes() == second.with_suffix(suffix).read_bytes()
    assert b"<dc:date>" not in first.with_suffix(".svg").read_bytes()


def test_error_bars_stop_at_the_ends_of_the_scale():
    """A 2-seed interval of a percentage near 75 % reaches past 100; the bar must stop there (and at 0 below)."""
    bars = error_bars([74.5, 50.0, 3.0, 20.0], [35.0, 2.0, math.nan, 30.0], 0.0, 100.0)
    np.testing.assert_allclose(bars, [[35.0, 2.0, 0.0, 20.0], [25.5, 2.0, 0.0, 30.0]])
    np.testing.assert_allclose(error_bars([0.99, -0.5], [0.05, 0.4], -np.inf, 1.0), [[0.05, 0.4], [0.01, 0.4]])
