"""The edge: pocketcloud's single HTTP endpoint.

Requests go, in order, to
1. host handlers (e.g. ``{api}.execute-api.localhost``),
2. data-plane routes registered by services (Lambda Invoke, API Gateway invoke URLs, admin),
3. action interceptors for query/JSON protocol operations moto lacks or that need a data plane,
4. moto, followed by any ``after`` hooks for that operation.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from aiohttp import web

if TYPE_CHECKING:
    from .server import Server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")


@dataclasses.dataclass
class AwsRequest:
    """What the edge could tell about a control-plane request before moto sees it."""

    request: web.Request
    body: bytes
    service: str | None  # SigV4 signing name, e.g. "rds", "lambda", "monitoring"
    region: str
    action: str | None  # e.g. "CreateDBInstance"; None for REST-style protocols
    params: dict[str, Any]

    @classmethod
    def parse(cls, request: web.Request, body: bytes, default_region: str) -> AwsRequest:
        service, region = None, default_region
        match = _CREDENTIAL.search(request.headers.get("Authorization", ""))
        if match:
            region, service = match.group(1), match.group(2)
        params: dict[str, Any] = {}
        action = None
        target = request.headers.get("X-Amz-Target")
        content_type = request.headers.get("Content-Type", "")
        if target:
            action = target.rsplit(".", 1)[-1]
            if body and "json" in content_type:
                try:
                    params = json.loads(body)
                except ValueError:
                    params = {}
        elif "x-www-form-urlencoded" in content_type or "Action" in request.query:
            form = parse_qs(body.decode("utf-8", "replace")) if body else {}
            merged = {k: v[-1] for k, v in form.items()}
            merged.update({k: v for k, v in request.query.items()})
            params = merged
            action = merged.get("Action")
        else:
            rpc = _RPC_V2_PATH.match(request.path)
            if rpc:
                action = rpc.group(1)
        return cls(request, body, service, region, action, params)


Interceptor = Callable[[AwsRequest], Awaitable[web.StreamResponse | None]]
AfterHook = Callable[[AwsRequest, web.Response], Awaitable[None]]


class Edge:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._host_middleware])
        self._host_handlers: list[tuple[re.Pattern[str], Handler]] = []
        self._interceptors: dict[tuple[str, str], Interceptor] = {}
        self._after: dict[tuple[str, str], list[AfterHook]] = {}
        self._finalized = False

    # -- registration (during Service.install) -------------------------------------------------
    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """A data-plane route (aiohttp path syntax), matched before anything goes to moto."""
        self.app.router.add_route(method, path, handler)

    def add_host_handler(self, host_pattern: str, handler: Handler) -> None:
        """Handle every request whose Host header (port stripped) fully matches ``host_pattern``."""
        self._host_handlers.append((re.compile(host_pattern), handler))

    def intercept(self, service: str, action: str, handler: Interceptor) -> None:
        """Answer ``service``/``action`` instead of moto; the handler may return None to fall through."""
        self._interceptors[(service, action)] = handler

    def after(self, service: str, action: str, hook: AfterHook) -> None:
        """Run ``hook`` after moto answered ``service``/``action`` with a 2xx status."""
        self._after.setdefault((service, action), []).append(hook)

    def finalize(self) -> None:
        if not self._finalized:
            self.app.router.add_route("*", "/{tail:.*}", self._to_control_plane)
            self._finalized = True

    # -- request handling ----------------------------------------------------------------------
    @web.middleware
    async def _host_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self._host_handlers:
            host = (request.host or "").rsplit(":", 1)[0] if not (request.host or "").startswith("[") else ""
            for pattern, host_handler in self._host_handlers:
                if pattern.fullmatch(host):
                    return await host_handler(request)
        return await handler(request)

    async def _to_control_plane(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        aws = AwsRequest.parse(request, body, self.server.settings.region)
        key = (aws.service or "", aws.action or "")
        interceptor = self._interceptors.get(key)
        if interceptor is not None:
            answer = await interceptor(aws)
            if answer is not None:
                return answer
        response = await self.server.moto.forward(request, body)
        if 200 <= response.status < 300:
            for hook in self._after.get(key, ()):
                await hook(aws, response)
        return response
