"""A relay-only Lambda server: the ceiling for any server in front of awslambdaric on this host.

It runs the same awslambdaric processes pocketcloud runs (same entry point, same runtime directory)
and does nothing but relay: a request's body (or a fixed event, for API Gateway-shaped loads) goes
to an idle process as its `next` event, the posted result goes back as the response. No logs,
metrics, tracing, timeouts, memory checks or concurrency rules. Its processes run at the niceness
and scheduling policy pocketcloud gives its environments (``lambda_nice``, ``lambda_batch``). Like
Lambda it starts a new process when all are busy, so N callers end up with N processes.

The benches run it as a process of its own (``relay_server()``), next to pocketcloud and the floor,
so that "pocketcloud / relay" is pocketcloud's own cost and "relay / floor" what awslambdaric and
the extra hops cost before any server does any work.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from _common import Listener

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pocketcloud.processes import die_with_parent, lower_priority
from pocketcloud.settings import Settings

_ACCEPTED = b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"status": "OK"}'
_ARN = b"arn:aws:lambda:us-east-1:123456789012:function:relay"


def _take_request(buffer: bytearray) -> tuple[bytes, bytes] | None:
    """(head, body) of the first complete request in ``buffer``, removed from it; None if incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end])
    start = head.lower().find(b"\r\ncontent-length:")
    length = int(head[start + 17 :].split(b"\r\n", 1)[0]) if start >= 0 else 0
    if len(buffer) < end + 4 + length:
        return None
    body = bytes(buffer[end + 4 : end + 4 + length])
    del buffer[: end + 4 + length]
    return head, body


class _Relay:
    """Idle runtimes and waiting callers; a new awslambdaric process per caller nobody can serve."""

    def __init__(self, launch: list[str], env: dict[str, str], cwd: str, event: bytes | None) -> None:
        self.launch, self.env, self.cwd, self.event = launch, env, cwd, event
        self.idle: list[_Runtime] = []
        self.waiting: deque[_Caller] = deque()
        self.starting = 0
        self.processes: list[subprocess.Popen[bytes]] = []
        self.served = 0
        self.settings = Settings.from_env()  # the runtimes run below the server, as pocketcloud's do

    def dispatch(self, caller: _Caller) -> None:
        if self.idle:
            self.idle.pop().deliver(caller)
            return
        self.waiting.append(caller)
        if self.starting < len(self.waiting):
            self.starting += 1
            proc = subprocess.Popen(self.launch, env=self.env, cwd=self.cwd, preexec_fn=die_with_parent)
            lower_priority(proc.pid, self.settings.lambda_nice, self.settings.lambda_batch)
            self.processes.append(proc)

    def runtime_ready(self, runtime: _Runtime, first: bool) -> None:
        if first:
            self.starting -= 1
        if self.waiting:
            runtime.deliver(self.waiting.popleft())
        else:
            self.idle.append(runtime)


class _Runtime(asyncio.Protocol):
    """One awslambdaric process's connection: `next` waits here, results come back here."""

    def __init__(self, relay: _Relay) -> None:
        self.relay, self.buffer, self.caller, self.started = relay, bytearray(), None, False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (request := _take_request(self.buffer)) is not None:
            head, body = request
            if head.startswith(b"GET"):
                self.relay.runtime_ready(self, first=not self.started)
                self.started = True
            elif self.caller is not None:
                caller, self.caller = self.caller, None
                caller.answer(body)
                self.transport.write(_ACCEPTED)

    def deliver(self, caller: _Caller) -> None:
        self.caller = caller
        self.relay.served += 1
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: %d\r\n"
            b"Lambda-Runtime-Deadline-Ms: %d\r\nLambda-Runtime-Invoked-Function-Arn: %s\r\n"
            b"Content-Length: %d\r\n\r\n%s"
            % (self.relay.served, int(time.time() * 1000) + 60_000, _ARN, len(caller.body), caller.body)
        )


class _Caller(asyncio.Protocol):
    """One keep-alive client connection."""

    def __init__(self, relay: _Relay) -> None:
        self.relay, self.buffer, self.body = relay, bytearray(), b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        request = _take_request(self.buffer)
        if request is not None:
            self.body = self.relay.event or request[1] or b"{}"
            self.relay.dispatch(self)

    def answer(self, body: bytes) -> None:
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )


async def _serve(port: int, code_dir: str, handler: str, event: bytes | None) -> None:
    from pocketcloud.lambda_.environment import RIC_MAIN
    from pocketcloud.lambda_.runtime_dir import build_runtime_dir

    loop = asyncio.get_running_loop()
    runtime_dir = build_runtime_dir(Path(tempfile.mkdtemp(prefix="relay-runtime-")))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{code_dir}:{runtime_dir}",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "LAMBDA_TASK_ROOT": code_dir,
    }
    relay = _Relay([sys.executable, "-S", "-c", RIC_MAIN, handler], env, code_dir, event)
    runtime_server = await loop.create_server(lambda: _Runtime(relay), "127.0.0.1", 0)
    env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{runtime_server.sockets[0].getsockname()[1]}"
    await loop.create_server(lambda: _Caller(relay), "127.0.0.1", port)
    print("ready", flush=True)
    try:
        await loop.run_in_executor(None, sys.stdin.read)  # until the bench closes our stdin
    finally:
        for process in relay.processes:
            process.kill()
            process.wait()


@contextlib.contextmanager
def relay_server(code_dir: str, source: str, handler: str, event: bytes | None = None) -> Iterator[Listener]:
    """A relay in its own process (uvloop, like pocketcloud) for a function whose ``app.py`` is
    ``source``, written into ``code_dir``; yields its port and pid. ``event``: what every invocation gets,
    instead of the request's body."""
    from _common import free_port

    (Path(code_dir) / "app.py").write_text(source)
    event_file = Path(code_dir) / "event.json"
    if event is not None:
        event_file.write_bytes(event)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, str(port), str(code_dir), handler, str(event_file) if event is not None else ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        yield Listener(port, proc.pid)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    import uvloop

    event_path = sys.argv[4] if len(sys.argv) > 4 else ""
    uvloop.run(
        _serve(int(sys.argv[1]), sys.argv[2], sys.argv[3], Path(event_path).read_bytes() if event_path else None)
    )
