"""Floor 1, the plugin contract: declared parameters (`params`), the Task/Method/Kind/Metric base classes
(`base`), the shared classification kind (`kinds`), run profiles, the registry and discovery, early stopping's
bookkeeping for trainers (`early_stopping`) and device selection. Imports nothing else of repbench.
"""
