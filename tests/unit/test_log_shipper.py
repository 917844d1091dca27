"""LogShipper: Lambda's log lines reach moto's CloudWatch Logs in order, whatever one stream does."""

from __future__ import annotations

import asyncio

from pocketcloud.lambda_.logs import LogShipper
from pocketcloud.monitoring import LogWriter
from pocketcloud.moto_bridge import MotoBridge

ACCOUNT, REGION = "123456789012", "ap-south-2"


def test_a_stream_moto_refuses_does_not_stop_the_others() -> None:
    bridge = MotoBridge(ACCOUNT, REGION, threads=1)
    shipper_alive: list[bool] = []

    async def main() -> None:
        shipper = LogShipper(LogWriter(bridge))
        shipper.start()
        shipper.ship("/aws/lambda/" + "x" * 600, "stream", ["moto refuses this group name: over 512 characters"])
        shipper.ship("/aws/lambda/ok", "2026/11/25/[$LATEST]a", ["START RequestId: 1", "END RequestId: 1"])
        await asyncio.wait_for(shipper.flush(), 10)
        shipper.ship("/aws/lambda/ok", "2026/11/25/[$LATEST]a", ["START RequestId: 2"])
        await asyncio.wait_for(shipper.flush(), 10)
        shipper_alive.append(shipper._task is not None and not shipper._task.done())
        await shipper.stop()

    try:
        asyncio.run(main())
        events = bridge.backend("logs").groups["/aws/lambda/ok"].streams["2026/11/25/[$LATEST]a"].events
        assert [e.message for e in events] == ["START RequestId: 1", "END RequestId: 1", "START RequestId: 2"]
        stamps = [e.timestamp for e in events]
        assert stamps == sorted(stamps)
        assert shipper_alive == [True]
    finally:
        bridge.shutdown()
