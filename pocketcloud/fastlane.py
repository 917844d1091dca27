"""The edge's fast lane: a small HTTP/1.1 front for the hot data-plane routes.

Every edge connection starts here. A request for a fast route (Lambda Invoke, API Gateway invoke
URLs) is parsed and answered without a web framework. The first request that is anything else
(another route, a chunked or ``Expect: 100-continue`` body, HTTP/1.0, HEAD, an upgrade) hands
the connection, from that request on, to the aiohttp application that serves the rest of the
edge; aiohttp then also answers fast routes on it, through the same handlers. aiohttp's
per-request work was ~115 µs of CPU on this machine against ~40 µs for this lane, and an invoke
was a chain of such requests (see bench/).

Handlers take a :class:`Request` and return a :class:`Response`; both lanes use them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import http
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qsl, unquote

from aiohttp import web
from multidict import CIMultiDict, MultiDict, MultiDictProxy

from .errors import json_error_parts

log = logging.getLogger("pocketcloud.edge")

MAX_HEAD_BYTES = 64 * 1024


class HttpVersion(NamedTuple):
    major: int
    minor: int


HTTP_11 = HttpVersion(1, 1)


class Request:
    """One HTTP request, with the attribute names of aiohttp's so handlers read either the same way."""

    __slots__ = (
        "_query",
        "body",
        "headers",
        "match_info",
        "method",
        "path",
        "query_string",
        "raw_path",
        "remote",
        "version",
    )

    def __init__(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: CIMultiDict[str],
        body: bytes = b"",
        remote: str | None = None,
        match_info: dict[str, str] | None = None,
        version: HttpVersion = HTTP_11,
    ) -> None:
        self.method = method
        self.raw_path = raw_path  # percent-encoded, without the query string
        self.path = unquote(raw_path) if "%" in raw_path else raw_path
        self.query_string = query_string
        self.headers = headers
        self.body = body
        self.remote = remote
        self.match_info = match_info or {}
        self.version = version
        self._query: MultiDictProxy[str] | None = None

    @property
    def query(self) -> MultiDictProxy[str]:
        if self._query is None:
            pairs = parse_qsl(self.query_string, keep_blank_values=True) if self.query_string else []
            self._query = MultiDictProxy(MultiDict(pairs))
        return self._query

    @property
    def host(self) -> str:
        return self.headers.get("Host", "")

    @property
    def url(self) -> str:
        query = f"?{self.query_string}" if self.query_string else ""
        return f"http://{self.host}{self.raw_path}{query}"

    async def read(self) -> bytes:
        return self.body

    @classmethod
    async def from_aiohttp(cls, request: web.Request, match_info: dict[str, str]) -> Request:
        return cls(
            request.method,
            request.raw_path.split("?", 1)[0],
            request.query_string,
            CIMultiDict(request.headers),
            await request.read(),
            request.remote,
            match_info,
            HttpVersion(request.version.major, request.version.minor),
        )


