import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from repbench.figures import save_figure  # noqa: E402


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
