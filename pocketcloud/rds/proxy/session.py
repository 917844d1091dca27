"""One client connection to the proxy: authentication, then statements multiplexed onto pooled connections.

A client is pinned to one connection where its session state would otherwise leak between clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from . import protocol as p
from .backend import (
    COM_INIT_DB,
    COM_PING,
    COM_QUERY,
    COM_QUIT,
    COM_RESET_CONNECTION,
    COM_STMT_PREPARE,
    NO_RESPONSE,
    Backend,
    BackendError,
)
from .pool import BackendPool, BorrowTimeout

if TYPE_CHECKING:
    from .proxy import DbProxy

# Session state the proxy tracks and replays instead of pinning.
_AUTOCOMMIT = re.compile(r"^\s*SET\s+(?:@@(?:SESSION\.)?|SESSION\s+)?autocommit\s*=\s*(\w+)\s*;?\s*$", re.I)
_NAMES = re.compile(r"^\s*SET\s+NAMES\s+'?(\w+)'?(?:\s+COLLATE\s+'?\w+'?)?\s*;?\s*$", re.I)
_USE = re.compile(r"^\s*USE\s+`?([\w$]+)`?\s*;?\s*$", re.I)
# What AWS documents as pinning for MySQL: session variables, user variables, temporary tables,
# table locks, named locks, prepared statements.
_PINNING = re.compile(
    r"^\s*SET\s|(?<![@\w])@(?!@)\w|\bCREATE\s+TEMPORARY\s+TABLE\b|\bLOCK\s+TABLES?\b|\bGET_LOCK\s*\(|"
    r"^\s*PREPARE\s|\bSQL_CALC_FOUND_ROWS\b|\bFOUND_ROWS\s*\(",
    re.I,
)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def pins_session(sql: str) -> bool:
    return bool(_PINNING.search(_STRINGS.sub("''", sql)))


class ClientSession:
    def __init__(
        self, proxy: DbProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection_id: int
    ) -> None:
        self.proxy = proxy
        self.reader = reader
        self.writer = writer
        self.connection_id = connection_id
        self.user = ""
        self.pool: BackendPool | None = None
        self.backend: Backend | None = None
        self.pinned = False
        self.database: str | None = None
        self.autocommit = True
        self.charset = self.login_charset = "utf8mb4"

    # -- protocol helpers ---------------------------------------------------------------------------
    def _send(self, seq: int, payload: bytes) -> None:
        self.writer.write(p.packet(seq, payload))

    def _status(self) -> int:
        status = p.STATUS_AUTOCOMMIT if self.autocommit else 0
        if self.backend and self.backend.in_transaction:
            status |= p.STATUS_IN_TRANS
        return status

    # -- lifecycle --------------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            if await self._authenticate():
                await self._serve()
        except (asyncio.IncompleteReadError, ConnectionError, p.ProtocolError):
            pass
        finally:
            await self._release(force_close=self.pinned or bool(self.backend and self.backend.in_transaction))
            with contextlib.suppress(Exception):
                self.writer.close()

    async def _authenticate(self) -> bool:
        salt = p.new_salt()
        self._send(0, p.handshake_v10(self.connection_id, salt))
        seq, payload = await p.read_packet(self.reader)
        if len(payload) > 4 and int.from_bytes(payload[:4], "little") & p.SSL:
            self._send(seq + 1, p.err_packet(1045, "28000", "pocketcloud's RDS Proxy does not offer TLS"))
            return False
        response = p.HandshakeResponse(payload)
        auth = response.auth_response
        if response.plugin != p.NATIVE_PASSWORD:
            # Ask the client to use mysql_native_password with our salt (caching_sha2 clients support this).
            seq += 1
            self._send(seq, b"\xfe" + p.NATIVE_PASSWORD + b"\x00" + salt + b"\x00")
            await self.writer.drain()
            seq, auth = await p.read_packet(self.reader)
        host = self.writer.get_extra_info("peername", ("127.0.0.1", 0))[0]
        credentials = await self.proxy.credentials(response.user)
        if credentials is None or p.scramble_password(credentials, salt) != auth:
            message = f"Access denied for user '{response.user}'@'{host}' (using password: {'YES' if auth else 'NO'})"
            self._send(seq + 1, p.err_packet(1045, "28000", message))
            await self.writer.drain()
            return False
        self.user = response.user
        self.login_charset = self.charset = p.charset_name(response.charset)
        self.pool = self.proxy.pool_for(response.user, credentials)
        if response.database:
            error = await self._forward(
                bytes([COM_INIT_DB]) + response.database.encode(), reply=False, database=response.database
            )
            if error:
                self._send(seq + 1, error)
                await self.writer.drain()
                return False
            self.database = response.database
        self._send(seq + 1, p.ok_packet(self._status()))
        await self.writer.drain()
        return True

    async def _serve(self) -> None:
        idle_timeout = self.proxy.idle_client_timeout
        while True:
            try:
                _, payload = await asyncio.wait_for(p.read_packet(self.reader), idle_timeout)
            except TimeoutError:
                return
            if not payload or payload[0] == COM_QUIT:
                return
            self.proxy.query_requests += 1
            command = payload[0]
            if command == COM_PING:
                self._send(1, p.ok_packet(self._status()))
            elif command == COM_QUERY:
                await self._query(payload)
            elif command == COM_RESET_CONNECTION:
                await self._release(force_close=True)
                self.pinned, self.autocommit, self.charset = False, True, self.login_charset
                self._send(1, p.ok_packet(self._status()))
            else:
                if command == COM_STMT_PREPARE:
                    self.pinned = True
                database = payload[1:].decode() if command == COM_INIT_DB else None
                error = await self._forward(payload, database=database)
                if database and not error:  # the client's next connection must use it too
                    self.database = database
            await self.writer.drain()

    async def _query(self, payload: bytes) -> None:
        sql = payload[1:].decode("utf-8", "replace")
        if not self.pinned and not (self.backend and self.backend.in_transaction):
            if match := _AUTOCOMMIT.match(sql):
                self.autocommit = match.group(1).lower() in ("1", "on", "true")
                self._send(1, p.ok_packet(self._status()))
                return
            if match := _NAMES.match(sql):
                self.charset = match.group(1)
                self._send(1, p.ok_packet(self._status()))
                return
        if pins_session(sql) and not self.pinned:
            self.pinned = True
        use = _USE.match(sql)
        error = await self._forward(payload, database=use.group(1) if use else None)
        if use and not error:
            self.database = use.group(1)

    # -- borrowing -----------------------------------------------------------------------------------
    async def _backend(self) -> Backend:
        if self.backend is None:
            assert self.pool is not None
            backend = await self.pool.borrow()
            try:
                await backend.use(self.database)
                if backend.autocommit != self.autocommit:
                    await backend.run(f"SET autocommit = {int(self.autocommit)}")
                if backend.charset != self.charset:
                    await backend.run(f"SET NAMES {self.charset}")
                    backend.charset = self.charset
            except BackendError:
                await self.pool.give_back(backend, reusable=False)
                raise
            self.backend = backend
        return self.backend

    async def _release(self, force_close: bool = False) -> None:
        if self.backend is not None and self.pool is not None:
            backend, self.backend = self.backend, None
            await self.pool.give_back(backend, reusable=not force_close)

    async def _forward(self, payload: bytes, reply: bool = True, database: str | None = None) -> bytes | None:
        """Run one command on a (borrowed) backend, relaying the answer when ``reply``; a command that selects
        ``database`` (USE, COM_INIT_DB) records it on the backend when it succeeds.

        Returns None on success, else the ERR payload (the database's or the proxy's own).
        """
        last: list[bytes] = [b""]

        def relay(seq: int, data: bytes) -> None:
            last[0] = data
            if reply:
                self._send(seq, data)

        try:
            fresh = self.backend is None
            try:
                backend = await self._backend()  # may already fail: it selects the session's database etc.
                status = await backend.command(payload, relay)
            except BackendError:
                if not fresh or last[0]:
                    raise
                # A pooled connection the database closed meanwhile (restart, stop, timeout): its idle siblings
                # are likely dead too, so drop them and retry once on a new connection.
                await self._release(force_close=True)
                assert self.pool is not None
                self.pool.trim_idle(0)
                backend = await self._backend()
                status = await backend.command(payload, relay)
        except BorrowTimeout:
            error = p.err_packet(9501, "HY000", "Timed-out waiting to acquire database connection")
        except BackendError as exc:
            await self._release(force_close=True)
            error = p.err_packet(1105, "HY000", f"pocketcloud RDS Proxy: {exc}")
        else:
            if status is not None and database:
                backend.database = database
            if not self.pinned and not backend.in_transaction:
                await self._release()
            return None if status is not None or payload[0] in NO_RESPONSE else last[0]
        if reply:
            self._send(1, error)
        return error


Connector = Callable[[], Awaitable[Backend]]
