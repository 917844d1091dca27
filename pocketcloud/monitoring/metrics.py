"""CloudWatch metrics from the data planes, aggregated before they reach moto.

Each (namespace, metric, dimensions, unit, minute) is one statistic set, so a query after 100k
invocations scans minutes, not invocations. Buffers flush to moto every ``flush_seconds`` and
before any CloudWatch read (the edge calls :meth:`flush`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..moto_bridge import MotoBridge

_Key = tuple[str, str, tuple[tuple[str, str], ...], str, int]
Series = tuple[str, str, tuple[tuple[str, str], ...], str]  # namespace, metric, dimensions, unit


class _Stats:
    __slots__ = ("maximum", "minimum", "samples", "total")

    def __init__(self) -> None:
        self.samples = 0.0
        self.total = 0.0
        self.minimum = float("inf")
        self.maximum = float("-inf")


class MetricRecorder:
    """Example::

    server.metrics.add("AWS/Lambda", "Duration", {"FunctionName": "hello"}, 12.5, "Milliseconds")
    """

    def __init__(self, moto: MotoBridge, flush_seconds: float = 5.0) -> None:
        self._moto = moto
        self._flush_seconds = flush_seconds
        self._pending: dict[_Key, _Stats] = {}  # earlier minutes, waiting for the next flush
        self._current: dict[Series, _Stats] = {}  # this minute: keyed by series alone, no key to build per add
        self._minute = 0
        self._minute_ends = 0.0
        self._task: asyncio.Task[None] | None = None

    def add(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        self.add_to((self.series(namespace, name, dimensions, unit),), value)

    @staticmethod
    def series(namespace: str, name: str, dimensions: dict[str, str], unit: str = "Count") -> Series:
        """A metric's identity, built once by callers that add to it on every request (see :meth:`add_to`)."""
        return (namespace, name, tuple(sorted(dimensions.items())), unit)

    def add_to(self, series: Sequence[Series], value: float) -> None:
        """Add ``value`` to each of ``series`` (e.g. a metric with and without its dimensions)."""
        self.add_many(((series, value),))

    def add_many(self, values: Iterable[tuple[Sequence[Series], float]]) -> None:
        """:meth:`add_to` for several (series, value) pairs, e.g. every metric of one invocation."""
        if time.time() >= self._minute_ends:
            self._next_minute()
        current = self._current
        for series, value in values:
            for one in series:
                stats = current.get(one)
                if stats is None:
                    stats = current[one] = _Stats()
                # Inline: this runs for every series of every metric of every invocation.
                stats.samples += 1
                stats.total += value
                if value < stats.minimum:
                    stats.minimum = value
                if value > stats.maximum:
                    stats.maximum = value

    def _next_minute(self) -> None:
        self._set_aside()
        now = time.time()
        self._minute = int(now) // 60 * 60
        self._minute_ends = self._minute + 60

    def _set_aside(self) -> None:
        # No key can be there already: a flush empties _pending right after setting aside, and a
        # new minute sets aside the minute before, which nothing set aside since that flush.
        minute = self._minute
        self._pending.update(((*series, minute), stats) for series, stats in self._current.items())
        self._current = {}

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._flush_forever())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            await self.flush()

    async def flush(self) -> None:
        self._set_aside()
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        await self._moto.run_here_if_free(self._store_locked, pending)

    def _store_locked(self, pending: dict[_Key, _Stats]) -> None:
        from moto.cloudwatch.models import MetricAggregatedDatum

        backend = self._moto.backend("cloudwatch")
        for (namespace, name, dims, unit, minute), stats in pending.items():
            backend.metric_data.append(
                MetricAggregatedDatum(
                    namespace=namespace,
                    name=name,
                    min_stat=stats.minimum,
                    max_stat=stats.maximum,
                    sample_count=stats.samples,
                    sum_stat=stats.total,
                    dimensions=[{"Name": k, "Value": v} for k, v in dims],
                    timestamp=dt.datetime.fromtimestamp(minute, dt.UTC).replace(tzinfo=None),  # moto is naive UTC
                    unit=unit,
                )
            )
