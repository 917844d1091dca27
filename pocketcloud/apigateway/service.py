"""The API Gateway service: its lifecycle, and one invoke URL request served over a deployed stage to Lambda."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..fastlane import Request, Response
from ..ids import request_id as new_request_id
from ..lambda_ import LambdaError
from ..state_cache import StateCache
from . import handlers, moto_hooks
from .errors import gateway_error
from .plans import Plan, make_plan
from .proxy import MalformedResponse, parse_response
from .tracing import StageTrace

if TYPE_CHECKING:
    from ..server import Server


class ApiGatewayService:
    name = "apigateway"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.requests = 0
        # Bounded: a {proxy+} route sees as many paths as its callers make up.
        self._plans: StateCache[Plan] = StateCache(server.edge, max_entries=4096)

    def install(self) -> None:
        moto_hooks.install()
        handlers.install(self)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def status(self) -> dict[str, Any]:
        return {
            "invoke_url": f"{self.server.endpoint_url}/restapis/{{api_id}}/{{stage}}/_user_request_/",
            "requests": self.requests,
        }

    # -- one request -----------------------------------------------------------------------------
    async def handle(self, request: Request, api_id: str, stage_name: str, path: str) -> Response:
        self.requests += 1
        key = (api_id, stage_name, request.method, path)
        plan = self._plans.get(key, lambda: make_plan(self.server, *key))
        if plan.refusal is not None:
            response = gateway_error(*plan.refusal)
            response.headers.append(("x-amzn-RequestId", new_request_id()))
            return response
        assert plan.found is not None
        request_id = new_request_id()
        incoming = request.headers.get("X-Amzn-Trace-Id")
        trace = None
        if plan.traced:
            trace = StageTrace(self.server.xray, self.server.settings.region, plan, request, incoming)
            started = time.time()
        trace_header = trace.header if trace else incoming  # untraced: the caller's header passes through
        response = await self._integrate(request, plan, request_id, trace_header)
        response.headers.append(("x-amzn-RequestId", request_id))
        if trace_header:
            response.headers.append(("X-Amzn-Trace-Id", trace_header))
        if trace:
            trace.finish(started, response.status)
        return response

    async def _integrate(self, request: Request, plan: Plan, request_id: str, trace_header: str | None) -> Response:
        integration = plan.found.integration if plan.found else None
        assert integration is not None
        if integration.type == "MOCK":
            return Response(200, (integration.mock_body or "").encode(), [("Content-Type", "application/json")])
        if plan.failure:
            return gateway_error(500, "Internal server error")
        body = request.body
        data = plan.event.render(request, body, request_id) if plan.event else body or b"{}"
        try:
            result = await self.server.lambda_.invoke(
                plan.function_arn,
                data,
                trace_header=trace_header,
                validated=True,
                caller_timeout_s=integration.timeout_ms / 1000,
            )
        except TimeoutError:
            return gateway_error(504, "Endpoint request timed out")  # the function keeps running, as on AWS
        except LambdaError:
            return gateway_error(500, "Internal server error")
        if integration.type == "AWS":
            return Response(200, result.payload, [("Content-Type", "application/json")])
        if result.function_error:
            return gateway_error(502, "Internal server error")
        try:
            status, headers, raw = parse_response(result.payload)
        except MalformedResponse:
            return gateway_error(502, "Internal server error")
        if headers:
            # API Gateway's own request id wins over one the function returns.
            headers = [(name, value) for name, value in headers if name.lower() != "x-amzn-requestid"]
        response = Response(status, raw, headers)
        if response.header("Content-Type") is None:
            headers.append(("Content-Type", "application/json"))
        return response
