"""A plugin that cannot be imported: listed as unavailable, never crashes discovery."""

import repbench_no_such_dependency  # noqa: F401
