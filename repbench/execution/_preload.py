"""Run once inside the forkserver: tie its life to the run's, then load plugins and libraries for workers.

Workers hold a copy of the forkserver's 'alive' pipe, so the forkserver would outlive a killed run (and
keep its workers) without the parent-death signal set here.
"""

from repbench.execution.executors import die_with_parent
from repbench.plugins.registry import discover

die_with_parent()
discover()
