"""X-Ray for API Gateway: the segment of a stage with tracing enabled, and the header the request carries on."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..fastlane import Request

if TYPE_CHECKING:
    from ..xray import XRayService
    from .plans import Plan


class StageTrace:
    """The stage's segment, for a stage with tracing enabled, and the trace header the request carries on."""

    def __init__(self, xray: XRayService, region: str, plan: Plan, request: Request, incoming: str | None) -> None:
        self._xray, self._region, self._plan, self._request = xray, region, plan, request
        self.context = xray.trace_context(incoming)
        self.segment_id: str | None = None
        if self.context.sampled:
            self.segment_id = xray.new_id()
            self.header = self.context.header(parent_id=self.segment_id)
        else:
            self.header = self.context.header(parent_id=self.context.parent_id)

    def finish(self, started: float, status: int) -> None:
        if not self.segment_id:
            return
        api, stage, request = self._plan.api, self._plan.stage, self._request
        assert self._plan.found is not None
        segment: dict[str, Any] = {
            "id": self.segment_id,
            "trace_id": self.context.trace_id,
            "name": f"{api.name}/{stage.name}",
            "origin": "AWS::ApiGateway::Stage",
            "start_time": started,
            "end_time": time.time(),
            "http": {
                "request": {
                    "method": request.method,
                    "url": str(request.url),
                    "client_ip": request.remote,
                    "user_agent": request.headers.get("User-Agent"),
                },
                "response": {"status": status},
            },
            "aws": {"api_id": api.id, "stage": stage.name},
            "resource_arn": f"arn:aws:apigateway:{self._region}::/restapis/{api.id}/stages/{stage.name}",
            "annotations": {"resource_path": self._plan.found.route.path},
        }
        if self.context.parent_id:
            segment["parent_id"] = self.context.parent_id
        if 400 <= status < 500:
            segment["error"] = True
        elif status >= 500:
            segment["fault"] = True
        self._xray.record(segment)
