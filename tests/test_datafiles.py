"""Public data files: fetched with pooch from a local HTTP server (success, a dead first mirror, a wrong
checksum), listed with their state, verified on read; corrupt copies are refused with what to do."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from repbench.cli import main
from repbench.data import files as datafiles
from repbench.data.files import DataFileError, RemoteFile, ensure, fetch, read_verified, register_source, state

CONTENT = b"((CellBody) (0 0 0 10))\n"
SHA = hashlib.sha256(CONTENT).hexdigest()
PACKED = gzip.compress(b"idx content", mtime=0)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """http://127.0.0.1:PORT/ serving good.asc, bad.asc and packed.gz."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "good.asc").write_bytes(CONTENT)
    (folder / "bad.asc").write_bytes(CONTENT + b"tampered")
    (folder / "packed.gz").write_bytes(PACKED)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("REPBENCH_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture
def source(server, monkeypatch):
    """A registered test source with a dead first mirror, then the good file; removed afterwards."""
    monkeypatch.setattr(datafiles, "SOURCES", {s.name: s for s in datafiles.all_sources()})
    file = RemoteFile("toy/x.asc", SHA, ("http://127.0.0.1:9/refused", f"{server}/missing.asc", f"{server}/good.asc"))
    return register_source("toy", [file], "a citation")


def test_fetch_downloads_from_the_first_mirror_that_serves_the_pinned_bytes(source, root):
    [(file, what)] = fetch(["toy"], progress=False)
    assert what == "downloaded" and (root / "toy/x.asc").read_bytes() == CONTENT and state(file) == "ok"
    assert fetch(["toy"], progress=False)[0][1] == "already there"


def test_a_wrong_checksum_is_refused_and_nothing_is_written(server, root):
    file = RemoteFile("x.asc", SHA, (f"{server}/bad.asc", f"{server}/missing.asc"))
    with pytest.raises(DataFileError) as err:
        ensure(file)
    message = str(err.value)
    assert "bad.asc" in message and "missing.asc" in message and f"sha256 {SHA}" in message
    assert not any(root.rglob("x.asc*"))


def test_a_corrupt_copy_is_listed_then_replaced_by_fetch(source, root):
    (root / "toy").mkdir()
    (root / "toy/x.asc").write_bytes(b"something else")
    file = source.files[0]
    assert state(file) == "corrupt"
    with pytest.raises(DataFileError, match=r"is corrupt: its sha256 .*`repbench data fetch toy`"):
        read_verified(file)
    assert fetch(["toy"], progress=False)[0][1] == "replaced a corrupt copy" and state(file) == "ok"


def test_content_checksums_accept_a_repacked_or_unpacked_copy(server, root):
    file = RemoteFile("p/packed.gz", hashlib.sha256(PACKED).hexdigest(), (f"{server}/packed.gz",),
                      content_md5=hashlib.md5(b"idx content").hexdigest())  # noqa: S324
    (root / "p").mkdir()
    (root / "p/packed.gz").write_bytes(gzip.compress(b"idx content", mtime=1))  # other bytes, same content
    assert state(file) == "ok" and read_verified(file) == b"idx content"
    (root / "p/packed.gz").unlink()
    (root / "p/packed").write_bytes(b"idx content")
    assert state(file) == "ok" and read_verified(file) == b"idx content"
    (root / "p/packed").write_bytes(b"other")
    assert state(file) == "corrupt"


def test_a_missing_file_says_how_to_fetch_it(source, root, monkeypatch):
    monkeypatch.delenv("REPBENCH_DOWNLOAD", raising=False)
    with pytest.raises(DataFileError, match="repbench data fetch toy"):
        read_verified(source.files[0])
    monkeypatch.setenv("REPBENCH_DOWNLOAD", "1")
    assert read_verified(source.files[0]) == CONTENT  # downloaded on first use


def test_cli_fetch_and_list(source, root):
    runner = CliRunner()
    listed = runner.invoke(main, ["data", "list"])
    assert listed.exit_code == 0 and "toy/x.asc" in listed.output and "missing" in listed.output
    fetched = runner.invoke(main, ["data", "fetch", "toy", "--no-progress"])
    assert fetched.exit_code == 0, fetched.output
    assert "downloaded" in fetched.output
    assert " ok " in runner.invoke(main, ["data", "list"]).output
    wrong = runner.invoke(main, ["data", "fetch", "toyy"])
    assert wrong.exit_code == 2 and "unknown data source 'toyy'" in wrong.output and "'toy'" in wrong.output


def test_every_suite_file_is_pinned_with_mirrors():
    sources = {s.name: s for s in datafiles.all_sources()}
    assert {"mnist", "adult", "german", "hay2011-morphology"} <= set(sources)
    assert all(len(f.sha256) == 64 for s in sources.values() for f in s.files)
    assert all(len(f.urls) >= 2 for f in sources["mnist"].files)  # a maintained mirror, the original last
    assert all("yann.lecun.com" in f.urls[-1] for f in sources["mnist"].files)
