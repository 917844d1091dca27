"""ProcessGroup: children by vfork (setpriv + pidfd) or, without those, by fork; both below the parent."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from pocketcloud import processes
from pocketcloud.processes import ProcessGroup, SpawnedChild

# Reads a byte first: the parent sends it once spawn returned, so the child looks after its priority was set.
SHOW = "import os, sys; sys.stdin.read(1); print(os.nice(0), os.sched_getscheduler(0), os.getppid(), flush=True)"


async def _run_and_read(group: ProcessGroup) -> tuple[processes.Child, list[int]]:
    read_fd, write_fd = os.pipe()
    go_read, go_write = os.pipe()
    try:
        child = await group.spawn(
            [sys.executable, "-S", "-c", SHOW], nice=5, batch=True, stdin=go_read, stdout=write_fd
        )
    finally:
        os.close(write_fd)
        os.close(go_read)
    os.write(go_write, b"!")
    os.close(go_write)
    code = await asyncio.wait_for(child.wait(), 20)
    with os.fdopen(read_fd) as out:
        seen = [int(x) for x in out.read().split()]
    assert code == 0 and child.returncode == 0
    return child, seen


@pytest.mark.parametrize("without_fork", [True, False])
def test_children_run_below_the_parent_by_either_path(monkeypatch: pytest.MonkeyPatch, without_fork: bool) -> None:
    if without_fork and not processes._without_fork:
        pytest.skip("no setpriv or pidfds on this machine")
    monkeypatch.setattr(processes, "_without_fork", without_fork)
    child, (nice, policy, parent) = asyncio.run(_run_and_read(ProcessGroup()))
    assert isinstance(child, SpawnedChild) is without_fork
    assert nice == min(19, os.nice(0) + 5) and policy == os.SCHED_BATCH
    assert parent == os.getpid(), "the child is the server's own, not a helper's"


def test_kill_all_ends_a_vforked_child_and_wait_reports_the_signal() -> None:
    if not processes._without_fork:
        pytest.skip("no setpriv or pidfds on this machine")

    async def main() -> tuple[int, list[int]]:
        group = ProcessGroup()
        child = await group.spawn([sys.executable, "-S", "-c", "import time; time.sleep(60)"])
        assert group.pids == [child.pid]
        await group.kill_all(grace=5)
        return await child.wait(), group.pids

    code, left = asyncio.run(main())
    assert code == -signal.SIGTERM and left == []
