"""What the families' study scripts share: write a summary table and a figure under results/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


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
