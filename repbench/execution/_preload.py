"""Run once inside the forkserver: tie its life to the run's, then load plugins, libraries (with the part of
torch its optimisers import on first use) and the installed-distributions map (provenance) for workers.

Workers hold a copy of the forkserver's 'alive' pipe, so the forkserver would outlive a killed run (and
keep its workers) without the parent-death signal set here.
"""

import torch._dynamo  # noqa: F401 - torch imports it when the first optimizer is built: ~2 s a cell otherwise

from repbench.execution.executors import die_with_parent
from repbench.plugins.registry import discover
from repbench.results.provenance import module_distributions

die_with_parent()
discover()
module_distributions()
