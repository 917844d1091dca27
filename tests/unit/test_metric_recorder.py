"""MetricRecorder: values aggregate per series and minute before they reach moto's CloudWatch."""

from __future__ import annotations

import asyncio
import time

from pocketcloud.monitoring.metrics import MetricRecorder
from pocketcloud.moto_bridge import MotoBridge

ACCOUNT, REGION = "123456789012", "eu-west-3"


def _stored(bridge: MotoBridge, name: str) -> list:
    return [d for d in bridge.backend("cloudwatch").metric_data if d.namespace == "Test/Recorder" and d.name == name]


def test_one_add_reaches_every_series_and_each_flush_stores_one_set_per_series() -> None:
    bridge = MotoBridge(ACCOUNT, REGION, threads=1)
    recorder = MetricRecorder(bridge)
    with_dimension = recorder.series("Test/Recorder", "Duration", {"FunctionName": "f"}, "Milliseconds")
    account_wide = recorder.series("Test/Recorder", "Duration", {}, "Milliseconds")

    async def main() -> None:
        for value in (4.0, 1.0, 7.0):
            recorder.add_to((with_dimension, account_wide), value)
        await recorder.flush()
        recorder.add_to([with_dimension], 10.0)
        await recorder.flush()
        await recorder.flush()  # nothing new: stores nothing

    try:
        asyncio.run(main())
        stored = _stored(bridge, "Duration")
        by_dimensions = {}
        for datum in stored:
            key = tuple((d.name, d.value) for d in datum.dimensions)
            by_dimensions.setdefault(key, []).append(datum)
        first, second = by_dimensions[(("FunctionName", "f"),)]
        assert (first.sample_count, first.sum, first.min, first.max) == (3, 12.0, 1.0, 7.0)
        assert (second.sample_count, second.sum) == (1, 10.0)
        [wide] = by_dimensions[()]
        assert (wide.sample_count, wide.sum, wide.unit) == (3, 12.0, "Milliseconds")
        assert first.timestamp.second == 0  # one statistic set per minute
    finally:
        bridge.shutdown()


def test_values_reach_moto_only_once_their_publication_delay_has_passed() -> None:
    bridge = MotoBridge(ACCOUNT, REGION, threads=1)
    late = MetricRecorder(bridge, delay_seconds=3600)
    soon = MetricRecorder(bridge, delay_seconds=0.2)
    held = late.series("Test/Recorder", "Held", {}, "Count")
    due = soon.series("Test/Recorder", "Due", {}, "Count")

    async def main() -> None:
        late.add_to([held], 1.0)
        soon.add_to([due], 2.0)
        await soon.flush()  # set aside, not yet due
        soon.add_to([due], 5.0)
        await late.flush()
        await soon.flush()
        assert _stored(bridge, "Held") == [] and _stored(bridge, "Due") == [], "nothing before the delay"
        deadline = time.monotonic() + 10
        while not _stored(bridge, "Due"):
            assert time.monotonic() < deadline, "the values never became due"
            await asyncio.sleep(0.05)
            await soon.flush()

    try:
        asyncio.run(main())
        stored = _stored(bridge, "Due")  # both slices of the minute (merged when due at the same flush)
        assert sum(d.sample_count for d in stored) == 2 and sum(d.sum for d in stored) == 7.0
        assert (min(d.min for d in stored), max(d.max for d in stored)) == (2.0, 5.0)
        assert _stored(bridge, "Held") == []
    finally:
        bridge.shutdown()
