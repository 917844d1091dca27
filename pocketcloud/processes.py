"""Child processes that live and die with the pocketcloud server.

Every child gets PR_SET_PDEATHSIG(SIGKILL), so even a server killed with SIGKILL leaves no
execution environment or DB server behind, and the server kills what it tracks on shutdown.

Children start without forking the server: a fork copies the page tables of a ~300 MB process,
which took 13 ms here, a third of a Lambda cold start. ``subprocess.Popen`` without a
``preexec_fn`` uses vfork (0.25 ms); util-linux's ``setpriv --pdeathsig`` sets the parent-death
signal in the child, and a pidfd tells the event loop when the child exits. Without ``setpriv`` or
pidfds, children are forked, with the signal set in a ``preexec_fn``. Either way the server then
sets the child's niceness and policy from outside (allowed for one's own processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from typing import Any, Protocol

_PR_SET_PDEATHSIG = 1
_SETPRIV = shutil.which("setpriv")
_without_fork = _SETPRIV is not None and hasattr(os, "pidfd_open")  # False after pidfd_open fails


def die_with_parent() -> None:
    """``preexec_fn`` for a forked child: the parent-death signal, set between fork and exec."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def lower_priority(pid: int, nice: int = 0, batch: bool = False) -> None:
    """Give child ``pid`` this process's niceness + ``nice`` and, with ``batch``, SCHED_BATCH, from
    outside it: both need no privilege for one's own children, and SCHED_BATCH keeps the niceness."""
    with contextlib.suppress(OSError):  # the child may already be gone
        if nice:
            os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))
        if batch:
            os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))


class Child(Protocol):
    """What the server uses of a child: asyncio's ``Process`` and :class:`SpawnedChild` both have it."""

    pid: int

    @property
    def returncode(self) -> int | None: ...

    async def wait(self) -> int: ...

    def send_signal(self, sig: int) -> None: ...

    def kill(self) -> None: ...


class SpawnedChild:
    """A child started by vfork and exec, whose exit the event loop learns from a pidfd."""

    def __init__(self, popen: subprocess.Popen[bytes], pidfd: int) -> None:
        self._popen = popen
        self.pid = popen.pid
        self._pidfd: int | None = pidfd
        self._loop = asyncio.get_running_loop()
        self._exited: asyncio.Future[int] = self._loop.create_future()
        self._loop.add_reader(pidfd, self._reap)

    @property
    def returncode(self) -> int | None:
        return self._popen.returncode

    def _reap(self) -> None:
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        code = self._popen.wait()  # does not block: the pidfd said the process has exited
        if not self._exited.done():
            self._exited.set_result(code)

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    def send_signal(self, sig: int) -> None:
        self._popen.send_signal(sig)  # a no-op once the child has been reaped

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ProcessGroup:
    """Tracks the server's children; ``kill_all`` leaves none running."""

    def __init__(self) -> None:
        self._children: set[Child] = set()

    async def spawn(self, args: Sequence[str], *, nice: int = 0, batch: bool = False, **kwargs: Any) -> Child:
        """Start ``args`` as a tracked child; ``nice`` is added to the server's own niceness, and
        ``batch`` runs it under SCHED_BATCH (its wakeups do not preempt a running process).
        ``kwargs`` are ``cwd``, ``env``, ``stdout`` and ``stderr`` (a file descriptor or DEVNULL)."""
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = _spawn_without_fork(args, kwargs)
        if proc is None:
            proc = await asyncio.create_subprocess_exec(*args, preexec_fn=die_with_parent, **kwargs)
        lower_priority(proc.pid, nice, batch)
        self._children.add(proc)
        asyncio.get_running_loop().create_task(self._forget_on_exit(proc))
        return proc

    async def _forget_on_exit(self, proc: Child) -> None:
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


def _spawn_without_fork(args: Sequence[str], kwargs: dict[str, Any]) -> Child | None:
    """The vfork path, or None where this system lacks ``setpriv`` or pidfds."""
    global _without_fork
    if not _without_fork:
        return None
    assert _SETPRIV is not None
    popen = subprocess.Popen([_SETPRIV, "--pdeathsig", "KILL", "--", *args], **kwargs)
    try:
        pidfd = os.pidfd_open(popen.pid)
    except OSError:  # e.g. a kernel before 5.3: undo, and fork from now on
        _without_fork = False
        popen.kill()
        popen.wait()
        return None
    return SpawnedChild(popen, pidfd)


def _signal(proc: Child, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, sig)
