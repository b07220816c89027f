"""`python -m repbench` is the `repbench` command."""

from repbench.cli import main

main()
