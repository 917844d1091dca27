"""The edge route the RDS service answers: ``GET /_pocketcloud/rds``, its DB servers and proxies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .service import RdsService


def install(service: RdsService) -> None:
    async def describe(_: web.Request) -> web.Response:
        return web.json_response(service.status())

    service.server.edge.add_route("GET", "/_pocketcloud/rds", describe)
