"""START / END / REPORT lines and their shipping to CloudWatch Logs."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import math
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..monitoring import LogWriter
    from ..monitoring.logs import LogEvent

log = logging.getLogger("pocketcloud.lambda")

TAIL_BYTES = 4096
BATCH_SECONDS = 0.2


def report_line(
    request_id: str, duration_ms: float, memory_mb: int, max_memory_mb: int, init_duration_ms: float | None
) -> str:
    """The REPORT line, with Billed Duration rounded up to the next millisecond as Lambda bills."""
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\tMemory Size: {memory_mb} MB\t"
        f"Max Memory Used: {max_memory_mb} MB\t"
    )
    if init_duration_ms is not None:
        line += f"Init Duration: {init_duration_ms:.2f} ms\t"
    return line


def tail(lines: list[str]) -> str:
    """Base64 of the last 4 KB of an invocation's log, as ``LogType=Tail`` returns it."""
    data = ("\n".join(lines) + "\n").encode()
    return base64.b64encode(data[-TAIL_BYTES:]).decode()


class LogShipper:
    """Batches log lines per stream and writes them in order from one task, off the hot path."""

    def __init__(self, writer: LogWriter) -> None:
        self._writer = writer
        self._pending: list[tuple[str, str, int, list[str]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unwritten = 0
        self._last_stamp = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def ship(self, group: str, stream: str, lines: list[str]) -> None:
        """Queue ``lines`` for ``group``/``stream``, stamped with the time they were produced."""
        if lines:
            # Never earlier than the previous batch: CloudWatch Logs rejects a write whose events go
            # back in time, and the wall clock may step back.
            stamp = self._last_stamp = max(int(time.time() * 1000), self._last_stamp)
            self._unwritten += 1
            self._pending.append((group, stream, stamp, lines))
            self._wakeup.set()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            # Gather a moment's worth of lines: one moto write per stream instead of one per invocation.
            await asyncio.sleep(BATCH_SECONDS)
            self._wakeup.clear()
            taken, self._pending = self._pending, []
            batch: dict[tuple[str, str], list[LogEvent]] = {}
            for group, stream, stamp, lines in taken:
                events = batch.get((group, stream))
                if events is None:
                    events = batch[(group, stream)] = []
                events += [{"timestamp": stamp, "message": line} for line in lines]
            try:
                for (group, stream), events in batch.items():
                    try:
                        await self._writer.put_events(group, stream, events)
                    except Exception:  # one stream's failure must not stop every function's logs
                        log.exception("%d log events for %s %s not written", len(events), group, stream)
            finally:
                self._unwritten -= len(taken)

    async def flush(self) -> None:
        """Return once every line shipped so far is in CloudWatch Logs."""
        while self._unwritten:
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        if self._task:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.flush(), 2)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
