"""The Lambda Runtime API that one execution environment's awslambdaric talks to.

Each environment gets its own listener (``AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>``), as each
Lambda sandbox has its own, so a request never has to say which environment it came from.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from aiohttp import web

PREFIX = "/2018-06-01/runtime"


@dataclasses.dataclass
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    deadline_ms: int
    trace_id: str | None = None
    client_context: str | None = None
    # Filled by the runtime: ("response", body) or ("error", body)
    outcome: asyncio.Future[tuple[str, bytes]] = dataclasses.field(default_factory=lambda: _new_future())


def _new_future() -> asyncio.Future[tuple[str, bytes]]:
    return asyncio.get_running_loop().create_future()


class RuntimeApi:
    """Serves next / response / error / init-error for one environment."""

    def __init__(self) -> None:
        self._pending: asyncio.Queue[Invocation | None] = asyncio.Queue(maxsize=1)
        self._current: Invocation | None = None
        self.ready = asyncio.get_running_loop().create_future()  # first `next`: init finished
        self.init_error: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_get(f"{PREFIX}/invocation/next", self._next)
        app.router.add_post(PREFIX + "/invocation/{request_id}/response", self._response)
        app.router.add_post(PREFIX + "/invocation/{request_id}/error", self._error)
        app.router.add_post(f"{PREFIX}/init/error", self._init_error)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        # Release a `next` long-poll still waiting, or the runner's cleanup waits for it to time out.
        if self._pending.empty():
            self._pending.put_nowait(None)
        if self._current and not self._current.outcome.done():
            self._current.outcome.cancel()
        if self._runner:
            await self._runner.cleanup()

    def submit(self, invocation: Invocation) -> None:
        self._pending.put_nowait(invocation)

    async def _next(self, _: web.Request) -> web.Response:
        if not self.ready.done():
            self.ready.set_result(None)
        invocation = await self._pending.get()
        if invocation is None:  # stop() released this long-poll
            return _runtime_error(503, "ShuttingDown", "the execution environment is shutting down")
        self._current = invocation
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            # awslambdaric's native client crashes on a `next` without Content-Type.
            "Content-Type": "application/json",
        }
        if invocation.trace_id:
            headers["Lambda-Runtime-Trace-Id"] = invocation.trace_id
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        return web.Response(body=invocation.payload, headers=headers)

    def _settle(self, request: web.Request, kind: str, body: bytes) -> web.Response:
        current = self._current
        if current is None or current.request_id != request.match_info["request_id"]:
            return _runtime_error(400, "InvalidRequestID", "unknown request id")
        if not current.outcome.done():
            current.outcome.set_result((kind, body))
        self._current = None
        return web.json_response({"status": "OK"}, status=202)

    async def _response(self, request: web.Request) -> web.Response:
        return self._settle(request, "response", await request.read())

    async def _error(self, request: web.Request) -> web.Response:
        return self._settle(request, "error", await request.read())

    async def _init_error(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.init_error.done():
            self.init_error.set_result(body)
        return web.json_response({"status": "OK"}, status=202)


def _runtime_error(status: int, error_type: str, message: str) -> web.Response:
    body: dict[str, Any] = {"errorType": error_type, "errorMessage": message}
    return web.Response(status=status, body=json.dumps(body), content_type="application/json")
