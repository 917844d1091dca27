"""The edge's fast lane: hot routes answered directly, everything else handed to aiohttp, on real sockets."""

from __future__ import annotations

import http.client
import json
import socket

import pocketcloud
from pocketcloud.fastlane import FastRoutes, Request, Response

from .conftest import Deploy

ECHO = "def handler(event, context):\n    return event\n"
NAME = "def handler(event, context):\n    return context.function_name\n"


def _invoke_request(name: str, body: bytes, extra: str = "") -> bytes:
    return (
        f"POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


def _responses(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """Read ``count`` Content-Length framed responses from a raw socket."""
    data, out = b"", []
    while len(out) < count:
        chunk = sock.recv(65536)
        assert chunk, "connection closed early"
        data += chunk
        while True:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                break
            head = data[:end].decode("latin-1")
            lengths = [line.split(":")[1] for line in head.split("\r\n") if line.lower().startswith("content-length")]
            length = int(lengths[0])
            if len(data) < end + 4 + length:
                break
            status = int(head.split(" ")[1])
            if status != 100:
                out.append((status, data[end + 4 : end + 4 + length]))
            data = data[end + 4 + length :]
    return out


def _response_with_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """One Content-Length framed response's head and body, read from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def _connect(cloud: pocketcloud.Cloud) -> socket.socket:
    host, port = cloud.endpoint_url.rsplit("/", 1)[1].split(":")
    return socket.create_connection((host, int(port)), timeout=15)


def test_a_connection_keeps_working_after_aiohttp_takes_it_over(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    conn = http.client.HTTPConnection(cloud.endpoint_url.split("//")[1], timeout=15)
    path = f"/2015-03-31/functions/{name}/invocations"
    conn.request("POST", path, body=b'{"n": 1}')
    first = conn.getresponse()
    assert (first.status, json.loads(first.read())) == (200, {"n": 1})
    conn.request("GET", "/_pocketcloud/health")  # not a fast route: aiohttp serves the connection from here on
    health = conn.getresponse()
    assert (health.status, json.loads(health.read())["status"]) == (200, "ok")
    conn.request("POST", path, body=b'{"n": 2}', headers={"X-Amz-Log-Type": "Tail"})
    second = conn.getresponse()
    assert (second.status, json.loads(second.read())) == (200, {"n": 2})
    assert second.getheader("X-Amz-Executed-Version") == "$LATEST"
    assert second.getheader("X-Amz-Log-Result"), "the same handler answers through aiohttp"
    conn.close()


def test_pipelined_invokes_are_answered_in_order(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    with _connect(cloud) as sock:
        sock.sendall(b"".join(_invoke_request(name, json.dumps({"i": i}).encode()) for i in range(3)))
        answers = _responses(sock, 3)
    assert [(status, json.loads(body)) for status, body in answers] == [(200, {"i": i}) for i in range(3)]


def test_a_repeated_head_is_served_as_new_and_a_changed_one_is_parsed_again(
    cloud: pocketcloud.Cloud, deploy: Deploy
) -> None:
    # The fast lane keeps a connection's last head; the same bytes skip the parse, others must not.
    first, second = deploy(NAME), deploy(NAME)
    heads = [
        _invoke_request(first, b"{}"),
        _invoke_request(first, b"{}"),
        _invoke_request(first, b"{}", "X-Amz-Log-Type: Tail\r\n"),
        _invoke_request(second, b"{}"),
        _invoke_request(first, b"{}"),
    ]
    with _connect(cloud) as sock:
        answers = []
        for request in heads:
            sock.sendall(request)
            answers.append(_response_with_head(sock))
    assert [json.loads(body) for _, body in answers] == [first, first, first, second, first]
    assert [b"X-Amz-Log-Result" in head for head, _ in answers] == [False, False, True, False, False]


def test_chunked_and_100_continue_invokes_go_through_aiohttp(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    with _connect(cloud) as sock:
        head = (
            f"POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode() + b'4\r\n{"k"\r\n4\r\n: 7}\r\n0\r\n\r\n')
        assert [(s, json.loads(b)) for s, b in _responses(sock, 1)] == [(200, {"k": 7})]
    with _connect(cloud) as sock:
        head = _invoke_request(name, b"", "Expect: 100-continue\r\n").replace(b"Length: 0", b"Length: 8")
        sock.sendall(head)
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b'{"e": 1}')
        assert [(s, json.loads(b)) for s, b in _responses(sock, 1)] == [(200, {"e": 1})]


def test_connection_close_and_malformed_requests(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    with _connect(cloud) as sock:
        sock.sendall(_invoke_request(name, b"{}", "Connection: close\r\n"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        assert data.startswith(b"HTTP/1.1 200") and b"Connection: close" in data, "answered, then closed"
    with _connect(cloud) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert sock.recv(65536).split(b" ")[1] == b"400", "aiohttp answers what the fast lane does not parse"


def test_invoke_errors_keep_their_aws_shape_on_the_fast_lane(cloud: pocketcloud.Cloud) -> None:
    with _connect(cloud) as sock:
        sock.sendall(_invoke_request("no-such-function", b"{}"))
        [(status, body)] = _responses(sock, 1)
    assert status == 404
    assert json.loads(body)["Message"].startswith("Function not found: arn:aws:lambda:")


def test_function_headers_cannot_split_a_response() -> None:
    response = Response(200, b"ok", [("X-Safe", "a\r\nX-Injected: 1"), ("Content-Length", "999")])
    encoded = response.encode(keep_alive=True)
    head = encoded.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    assert "X-Injected: 1" not in head
    assert [line for line in head if line.lower().startswith("content-length")] == ["Content-Length: 2"]


def test_routes_match_by_host_first_then_by_decoded_path() -> None:
    async def by_host(_: Request) -> Response:
        return Response(200)

    async def by_path(_: Request) -> Response:
        return Response(201)

    routes = FastRoutes()
    routes.add_host(r"(?P<api>[a-z0-9]+)\.execute-api\.localhost", by_host)
    routes.add_path("POST", r"/2015-03-31/functions/(?P<function>[^/]+)/invocations", by_path)
    assert routes.find("GET", "abc123.execute-api.localhost:4566", "/dev/x") == (by_host, {"api": "abc123"})
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert routes.find("POST", "127.0.0.1:4566", f"/2015-03-31/functions/{arn}/invocations") == (
        by_path,
        {"function": arn},
    )
    assert routes.find("GET", "127.0.0.1:4566", "/2015-03-31/functions/f/invocations") is None
    assert Request("GET", "/a%3Ab", "x=1&x=2", {}).path == "/a:b"  # type: ignore[arg-type]
    assert Request("GET", "/", "x=1&x=2", {}).query.getall("x") == ["1", "2"]  # type: ignore[arg-type]
