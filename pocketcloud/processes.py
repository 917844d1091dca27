"""Child processes that live and die with the pocketcloud server.

Every child gets PR_SET_PDEATHSIG(SIGKILL), so even a server killed with SIGKILL leaves no
execution environment or DB server behind, and the server kills what it tracks on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def child_setup(nice: int = 0, batch: bool = False) -> Callable[[], None]:
    """The ``preexec_fn`` for a child that dies with its parent, ``nice`` below it, under SCHED_BATCH
    if ``batch``; for children started outside a :class:`ProcessGroup` (the benches' relay)."""
    if not nice and not batch:
        return _die_with_parent

    def preexec() -> None:
        _die_with_parent()
        if nice:
            os.nice(nice)  # raising one's own niceness needs no privilege
        if batch:  # nor does moving to SCHED_BATCH, which keeps the niceness
            with contextlib.suppress(OSError):
                os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))

    return preexec


class ProcessGroup:
    """Tracks the server's children; ``kill_all`` leaves none running."""

    def __init__(self) -> None:
        self._children: set[asyncio.subprocess.Process] = set()

    async def spawn(
        self, args: Sequence[str], *, nice: int = 0, batch: bool = False, **kwargs: Any
    ) -> asyncio.subprocess.Process:
        """Start ``args`` as a tracked child; ``nice`` is added to the server's own niceness, and
        ``batch`` runs it under SCHED_BATCH (its wakeups do not preempt a running process)."""
        kwargs.setdefault("stdin", asyncio.subprocess.DEVNULL)
        proc = await asyncio.create_subprocess_exec(*args, preexec_fn=child_setup(nice, batch), **kwargs)
        self._children.add(proc)
        asyncio.get_running_loop().create_task(self._forget_on_exit(proc))
        return proc

    async def _forget_on_exit(self, proc: asyncio.subprocess.Process) -> None:
        await proc.wait()
        self._children.discard(proc)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._children if p.returncode is None]

    async def kill_all(self, grace: float = 2.0) -> None:
        alive = [p for p in self._children if p.returncode is None]
        for proc in alive:
            _signal(proc, signal.SIGTERM)
        if alive:
            try:
                await asyncio.wait_for(asyncio.gather(*(p.wait() for p in alive)), grace)
            except TimeoutError:
                for proc in alive:
                    _signal(proc, signal.SIGKILL)
                await asyncio.gather(*(p.wait() for p in alive), return_exceptions=True)


def _signal(proc: asyncio.subprocess.Process, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, sig)
