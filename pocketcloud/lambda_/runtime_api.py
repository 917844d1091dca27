"""The Lambda Runtime API that one execution environment's awslambdaric talks to.

Each environment gets its own listener (``AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>``), as each
Lambda sandbox has its own, so a request never has to say which environment it came from.

This is a small HTTP/1.1 server on an asyncio protocol rather than a web framework: its only
client is the runtime interface client, every warm invoke crosses it twice (the `next` answer and
the posted result), and a framework's per-request work was the largest share of an invoke's cost
on the server (see bench/lambda_invoke.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json

PREFIX = "/2018-06-01/runtime"
_NEXT_PATH = PREFIX + "/invocation/next"
MAX_HEAD_BYTES = 64 * 1024
# Lambda's response limit for synchronous invocations (6 MB), as the Runtime API enforces it.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100

_REASONS = {200: b"OK", 202: b"Accepted", 400: b"Bad Request", 404: b"Not Found", 413: b"Payload Too Large"}
# The answer to `next`; awslambdaric's native client crashes on one without Content-Type.
_NEXT_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: %s\r\n"
    b"Lambda-Runtime-Deadline-Ms: %d\r\nLambda-Runtime-Invoked-Function-Arn: %s\r\n"
)
_ACCEPTED = b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"status": "OK"}'


@dataclasses.dataclass
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    deadline_ms: int
    trace_id: str | None = None
    client_context: str | None = None
    # Settled once with (kind, body): kind "response" or "error" from the runtime, "oversize" for a
    # result over the limit, or how the environment ended it ("timeout", "exit", "oom").
    outcome: asyncio.Future[tuple[str, bytes]] = dataclasses.field(default_factory=lambda: _new_future())

    def settle(self, kind: str, body: bytes) -> None:
        if not self.outcome.done():
            self.outcome.set_result((kind, body))


def _new_future() -> asyncio.Future[tuple[str, bytes]]:
    return asyncio.get_running_loop().create_future()


class RuntimeApi:
    """Serves next / response / error / init-error for one environment.

    Example::

        api = RuntimeApi()
        await api.start("127.0.0.1")          # then start awslambdaric with AWS_LAMBDA_RUNTIME_API
        await api.ready                       # its first `next`: init finished
        api.submit(invocation)
        kind, body = await invocation.outcome
    """

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = loop.create_future()  # first `next`: init finished
        self.init_error: asyncio.Future[bytes] = loop.create_future()
        self.current: Invocation | None = None  # submitted, not yet settled
        self._delivered = False  # whether `current` went out in a `next` answer
        self._parked: _RuntimeConnection | None = None  # the connection whose `next` waits
        self._server: asyncio.Server | None = None
        self._connections: set[_RuntimeConnection] = set()
        self.port = 0

    async def start(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _RuntimeConnection(self), host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.current is not None:
            self.current.outcome.cancel()
        for connection in list(self._connections):
            connection.close()
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def submit(self, invocation: Invocation) -> None:
        self.current, self._delivered = invocation, False
        if self._parked is not None:
            self._deliver()

    def _deliver(self) -> None:
        connection, invocation = self._parked, self.current
        assert connection is not None and invocation is not None
        self._parked, self._delivered = None, True
        head = _NEXT_HEAD % (invocation.request_id.encode(), invocation.deadline_ms, invocation.function_arn.encode())
        if invocation.trace_id:
            head += b"Lambda-Runtime-Trace-Id: %s\r\n" % invocation.trace_id.encode()
        if invocation.client_context:
            head += b"Lambda-Runtime-Client-Context: %s\r\n" % invocation.client_context.encode()
        connection.write(b"%sContent-Length: %d\r\n\r\n%s" % (head, len(invocation.payload), invocation.payload))

    # -- requests from the runtime ---------------------------------------------------------------
    def handle(self, connection: _RuntimeConnection, method: str, path: str, body: bytes) -> None:
        if method == "GET" and path == _NEXT_PATH:
            if not self.ready.done():
                self.ready.set_result(None)
            self._parked = connection
            if self.current is not None and not self._delivered:
                self._deliver()
            return
        if method == "POST" and path.startswith(PREFIX + "/invocation/"):
            request_id, _, kind = path[len(PREFIX) + 12 :].partition("/")
            if kind in ("response", "error"):
                self._settle(connection, request_id, kind, body)
                return
        if method == "POST" and path == PREFIX + "/init/error":
            if not self.init_error.done():
                self.init_error.set_result(body)
            connection.write(_ACCEPTED)
            return
        connection.write(_error(404, "InvalidRoute", f"no Runtime API route for {method} {path}"))

    def _settle(self, connection: _RuntimeConnection, request_id: str, kind: str, body: bytes) -> None:
        current = self.current
        if current is None or not self._delivered or current.request_id != request_id:
            connection.write(_error(400, "InvalidRequestID", "unknown request id"))
            return
        self.current = None
        current.settle(kind, body)
        # Acknowledge after the invoker (woken by settle) has answered its caller: the caller waits
        # on this result, while the runtime only needs the acknowledgement for its next `next`.
        connection.acknowledge_soon()

    def response_too_large(self, connection: _RuntimeConnection, size: int) -> None:
        """The runtime posted a result over Lambda's limit: the invocation fails as on AWS."""
        if self.current is not None and self._delivered:
            message = "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
            body = json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"})
            # "oversize": the runtime fails on the 413 and exits, so the environment is not reused.
            self.current.settle("oversize", body.encode())
            self.current = None
        connection.write(_error(413, "RequestEntityTooLarge", "response payload too large"))

    def track(self, connection: _RuntimeConnection) -> None:
        self._connections.add(connection)

    def forget(self, connection: _RuntimeConnection) -> None:
        self._connections.discard(connection)
        if self._parked is connection:
            self._parked = None


