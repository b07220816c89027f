"""Canonical data files in the data root, verified by checksum before use.

A missing or corrupt file is an error that names the file, the expected checksum and where to get it.
With REPBENCH_DOWNLOAD=1 a missing file is fetched from its canonical address and verified. Small files that a
simulation needs (a morphology) are fetched on first use without asking (`fetched`), pinned by sha256.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from repbench.atomic import atomic_write
from repbench.paths import DATA_ENV, data_root

DOWNLOAD_ENV = "REPBENCH_DOWNLOAD"


class DataFileError(FileNotFoundError):
    """A data file that is missing or does not match its published checksum."""


def _candidates(relpath: str) -> list[Path]:
    root = data_root()
    return [root / relpath, root / f"{relpath}.gz"]


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - the datasets' pinned addresses
        return response.read()


def missing(relpath: str, url: str | None = None) -> str | None:
    """None when `relpath` (or `relpath.gz`) is in the data root; else one line saying where to get it. Cheap:
    the checksum is verified when the file is read."""
    if any(p.is_file() for p in _candidates(relpath)):
        return None
    source = f" from {url}" if url else ""
    return f"{data_root() / relpath}{source}"


def read_verified(relpath: str, md5: str, url: str | None = None) -> bytes:
    """The uncompressed bytes of `relpath` (or `relpath.gz`) under the data root, checked against `md5`."""
    candidates = _candidates(relpath)
    found = next((p for p in candidates if p.is_file()), None)
    if found is None and url and os.environ.get(DOWNLOAD_ENV) == "1":
        found = candidates[1 if url.endswith(".gz") else 0]
        with atomic_write(found, "wb") as out:
            out.write(_download(url))
    if found is None:
        where = f"download it from {url}" if url else "get it from the source named in `repbench info`"
        raise DataFileError(
            f"data file {relpath} not found under the data root {data_root().resolve()} (looked for "
            f"{', '.join(str(p) for p in candidates)}); {where} (expected MD5 of the uncompressed "
            f"file: {md5}), set {DATA_ENV} to the folder that holds it, or set {DOWNLOAD_ENV}=1 to download it"
        )
    raw = found.read_bytes()
    if found.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise DataFileError(f"data file {found} is not a valid gzip file ({err}); replace it") from None
    actual = hashlib.md5(raw).hexdigest()  # noqa: S324 - the datasets publish MD5 checksums
    if actual != md5:
        raise DataFileError(
            f"data file {found} is corrupt: MD5 of its uncompressed content is {actual}, expected {md5}; "
            f"replace it with the canonical file" + (f" from {url}" if url else "")
        )
    return raw


def fetched(relpath: str, sha256: str, urls: Sequence[str], citation: str = "") -> Path:
    """`relpath` under the data root, downloaded on first use from the first of `urls` that answers with the
    right content. The sha256 is checked on every call (meant for small files)."""
    target = data_root() / relpath
    if target.is_file():
        actual = hashlib.sha256(target.read_bytes()).hexdigest()
        if actual != sha256:
            raise DataFileError(f"data file {target} is corrupt: its sha256 is {actual}, expected {sha256}; delete it "
                                f"and it is downloaded again from {urls[0]}")
        return target
    errors = []
    for url in urls:
        print(f"downloading {relpath} from {url}" + (f" ({citation})" if citation else ""), file=sys.stderr)
        try:
            raw = _download(url)
        except (urllib.error.URLError, OSError) as err:
            errors.append(f"{url}: {err}")
            continue
        actual = hashlib.sha256(raw).hexdigest()
        if actual != sha256:
            errors.append(f"{url}: sha256 {actual}, expected {sha256}")
            continue
        with atomic_write(target, "wb") as out:
            out.write(raw)
        return target
    raise DataFileError(
        f"data file {relpath} is not under the data root {data_root().resolve()} and could not be downloaded:\n  "
        + "\n  ".join(errors) + f"\nPut the file (sha256 {sha256}) at {target}, or set {DATA_ENV} to a folder that "
        "holds it."
    )
