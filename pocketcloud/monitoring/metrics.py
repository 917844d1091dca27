"""CloudWatch metrics from the data planes, aggregated before they reach moto.

Each (namespace, metric, dimensions, unit, minute) is one statistic set, so a query after 100k
invocations scans minutes, not invocations. Buffers flush to moto every ``flush_seconds`` and
before any CloudWatch read (the edge calls :meth:`flush`).

Values are published ``delay_seconds`` after they were recorded, as CloudWatch shows a service's
metrics only a while after the fact ("Using CloudWatch metrics with Lambda": Lambda sends metric data
to CloudWatch in 1-minute intervals): what is set aside waits in ``_held`` until it is due, so a read
never shows a value younger than the delay (and at most one slice of a second older than it).
"""

from __future__ import annotations

import asyncio
import collections
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

    def __init__(self, moto: MotoBridge, flush_seconds: float = 5.0, delay_seconds: float = 0.0) -> None:
        self._moto = moto
        self._flush_seconds = flush_seconds
        self._delay = delay_seconds
        # With a delay the current minute is set aside every second, so that nothing waits much beyond it.
        self._slice = min(flush_seconds, 1.0) if delay_seconds > 0 else flush_seconds
        self._held: collections.deque[tuple[float, dict[_Key, _Stats]]] = collections.deque()  # (due, sets)
        self._pending: dict[_Key, _Stats] = {}  # due, waiting for the next flush
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
        minute = self._minute
        if self._delay <= 0:
            # No key can be there already: a flush empties _pending right after setting aside, and a
            # new minute sets aside the minute before, which nothing set aside since that flush.
            self._pending.update(((*series, minute), stats) for series, stats in self._current.items())
        elif self._current:
            batch = {(*series, minute): stats for series, stats in self._current.items()}
            self._held.append((time.monotonic() + self._delay, batch))
        self._current = {}

    def _release_due(self) -> None:
        """Move what is due from ``_held`` to ``_pending``, merging sets of the same series and minute."""
        now = time.monotonic()
        pending = self._pending
        while self._held and self._held[0][0] <= now:
            for key, stats in self._held.popleft()[1].items():
                known = pending.get(key)
                if known is None:
                    pending[key] = stats
                    continue
                known.samples += stats.samples
                known.total += stats.total
                known.minimum = min(known.minimum, stats.minimum)
                known.maximum = max(known.maximum, stats.maximum)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._flush_forever())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _flush_forever(self) -> None:
        flushed = time.monotonic()
        while True:
            await asyncio.sleep(self._slice)
            if time.monotonic() - flushed < self._flush_seconds:
                self._set_aside()
                continue
            flushed = time.monotonic()
            await self.flush()

    async def flush(self) -> None:
        """Store what is due (everything recorded at least ``delay_seconds`` ago) in moto's CloudWatch."""
        self._set_aside()
        self._release_due()
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
