"""X-Ray for Lambda: the trace header a handler sees, and the segments Lambda itself emits."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..xray.tracing import TraceContext, new_trace_id
from .functions import FunctionSpec

if TYPE_CHECKING:
    from ..xray import XRayService


class InvocationTrace:
    """Tracing for one invocation: the header its handler sees and, when active and sampled, Lambda's segments."""

    context: TraceContext | None
    service_segment_id: str | None
    function_segment_id: str | None

    def __init__(self, xray: XRayService, spec: FunctionSpec, incoming: str | None, region: str, account: str) -> None:
        self._xray = xray
        self._spec = spec
        self._region = region
        self._account = account
        active_mode = spec.tracing_mode == "Active"
        self.started = time.time()
        if not active_mode and not incoming:
            # PassThrough with nothing upstream: the handler gets a fresh unsampled trace, and Lambda
            # records nothing. The common case, so it skips parsing and the sampler.
            self.context, self.active = None, False
            self.service_segment_id = self.function_segment_id = None
            self.runtime_header = f"Root={new_trace_id()};Sampled=0"
            return
        context = self.context = xray.trace_context(incoming, decide=active_mode)
        self.active = bool(active_mode and context.sampled)
        self.service_segment_id = xray.new_id() if self.active else None
        self.function_segment_id = xray.new_id() if self.active else None
        if self.active:
            self.runtime_header = context.header(parent_id=self.function_segment_id)
        else:
            self.runtime_header = context.header(parent_id=context.parent_id)

    def finish(
        self,
        request_id: str,
        init_started: float | None,
        init_ms: float | None,
        invoke_started: float,
        invoke_ended: float,
        error: str | None,
    ) -> None:
        """Record the AWS::Lambda and AWS::Lambda::Function segments (Active tracing, sampled only)."""
        context = self.context
        if not self.active or context is None:
            return
        ended = time.time()
        trace_id = context.trace_id
        spec = self._spec
        function_arn = spec.version_arn if spec.version != "$LATEST" else spec.arn
        service: dict[str, Any] = {
            "id": self.service_segment_id,
            "trace_id": trace_id,
            "name": spec.name,
            "origin": "AWS::Lambda",
            "start_time": self.started,
            "end_time": ended,
            "aws": {"request_id": request_id},
            "http": {"response": {"status": 200}},
            "resource_arn": function_arn,
        }
        if context.parent_id:
            service["parent_id"] = context.parent_id
        subsegments = []
        if init_started is not None and init_ms is not None:
            subsegments.append(
                {
                    "id": self._xray.new_id(),
                    "name": "Initialization",
                    "start_time": init_started,
                    "end_time": init_started + init_ms / 1000,
                }
            )
        invocation: dict[str, Any] = {
            "id": self._xray.new_id(),
            "name": "Invocation",
            "start_time": invoke_started,
            "end_time": invoke_ended,
        }
        if error:
            invocation["error"] = True
        subsegments.append(invocation)
        subsegments.append(
            {"id": self._xray.new_id(), "name": "Overhead", "start_time": invoke_ended, "end_time": ended}
        )
        function: dict[str, Any] = {
            "id": self.function_segment_id,
            "trace_id": trace_id,
            "parent_id": self.service_segment_id,
            "name": spec.name,
            "origin": "AWS::Lambda::Function",
            "start_time": init_started if init_started is not None else invoke_started,
            "end_time": ended,
            "aws": {"function_arn": function_arn, "resource_names": [spec.name], "account_id": self._account},
            "subsegments": subsegments,
        }
        if error:
            function["fault"] = True
        self._xray.record(service)
        self._xray.record(function)