@dataclasses.dataclass
class Response:
    """Status, headers (in order, repeats allowed) and body of a fast-route answer."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(value).encode(), [("Content-Type", "application/json"), *(headers or {}).items()])

    @classmethod
    def json_error(cls, code: str, message: str, status: int = 400, **extra: object) -> Response:
        """An AWS REST-JSON error, as :func:`pocketcloud.errors.json_error` builds it for aiohttp."""
        body, headers = json_error_parts(code, message, status, **extra)
        return cls(status, body, list(headers.items()))

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def to_aiohttp(self) -> web.Response:
        response = web.Response(status=self.status, body=self.body)
        for name, value in self.headers:
            response.headers.add(name, value)
        return response

    def encode(self, keep_alive: bool) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {_reason(self.status)}"]
        for name, value in self.headers:
            if name.lower() in _FRAMING_HEADERS:
                continue  # this lane frames the message itself
            if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
                name, value = _no_breaks(name), _no_breaks(value)
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(self.body)}")
        if not keep_alive:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


def _no_breaks(text: str) -> str:
    # A line break in a header would let a function's headers split the response.
    return text.replace("\r", " ").replace("\n", " ")


@functools.cache
def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


FastHandler = Callable[[Request], Awaitable[Response]]
# Asked before a request reaches its handler, in both lanes: (headers, decoded path, the connection's transport,
# the fast-lane connection or None) -> None to answer it, or an awaitable of None (answer it) or the seconds to
# hold it unanswered before closing the connection (the VPC rules: vpc/handlers.py).
Screen = Callable[
    [Mapping[str, str], str, asyncio.BaseTransport | None, "EdgeConnection | None"], Awaitable[float | None] | None
]


class FastRoutes:
    """Routes by method and decoded path, or by Host header, each to a :data:`FastHandler`.

    Example::

        routes = FastRoutes()
        routes.add_path("POST", r"/2015-03-31/functions/(?P<function>[^/]+)/invocations", invoke)
        handler, match_info = routes.find("POST", "127.0.0.1", "/2015-03-31/functions/hi/invocations")
    """

    def __init__(self) -> None:
        self._paths: list[tuple[str, re.Pattern[str], FastHandler]] = []
        self._hosts: list[tuple[re.Pattern[str], FastHandler]] = []

    def add_path(self, method: str, path_regex: str, handler: FastHandler) -> None:
        """``method`` may be ``*``; named groups of ``path_regex`` become ``request.match_info``."""
        self._paths.append((method, re.compile(path_regex), handler))

    def add_host(self, host_regex: str, handler: FastHandler) -> None:
        """Every request whose Host (port stripped) fully matches; named groups become match_info."""
        self._hosts.append((re.compile(host_regex), handler))

    def find(self, method: str, host: str, path: str) -> tuple[FastHandler, dict[str, str]] | None:
        if self._hosts:
            bare = host.rsplit(":", 1)[0] if not host.startswith("[") else ""
            for pattern, handler in self._hosts:
                found = pattern.fullmatch(bare)
                if found:
                    return handler, found.groupdict()
        for route_method, pattern, handler in self._paths:
            if route_method in ("*", method):
                found = pattern.fullmatch(path)
                if found:
                    return handler, found.groupdict()
        return None


# One header line: a name without spaces, tabs or colons, then its value without surrounding blanks.
_HEADER_LINE = re.compile(r"^([^\s:]+):[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)


class _ParsedHead(NamedTuple):
    """A request head as parsed, kept per connection: keep-alive clients tend to send the same head
    again, and the same bytes then skip the parse (~7 µs). Requests get copies of headers and match."""

    raw: bytes
    method: str
    raw_path: str
    query_string: str
    headers: CIMultiDict[str]
    handler: FastHandler
    match_info: dict[str, str]
    length: int
    keep_alive: bool


class _Head(NamedTuple):
    request: Request  # body still empty
    handler: FastHandler
    body_start: int  # offset of the body in the connection's buffer
    length: int
    keep_alive: bool


NOT_LOOKED_UP = object()  # EdgeConnection.screen_memo until the screen has looked at the connection


class EdgeConnection(asyncio.Protocol):
    """One client connection: fast routes answered here until the first request that is not one."""

    def __init__(
        self, routes: FastRoutes, fallback: Callable[[], asyncio.Protocol], max_body: int, screen: Screen | None = None
    ) -> None:
        self._routes = routes
        self._screen = screen
        self.screen_memo: object = NOT_LOOKED_UP  # what the screen learnt about this connection's caller
        self._lost: asyncio.Future[None] | None = None
        self._fallback = fallback
        self._max_body = max_body
        self._buffer = bytearray()
        self._transport: asyncio.WriteTransport | None = None
        self._remote: str | None = None
        self._head: _Head | None = None  # parsed head of the request whose body is awaited
        self._last_head: _ParsedHead | None = None
        self._answering = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's are not asyncio.Transport
        # Kept: asyncio.get_running_loop() costs a getpid() system call on every request otherwise.
        self._loop = asyncio.get_running_loop()
        peer = transport.get_extra_info("peername")
        self._remote = peer[0] if peer else None

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._serve_buffered()

    def _serve_buffered(self) -> None:
        while self._transport is not None and not self._answering and self._buffer:
            if self._head is None:
                head = self._parse_head()
                if head is None:
                    return
                if head is False:
                    self._hand_over()
                    return
                self._head = head
            request, handler, body_start, length, keep_alive = self._head
            end = body_start + length
            if len(self._buffer) < end:
                return
            request.body = bytes(self._buffer[body_start:end])
            del self._buffer[:end]
            self._head = None
            self._answering = True
            self._loop.create_task(self._answer(request, handler, keep_alive))

    def _parse_head(self) -> _Head | Literal[False] | None:
        """The next request's head; None while incomplete; False when aiohttp should take over."""
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return False if len(buffer) > MAX_HEAD_BYTES else None
        raw = bytes(buffer[:end])
        last = self._last_head
        if last is None or last.raw != raw:
            parsed = self._parse_new_head(raw)
            if parsed is None:
                return False
            self._last_head = last = parsed
        request = Request(
            last.method, last.raw_path, last.query_string, last.headers.copy(), b"", self._remote, dict(last.match_info)
        )
        return _Head(request, last.handler, end + 4, last.length, last.keep_alive)

    def _parse_new_head(self, raw: bytes) -> _ParsedHead | None:
        """What a head says, or None when aiohttp should answer it."""
        request_line, _, block = raw.decode("latin-1").partition("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or parts[2] != "HTTP/1.1" or parts[0] == "HEAD":
            return None
        method, target, _ = parts
        pairs = _HEADER_LINE.findall(block) if block else []
        if block and len(pairs) != block.count("\r\n") + 1:
            return None  # a line that is no header: aiohttp answers what HTTP calls malformed
        headers = CIMultiDict(pairs)
        if "Transfer-Encoding" in headers or "Expect" in headers or "Upgrade" in headers:
            return None
        try:
            length = int(headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if length < 0 or length > self._max_body:
            return None
        raw_path, _, query_string = target.partition("?")
        path = unquote(raw_path) if "%" in raw_path else raw_path
        found = self._routes.find(method, headers.get("Host", ""), path)
        if found is None:
            return None
        keep_alive = headers.get("Connection", "").lower() != "close"
        return _ParsedHead(raw, method, raw_path, query_string, headers, found[0], found[1], length, keep_alive)

    async def _answer(self, request: Request, handler: FastHandler, keep_alive: bool) -> None:
        if self._screen is not None:
            held = self._screen(request.headers, request.path, self._transport, self)
            hold = await held if held is not None else None
            if hold is not None:
                await self._hold(hold)
                return
        try:
            response = await handler(request)
        except Exception:
            log.exception("fast route failed on %s %s", request.method, request.raw_path)
            response = Response.json_error("InternalFailure", "pocketcloud failed on this request", 500)
        self._answering = False
        if self._transport is None:
            return
        self._transport.write(response.encode(keep_alive))
        if not keep_alive:
            self._transport.close()
            return
        if self._buffer:
            self._serve_buffered()

    async def _hold(self, seconds: float) -> None:
        """Leave the request unanswered until the client closes the connection or ``seconds`` pass, then drop the
        connection without an answer (a dropped request, not a refused one)."""
        self._lost = self._loop.create_future()
        if self._transport is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost, seconds)
        if self._transport is not None:
            self._transport.abort()

    def _hand_over(self) -> None:
        transport, self._transport = self._transport, None
        assert transport is not None
        protocol = self._fallback()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        data, self._buffer = bytes(self._buffer), bytearray()
        protocol.data_received(data)
