"""A real MariaDB behind pocketcloud's RDS Proxy (DbProxy, ClientSession, BackendPool) on loopback, for fast tests.

The proxy runs on an event loop in a background thread, as in pocketcloud's server, and reads its clients'
passwords from Secrets Manager (plain moto, in-process); tests talk to it with real MySQL clients. The DB
server's data dir is made once per machine and copied for each test module, so a module starts in well under
a second (mutmut runs each mutant's tests in a new process).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import struct
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pymysql
import pytest
from moto import mock_aws
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from pocketcloud.processes import ProcessGroup
from pocketcloud.rds.dbserver import DbServer, find_server_binary, free_port
from pocketcloud.rds.proxy import protocol as p
from pocketcloud.rds.proxy.proxy import DbProxy

from ..waiting import wait_until

T = TypeVar("T")
REGION = "us-east-1"
USER, PASSWORD, DATABASE = "admin", "Lab-Pass-1", "app"
MAX_CONNECTIONS = 20  # the DB's max_connections; a proxy's pool is MaxConnectionsPercent of it
# How long the lab waits for an answer or an event: generous on loopback, and short enough that a mutant which
# makes the proxy hang fails its test in seconds (mutmut runs hundreds).
PATIENCE = 5.0


class _Moto:
    """What DbProxy asks of pocketcloud's moto bridge: a backend, and a place to call it off the loop."""

    def backend(self, service: str) -> Any:
        return get_backend(service)[DEFAULT_ACCOUNT_ID][REGION]  # type: ignore[call-overload]

    async def run(self, fn: Callable[[], T]) -> T:
        return await asyncio.to_thread(fn)


class _OpenNetwork:
    """Admits every client: the VPC's rules have their own tests (test_vpc_rules)."""

    def admit_db_proxy(self, *_: object) -> None:
        return None


class _Server:
    def __init__(self) -> None:
        self.moto = _Moto()
        self.vpc = _OpenNetwork()


def _template(binary: str) -> Path:
    """A stopped server's root (data dir, admin password) with the master user, ``app`` and ``other``
    databases and a table, made once per machine and DB server binary."""
    digest = hashlib.sha256(f"{binary}:{os.stat(binary).st_mtime}:{USER}:{PASSWORD}:v1".encode()).hexdigest()[:12]
    template = Path(tempfile.gettempdir()) / f"pocketcloud-{os.getuid()}" / f"test-mariadb-{digest}"
    if template.exists():
        return template
    template.parent.mkdir(mode=0o700, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=template.parent, prefix="building-"))

    async def build() -> None:
        db = DbServer(binary, building, free_port(), MAX_CONNECTIONS, USER, PASSWORD, DATABASE)
        processes = ProcessGroup()
        await db.start(processes)
        try:
            await asyncio.to_thread(
                _admin_sql,
                db,
                "CREATE DATABASE other",
                f"CREATE TABLE {DATABASE}.items (id INT PRIMARY KEY) ENGINE=InnoDB",
            )
        finally:
            await db.stop()
            await processes.kill_all()

    asyncio.run(build())
    db_socket = DbServer(binary, building, 0, 1, USER, PASSWORD, None).socket
    db_socket.unlink(missing_ok=True)
    try:
        building.rename(template)
    except OSError:  # another process made it first
        shutil.rmtree(building, ignore_errors=True)
    return template


