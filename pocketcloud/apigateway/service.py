"""API Gateway REST data plane: invoke URLs routed over deployed stages to Lambda."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from ..fastlane import Request, Response
from ..ids import request_id as new_request_id
from ..lambda_ import LambdaError
from ..state_cache import StateCache
from . import moto_hooks
from .proxy import EventTemplate, MalformedResponse, parse_response
from .routes import Match, match

if TYPE_CHECKING:
    from ..server import Server

# Three ways to reach a stage: the path form moto and LocalStack's older releases use, the "/_aws/" path
# form of LocalStack's current releases (and other emulators' users' scripts), and the host form below.
INVOKE_PATH = r"/restapis/(?P<api_id>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>.*)"
INVOKE_PATH_AWS = r"/_aws/execute-api/(?P<api_id>[^/]+)/(?P<stage>[^/]+)(?P<path>/.*)?"
HOST_PATTERN = r"(?P<api>[a-z0-9]+)\.execute-api\.(localhost|127\.0\.0\.1\.nip\.io|localhost\.localstack\.cloud)"
_LAMBDA_URI = re.compile(r"arn:aws:apigateway:[^:]+:lambda:path/2015-03-31/functions/(?P<fn>.+)/invocations")
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def _message(status: int, message: str, error_type: str | None = None) -> Response:
    """An API Gateway error; the caller adds x-amzn-RequestId."""
    headers = {"x-amzn-ErrorType": error_type} if error_type else None
    return Response.json({"message": message}, status=status, headers=headers)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """How to serve one (API, stage, method, path): everything taken from moto's state, derived
    once per control-plane generation, so that a request only does its own part."""

    api: Any = None
    stage: Any = None
    found: Match | None = None
    refusal: tuple[int, str, str | None] | None = None  # answered before the integration runs
    failure: bool = False  # the integration cannot run: 500, as AWS answers a bad target or permission
    function_arn: str = ""
    event: EventTemplate | None = None
    traced: bool = False  # the stage has tracing enabled and an X-Ray service records its segments


class ApiGatewayService:
    name = "apigateway"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.requests = 0
        # Bounded: a {proxy+} route sees as many paths as its callers make up.
        self._plans: StateCache[_Plan] = StateCache(server.edge, max_entries=4096)

    def install(self) -> None:
        moto_hooks.install()
        self.server.edge.add_fast_route("*", INVOKE_PATH, self._by_path)
        self.server.edge.add_fast_route("*", INVOKE_PATH_AWS, self._by_path)
        self.server.edge.add_fast_host(HOST_PATTERN, self._by_host)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def status(self) -> dict[str, Any]:
        return {
            "invoke_url": f"{self.server.endpoint_url}/restapis/{{api_id}}/{{stage}}/_user_request_/",
            "requests": self.requests,
        }

    # Plain functions handing back handle's coroutine: one coroutine less to make and resume per request.
    def _by_path(self, request: Request) -> Awaitable[Response]:
        info = request.match_info
        return self.handle(request, info["api_id"], info["stage"], info["path"] or "/")

    def _by_host(self, request: Request) -> Awaitable[Response]:
        stage, _, rest = request.path.lstrip("/").partition("/")
        return self.handle(request, request.match_info["api"], stage, "/" + rest)

    # -- one request -----------------------------------------------------------------------------
    async def handle(self, request: Request, api_id: str, stage_name: str, path: str) -> Response:
        self.requests += 1
        key = (api_id, stage_name, request.method, path)
        plan = self._plans.get(key, lambda: self._plan(*key))
        if plan.refusal is not None:
            response = _message(*plan.refusal)
            response.headers.append(("x-amzn-RequestId", new_request_id()))
            return response
        assert plan.found is not None
        request_id = new_request_id()
        incoming = request.headers.get("X-Amzn-Trace-Id")
        trace = None
        if plan.traced:
            trace = _StageTrace(self.server.services["xray"], self.server.settings.region, plan, request, incoming)
            started = time.time()
        trace_header = trace.header if trace else incoming  # untraced: the caller's header passes through
        response = await self._integrate(request, plan, request_id, trace_header)
        response.headers.append(("x-amzn-RequestId", request_id))
        if trace_header:
            response.headers.append(("X-Amzn-Trace-Id", trace_header))
        if trace:
            trace.finish(started, response.status)
        return response

    def _plan(self, api_id: str, stage_name: str, method: str, path: str) -> _Plan:
        path = path if path.startswith("/") else "/" + path
        backend = self.server.moto.backend("apigateway")
        api = backend.apis.get(api_id)
        stage = api.stages.get(stage_name) if api else None
        deployment = api.deployments.get(stage.deployment_id) if stage and stage.deployment_id else None
        routes = getattr(deployment, "pocketcloud_routes", None)
        if api is None or stage is None or routes is None:
            return _Plan(refusal=(403, "Forbidden", "ForbiddenException"))
        found = match(routes, path, method)
        if found is None or found.integration is None:
            return _Plan(refusal=(403, "Missing Authentication Token", "MissingAuthenticationTokenException"))
        integration = found.integration
        traced = bool(stage.tracing_enabled and self.server.services.get("xray"))
        if integration.type == "MOCK":
            return _Plan(api, stage, found, traced=traced)
        uri = _STAGE_VAR.sub(lambda m: stage.variables.get(m.group(1), ""), integration.uri or "")
        target = _LAMBDA_URI.match(uri)
        if integration.type not in ("AWS_PROXY", "AWS") or target is None:
            return _Plan(api, stage, found, failure=True, traced=traced)
        function_arn = target.group("fn")
        prefix = f"arn:aws:execute-api:{self.server.settings.region}:{self.server.settings.account_id}:"
        source_arns = [
            f"{prefix}{api_id}/{stage.name}/{method}{found.route.path}",
            f"{prefix}{api_id}/{stage.name}/{method}{path}",
        ]
        if not self._may_invoke(function_arn, source_arns):
            return _Plan(api, stage, found, failure=True, traced=traced)
        event = None
        if integration.type == "AWS_PROXY":
            event = EventTemplate(
                api_id=api_id,
                stage=stage.name,
                account_id=self.server.settings.account_id,
                method=method,
                resource_id=found.route.resource_id,
                resource_path=found.route.path,
                path=path,
                path_parameters=found.path_parameters,
                stage_variables=dict(stage.variables),
            )
        return _Plan(api, stage, found, function_arn=function_arn, event=event, traced=traced)

    async def _integrate(self, request: Request, plan: _Plan, request_id: str, trace_header: str | None) -> Response:
        integration = plan.found.integration if plan.found else None
        assert integration is not None
        if integration.type == "MOCK":
            return Response(200, (integration.mock_body or "").encode(), [("Content-Type", "application/json")])
        if plan.failure:
            return _message(500, "Internal server error")
        body = request.body
        data = plan.event.render(request, body, request_id) if plan.event else body or b"{}"
        try:
            result = await self.server.services["lambda"].invoke(
                plan.function_arn,
                data,
                trace_header=trace_header,
                validated=True,
                caller_timeout_s=integration.timeout_ms / 1000,
            )
        except TimeoutError:
            return _message(504, "Endpoint request timed out")  # the function keeps running, as on AWS
        except LambdaError:
            return _message(500, "Internal server error")
        if integration.type == "AWS":
            return Response(200, result.payload, [("Content-Type", "application/json")])
        if result.function_error:
            return _message(502, "Internal server error")
        try:
            status, headers, raw = parse_response(result.payload)
        except MalformedResponse:
            return _message(502, "Internal server error")
        if headers:
            # API Gateway's own request id wins over one the function returns.
            headers = [(name, value) for name, value in headers if name.lower() != "x-amzn-requestid"]
        response = Response(status, raw, headers)
        if response.header("Content-Type") is None:
            headers.append(("Content-Type", "application/json"))
        return response

    def _may_invoke(self, function_arn: str, source_arns: list[str]) -> bool:
        """True when the function's resource policy lets API Gateway invoke it for the request."""
        from ..lambda_.functions import split_name

        name, qualifier = split_name(function_arn, None)
        try:
            fn = self.server.moto.backend("lambda").get_function(name, qualifier)
        except Exception:
            return True  # Lambda itself answers 404; API Gateway maps that to a 500 below
        for statement in fn.policy.statements:
            principal = statement.get("Principal", {})
            service = principal.get("Service") if isinstance(principal, dict) else principal
            services = service if isinstance(service, list) else [service]
            if "apigateway.amazonaws.com" not in services or statement.get("Effect", "Allow") != "Allow":
                continue
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            if not any(a in ("lambda:InvokeFunction", "lambda:*") for a in actions):
                continue
            condition = statement.get("Condition", {})
            patterns = [v for block in condition.values() for k, v in block.items() if k.lower() == "aws:sourcearn"]
            candidates = [(arn, p) for arn in source_arns for p in _flatten(patterns)]
            if not patterns or any(fnmatch.fnmatchcase(arn, p) for arn, p in candidates):
                return True
        return False


def _flatten(values: list[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        out += value if isinstance(value, list) else [value]
    return out


class _StageTrace:
    """The stage's segment, for a stage with tracing enabled, and the trace header the request carries on."""

    def __init__(self, xray: Any, region: str, plan: _Plan, request: Request, incoming: str | None) -> None:
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
