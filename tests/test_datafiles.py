"""Files fetched on first use: served from a local HTTP server (success, a dead first mirror, a wrong checksum)."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from repbench.datafiles import DataFileError, fetched

CONTENT = b"((CellBody) (0 0 0 10))\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """http://127.0.0.1:PORT/ serving a folder with good.asc and bad.asc."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "good.asc").write_bytes(CONTENT)
    (folder / "bad.asc").write_bytes(CONTENT + b"tampered")

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


def test_first_use_downloads_and_verifies_then_reads_locally(server, root, capsys):
    path = fetched("morphologies/x.asc", SHA, [f"{server}/good.asc"], "a citation")
    assert path == root / "morphologies/x.asc" and path.read_bytes() == CONTENT
    assert "downloading morphologies/x.asc from" in capsys.readouterr().err
    assert fetched("morphologies/x.asc", SHA, ["http://127.0.0.1:9/never-asked"]) == path  # no second download


def test_a_dead_first_mirror_falls_through_to_the_next(server, root):
    path = fetched("x.asc", SHA, [f"{server}/missing.asc", "http://127.0.0.1:9/refused", f"{server}/good.asc"])
    assert path.read_bytes() == CONTENT


def test_a_wrong_checksum_is_refused_and_nothing_is_written(server, root):
    with pytest.raises(DataFileError) as err:
        fetched("x.asc", SHA, [f"{server}/bad.asc", f"{server}/missing.asc"])
    message = str(err.value)
    assert f"expected {SHA}" in message and "404" in message and f"at {root / 'x.asc'}" in message
    assert not (root / "x.asc").exists() and not list(root.glob(".x.asc*"))


def test_a_corrupt_local_copy_is_an_error_that_says_to_delete_it(root):
    (root / "x.asc").write_bytes(b"something else")
    with pytest.raises(DataFileError, match="is corrupt: its sha256 .* delete it"):
        fetched("x.asc", SHA, ["http://127.0.0.1:9/"])
