"""Write log events into moto's CloudWatch Logs backend, creating groups and streams on demand."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from ..moto_bridge import MotoBridge


class LogEvent(TypedDict):
    timestamp: int  # ms since the epoch
    message: str


class LogWriter:
    """Example::

    await server.logs.put("/aws/lambda/hello", "2026/11/25/[$LATEST]abc", ["START RequestId: ..."])
    """

    def __init__(self, moto: MotoBridge) -> None:
        self._moto = moto

    async def put(self, group: str, stream: str, messages: list[str], timestamp_ms: int | None = None) -> None:
        if not messages:
            return
        now = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        await self.put_events(group, stream, [{"timestamp": now, "message": message} for message in messages])

    async def put_events(self, group: str, stream: str, events: list[LogEvent]) -> None:
        """Write events in PutLogEvents' shape, in time order, keeping the time each line was produced."""
        if events:
            await self._moto.run_here_if_free(self._put_locked, group, stream, events)

    def _put_locked(self, group: str, stream: str, events: list[LogEvent]) -> None:
        backend = self._moto.backend("logs")
        if group not in backend.groups:
            backend.create_log_group(group, {})
        log_group = backend.groups[group]
        if stream not in log_group.streams:
            backend.create_log_stream(group, stream)
        # The group's own write, not the backend's: that one checks every event's age against a
        # clock read twice per call, and these events are all from the last moments.
        log_group.put_log_events(stream, events)