def _admin_sql(db: DbServer, *statements: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(db.admin()) as conn, conn.cursor() as cursor:
        rows: list[tuple[Any, ...]] = []
        for statement in statements:
            cursor.execute(statement)
            rows = list(cursor.fetchall())
        conn.commit()
        return rows


class ProxyLab:
    """One MariaDB (max_connections 20), a secret with its master user's password, and proxies made on demand."""

    def __init__(self, root: Path) -> None:
        binary = find_server_binary()
        if binary is None:
            raise RuntimeError("the fast RDS Proxy tests need MariaDB (sudo apt-get install mariadb-server)")
        shutil.copytree(_template(binary), root)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="proxy-lab", daemon=True)
        self._thread.start()
        self.processes = ProcessGroup()
        self.db = DbServer(binary, root, free_port(), MAX_CONNECTIONS, USER, PASSWORD, DATABASE)
        self.proxies: list[DbProxy] = []
        self._mock = mock_aws()
        self._mock.start()
        keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
        self.secrets = boto3.client("secretsmanager", **keys)
        self.secret = self.new_secret(USER, PASSWORD)
        self.run(self.db.start(self.processes))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coro`` on the proxy's event loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def on_loop(self, fn: Callable[[], T]) -> T:
        """Call ``fn`` on the proxy's event loop (to read the proxy's state between two of its steps)."""

        async def call() -> T:
            return fn()

        return self.run(call())

    def new_secret(self, user: str, password: str) -> str:
        name = f"lab-{user}-{len(self.secrets.list_secrets()['SecretList'])}"
        secret = {"username": user, "password": password, "engine": "mysql"}
        return str(self.secrets.create_secret(Name=name, SecretString=json.dumps(secret))["ARN"])

    def new_proxy(
        self, max_connections_percent: int = 100, borrow_timeout: float = PATIENCE, init_query: str | None = None,
        max_idle_percent: int | None = None, target: DbServer | None = None,
    ) -> DbProxy:  # fmt: skip
        """A proxy to the lab's DB (or ``target``) with this target group's pool settings, serving clients."""
        proxy = DbProxy(_Server(), f"lab-{len(self.proxies)}", [{"SecretArn": self.secret}], 1800)  # type: ignore[arg-type]
        proxy.target = target or self.db
        proxy.configure(max_connections_percent, max_idle_percent, borrow_timeout, init_query)
        self.run(proxy.start())
        self.proxies.append(proxy)
        return proxy

    def client(self, proxy: DbProxy, **kwargs: Any) -> pymysql.Connection:
        """A pymysql client of ``proxy``, logged in as the master user to ``app``, autocommit on unless asked."""
        options: dict[str, Any] = {"user": USER, "password": PASSWORD, "database": DATABASE, "autocommit": True}
        options.update(kwargs)
        return pymysql.connect(
            host=proxy.address, port=proxy.port, connect_timeout=PATIENCE, read_timeout=PATIENCE, **options
        )

    def admin_sql(self, *statements: str) -> list[tuple[Any, ...]]:
        """Run statements as the DB's root over its socket, not through a proxy; the last one's rows."""
        return _admin_sql(self.db, *statements)

    def backend_ids(self) -> set[int]:
        """The DB's connection ids of the master user's connections: only proxies log in as it here."""
        rows = self.admin_sql(f"SELECT id FROM information_schema.processlist WHERE user = '{USER}'")
        return {int(row[0]) for row in rows}

    def close(self) -> None:
        for proxy in self.proxies:
            self.run(proxy.stop())
        self.run(self.db.stop())
        self.run(self.processes.kill_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self._mock.stop()


class Bench:
    """A test's proxies and clients; at its end the clients leave and the proxies stop once their sessions ended."""

    def __init__(self, lab: ProxyLab) -> None:
        self.lab = lab
        self.proxies: list[DbProxy] = []
        self.clients: list[pymysql.Connection] = []

    def proxy(self, **config: Any) -> DbProxy:
        proxy = self.lab.new_proxy(**config)
        self.proxies.append(proxy)
        return proxy

    def client(self, proxy: DbProxy, **kwargs: Any) -> pymysql.Connection:
        conn = self.lab.client(proxy, **kwargs)
        self.clients.append(conn)
        return conn

    def pool(self, proxy: DbProxy, user: str = USER, password: str = PASSWORD) -> Any:
        return proxy.pools[(user, password)]

    def settled(self, proxy: DbProxy) -> tuple[int, int]:
        """(connections, idle ones) of the master user's pool once nothing is lent: a client has its answer
        a moment before the proxy gives the connection back."""
        pool = self.pool(proxy)
        wait_until(
            lambda: not self.lab.on_loop(lambda: len(pool.lent)), PATIENCE, "the pool to get its connections back", 0.01
        )
        return self.lab.on_loop(lambda: (pool.size, len(pool.idle)))

    def sessions_ended(self, proxy: DbProxy) -> None:
        wait_until(
            lambda: not self.lab.on_loop(lambda: len(proxy.sessions)), PATIENCE, "the proxy's sessions to end", 0.01
        )

    def close(self) -> None:
        for conn in self.clients:
            if conn.open:
                conn.close()
        for proxy in self.proxies:
            self.sessions_ended(proxy)
            self.lab.run(proxy.stop())
        wait_until(lambda: not self.lab.backend_ids(), PATIENCE, "the proxies' database connections to close", 0.01)

    def pinned(self, proxy: DbProxy) -> list[bool]:
        """Whether each of the proxy's sessions is pinned (read on the proxy's loop)."""
        return self.lab.on_loop(lambda: [session.pinned for session in proxy.sessions])

    def closed(self, backend: int) -> None:
        wait_until(
            lambda: backend not in self.lab.backend_ids(), PATIENCE, f"the DB to close connection {backend}", 0.01
        )


def one(conn: pymysql.Connection, sql: str) -> Any:
    """The first row of ``sql``'s answer (a single value as itself)."""
    with conn.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row is not None and len(row) == 1 else row


def backend_of(conn: pymysql.Connection) -> int:
    """The DB's id of the connection the proxy lent this statement."""
    return int(one(conn, "SELECT CONNECTION_ID()"))


def begin(conn: pymysql.Connection) -> int:
    """Open a transaction; the DB's id of the connection it holds."""
    one(conn, "START TRANSACTION")
    return backend_of(conn)


def refused(statement: Any) -> pymysql.err.MySQLError:
    """The error a call raises (it must raise one)."""
    with pytest.raises(pymysql.err.MySQLError) as error:
        statement()
    return error.value


class RawClient:
    """A MySQL client spoken packet by packet (protocol.py's own functions), for what pymysql never sends."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, proxy: DbProxy, source: str = "127.0.0.1") -> tuple[RawClient, bytes]:
        """Connected to ``proxy`` from the loopback address ``source``; also the salt of its greeting."""
        reader, writer = await asyncio.open_connection(proxy.address, proxy.port, local_addr=(source, 0))
        client = cls(reader, writer)
        _, greeting = await client.read()
        _, salt, _ = p.parse_handshake_v10(greeting)
        return client, salt

    async def read(self) -> tuple[int, bytes]:
        return await asyncio.wait_for(p.read_packet(self.reader), PATIENCE)

    async def send(self, seq: int, payload: bytes) -> None:
        self.writer.write(p.packet(seq, payload))
        await self.writer.drain()

    async def value(self, sql: str) -> bytes:
        """The first column of the first row of ``sql``'s answer (a text result set)."""
        await self.send(0, b"\x03" + sql.encode())
        _, first = await self.read()
        assert first[:1] != b"\xff", p.error_message(first)
        for _ in range(first[0] + 1):  # the column definitions, then EOF
            await self.read()
        _, row = await self.read()
        while not p.is_eof((await self.read())[1]):  # the other rows, up to EOF
            pass
        return row[1 : 1 + row[0]]

    async def closed_by_proxy(self) -> bool:
        """Whether the proxy closes the connection (end of stream) rather than wait for more from the client."""
        return await asyncio.wait_for(self.reader.read(), PATIENCE) == b""

    def close(self) -> None:
        self.writer.close()


def ssl_request() -> bytes:
    """The 32-byte packet a client sends to switch to TLS before its login."""
    return struct.pack("<IIB", p.PROXY_CAPABILITIES | p.SSL, 1 << 24, 0x21) + b"\x00" * 23


def login_with_plugin(user: str, plugin: bytes, auth: bytes) -> bytes:
    """A handshake response naming another auth plugin (as MySQL 8 clients offer caching_sha2_password)."""
    caps = p.PROXY_CAPABILITIES & ~p.CONNECT_ATTRS & ~p.CONNECT_WITH_DB
    body = struct.pack("<IIB", caps, 1 << 24, 0x21) + b"\x00" * 23 + user.encode() + b"\x00" + p.lenenc_bytes(auth)
    return body + plugin + b"\x00"
