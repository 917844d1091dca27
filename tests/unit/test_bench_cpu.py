"""The benches' CPU accounting: a server's own CPU, its children's, and this process's, per request."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _common import CpuUse, Side, alternating, children, cpu_report, cpu_seconds

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"
PARENT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', sys.argv[1]])\n"
    "print('started', flush=True)\n"
    "sys.stdin.read()\n"
    "child.kill()\n"
)


@pytest.fixture
def parent_with_child():
    """A process that starts one child which waits on its stdin; yields (parent pid, child pid)."""
    waiting_child = "import sys; sys.stdin.read()"
    proc = subprocess.Popen(
        [sys.executable, "-c", PARENT, waiting_child], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"started"
    try:
        deadline = time.monotonic() + 10
        while not (kids := children(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.02)
        yield proc.pid, kids
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


def test_children_are_the_processes_a_server_started(parent_with_child) -> None:
    parent, kids = parent_with_child
    assert len(kids) == 1
    assert Path(f"/proc/{kids[0]}/status").read_text().split("PPid:")[1].split()[0] == str(parent)


def test_cpu_seconds_counts_what_a_process_burned() -> None:
    proc = subprocess.Popen([sys.executable, "-c", BURN.format(seconds=0.3) + "input()"], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while cpu_seconds(proc.pid) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 0.3 <= cpu_seconds(proc.pid) < 1.5
    finally:
        proc.communicate(b"\n", timeout=10)
    assert cpu_seconds(proc.pid) == 0.0  # gone: nothing to read


def test_alternating_charges_each_side_its_own_server_and_this_process() -> None:
    burner = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)

    def measure(port: int) -> tuple[float, list[float]]:
        if port == 1:  # this side's work happens in this (the client) process
            end = time.process_time() + 0.2
            while time.process_time() < end:
                pass
        return 1.0, [1.0] * 10

    try:
        busy, idle = alternating(measure, (1, 2), rounds=2, pids=(burner.pid, burner.pid))
    finally:
        burner.communicate(b"", timeout=10)
    assert busy.cpu.requests == idle.cpu.requests == 20
    assert busy.cpu.clients >= 0.35 and idle.cpu.clients < 0.1  # 0.2 s twice, read in clock ticks
    assert busy.cpu.server < 0.1 and idle.cpu.server < 0.1  # the server process idled throughout


def test_report_splits_each_side_and_says_what_the_target_leaves_the_server() -> None:
    # 400 µs per request at 2,000 requests/s: the floor kept 0.8 of the cores busy.
    floor = Side([1000.0, 2000.0, 3000.0], [], CpuUse(server=0.002, clients=0.002, requests=10))
    relay = Side([], [], CpuUse(server=0.001, environments=0.0025, clients=0.002, requests=10))
    ours = Side([], [], CpuUse(server=0.003, environments=0.0025, clients=0.002, requests=10))
    report = cpu_report("CPU per invoke", ours, relay, floor, 0.5, cores=2)
    assert "| pocketcloud | 300 µs | 250 µs | 200 µs | 750 µs |" in report
    assert "| relay-only server | 100 µs | 250 µs | 200 µs | 550 µs |" in report
    assert "| floor | 200 µs | 0 µs | 200 µs | 400 µs |" in report
    sentence = report.splitlines()[-1]
    assert "(1,000/s) the 2 cores give a request 2,000 µs of CPU in all (the floor kept 0.8 of them busy)" in sentence
    assert "took 450 µs of that, leaving 1,550 µs" in sentence
    assert "which took 300 µs" in sentence
