"""Task plugins: datasets, protocols, metrics and paper-reported values (installed as repbench.benchmarks)."""
