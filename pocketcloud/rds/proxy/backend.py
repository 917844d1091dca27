"""One proxy-to-database connection and the relaying of one command's response through it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from . import protocol as p

COM_QUIT = 0x01
COM_INIT_DB = 0x02
COM_QUERY = 0x03
COM_FIELD_LIST = 0x04
COM_PING = 0x0E
COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_SEND_LONG_DATA = 0x18
COM_STMT_CLOSE = 0x19
COM_RESET_CONNECTION = 0x1F
NO_RESPONSE = {COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA}

Forward = Callable[[int, bytes], None]


class BackendError(Exception):
    """The database connection failed (not an SQL error, which is relayed to the client)."""


class Backend:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, user: str) -> None:
        self.reader = reader
        self.writer = writer
        self.user = user
        self.database: str | None = None
        self.autocommit = True
        self.charset = "utf8mb4"
        self.in_transaction = False
        self.broken = False
        self.last_used = time.monotonic()

    @classmethod
    async def connect(cls, host: str, port: int, user: str, password: str, timeout: float = 5) -> Backend:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            _, greeting = await asyncio.wait_for(p.read_packet(reader), timeout)
            _, salt, _ = p.parse_handshake_v10(greeting)
            writer.write(p.packet(1, p.handshake_response(user, password, salt)))
            seq, answer = await asyncio.wait_for(p.read_packet(reader), timeout)
            if answer[:1] == b"\xfe":  # auth switch: the server wants a fresh scramble
                _, _, data = answer[1:].partition(b"\x00")
                writer.write(p.packet(seq + 1, p.scramble_password(password, data.rstrip(b"\x00"))))
                seq, answer = await asyncio.wait_for(p.read_packet(reader), timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, p.ProtocolError) as exc:
            raise BackendError(f"cannot connect to the database target: {exc}") from exc
        if answer[:1] == b"\xff":
            writer.close()
            raise BackendError(f"the database refused the proxy's credentials: {p.error_message(answer)}")
        backend = cls(reader, writer, user)
        backend.autocommit = bool(p.ok_status(answer) & p.STATUS_AUTOCOMMIT)
        return backend

    async def command(self, payload: bytes, forward: Forward | None = None) -> int | None:
        """Send one command and relay its whole response; returns the final status flags (None after ERR)."""
        self.last_used = time.monotonic()
        try:
            self.writer.write(p.packet(0, payload))
            if payload[0] in NO_RESPONSE:
                await self.writer.drain()
                return None
            status = await self._relay(payload[0], forward or (lambda seq, data: None))
        except (OSError, asyncio.IncompleteReadError, p.ProtocolError, IndexError) as exc:
            self.broken = True
            raise BackendError(str(exc)) from exc
        if status is not None:
            self.in_transaction = bool(status & p.STATUS_IN_TRANS)
            self.autocommit = bool(status & p.STATUS_AUTOCOMMIT)
        return status

    async def _read(self, forward: Forward) -> bytes:
        seq, data = await p.read_packet(self.reader)
        forward(seq, data)
        return data

    async def _relay(self, command: int, forward: Forward) -> int | None:
        while True:
            first = await self._read(forward)
            head = first[0]
            if head == 0xFF:
                return None
            if head == 0x00 and command == COM_STMT_PREPARE:
                columns = int.from_bytes(first[5:7], "little")
                params = int.from_bytes(first[7:9], "little")
                for count in (params, columns):
                    if count:
                        for _ in range(count + 1):  # definitions, then EOF
                            await self._read(forward)
                return p.STATUS_AUTOCOMMIT if self.autocommit else 0
            if head == 0x00:
                status = p.ok_status(first)
                if status & p.STATUS_MORE_RESULTS:
                    continue
                return status
            if p.is_eof(first):
                return p.eof_status(first)
            if command == COM_FIELD_LIST:
                continue  # column definitions until EOF
            if head == 0xFB:
                raise p.ProtocolError("LOAD DATA LOCAL INFILE is not supported through the proxy")
            columns, _ = p.lenenc_int(first, 0)
            for _ in range(columns):
                await self._read(forward)
            await self._read(forward)  # EOF after column definitions
            while True:
                row = await self._read(forward)
                if row[:1] == b"\xff":
                    return None
                if p.is_eof(row):
                    break
            status = p.eof_status(row)
            if not status & p.STATUS_MORE_RESULTS:
                return status

    async def run(self, sql: str) -> None:
        """Run a statement of the proxy's own (state replay), discarding its result."""
        status = await self.command(bytes([COM_QUERY]) + sql.encode())
        if status is None:
            raise BackendError(f"state replay failed: {sql}")

    async def use(self, database: str | None) -> None:
        if database and database != self.database:
            if await self.command(bytes([COM_INIT_DB]) + database.encode()) is None:
                raise BackendError(f"unknown database {database!r}")
            self.database = database

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.write(p.packet(0, bytes([COM_QUIT])))
            self.writer.close()
        self.broken = True
