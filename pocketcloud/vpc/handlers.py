"""What the VPC service answers at the edge: the screen every request passes when the rules are on, and
``GET /_pocketcloud/vpc``.

A request reaches pocketcloud's endpoint the way an AWS SDK call reaches AWS, so the edge is where a VPC
function's egress is decided: a request signed with an execution environment's credentials (or, unsigned or
signed with other keys, sent from an environment's process) is admitted only if the function's VPC lets it
out (``rules.Network.api``: a NAT gateway, or a VPC endpoint for the service). Otherwise it is held
unanswered, as a packet to an address with no route goes unanswered, until the client gives up.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..fastlane import NOT_LOOKED_UP

if TYPE_CHECKING:
    from ..fastlane import EdgeConnection
    from ..lambda_.environment import ExecutionEnvironment
    from .service import VpcService

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[a-z0-9-]+/([a-z0-9-]+)/aws4_request")


def install(service: VpcService) -> None:
    async def describe(_: web.Request) -> web.Response:
        return web.json_response(service.status())

    edge = service.server.edge
    edge.add_route("GET", "/_pocketcloud/vpc", describe)
    if service.enforcing:
        edge.screen = ApiScreen(service).screen


class ApiScreen:
    """Decides, per request, whether a function's call may leave its VPC for pocketcloud's endpoint."""

    def __init__(self, service: VpcService) -> None:
        self.service = service
        self.credentials = service.server.lambda_.credentials

    def screen(
        self,
        headers: Mapping[str, str],
        path: str,
        transport: asyncio.BaseTransport | None,
        connection: EdgeConnection | None,
    ) -> Awaitable[float | None] | None:
        """None to answer the request; else an awaitable of None (answer it) or the seconds to hold it."""
        if path.startswith("/_pocketcloud/"):
            return None  # pocketcloud's own admin routes, not an AWS API
        authorization = headers.get("Authorization", "")
        caller = self.credentials.caller_of_authorization(authorization) if authorization else None
        if caller is not None:
            function, version, environment_id = caller.function, caller.version, caller.environment_id
        else:
            env = self._environment(transport, connection)
            if env is None:
                return None  # the notebook's host
            function, version, environment_id = env.spec.name, env.spec.version, env.id
        scope = _SCOPE.search(authorization) if authorization else None
        # API Gateway invoke URLs are called unsigned; everything else is an AWS API signed for its service.
        service = scope.group(1) if scope else "execute-api"
        return self.service.screen_api_call(function, version, environment_id, service)

    def _environment(
        self, transport: asyncio.BaseTransport | None, connection: EdgeConnection | None
    ) -> ExecutionEnvironment | None:
        """The environment whose process holds the other end of ``transport``; looked up once per fast-lane
        connection (a connection belongs to one process for its life)."""
        memo: Any = connection.screen_memo if connection is not None else NOT_LOOKED_UP
        if memo is not NOT_LOOKED_UP:
            return memo  # type: ignore[no-any-return]
        env = None
        if transport is not None:
            peer, local = transport.get_extra_info("peername"), transport.get_extra_info("sockname")
            if peer and local and len(peer) == 2:
                env = self.service.environment_at((peer[0], peer[1]), (local[0], local[1]))
        if connection is not None:
            connection.screen_memo = env
        return env
