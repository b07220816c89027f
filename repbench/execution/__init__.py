"""Floor 5, running: the one planner (`planning`: sweeps, plans, dry-run listings), tuning trials and selection,
one cell in a process (`cell`), the executors that run many (processes, Dask), mid-cell checkpoints, paper
recipes, and `batch`, which carries a plan out and stores every record.
"""
