"""The X-Ray API operations pocketcloud answers from its own segment store (moto keeps groups and sampling rules)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import InvalidRequest
from .graph import service_graph, trace_summary
from .store import BadSegment

if TYPE_CHECKING:
    from .service import XRayService


def install(service: XRayService) -> None:
    api = TraceApi(service)
    edge = service.server.edge
    edge.add_route("POST", "/TraceSegments", api.put_trace_segments)
    edge.add_route("POST", "/TraceSummaries", api.get_trace_summaries)
    edge.add_route("POST", "/Traces", api.batch_get_traces)
    edge.add_route("POST", "/ServiceGraph", api.get_service_graph)
    edge.add_route("POST", "/TraceGraph", api.get_trace_graph)


class TraceApi:
    """PutTraceSegments, GetTraceSummaries, BatchGetTraces, GetServiceGraph and GetTraceGraph."""

    def __init__(self, service: XRayService) -> None:
        self.service = service

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise InvalidRequest("The request body must be a JSON object")
        return body

    async def put_trace_segments(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
        except InvalidRequest as exc:
            return exc.response
        unprocessed = []
        for raw in body.get("TraceSegmentDocuments", []):
            doc: Any = None
            try:
                doc = json.loads(raw)
                self.service.record(doc)
            except (ValueError, BadSegment, TypeError, AttributeError) as exc:
                seg_id = doc.get("id") if isinstance(doc, dict) else None
                unprocessed.append({"Id": seg_id, "ErrorCode": "InvalidSegment", "Message": str(exc)})
        return web.json_response({"UnprocessedTraceSegments": unprocessed})

    @staticmethod
    def _time_range(body: dict[str, Any]) -> tuple[float, float]:
        if "StartTime" not in body or "EndTime" not in body:
            raise InvalidRequest("StartTime and EndTime are required")
        start, end = float(body["StartTime"]), float(body["EndTime"])
        if end < start:
            raise InvalidRequest("EndTime must not be before StartTime")
        return start, end

    async def get_trace_summaries(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            start, end = self._time_range(body)
        except InvalidRequest as exc:
            return exc.response
        summaries = [trace_summary(t) for t in self.service.store.between(start, end)]
        return web.json_response(
            {"TraceSummaries": summaries, "ApproximateTime": time.time(), "TracesProcessedCount": len(summaries)}
        )

    async def batch_get_traces(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
        except InvalidRequest as exc:
            return exc.response
        ids = body.get("TraceIds")
        if not isinstance(ids, list):
            return InvalidRequest("TraceIds is required").response
        traces, missing = self.service.store.get(ids)
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

    async def get_service_graph(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            start, end = self._time_range(body)
        except InvalidRequest as exc:
            return exc.response
        services = service_graph(self.service.store.between(start, end), self.service.server.settings.account_id)
        return web.json_response(
            {"StartTime": start, "EndTime": end, "Services": services, "ContainsOldGroupVersions": False}
        )

    async def get_trace_graph(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
        except InvalidRequest as exc:
            return exc.response
        traces, _ = self.service.store.get(list(body.get("TraceIds") or []))
        return web.json_response({"Services": service_graph(traces, self.service.server.settings.account_id)})
