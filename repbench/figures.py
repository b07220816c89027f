"""What the families' studies share: where their outputs go, and writing a summary table and a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def study_paths(family: str, name: str, profile: str, results: Path | None = None) -> tuple[Path, Path]:
    """results/<family>/<name>_<profile>.csv and results/plots/<family>_<name>_<profile>.png: the profile in the
    name, so a quick run never overwrites the standard study."""
    from repbench.paths import results_dir

    root = Path(results) if results is not None else results_dir()
    return root / family / f"{name}_{profile}.csv", root / "plots" / f"{family}_{name}_{profile}.png"


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """CSV with 4 significant digits, also printed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format="%.4g")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    return path


def save_figure(fig: Any, path: Path) -> Path:
    """A matplotlib figure as a 120-dpi PNG; the figure is closed."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
