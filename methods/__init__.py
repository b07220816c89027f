"""Method plugins (installed as repbench.methods)."""
