"""A run killed with SIGKILL and started again recomputes no finished cell and loses none."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, TOY

ARGS = ["run", "--task", "toy", "--method", "toy-sleeps", "--grid", "shift=0,0.5,1", "--seeds", "2", "--jobs", "1",
        "--device", "cpu", "--no-progress", "--plugin-path", str(TOY)]


def _run(results, seconds=0.5):
    cmd = [sys.executable, "-m", "repbench", *ARGS, "--grid", f"seconds={seconds}", "--results", str(results)]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _records(results):
    return {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in results.glob("runs/*/*.json")}


def test_sigkill_then_resume(tmp_path):
    killed = tmp_path / "killed"
    proc = _run(killed)
    deadline = time.monotonic() + 120
    while len(_records(killed)) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    finished = _records(killed)
    assert 2 <= len(finished) < 6
    assert not list(killed.rglob("*.tmp")), "a killed run must leave no half-written record"

    out, err = _run(killed).communicate(timeout=300)
    assert f"{len(finished)} already done" in out, out + err
    after = _records(killed)
    assert len(after) == 6
    assert {name: after[name] for name in finished} == finished  # finished cells were not recomputed

    clean = tmp_path / "clean"
    out, err = _run(clean).communicate(timeout=300)
    assert "6 ran ok" in out, out + err
    timing = ["wall_s_mean"]
    resumed = pd.read_csv(killed / "leaderboard.csv").drop(columns=timing)
    uninterrupted = pd.read_csv(clean / "leaderboard.csv").drop(columns=timing)
    pd.testing.assert_frame_equal(resumed, uninterrupted)
    assert (killed / "leaderboard.md").exists()


def _children(pids: set[int]) -> set[int]:
    parents = {}
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                fields = Path(f"/proc/{stat}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat)] = int(fields[1])
    return {child for child, parent in parents.items() if parent in pids}


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline").read()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_no_orphan_workers_after_sigkill(tmp_path):
    """Workers die with the run (PR_SET_PDEATHSIG via the forkserver), so a killed run wastes no CPU."""
    proc = _run(tmp_path, seconds=60)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while not workers:  # cell workers are the forkserver's children, the run's grandchildren
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
        workers = {pid for pid in _children(_children({proc.pid})) if "forkserver" in _cmdline(pid)}
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=20)  # stdout reaches EOF only once every worker holding it is gone
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def test_sigterm_stops_cleanly_and_keeps_finished_records(tmp_path):
    proc = _run(tmp_path)
    deadline = time.monotonic() + 120
    while not _records(tmp_path):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "interrupted: finished records are kept" in err
    assert 1 <= len(_records(tmp_path)) < 6
