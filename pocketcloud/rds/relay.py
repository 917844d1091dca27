"""A DB instance's endpoint: a TCP relay in front of its server, so that pocketcloud decides who gets through.

The DB server listens on a private loopback port; the endpoint that ``describe_db_instances`` returns is this
relay. At accept it asks whether the caller is admitted (the VPC rules: ``vpc/service.py``); an admitted
connection is spliced to the server byte for byte, without parsing (each chunk read is written on at once,
and a side that cannot keep up pauses the other's reading); a dropped one is held unanswered, as a connection
whose packets a security group drops, until the client gives up or the hold ends.

The relay listens only while its server runs, so a stopped instance's endpoint refuses connections as the
bare server did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable

log = logging.getLogger("pocketcloud.rds.relay")

Address = tuple[str, int]
# Given the peer's and the endpoint's addresses: None to admit, or an awaitable of None (admit) or the seconds to
# hold the connection unanswered.
Admission = Callable[[Address, Address], Awaitable[float | None] | None]


class _Pipe(asyncio.Protocol):
    """One side of a relayed connection: what it reads, the other side writes."""

    def __init__(self, other: _Pipe | None = None) -> None:
        self.transport: asyncio.Transport | None = None
        self.other = other  # the server's side knows the client's from the start: the server speaks first

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport

    def data_received(self, data: bytes) -> None:
        other = self.other
        if other is not None and other.transport is not None:
            other.transport.write(data)

    def eof_received(self) -> bool:
        return False  # close this side; connection_lost closes the other

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        other, self.other = self.other, None
        if other is not None:
            other.other = None
            if other.transport is not None:
                other.transport.close()

    # The other side's writes back up: stop reading here until they drain (flow control both ways).
    def pause_writing(self) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.resume_reading()


class _Client(_Pipe):
    """The client's side: paused until admitted and linked to a server connection, or held."""

    def __init__(self, relay: Relay) -> None:
        super().__init__()
        self.relay = relay
        self.held = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        transport.pause_reading()  # type: ignore[attr-defined]
        peer, local = transport.get_extra_info("peername"), transport.get_extra_info("sockname")
        verdict = self.relay.admission((peer[0], peer[1]), (local[0], local[1])) if self.relay.admission else None
        self.relay.spawn(self._open(verdict))

    def data_received(self, data: bytes) -> None:
        if not self.held:
            super().data_received(data)

    async def _open(self, verdict: Awaitable[float | None] | None) -> None:
        hold = await verdict if verdict is not None else None
        if self.transport is None:
            return
        if hold is not None:
            await self._hold(hold)
            return
        try:
            _, server = await asyncio.get_running_loop().create_connection(
                lambda: _Pipe(self), "127.0.0.1", self.relay.server_port()
            )
        except OSError:  # the server went away between accept and now
            if self.transport is not None:
                self.transport.close()
            return
        if self.transport is None:
            if server.transport is not None:
                server.transport.close()
            return
        self.other = server
        self.transport.resume_reading()

    async def _hold(self, seconds: float) -> None:
        """Read and discard until the client closes, at most ``seconds``; then reset the connection."""
        self.held = True
        assert self.transport is not None
        self.transport.resume_reading()  # to notice the client giving up
        deadline = asyncio.get_running_loop().time() + seconds
        while self.transport is not None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        if self.transport is not None:
            self.transport.abort()


class Relay:
    """The endpoint of one DB instance. ``server_port()`` says where its server listens now."""

    def __init__(self, host: str, port: int, server_port: Callable[[], int], admission: Admission | None) -> None:
        self.host = host
        self.port = port
        self.server_port = server_port
        self.admission = admission
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def open(self) -> None:
        """Start accepting (the server is up)."""
        if self._server is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(512)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Client(self), sock=sock)

    async def close(self) -> None:
        """Stop accepting; connections already relayed end with their server's."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1)

    def spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
