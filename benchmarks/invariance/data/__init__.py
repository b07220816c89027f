"""Data loading: rotated / eroded / dilated digits (images.py) and UCI Adult and German (tabular.py)."""
