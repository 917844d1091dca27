"""X-Ray for Lambda: the trace header a handler sees, and the segments Lambda itself emits."""

from __future__ import annotations

import time
from typing import Any

from ..xray.tracing import new_trace_id
from .functions import FunctionSpec


class InvocationTrace:
    """Tracing for one invocation. Without an X-Ray service the incoming header passes through."""

    def __init__(self, xray: Any, spec: FunctionSpec, incoming: str | None, region: str, account: str) -> None:
        self._xray = xray
        self._spec = spec
        self._region = region
        self._account = account
        active_mode = spec.tracing_mode == "Active"
        self.started = time.time()
        if xray and not active_mode and not incoming:
            # PassThrough with nothing upstream: the handler gets a fresh unsampled trace, and Lambda
            # records nothing. The common case, so it skips parsing and the sampler.
            self.context, self.active = None, False
            self.service_segment_id = self.function_segment_id = None
            self.runtime_header = f"Root={new_trace_id()};Sampled=0"
            return
        self.context = xray.trace_context(incoming, decide=active_mode) if xray else None
        self.active = bool(self.context and active_mode and self.context.sampled)
        self.service_segment_id = xray.new_id() if self.active else None
        self.function_segment_id = xray.new_id() if self.active else None
        if self.context is None:
            self.runtime_header = incoming
        elif self.active:
            self.runtime_header = self.context.header(parent_id=self.function_segment_id)
        else:
            self.runtime_header = self.context.header(parent_id=self.context.parent_id)

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
        if not self.active:
            return
        ended = time.time()
        trace_id = self.context.trace_id
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
        if self.context.parent_id:
            service["parent_id"] = self.context.parent_id
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
