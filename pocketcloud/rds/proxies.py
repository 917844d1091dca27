"""DB proxies: moto keeps the RDS Proxy model; pocketcloud runs the listener and the pools."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from .errors import invalid_parameter
from .proxy import DbProxy

if TYPE_CHECKING:
    from ..server import Server
    from .instances import InstanceManager

SAMPLE_SECONDS = 1.0


class ProxyManager:
    def __init__(self, server: Server, instances: InstanceManager) -> None:
        self.server = server
        self.instances = instances
        self.proxies: dict[str, DbProxy] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sampler: asyncio.Task[None] | None = None

    # -- called on moto's worker thread ---------------------------------------------------------------
    def on_create(self, model: Any) -> None:
        if model.engine_family != "MYSQL":
            return
        if not any(entry.get("SecretArn") for entry in model.auth or []):
            raise invalid_parameter("Auth must name at least one Secrets Manager secret (SecretArn).")
        proxy = DbProxy(self.server, model.db_proxy_name, list(model.auth), float(model.idle_client_timeout))
        self.proxies[model.db_proxy_name] = proxy
        model.endpoint = proxy.address
        # `creating` for a while (AWS: minutes), its endpoint refusing clients, then `available`.
        delay = self.server.settings.db_proxy_create_seconds
        model.status, proxy.available_at = "creating", time.monotonic() + delay
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(proxy.start(), self.loop).result(timeout=10)
        asyncio.run_coroutine_threadsafe(self._available_later(model, delay), self.loop)

    async def _available_later(self, model: Any, delay: float) -> None:
        await asyncio.sleep(delay)

        def apply() -> None:
            if model.status == "creating":
                model.status = "available"

        await self.server.moto.run(apply)

    def on_delete(self, name: str) -> None:
        proxy = self.proxies.pop(name, None)
        if proxy and self.loop:
            asyncio.run_coroutine_threadsafe(proxy.stop(), self.loop)

    def on_register(self, proxy_name: str, targets: list[Any]) -> None:
        proxy = self.proxies.get(proxy_name)
        for target in targets:
            db_server = self.instances.servers.get(target.rds_resource_id)
            if db_server is not None:
                relay = self.instances.relays.get(target.rds_resource_id)
                instance = self.server.moto.backend("rds").databases.get(target.rds_resource_id)
                target.endpoint = "127.0.0.1"
                target.port = relay.port if relay is not None else db_server.port  # the instance's endpoint
                target.pocketcloud_server = db_server
                target.pocketcloud_proxy = proxy_name  # target health asks whether the proxy reaches it
                if proxy is not None:
                    proxy.target, proxy.target_id = db_server, target.rds_resource_id
                    proxy.target_rule_port = int(getattr(instance, "pocketcloud_rule_port", 3306))
                    proxy.configure(
                        proxy.max_connections_percent, proxy.max_idle_percent, proxy.borrow_timeout, proxy.init_query
                    )

    def on_modify(self, proxy_name: str, group: Any, config: dict[str, Any]) -> None:
        proxy = self.proxies.get(proxy_name)
        group.init_query = config.get("InitQuery", getattr(group, "init_query", None))
        if proxy is not None:
            proxy.configure(group.max_connections, group.max_idle_connections, group.borrow_timeout, group.init_query)

    # -- on the loop -------------------------------------------------------------------------------
    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._sampler = self.loop.create_task(self._sample_forever())

    async def stop(self) -> None:
        if self._sampler:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        await asyncio.gather(*(p.stop() for p in self.proxies.values()), return_exceptions=True)

    async def _sample_forever(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_SECONDS)
            for name, proxy in list(self.proxies.items()):
                for metric, value in proxy.sample().items():
                    self.server.metrics.add("AWS/RDS", metric, {"ProxyName": name}, value, "Count")

    def status(self) -> dict[str, Any]:
        return {
            name: {
                "endpoint": f"{p.address}:{p.port}",
                "target": p.target_id,
                "client_connections": len(p.sessions),
                "database_connections": sum(pool.size for pool in p.pools.values()),
                "lent_connections": sum(len(pool.lent) for pool in p.pools.values()),
                "pool_limit": p.pool_limit,
            }
            for name, p in self.proxies.items()
        }
