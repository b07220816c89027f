"""Write a file so that readers see the old content or the new one, never half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_write(path: Path, mode: str = "w") -> Iterator[IO]:
    """A handle on a temporary file beside `path`; on success it is fsynced and renamed onto `path`. An
    exception leaves `path` untouched and removes the temporary file; a kill may leave a `.NAME.*.tmp` file
    beside it, never a partial `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results and data are meant to be read by others
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
