"""One Lambda execution environment: a real ``python -m awslambdaric`` process and its Runtime API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from .functions import FunctionSpec
from .runtime_api import Invocation, RuntimeApi

if TYPE_CHECKING:
    from ..processes import ProcessGroup

INIT_TIMEOUT_S = 10.0  # Lambda's limit for the init phase of on-demand environments
MEMORY_POLL_S = 0.05


@dataclasses.dataclass
class Outcome:
    """How one invocation ended in this environment."""

    kind: str  # "response" | "error" | "timeout" | "exit" | "oom" | "init_error"
    body: bytes
    duration_ms: float
    max_memory_mb: int
    log_lines: list[str]


@dataclasses.dataclass
class LaunchConfig:
    python: str
    runtime_dir: Path
    host: str
    endpoint_url: str
    region: str
    xray_address: str | None


class ExecutionEnvironment:
    def __init__(
        self,
        spec: FunctionSpec,
        code_dir: Path,
        layer_dirs: list[Path],
        launch: LaunchConfig,
        init_type: str = "on-demand",
    ) -> None:
        self.id = uuid.uuid4().hex
        self.spec = spec
        self.code_dir = code_dir
        self.layer_dirs = layer_dirs
        self.launch = launch
        self.init_type = init_type
        self.log_stream = time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{spec.version}]{self.id}"
        self.init_duration_ms: float | None = None
        self.started_wall = 0.0
        self.init_error: bytes | None = None
        self.init_lines: list[str] = []
        self.invocations = 0
        self.last_used = time.monotonic()
        self.busy = False
        self._api: RuntimeApi | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._peak_rss_kb = 0
        self._status_fd: int | None = None
        self._exited: asyncio.Task[int] | None = None
        self._memory: asyncio.Task[None] | None = None
        self._busy = asyncio.Event()
        self._over_memory: asyncio.Future[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None and self.init_error is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _environ(self, api_port: int) -> dict[str, str]:
        spec, launch = self.spec, self.launch
        python_path = [str(self.code_dir), *(str(p) for p in self.layer_dirs), str(launch.runtime_dir)]
        env = {
            # The function's own variables first: Lambda's reserved ones win over them.
            **spec.environment,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONUNBUFFERED": "1",
            "AWS_LAMBDA_RUNTIME_API": f"{launch.host}:{api_port}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": self.init_type,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_REGION": launch.region,
            "AWS_DEFAULT_REGION": launch.region,
            "LAMBDA_TASK_ROOT": str(self.code_dir),
            "LAMBDA_RUNTIME_DIR": str(launch.runtime_dir),
            "_HANDLER": spec.handler,
            # boto3 inside the handler reaches pocketcloud unchanged.
            "AWS_ENDPOINT_URL": launch.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }
        if launch.xray_address:
            env["AWS_XRAY_DAEMON_ADDRESS"] = launch.xray_address
            env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
        return env

    async def start(self, processes: ProcessGroup) -> None:
        """Start the process and wait until init finished (first `next`) or failed."""
        self.started_wall = time.time()
        started = time.perf_counter()
        self._api = RuntimeApi()
        await self._api.start(self.launch.host)
        # -S: the function sees its code, its layers and the runtime (awslambdaric, boto3), as on AWS,
        # not every package of pocketcloud's own environment.
        self._proc = await processes.spawn(
            [self.launch.python, "-S", "-m", "awslambdaric", self.spec.handler],
            cwd=str(self.code_dir),
            env=self._environ(self._api.port),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        loop = asyncio.get_running_loop()
        self._reader = loop.create_task(self._read_output())
        # Long-lived watchers, so that an invocation creates no task of its own.
        self._exited = loop.create_task(self._proc.wait())
        self._memory = loop.create_task(self._watch_memory())
        done, _ = await asyncio.wait(
            {self._api.ready, self._api.init_error, self._exited},
            timeout=INIT_TIMEOUT_S,
            return_when=asyncio.FIRST_COMPLETED,
        )
        self.init_duration_ms = (time.perf_counter() - started) * 1000
        await _yield_to_reader()
        self.init_lines, self._lines = self._lines, []
        if self._api.ready in done:
            return
        if self._api.init_error in done:
            self.init_error = self._api.init_error.result()
        elif self._exited in done:
            self.init_error = _error_json(
                "Runtime.ExitError", f"Runtime exited with error: exit status {self._proc.returncode}"
            )
        else:
            self.init_error = _error_json("Runtime.InitTimeout", f"Init timed out after {INIT_TIMEOUT_S:.2f} seconds")
        await self.destroy()

    async def _read_output(self) -> None:
        assert self._proc and self._proc.stdout
        while True:
            line = await self._proc.stdout.readline()
            if not line:
                return
            self._lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    async def destroy(self) -> None:
        if self._memory:
            self._memory.cancel()
        if self._status_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._status_fd)
            self._status_fd = None
        if self._proc and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGKILL)
            await self._proc.wait()
        if self._reader:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 1)
        if self._api:
            await self._api.stop()
            self._api = None

    # -- invoking ----------------------------------------------------------------------------------
    async def invoke(self, invocation: Invocation) -> Outcome:
        assert self._api and self._proc
        self.invocations += 1
        self._lines = []
        started = time.perf_counter()
        assert self._exited is not None
        self._over_memory = asyncio.get_running_loop().create_future()
        self._busy.set()
        self._api.submit(invocation)
        try:
            done, _ = await asyncio.wait(
                {invocation.outcome, self._exited, self._over_memory},
                timeout=self.spec.timeout_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            self._busy.clear()
        duration_ms = (time.perf_counter() - started) * 1000
        if invocation.outcome in done:
            kind, body = invocation.outcome.result()
        elif self._over_memory in done:
            kind, body = "oom", _error_json("Runtime.OutOfMemory", "Runtime exited with error: signal: killed")
            await self.destroy()
        elif self._exited in done:
            code = self._proc.returncode
            reason = f"signal: {signal.Signals(-code).name.lower()}" if code and code < 0 else f"exit status {code}"
            kind, body = "exit", _error_json("Runtime.ExitError", f"Runtime exited with error: {reason}")
            await self.destroy()
        else:
            message = f"Task timed out after {self.spec.timeout_s:.2f} seconds"
            kind, body = "timeout", _error_json("Sandbox.Timedout", message)
            await self.destroy()
        self.last_used = time.monotonic()
        await _yield_to_reader()
        return Outcome(kind, body, duration_ms, self._max_memory_mb(), self._lines)

    async def _watch_memory(self) -> None:
        """While an invocation runs, flag when resident memory exceeds the function's memory size."""
        limit_kb = self.spec.memory_mb * 1024
        while True:
            await self._busy.wait()
            rss = self._rss_kb()
            self._peak_rss_kb = max(self._peak_rss_kb, rss)
            if rss > limit_kb and self._over_memory and not self._over_memory.done():
                self._over_memory.set_result(None)
            await asyncio.sleep(MEMORY_POLL_S)

    def _rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.pid}/statm") as statm:
                return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            return 0

    def _max_memory_mb(self) -> int:
        """Peak resident memory (VmHWM) of the environment so far, read through a kept-open /proc handle."""
        try:
            if self._status_fd is None:
                self._status_fd = os.open(f"/proc/{self.pid}/status", os.O_RDONLY)
            data = os.pread(self._status_fd, 4096, 0)
            start = data.index(b"VmHWM:") + 6
            self._peak_rss_kb = max(self._peak_rss_kb, int(data[start : data.index(b"kB", start)]))
        except (OSError, ValueError, TypeError):
            pass
        return max(1, round(self._peak_rss_kb / 1024))


async def _yield_to_reader() -> None:
    # The handler's last print reached the pipe before its response reached us; let the reader catch up.
    for _ in range(3):
        await asyncio.sleep(0)


def _error_json(error_type: str, message: str) -> bytes:
    import json

    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def python_executable() -> str:
    return sys.executable
