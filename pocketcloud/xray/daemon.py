"""The X-Ray daemon's UDP protocol: a JSON header line, a newline, one segment document."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("pocketcloud.xray")


class DaemonProtocol(asyncio.DatagramProtocol):
    def __init__(self, record: Callable[[dict[str, Any]], None]) -> None:
        self.record = record
        self.received = 0
        self.rejected = 0

    def datagram_received(self, data: bytes, addr: Any) -> None:
        header, sep, body = data.partition(b"\n")
        try:
            if not sep:
                raise ValueError("no header line")
            if json.loads(header).get("format") != "json":
                raise ValueError("unknown format")
            self.record(json.loads(body))
            self.received += 1
        except Exception as exc:  # a malformed datagram is dropped; the daemon keeps serving
            self.rejected += 1
            log.debug("dropped X-Ray datagram from %s: %s", addr, exc)
