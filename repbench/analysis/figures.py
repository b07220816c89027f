"""What the families' studies share: where their outputs go, and writing a summary table and a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def study_paths(family: str, name: str, profile: str, results: Path | None = None) -> tuple[Path, Path]:
    """results/<family>/<name>_<profile>.csv and results/plots/<family>_<name>_<profile>.png (with an .svg
    beside it): the profile in the name, so a quick run never overwrites the standard study."""
    from repbench.data.paths import results_dir

    root = Path(results) if results is not None else results_dir()
    return root / family / f"{name}_{profile}.csv", root / "plots" / f"{family}_{name}_{profile}.png"


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """CSV with 4 significant digits, also printed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format="%.4g")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    return path


def difference_text(diff: float, low: float, high: float) -> str:
    """A difference with its interval as a table shows it: "+0.258 (+0.176 to +0.34)", true minus signs."""
    text = f"{diff:+.3g}" if not np.isfinite(low) else f"{diff:+.3g} ({low:+.3g} to {high:+.3g})"
    return text.replace("-", "−")


def p_text(p: float) -> str:
    """A p-value as a table shows it: three decimals, "<0.001" below, blank when there was no test."""
    return "" if not np.isfinite(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def reference_lines(ax: Any, references: list[tuple[str, float]], horizontal: bool = True) -> None:
    """Published values as labelled dashed lines (their labels say whether they are comparable)."""
    styles = ("--", ":", "-.")
    for i, (label, value) in enumerate(references):
        line = ax.axhline if horizontal else ax.axvline
        line(value, color="0.35", ls=styles[i % len(styles)], lw=1, label=label)


def error_bars(mean: Any, half: Any, low: float, high: float) -> np.ndarray:
    """Error bars (below, above) of mean ± half cut at the metric's scale [low, high]: a few seeds' t-interval
    can reach past an AUC's 1 or a percentage's 100, which says nothing and stretches the axis. A missing
    half-width (one seed) draws no bar."""
    mean = np.asarray(mean, dtype=float)
    half = np.nan_to_num(np.asarray(half, dtype=float))
    return np.vstack([np.minimum(half, mean - low), np.minimum(half, high - mean)])


def save_figure(fig: Any, path: Path) -> Path:
    """A matplotlib figure as a 120-dpi PNG and a vector SVG beside it, cropped to what is drawn (titles and
    legends outside the axes included); the figure is closed. Both files are byte-stable (no date, fixed SVG
    ids, PNG metadata fixed), so a rebuilt figure shows in `git diff` only when what it draws changed."""
    import matplotlib
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight", metadata={"Software": None})
    with matplotlib.rc_context({"svg.hashsalt": path.stem}):
        fig.savefig(path.with_suffix(".svg"), bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return path
