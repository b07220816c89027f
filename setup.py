"""Package discovery (everything else is in pyproject.toml). The suite's plugin trees sit at the top of the
repository (benchmarks/, methods/) but install under `repbench.`, so no generic top-level name such as
`methods` lands in site-packages; pyproject.toml's `packages.find` cannot prefix what it finds, so the few
lines below do: every package under each tree, found anew at each install (a new family folder needs no
edit here). In an editable install new files dropped into methods/ are picked up without reinstalling."""

from setuptools import find_packages, setup

TREES = {"repbench": "repbench", "repbench.benchmarks": "benchmarks", "repbench.methods": "methods"}

setup(
    package_dir=TREES,
    packages=[f"{name}.{sub}".rstrip(".") for name, folder in TREES.items() for sub in ["", *find_packages(folder)]],
)
