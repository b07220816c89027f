"""Imported once by the forkserver so that every cell's worker starts with plugins and libraries loaded."""

from repbench.registry import discover

discover()
