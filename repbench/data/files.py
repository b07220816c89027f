"""Public data files in the data root: a registry of where each comes from, pinned by checksum, fetched with
pooch (`repbench data fetch`), verified before use.

Families register their sources (`register_source`): each file's path under the data root, the sha256 of
the file as its mirrors serve it, the mirrors in the order to try them, and, where the data set publishes
one, the MD5 of its (uncompressed) content, which also accepts a re-compressed or unpacked copy. A missing
or corrupt file is an error that names the file, the checksum and the fetch command; REPBENCH_DOWNLOAD=1
fetches missing files on first use. Small files that a simulation needs (a morphology) are fetched on first
use without asking (`ensure`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from repbench.data.paths import DATA_ENV, data_root

DOWNLOAD_ENV = "REPBENCH_DOWNLOAD"


class DataFileError(FileNotFoundError):
    """A data file that is missing, does not match its published checksum, or could not be downloaded."""


@dataclass(frozen=True)
class RemoteFile:
    """One public file: its place under the data root (as served, e.g. `mnist/x.gz`), the sha256 of the
    served bytes, its mirrors (tried in order), and the MD5 of its uncompressed content where published."""

    relpath: str
    sha256: str
    urls: tuple[str, ...]
    content_md5: str | None = None

    def candidates(self) -> list[Path]:
        """Where a copy may sit: as served, and unpacked (or packed) where the content checksum can tell."""
        root = data_root()
        paths = [root / self.relpath]
        if self.content_md5:
            other = self.relpath[:-3] if self.relpath.endswith(".gz") else f"{self.relpath}.gz"
            paths.append(root / other)
        return paths

    def found(self) -> Path | None:
        return next((p for p in self.candidates() if p.is_file()), None)


@dataclass(frozen=True)
class DataSource:
    """A named group of files (`repbench data fetch NAME`), with the citation of where they come from."""

    name: str
    files: tuple[RemoteFile, ...]
    citation: str


SOURCES: dict[str, DataSource] = {}


def register_source(name: str, files: Iterable[RemoteFile], citation: str) -> DataSource:
    source = DataSource(name, tuple(files), citation)
    SOURCES[name] = source
    return source


def get_source(name: str) -> DataSource:
    _load_families()
    if name not in SOURCES:
        from repbench.plugins.params import did_you_mean

        raise KeyError(f"unknown data source {name!r}.{did_you_mean(name, list(SOURCES))} Known: {', '.join(SOURCES)}")
    return SOURCES[name]


def all_sources() -> list[DataSource]:
    _load_families()
    return list(SOURCES.values())


def _load_families() -> None:
    """Sources are declared beside the loaders that read them; importing the suite's families registers them."""
    from repbench.plugins.registry import discover

    discover()


def _content(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise DataFileError(f"data file {path} is not a valid gzip file ({err}); delete it and run "
                                f"`repbench data fetch`") from None
    return raw


def _verified(file: RemoteFile, path: Path) -> bytes:
    """The uncompressed content of `path`, checked against `file`'s published checksum (the content MD5 where
    the data set publishes one, so repacked copies pass; else the sha256 of the served bytes)."""
    content = _content(path)
    if file.content_md5:
        actual = hashlib.md5(content).hexdigest()  # noqa: S324 - the data sets publish MD5 checksums
        if actual != file.content_md5:
            raise DataFileError(f"data file {path} is corrupt: MD5 of its uncompressed content is {actual}, expected "
                                f"{file.content_md5}; delete it and run `repbench data fetch {source_of(file)}`")
    elif (actual := hashlib.sha256(path.read_bytes()).hexdigest()) != file.sha256:
        raise DataFileError(f"data file {path} is corrupt: its sha256 is {actual}, expected {file.sha256}; delete it "
                            f"and run `repbench data fetch {source_of(file)}`")
    return content


def state(file: RemoteFile) -> str:
    """"ok", "missing" or "corrupt" (reads and hashes the file)."""
    path = file.found()
    if path is None:
        return "missing"
    try:
        _verified(file, path)
    except DataFileError:
        return "corrupt"
    return "ok"


def download(file: RemoteFile, progress: bool = True) -> Path:
    """Fetch `file` into the data root from the first mirror that serves the pinned bytes (pooch downloads to a
    temporary file, checks the sha256 and only then moves it into place)."""
    import pooch

    target = data_root() / file.relpath
    errors = []
    for url in file.urls:
        print(f"downloading {file.relpath} from {url}", file=sys.stderr)
        try:
            pooch.retrieve(url, known_hash=f"sha256:{file.sha256}", fname=target.name, path=target.parent,
                           progressbar=progress)
            return target
        except Exception as err:  # noqa: BLE001 - any failure of one mirror: try the next
            errors.append(f"{url}: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    raise DataFileError(
        f"data file {file.relpath} could not be downloaded:\n  " + "\n  ".join(errors)
        + f"\nPut the file (sha256 {file.sha256}) at {target}, or set {DATA_ENV} to a folder that holds it."
    )


def fetch(names: Iterable[str] = (), progress: bool = True) -> list[tuple[RemoteFile, str]]:
    """Download every missing file of the named sources (all when none are named); corrupt files are replaced.
    Returns (file, what happened) for each file."""
    sources = [get_source(n) for n in names] if names else all_sources()
    done = []
    for source in sources:
        for file in source.files:
            before = state(file)
            if before == "ok":
                done.append((file, "already there"))
                continue
            if before == "corrupt":
                file.found().unlink()
            download(file, progress)
            done.append((file, "downloaded" if before == "missing" else "replaced a corrupt copy"))
    return done


def source_of(file: RemoteFile) -> str:
    return next((s.name for s in all_sources() if file in s.files), "?")


def missing(file: RemoteFile) -> str | None:
    """None when a copy of `file` is in the data root; else one line saying how to get it. Cheap: the checksum
    is verified when the file is read."""
    if file.found() is not None:
        return None
    return f"{data_root() / file.relpath} (`repbench data fetch {source_of(file)}`, or from {file.urls[0]})"


def read_verified(file: RemoteFile) -> bytes:
    """The uncompressed content of `file` under the data root, checked against its published checksum."""
    path = file.found()
    if path is None and os.environ.get(DOWNLOAD_ENV) == "1":
        path = download(file, progress=False)
    if path is None:
        raise DataFileError(
            f"data file {file.relpath} not found under the data root {data_root().resolve()} (looked for "
            f"{', '.join(str(p) for p in file.candidates())}); run `repbench data fetch {source_of(file)}`, "
            f"set {DATA_ENV} to the folder that holds it, or download it from {file.urls[0]} (sha256 "
            f"{file.sha256}); {DOWNLOAD_ENV}=1 downloads missing files on first use"
        )
    return _verified(file, path)


def ensure(file: RemoteFile) -> Path:
    """`file`'s path, downloaded on first use (for small files a simulation needs); verified on every call."""
    path = file.found()
    if path is not None:
        _verified(file, path)
        return path
    return download(file, progress=False)


@dataclass(frozen=True)
class LocalDataset:
    """A data set made in the data root rather than downloaded (a simulation, an import), for `data list`."""

    name: str
    kind: str  # "simulated", "imported", ...
    state: str  # e.g. "12 chunks = 72 s simulated"
    path: Path


LISTERS: list = []  # callables () -> list[LocalDataset], registered by the families


def register_lister(fn):
    """Decorator: a family's function listing the data sets it made in the data root."""
    LISTERS.append(fn)
    return fn


def size_of(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
