"""The edge: pocketcloud's single HTTP endpoint.

Requests go, in order, to
1. fast routes: the hot data-plane paths (Lambda Invoke, API Gateway invoke URLs, by path or by
   host such as ``{api}.execute-api.localhost``), answered by :mod:`pocketcloud.fastlane`
   without a web framework, or by aiohttp on connections the fast lane handed over,
2. data-plane routes registered by services (admin, X-Ray, provisioned concurrency ...),
3. action interceptors for query/JSON protocol operations moto lacks or that need a data plane,
4. moto.

Every request aiohttp serves passes the ``authorizer`` first (the IAM service's: a request signed with
a function's credentials is checked against its execution role; any other costs one look-up).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from aiohttp import web

from .fastlane import EdgeConnection, FastHandler, FastRoutes, Request, Screen

if TYPE_CHECKING:
    from .server import Server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_BODY_BYTES = 64 * 1024 * 1024
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
# Given a request and its Authorization header: None to let it through, or the answer that refuses it.
Authorizer = Callable[[web.Request, str], Awaitable[web.StreamResponse | None]]


class Edge:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.app = web.Application(
            client_max_size=MAX_BODY_BYTES, middlewares=[self._screen_middleware, self._fast_route_middleware]
        )
        self.fast_routes = FastRoutes()
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._interceptors: dict[tuple[str, str], Interceptor] = {}
        # Checks every signed request aiohttp serves, before routing (the IAM service's, for functions' calls).
        self.authorizer: Authorizer | None = None
        self._finalized = False
        # Asked about every request before anything answers it (set at install when the VPC rules are on).
        self.screen: Screen | None = None
        # Counts control-plane requests that may change state, so data planes can cache what they
        # read from moto until the next one (e.g. a function's configuration on every invoke).
        self.generation = 0

    # -- registration (during Service.install) -------------------------------------------------
    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """A data-plane route (aiohttp path syntax), matched before anything goes to moto."""
        self.app.router.add_route(method, path, handler)

    def add_fast_route(self, method: str, path_regex: str, handler: FastHandler) -> None:
        """A hot data-plane route (``method`` may be ``*``; named groups of the regex, matched
        against the decoded path, become ``request.match_info``)."""
        self.fast_routes.add_path(method, path_regex, handler)

    def add_fast_host(self, host_regex: str, handler: FastHandler) -> None:
        """Answer every request whose Host header (port stripped) fully matches ``host_regex``."""
        self.fast_routes.add_host(host_regex, handler)

    def intercept(self, service: str, action: str, handler: Interceptor) -> None:
        """Answer ``service``/``action`` instead of moto; the handler may return None to fall through."""
        self._interceptors[(service, action)] = handler

    def finalize(self) -> None:
        if not self._finalized:
            self.app.router.add_route("*", "/{tail:.*}", self._to_control_plane)
            self._finalized = True

    # -- listening -------------------------------------------------------------------------------
    async def listen(self, host: str, port: int) -> int:
        """Serve on ``host:port`` (fast lane first, aiohttp for the rest); returns the bound port."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        aiohttp_server = self._runner.server
        assert aiohttp_server is not None
        self._listener = await asyncio.get_running_loop().create_server(
            lambda: EdgeConnection(self.fast_routes, aiohttp_server, MAX_BODY_BYTES, self.screen),
            host,
            port,
            reuse_address=True,
        )
        bound: int = self._listener.sockets[0].getsockname()[1]
        return bound

    async def close(self) -> None:
        if self._listener:
            self._listener.close()
        if self._runner:
            await self._runner.cleanup()

    # -- request handling ----------------------------------------------------------------------
    @web.middleware
    async def _screen_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.screen is not None:
            held = self.screen(request.headers, request.path, request.transport, None)
            hold = await held if held is not None else None
            if hold is not None:
                await _hold(request, hold)
        return await handler(request)

    @web.middleware
    async def _fast_route_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.authorizer is not None:
            authorization = request.headers.get("Authorization")
            if authorization is not None:
                refused = await self.authorizer(request, authorization)
                if refused is not None:
                    return refused
        # Connections the fast lane handed over still reach fast routes, through the same handlers.
        found = self.fast_routes.find(request.method, request.host or "", request.path)
        if found is not None:
            fast_handler, match_info = found
            response = await fast_handler(await Request.from_aiohttp(request, match_info))
            return response.to_aiohttp()
        return await handler(request)

    async def _to_control_plane(self, request: web.Request) -> web.StreamResponse:
        mutating = request.method not in ("GET", "HEAD")
        if mutating:
            self.generation += 1
        try:
            body = await request.read()
            aws = AwsRequest.parse(request, body, self.server.settings.region)
            interceptor = self._interceptors.get((aws.service or "", aws.action or ""))
            if interceptor is not None:
                answer = await interceptor(aws)
                if answer is not None:
                    return answer
            return await self.server.moto.forward(request, body)
        finally:
            if mutating:
                self.generation += 1  # again: a data plane may have cached the old state meanwhile


async def _hold(request: web.Request, seconds: float) -> None:
    """Leave ``request`` unanswered until its client closes the connection or ``seconds`` pass, then drop the
    connection without an answer; raises CancelledError so that nothing is written after."""
    deadline = asyncio.get_running_loop().time() + seconds
    while request.transport is not None and not request.transport.is_closing():
        if asyncio.get_running_loop().time() >= deadline:
            request.transport.abort()
            break
        await asyncio.sleep(0.1)
    raise asyncio.CancelledError
