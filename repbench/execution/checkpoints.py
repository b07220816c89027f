"""Mid-cell checkpoints: a long cell that is killed (a session's end, a cluster's pre-emption, a timeout) resumes
from its last checkpoint instead of starting over. The method decides what its state is (`RunContext.resume` /
`save_checkpoint`); the core decides where it lives, when one is due, and whether one found on disk belongs to
this cell and this code. A resumed cell gives the same record as an uninterrupted one: the global random states
travel with the method's state."""

from __future__ import annotations

import os
import random
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from repbench.results.store import cell_folder

DEFAULT_EVERY_S = 300.0  # a killed cell loses at most ~5 minutes; a save costs well under a second


@dataclass
class Checkpointer:
    """One fold's checkpoint file. `fingerprint` names the cell and its code (source hashes); a file with another
    fingerprint is ignored, so a fixed bug never resumes from the state the bug produced."""

    path: Path
    fingerprint: dict[str, Any]
    every_s: float = DEFAULT_EVERY_S
    resumed_from: str | None = None  # progress label of the checkpoint this fold resumed from
    earlier_s: float = 0.0  # wall time the killed attempts spent up to the checkpoint resumed from
    _born: float = field(init=False, repr=False)
    _last: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._born = self._last = time.monotonic()

    def elapsed_s(self) -> float:
        """This fold's wall time so far, across attempts (work lost after a checkpoint not counted)."""
        return self.earlier_s + time.monotonic() - self._born

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.every_s

    def save(self, state: dict[str, Any], progress: str) -> None:
        """Write `state` with the global random states (temporary file + rename: a kill mid-write keeps the
        previous checkpoint)."""
        import torch

        blob = {"fingerprint": self.fingerprint, "progress": progress, "state": state, "rng": _global_rng(),
                "saved_utc": datetime.now(UTC).isoformat(timespec="seconds"), "elapsed_s": self.elapsed_s()}
        tmp = self.path.with_name(self.path.name + ".tmp")
        self._last = time.monotonic()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(blob, tmp)
            os.replace(tmp, self.path)
        except OSError as err:  # a full disk or a worker that cannot write there: the fit goes on without
            warnings.warn(f"could not save checkpoint {self.path} ({err}); this cell is not resumable",
                          stacklevel=2)
            self.every_s = float("inf")

    def load(self) -> dict[str, Any] | None:
        """The saved state, with the global random states restored; None when there is none to resume."""
        import torch

        if not self.path.exists():
            return None
        try:
            blob = torch.load(self.path, map_location="cpu", weights_only=True)  # tensors and plain values only
        except Exception as err:  # noqa: BLE001 - a bad checkpoint costs the progress, never the run
            warnings.warn(f"ignoring unreadable checkpoint {self.path} ({err}); the cell starts over", stacklevel=2)
            return None
        if blob.get("fingerprint") != self.fingerprint:
            warnings.warn(f"ignoring checkpoint {self.path}: written by other code or for another cell; the cell "
                          "starts over", stacklevel=2)
            return None
        _set_global_rng(blob["rng"])
        self.resumed_from = f"{blob['progress']} (saved {blob['saved_utc']})"
        self.earlier_s = float(blob.get("elapsed_s", 0.0))
        self._last = time.monotonic()
        return blob["state"]


def _global_rng() -> dict[str, Any]:
    import torch

    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {"python": random.getstate(), "numpy": [kind, keys.tolist(), pos, has_gauss, cached],
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []}


def _set_global_rng(rng: dict[str, Any]) -> None:
    import torch

    version, internal, gauss = rng["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = rng["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(rng["torch"])
    if rng["cuda"]:
        torch.cuda.set_rng_state_all(rng["cuda"])


def checkpoint_dir(root: str | Path, profile: str, task: str, method: str, key: str) -> Path:
    """`<results>/checkpoints/<profile>/<task>__<method>__<key>/`, one `fold<k>.pt` per fold (not committed)."""
    return Path(root) / cell_folder(profile, task, method, key)


def drop_checkpoints(root: str | Path, profile: str, task: str, method: str, key: str) -> None:
    """Delete a cell's checkpoints, and the folders above them that this leaves empty."""
    import contextlib
    import shutil

    folder = checkpoint_dir(root, profile, task, method, key)
    shutil.rmtree(folder, ignore_errors=True)
    for parent in (folder.parent, folder.parent.parent):
        with contextlib.suppress(OSError):  # not empty, or already gone
            parent.rmdir()


def fingerprint(key: str, classes: tuple[type, ...]) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: the cell, and the sha256 of every Python file under the core's
    folder and each plugin's (its family's) folder, so a fix anywhere a result depends on starts the cell over
    while a commit that changes only docs or records does not."""
    import hashlib
    import inspect

    import repbench

    roots = {"repbench": Path(repbench.__file__).parent}  # by package name: the same in every checkout
    roots.update({cls.__module__.rpartition(".")[0]: Path(inspect.getsourcefile(cls) or "").parent for cls in classes})
    sources = {f"{package}:{path.relative_to(root)}": hashlib.sha256(path.read_bytes()).hexdigest()
               for package, root in sorted(roots.items()) for path in sorted(root.rglob("*.py"))}
    return {"key": key, "suite_version": repbench.__version__, "sources": sources}
