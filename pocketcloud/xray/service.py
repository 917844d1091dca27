"""The X-Ray service's lifecycle (the UDP daemon) and what other services trace through: contexts, ids, segments."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import handlers, moto_hooks
from .daemon import DaemonProtocol
from .store import SegmentStore
from .tracing import Sampler, TraceContext, new_segment_id, new_trace_id

if TYPE_CHECKING:
    from ..server import Server


class XRayService:
    name = "xray"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.store = SegmentStore()
        self.sampler = Sampler(sample_all=server.settings.xray_sample_all)
        self.protocol = DaemonProtocol(self.record)
        self._transport: asyncio.DatagramTransport | None = None

    # -- the interface other services use ---------------------------------------------------------------
    @property
    def daemon_address(self) -> str:
        return f"{self.server.settings.host}:{self.server.ports['xray']}"

    def trace_context(self, header: str | None, *, decide: bool = True) -> TraceContext:
        """The incoming trace or a new one, with a sampling decision made if it had none.

        ``decide=False`` is Lambda's PassThrough mode: it traces only what an upstream service
        sampled and makes no decision of its own, so an undecided trace stays unsampled.
        """
        context = TraceContext.parse(header) or TraceContext(new_trace_id(), None, None)
        if context.sampled is None:
            context.sampled = self.sampler.decide() if decide else False
        return context

    def new_id(self) -> str:
        return new_segment_id()

    def record(self, document: dict[str, Any]) -> None:
        self.store.put(document)

    # -- lifecycle -------------------------------------------------------------------------------------
    def install(self) -> None:
        moto_hooks.install()
        handlers.install(self)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self.protocol, local_addr=(self.server.settings.host, self.server.settings.xray_port)
        )
        self._transport = transport
        self.server.ports["xray"] = transport.get_extra_info("sockname")[1]

    async def stop(self) -> None:
        if self._transport:
            self._transport.close()

    def status(self) -> dict[str, Any]:
        return {
            "daemon": self.daemon_address,
            "traces": len(self.store.traces),
            "segments_received": self.protocol.received,
            "datagrams_rejected": self.protocol.rejected,
            "sample_all": self.sampler.sample_all,
        }
