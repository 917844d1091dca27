"""One RDS Proxy: a MySQL-protocol listener multiplexing clients onto a bounded pool to its target.

Clients authenticate against the proxy's Secrets Manager secrets; their statements run on connections
lent from the pool to the target DB instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import socket
import time
from typing import TYPE_CHECKING, Any

from .backend import Backend
from .pool import BackendPool, BorrowTimeout
from .session import ClientSession

if TYPE_CHECKING:
    from ...server import Server
    from ..dbserver import DbServer

log = logging.getLogger("pocketcloud.rds.proxy")
MYSQL_PORT = 3306


def bind_listener(start: int) -> socket.socket:
    """A socket on 127.0.0.N:3306 (clients use the default port, as with a real proxy endpoint),
    trying the next address when one is taken; a free port on 127.0.0.1 as the last resort."""
    for offset in range(250):
        address = f"127.0.{1 + (start + offset) // 250 % 250}.{2 + (start + offset) % 250}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((address, MYSQL_PORT))
        except OSError:
            sock.close()
            continue
        sock.listen(512)
        sock.setblocking(False)
        return sock
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    sock.setblocking(False)
    return sock


class DbProxy:
    def __init__(self, server: Server, name: str, auth: list[dict[str, Any]], idle_client_timeout: float) -> None:
        self.server = server
        self.name = name
        self.auth = auth
        self.idle_client_timeout = idle_client_timeout
        self.target: DbServer | None = None
        self.target_id: str | None = None
        self.target_rule_port = 3306  # the target's port as its security groups name it
        self.max_connections_percent = 100
        self.max_idle_percent = 50
        self.borrow_timeout = 120.0
        self.init_query: str | None = None
        self.pools: dict[tuple[str, str], BackendPool] = {}
        self.sessions: set[ClientSession] = set()
        self.query_requests = 0
        self._next_id = 0
        self._server: asyncio.base_events.Server | None = None
        self.sock = bind_listener(abs(hash(name)) % 5000)
        self.address, self.port = self.sock.getsockname()[:2]

    available_at = 0.0  # time.monotonic() when the proxy leaves `creating` and its endpoint serves clients

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._admit, sock=self.sock)

    async def _admit(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if time.monotonic() < self.available_at:  # still `creating`: the endpoint does not serve yet
            writer.transport.abort()
            return
        await self._accept(reader, writer)

    async def stop(self) -> None:
        if self._server:
            self._server.close()
        for session in list(self.sessions):
            with contextlib.suppress(Exception):
                session.writer.close()
        for pool in self.pools.values():
            pool.close_all()
        if self._server:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    @property
    def pool_limit(self) -> int:
        if self.target is None:
            return 1
        return max(1, math.floor(self.target.max_connections * self.max_connections_percent / 100))

    def configure(
        self, max_connections_percent: Any, max_idle_percent: Any, borrow_timeout: Any, init_query: Any
    ) -> None:
        self.max_connections_percent = int(max_connections_percent or 100)
        self.max_idle_percent = int(
            max_idle_percent if max_idle_percent is not None else self.max_connections_percent // 2
        )
        self.borrow_timeout = float(borrow_timeout if borrow_timeout is not None else 120)
        self.init_query = init_query or None
        for pool in self.pools.values():
            pool.max_size, pool.borrow_timeout, pool.init_query = self.pool_limit, self.borrow_timeout, self.init_query

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer, local = writer.get_extra_info("peername"), writer.get_extra_info("sockname")
        verdict = self.server.vpc.admit_db_proxy(self.name, (peer[0], peer[1]), (local[0], local[1]))
        hold = await verdict if verdict is not None else None
        if hold is not None:
            await _hold(reader, writer, hold)
            return
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._next_id += 1
        session = ClientSession(self, reader, writer, self._next_id)
        self.sessions.add(session)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)

    async def credentials(self, user: str) -> str | None:
        """The password the proxy's secrets hold for ``user`` (read now, so rotation applies at once)."""

        def lookup() -> str | None:
            backend = self.server.moto.backend("secretsmanager")
            for entry in self.auth:
                arn = entry.get("SecretArn")
                if not arn:
                    continue
                try:
                    secret = json.loads(backend.get_secret_value(arn, None, "AWSCURRENT")["SecretString"])
                except Exception:
                    continue
                if secret.get("username") == user:
                    return str(secret.get("password", ""))
            return None

        return await self.server.moto.run(lookup)

    def pool_for(self, user: str, password: str) -> BackendPool:
        key = (user, password)
        pool = self.pools.get(key)
        if pool is None:
            target = self.target

            async def connect() -> Backend:
                from .backend import BackendError

                if target is None or not target.running:
                    raise BackendError("the proxy's target DB instance is not available")
                if self.target_id is not None:
                    reach = await self.server.vpc.proxy_reaches_target(self.name, self.target_id, self.target_rule_port)
                    if not reach.admitted:
                        # The DB's security groups drop the proxy's connection attempts: clients wait out the
                        # borrow timeout and get 9501, as from a proxy whose target is unreachable.
                        await asyncio.sleep(self.borrow_timeout)
                        raise BorrowTimeout()
                return await Backend.connect("127.0.0.1", target.port, user, password)

            pool = BackendPool(connect, self.pool_limit, self.borrow_timeout)
            pool.init_query = self.init_query
            self.pools[key] = pool
        return pool

    def sample(self) -> dict[str, float]:
        """Current figures for CloudWatch; also closes idle connections above MaxIdleConnectionsPercent."""
        if self.target is not None:
            keep = math.floor(self.target.max_connections * self.max_idle_percent / 100)
            for pool in self.pools.values():
                pool.trim_idle(keep)
        queries, self.query_requests = self.query_requests, 0
        return {
            "ClientConnections": len(self.sessions),
            "DatabaseConnections": sum(pool.size for pool in self.pools.values()),
            "DatabaseConnectionsCurrentlySessionPinned": sum(1 for s in self.sessions if s.pinned and s.backend),
            "QueryRequests": queries,
        }


async def _hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seconds: float) -> None:
    """A dropped client: nothing sent, what it sends discarded, until it gives up or ``seconds`` pass; then reset."""
    deadline = asyncio.get_running_loop().time() + seconds
    with contextlib.suppress(TimeoutError, ConnectionError):
        while await asyncio.wait_for(reader.read(65536), max(0.0, deadline - asyncio.get_running_loop().time())):
            pass
    transport = writer.transport
    if not transport.is_closing():
        transport.abort()