class _RuntimeConnection(asyncio.Protocol):
    """One keep-alive connection from the runtime: parses requests, hands them to the API."""

    def __init__(self, api: RuntimeApi) -> None:
        self._api = api
        self._buffer = bytearray()
        self._transport: asyncio.WriteTransport | None = None
        self._continued = False  # "100 Continue" sent for the request being read
        # The runtime sends the same `next` request, byte for byte, after every invocation.
        self._last_next = b""
        self._ack_due = False  # a result's 202, held back until the invoker has answered its caller

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's are not asyncio.Transport
        self._loop = asyncio.get_running_loop()  # kept: each lookup costs a getpid()
        self._api.track(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._api.forget(self)

    def write(self, data: bytes) -> None:
        if self._transport is not None:
            self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def acknowledge_soon(self) -> None:
        """Send the 202 for a result once the loop has run what the result woke."""
        self._ack_due = True
        self._loop.call_soon(self._acknowledge)

    def _acknowledge(self) -> None:
        if self._ack_due:
            self._ack_due = False
            self.write(_ACCEPTED)

    def data_received(self, data: bytes) -> None:
        if data == self._last_next and not self._buffer and not self._ack_due:
            self._api.handle(self, "GET", _NEXT_PATH, b"")
            return
        self._buffer += data
        while self._transport is not None and self._buffer:
            request = self._next_request()
            if request is None:
                return
            if self._ack_due:  # a request behind a result: HTTP answers in order
                self._acknowledge()
            self._api.handle(self, *request)

    def _next_request(self) -> tuple[str, str, bytes] | None:
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEAD_BYTES:
                self._reject(_error(400, "InvalidRequest", "request head too large"))
            return None
        head = bytes(buffer[:end])
        lower = head.lower()
        line_end = head.find(b"\r\n")
        try:
            method, path, _ = (head if line_end < 0 else head[:line_end]).decode("latin-1").split(" ", 2)
            chunked = b"\r\ntransfer-encoding:" in lower and b"chunked" in lower
            length = 0 if chunked else _content_length(lower)
        except ValueError:
            self._reject(_error(400, "InvalidRequest", "malformed HTTP request"))
            return None
        if length > MAX_RESPONSE_BYTES:
            # Answer and close rather than read megabytes the runtime may not even send after a 413.
            self._api.response_too_large(self, length)
            self._buffer.clear()
            self.close()
            return None
        if b"\r\nexpect:" in lower and b"100-continue" in lower and not self._continued:
            self._continued = True
            self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if chunked:
            try:
                decoded = _dechunk(buffer, end + 4)
            except ValueError:
                self._reject(_error(400, "InvalidRequest", "malformed chunked body"))
                return None
            if decoded is None:
                return None
            body, consumed = decoded
        else:
            if len(buffer) < end + 4 + length:
                return None
            body, consumed = bytes(buffer[end + 4 : end + 4 + length]), end + 4 + length
        if consumed == len(buffer) and method == "GET" and path == _NEXT_PATH:
            self._last_next = bytes(buffer)
        del buffer[:consumed]
        self._continued = False
        return method, path.split("?", 1)[0], body

    def _reject(self, response: bytes) -> None:
        self.write(response)
        self._buffer.clear()
        self.close()


def _content_length(lower_head: bytes) -> int:
    start = lower_head.find(b"\r\ncontent-length:")
    if start < 0:
        return 0
    start += 17
    stop = lower_head.find(b"\r\n", start)
    return int(lower_head[start : stop if stop >= 0 else None])


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body starting at ``start``, and where it ends; None while incomplete."""
    body = bytearray()
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";", 1)[0], 16)
        if size == 0:  # the last chunk, then optional trailers and an empty line
            trailer_end = buffer.find(b"\r\n\r\n", line_end)
            return None if trailer_end < 0 else (bytes(body), trailer_end + 4)
        chunk_start = line_end + 2
        if len(buffer) < chunk_start + size + 2:
            return None
        body += buffer[chunk_start : chunk_start + size]
        position = chunk_start + size + 2


def _error(status: int, error_type: str, message: str) -> bytes:
    body = json.dumps({"errorType": error_type, "errorMessage": message}).encode()
    reason = _REASONS.get(status, b"Error")
    return b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        status,
        reason,
        len(body),
        body,
    )
