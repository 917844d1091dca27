"""The RDS service's lifecycle: DB servers for DB instances (`instances.py`) and RDS Proxy listeners (`proxies.py`)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import handlers, moto_hooks
from .instances import InstanceManager
from .proxies import ProxyManager

if TYPE_CHECKING:
    from ..server import Server


class RdsService:
    name = "rds"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.instances = InstanceManager(server)
        self.proxies = ProxyManager(server, self.instances)

    def install(self) -> None:
        moto_hooks.install(self)
        handlers.install(self)

    async def start(self) -> None:
        self.instances.loop = asyncio.get_running_loop()
        self.proxies.start()

    async def stop(self) -> None:
        await self.proxies.stop()
        await self.instances.stop_all()

    def status(self) -> dict[str, Any]:
        return {**self.instances.status(), "proxies": self.proxies.status()}
