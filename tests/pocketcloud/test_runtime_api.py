"""The per-environment Runtime API, spoken to over a real socket as awslambdaric's client does."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

from pocketcloud.lambda_.runtime_api import MAX_RESPONSE_BYTES, PREFIX, Invocation, RuntimeApi

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


class RawClient:
    """A keep-alive HTTP/1.1 client that reads exactly one response per call."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def response(self) -> tuple[int, dict[str, str], bytes]:
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 5)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", 0))
        body = await asyncio.wait_for(self.reader.readexactly(length), 5) if length else b""
        return status, headers, body


def run(scenario: Callable[[RuntimeApi, RawClient], Awaitable[None]]) -> None:
    async def main() -> None:
        api = RuntimeApi()
        await api.start("127.0.0.1")
        client = RawClient(*await asyncio.open_connection("127.0.0.1", api.port))
        try:
            await scenario(api, client)
        finally:
            client.writer.close()
            await api.stop()

    asyncio.run(main())


def _next() -> bytes:
    return f"GET {PREFIX}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode()


def _post(path: str, body: bytes, extra: str = "") -> bytes:
    return f"POST {PREFIX}{path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def _invocation(request_id: str = "req-1") -> Invocation:
    return Invocation(request_id, b'{"a": 1}', ARN, int(time.time() * 1000) + 3000, trace_id="Root=1-abc")


async def _delivered(api: RuntimeApi, client: RawClient) -> Invocation:
    """An invocation the runtime has received through `next`."""
    invocation = _invocation()
    api.submit(invocation)
    await client.send(_next())
    await client.response()
    return invocation


def test_next_waits_for_an_invocation_and_carries_its_headers() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        await client.send(_next())
        await asyncio.wait_for(api.ready, 5)
        pending = asyncio.ensure_future(client.response())
        await asyncio.sleep(0.05)
        assert not pending.done(), "`next` is a long poll until an invocation arrives"
        api.submit(_invocation())
        status, headers, body = await pending
        assert (status, body) == (200, b'{"a": 1}')
        assert headers["lambda-runtime-aws-request-id"] == "req-1"
        assert headers["lambda-runtime-invoked-function-arn"] == ARN
        assert headers["lambda-runtime-trace-id"] == "Root=1-abc"
        assert headers["content-type"] == "application/json"
        assert int(headers["lambda-runtime-deadline-ms"]) > time.time() * 1000

    run(scenario)


def test_response_settles_the_invocation_and_is_acknowledged() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        invocation = _invocation()
        api.submit(invocation)  # before `next`: delivered when it comes
        await client.send(_next())
        assert (await client.response())[0] == 200
        await client.send(_post("/invocation/req-1/response", b'"done"'))
        status, _, body = await client.response()
        assert (status, json.loads(body)) == (202, {"status": "OK"})
        assert await asyncio.wait_for(invocation.outcome, 5) == ("response", b'"done"')

    run(scenario)


def test_error_chunked_and_100_continue_bodies_are_read_whole() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        invocation = await _delivered(api, client)
        head = (
            f"POST {PREFIX}/invocation/req-1/error HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            "Expect: 100-continue\r\n\r\n"
        )
        await client.send(head.encode())
        assert (await client.response())[0] == 100
        await client.send(b'5\r\n{"err\r\n6;ext=1\r\nor": 1\r\n0\r\n\r\n')
        assert (await client.response())[0] == 202
        assert await asyncio.wait_for(invocation.outcome, 5) == ("error", b'{"error": 1')

    run(scenario)


def test_oversized_result_fails_the_invocation_as_lambda_does() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        invocation = await _delivered(api, client)
        size = MAX_RESPONSE_BYTES + 1
        head = f"POST {PREFIX}/invocation/req-1/response HTTP/1.1\r\nContent-Length: {size}\r\n\r\n"
        await client.send(head.encode())
        status, _, _ = await client.response()
        assert status == 413
        kind, error = await asyncio.wait_for(invocation.outcome, 5)
        assert kind == "oversize"
        assert json.loads(error)["errorType"] == "Function.ResponseSizeTooLarge"
        assert await client.reader.read() == b"", "the connection is closed rather than drained"

    run(scenario)


def test_unknown_request_id_route_and_malformed_request_are_refused() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        invocation = await _delivered(api, client)
        await client.send(_post("/invocation/other-id/response", b"1"))
        status, _, body = await client.response()
        assert (status, json.loads(body)["errorType"]) == (400, "InvalidRequestID")
        assert not invocation.outcome.done(), "a wrong id leaves the running invocation alone"
        await client.send(_post("/invocation/req-1/nonsense", b"1"))
        assert (await client.response())[0] == 404
        await client.send(b"BROKEN\r\nContent-Length: x\r\n\r\n")
        assert (await client.response())[0] == 400

    run(scenario)


def test_init_error_is_reported_once() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        body = json.dumps({"errorType": "Runtime.ImportModuleError", "errorMessage": "no module"}).encode()
        error_type = "Lambda-Runtime-Function-Error-Type: Runtime.ImportModuleError\r\n"
        await client.send(_post("/init/error", body, error_type))
        assert (await client.response())[0] == 202
        assert await asyncio.wait_for(api.init_error, 5) == body
        assert not api.ready.done()

    run(scenario)


def test_repeated_next_requests_each_get_their_own_invocation() -> None:
    """The runtime's `next` bytes repeat after every invocation; sent whole, split or behind a
    result in one write, each gets the invocation submitted for it."""

    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        next_request = _next()
        half = len(next_request) // 2
        sends = [[next_request], [next_request], [next_request[:half], next_request[half:]], [next_request]]
        previous = None
        for number, parts in enumerate(sends, 1):
            if previous is not None and number == len(sends):  # the last result and `next` in one write
                parts = [_post(f"/invocation/{previous}/response", b'"ok"') + parts[0]]
            elif previous is not None:
                await client.send(_post(f"/invocation/{previous}/response", b'"ok"'))
            for part in parts:
                await client.send(part)
                await asyncio.sleep(0.01)
            request_id = f"req-{number}"
            api.submit(_invocation(request_id))  # to the parked `next`
            if previous is not None:
                assert (await client.response())[0] == 202
            status, headers, body = await client.response()
            assert (status, headers.get("lambda-runtime-aws-request-id"), body) == (200, request_id, b'{"a": 1}')
            previous = request_id
        await client.send(next_request)
        await asyncio.sleep(0.05)
        assert api._parked is not None, "a repeated `next` with nothing to run waits"

    run(scenario)


def test_requests_behind_a_result_are_answered_after_its_acknowledgement() -> None:
    async def scenario(api: RuntimeApi, client: RawClient) -> None:
        invocation = await _delivered(api, client)
        await client.send(_post("/invocation/req-1/response", b'"ok"') + _post("/invocation/req-1/error", b"{}"))
        assert (await client.response())[0] == 202
        status, _, body = await client.response()
        assert (status, json.loads(body)["errorType"]) == (400, "InvalidRequestID")
        assert await asyncio.wait_for(invocation.outcome, 5) == ("response", b'"ok"')

    run(scenario)
