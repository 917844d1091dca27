"""X-Ray: the UDP daemon, the segment store and the trace APIs (moto keeps groups and sampling rules)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import json_error
from .daemon import DaemonProtocol
from .graph import service_graph, trace_summary
from .store import BadSegment, SegmentStore
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
        edge = self.server.edge
        edge.add_route("POST", "/TraceSegments", self._put_trace_segments)
        edge.add_route("POST", "/TraceSummaries", self._get_trace_summaries)
        edge.add_route("POST", "/Traces", self._batch_get_traces)
        edge.add_route("POST", "/ServiceGraph", self._get_service_graph)
        edge.add_route("POST", "/TraceGraph", self._get_trace_graph)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self.protocol, local_addr=(self.server.settings.host, self.server.settings.xray_port)
        )
        self._transport = transport  # type: ignore[assignment]
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

    # -- API -------------------------------------------------------------------------------------------
    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _invalid("The request body must be a JSON object")
        return body

    async def _put_trace_segments(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
        except _Invalid as exc:
            return exc.response
        unprocessed = []
        for raw in body.get("TraceSegmentDocuments", []):
            doc: Any = None
            try:
                doc = json.loads(raw)
                self.record(doc)
            except (ValueError, BadSegment, TypeError, AttributeError) as exc:
                seg_id = doc.get("id") if isinstance(doc, dict) else None
                unprocessed.append({"Id": seg_id, "ErrorCode": "InvalidSegment", "Message": str(exc)})
        return web.json_response({"UnprocessedTraceSegments": unprocessed})

    def _time_range(self, body: dict[str, Any]) -> tuple[float, float]:
        if "StartTime" not in body or "EndTime" not in body:
            raise _invalid("StartTime and EndTime are required")
        start, end = float(body["StartTime"]), float(body["EndTime"])
        if end < start:
            raise _invalid("EndTime must not be before StartTime")
        return start, end

    async def _get_trace_summaries(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            start, end = self._time_range(body)
        except _Invalid as exc:
            return exc.response
        summaries = [trace_summary(t) for t in self.store.between(start, end)]
        return web.json_response(
            {"TraceSummaries": summaries, "ApproximateTime": time.time(), "TracesProcessedCount": len(summaries)}
        )

    async def _batch_get_traces(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
        except _Invalid as exc:
            return exc.response
        ids = body.get("TraceIds")
        if not isinstance(ids, list):
            return _invalid("TraceIds is required").response
        traces, missing = self.store.get(ids)
        return web.json_response(
            {
                "Traces": [
                    {
                        "Id": t.id,
                        "Duration": round(t.end - t.start, 6),
                        "LimitExceeded": False,
                        "Segments": t.documents(),
                    }
                    for t in traces
                ],
                "UnprocessedTraceIds": missing,
            }
        )

    async def _get_service_graph(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            start, end = self._time_range(body)
        except _Invalid as exc:
            return exc.response
        services = service_graph(self.store.between(start, end), self.server.settings.account_id)
        return web.json_response(
            {"StartTime": start, "EndTime": end, "Services": services, "ContainsOldGroupVersions": False}
        )

    async def _get_trace_graph(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
        except _Invalid as exc:
            return exc.response
        traces, _ = self.store.get(list(body.get("TraceIds") or []))
        return web.json_response({"Services": service_graph(traces, self.server.settings.account_id)})


class _Invalid(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


def _invalid(message: str) -> _Invalid:
    return _Invalid(json_error("InvalidRequestException", message, 400))
