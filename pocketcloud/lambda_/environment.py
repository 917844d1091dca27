"""One Lambda execution environment: a real ``python -m awslambdaric`` process and its Runtime API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import select
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .credentials import Caller
from .functions import FunctionSpec
from .runtime_api import Invocation, RuntimeApi

if TYPE_CHECKING:
    from ..processes import Child, ProcessGroup

INIT_TIMEOUT_S = 10.0  # Lambda's limit for the init phase of on-demand environments
# Reading the kernel's peak (VmHWM) costs 5x reading current memory, so it is read at most this
# often; current memory is read after every invocation and every 50 ms while one runs.
PEAK_READ_INTERVAL_S = 1.0
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PIPE_READ_BYTES = 65536
# For an environment started without issued credentials (none of pocketcloud's own starts one).
_NO_ROLE_CREDENTIALS = dict.fromkeys(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), "testing")
_OUT_OF_MEMORY = ("Runtime.OutOfMemory", "Runtime exited with error: signal: killed")  # errorType, message

# awslambdaric's own entry point, as `python -m awslambdaric <handler>` runs it, with one setting
# changed: for python3.12+ it waits for `next` on a new thread per invocation, so that its main
# thread can take signals. pocketcloud stops environments with SIGKILL only, and that thread cost
# ~0.25 ms of CPU and of latency per invoke (measured with bench/lambda_invoke.py).
RIC_MAIN = (
    "import sys; from awslambdaric import __main__ as ric, lambda_config; "
    "lambda_config.LambdaConfigProvider.SUPPORTED_THREADPOLLING_ENVS = frozenset(); ric.main(sys.argv)"
)


@dataclasses.dataclass
class Outcome:
    """How one invocation ended in this environment."""

    kind: str  # "response" | "error" | "oversize" | "timeout" | "exit" | "oom" | "init_error"
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
    nice: int = 0  # added to the server's niceness (settings.lambda_nice)
    batch: bool = False  # SCHED_BATCH (settings.lambda_batch)


class ExecutionEnvironment:
    """One environment: start it, invoke it one invocation at a time, destroy it.

    Example::

        env = ExecutionEnvironment(spec, code_dir, [], launch)
        await env.start(processes)
        outcome = await env.invoke(invocation)
    """

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
        self.caller: Caller | None = None  # its credentials (set before start), see credentials.py
        self.log_stream = time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{spec.version}]{self.id}"
        self.init_duration_ms: float | None = None
        self.started_wall = 0.0
        self.init_error: bytes | None = None
        self.init_lines: list[str] = []
        self.invocations = 0
        self.last_used = time.monotonic()
        self.busy = False
        self._api: RuntimeApi | None = None
        self._proc: Child | None = None
        self._output = _Output()
        self._peak_rss_kb = 0
        self._peak_read_at = 0.0
        self._proc_fds: dict[str, int] = {}
        self._exited: asyncio.Task[int] | None = None
        # The running invocation's deadline (loop time), and one timer that re-arms itself for it:
        # a timer per invocation (call_later, then cancel) was ~3 % of the server's CPU at load.
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._memory_checked_for = 0  # the invocation the memory watcher last saw running

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
            # The execution role's temporary credentials, as Lambda hands them to each environment.
            **(self.caller.environment_variables() if self.caller else _NO_ROLE_CREDENTIALS),
        }
        if launch.xray_address:
            env["AWS_XRAY_DAEMON_ADDRESS"] = launch.xray_address
            env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
        return env

    async def start(self, processes: ProcessGroup) -> None:
        """Start the process and wait until init finished (first `next`) or failed."""
        self.started_wall = time.time()
        started = time.perf_counter()
        self._loop = asyncio.get_running_loop()  # kept for invoke: each lookup costs a getpid()
        self._api = RuntimeApi()
        await self._api.start(self.launch.host)
        # stdout and stderr go to a pipe pocketcloud reads itself, so that an invocation can collect
        # everything the handler printed the moment its result arrives (see _Output).
        read_fd, write_fd = os.pipe()
        try:
            # -S: the function sees its code, its layers and the runtime (awslambdaric, boto3), as on
            # AWS, not every package of pocketcloud's own environment.
            self._proc = await processes.spawn(
                [self.launch.python, "-S", "-c", RIC_MAIN, self.spec.handler],
                nice=self.launch.nice,
                batch=self.launch.batch,
                cwd=str(self.code_dir),
                env=self._environ(self._api.port),
                stdout=write_fd,
                stderr=write_fd,
            )
        finally:
            os.close(write_fd)
        self._output.attach(read_fd)
        self._exited = asyncio.get_running_loop().create_task(self._proc.wait())
        self._exited.add_done_callback(self._on_exit)
        started_or_failed: set[asyncio.Future[Any]] = {self._api.ready, self._api.init_error, self._exited}
        done, _ = await asyncio.wait(
            started_or_failed,
            timeout=INIT_TIMEOUT_S,
            return_when=asyncio.FIRST_COMPLETED,
        )
        self.init_duration_ms = (time.perf_counter() - started) * 1000
        self.init_lines = self._output.take()
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

    def _on_exit(self, _: asyncio.Task[int]) -> None:
        code = self._proc.returncode if self._proc else None
        reason = f"signal: {signal.Signals(-code).name.lower()}" if code and code < 0 else f"exit status {code}"
        self._end_current("exit", "Runtime.ExitError", f"Runtime exited with error: {reason}")

    def _arm_deadline(self, deadline: float) -> None:
        self._deadline = deadline
        if self._timer is None or self._timer_at > deadline:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self._loop.call_at(deadline, self._deadline_passed)

    def _deadline_passed(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None:
            return  # idle: the next invocation arms a new timer
        if self._loop.time() < deadline:
            self._arm_deadline(deadline)  # this timer was armed for an earlier invocation
            return
        self._end_current("timeout", "Sandbox.Timedout", f"Task timed out after {self.spec.timeout_s:.2f} seconds")

    def _end_current(self, kind: str, error_type: str, message: str) -> None:
        current = self._api.current if self._api else None
        if current is not None:
            current.settle(kind, _error_json(error_type, message))

    async def destroy(self) -> None:
        for fd in self._proc_fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._proc_fds.clear()
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._proc and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGKILL)
            await self._proc.wait()
        self._output.close()
        if self._api:
            await self._api.stop()
            self._api = None

    # -- invoking ----------------------------------------------------------------------------------
    async def invoke(self, invocation: Invocation) -> Outcome:
        assert self._api and self._proc
        self.invocations += 1
        started = time.perf_counter()
        self._arm_deadline(self._loop.time() + self.spec.timeout_s)
        self._api.submit(invocation)
        try:
            kind, body = await invocation.outcome
        finally:
            self._deadline = None
        duration_ms = (time.perf_counter() - started) * 1000
        rss_kb = self._rss_kb()
        max_memory_mb, lines = self._max_memory_mb(rss_kb), self._output.take()
        if kind in ("response", "error") and self._over_memory(rss_kb):
            # Over its memory between two looks of the watcher: Lambda would have killed it too.
            kind, body = "oom", _error_json(*_OUT_OF_MEMORY)
        if kind not in ("response", "error"):
            await self.destroy()
        self.last_used = time.monotonic()
        return Outcome(kind, body, duration_ms, max_memory_mb, lines)

    def check_memory(self) -> None:
        """End the running invocation when resident memory exceeds the function's memory size.

        An invocation is looked at from the watcher's second tick on: one that ends sooner has its
        memory read at its end anyway, and most end within a tick."""
        if self._memory_checked_for != self.invocations:
            self._memory_checked_for = self.invocations
            return
        rss = self._rss_kb()
        self._peak_rss_kb = max(self._peak_rss_kb, rss)
        if self._over_memory(rss):
            self._end_current("oom", *_OUT_OF_MEMORY)

    def _over_memory(self, rss_kb: int) -> bool:
        return rss_kb > self.spec.memory_mb * 1024

    def _read_proc(self, name: str) -> bytes:
        """``/proc/<pid>/<name>`` through a handle kept open for the environment's life."""
        fd = self._proc_fds.get(name)
        if fd is None:
            fd = self._proc_fds[name] = os.open(f"/proc/{self.pid}/{name}", os.O_RDONLY)
        return os.pread(fd, 4096, 0)

    def _rss_kb(self) -> int:
        try:
            return int(self._read_proc("statm").split()[1]) * _PAGE_KB
        except (OSError, ValueError, IndexError):
            return 0

    def _max_memory_mb(self, rss_kb: int) -> int:
        """Peak resident memory of the environment so far: the kernel's high-water mark, read at most
        every PEAK_READ_INTERVAL_S, and current memory (``rss_kb``) in between."""
        peak = rss_kb
        now = time.monotonic()
        if now - self._peak_read_at >= PEAK_READ_INTERVAL_S:
            self._peak_read_at = now
            try:
                data = self._read_proc("status")
                start = data.index(b"VmHWM:") + 6
                peak = max(peak, int(data[start : data.index(b"kB", start)]))
            except (OSError, ValueError):
                pass
        self._peak_rss_kb = max(self._peak_rss_kb, peak)
        return max(1, round(self._peak_rss_kb / 1024))


class _Output:
    """The environment's stdout and stderr, as lines.

    The handler's prints reach the pipe before its result reaches the Runtime API, so reading the
    pipe without waiting when the result arrives collects all of them, with no extra loop turns.
    """

    def __init__(self) -> None:
        self._fd: int | None = None
        self._ready = select.poll()  # asks "anything to read?" without the cost of a failed read
        self._partial = b""
        self._lines: list[str] = []

    def attach(self, fd: int) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._ready.register(fd, select.POLLIN)
        asyncio.get_running_loop().add_reader(fd, self._drain)

    def take(self) -> list[str]:
        """Every complete line written so far (and a trailing partial one), emptying the buffer."""
        if self._fd is not None and self._ready.poll(0):
            self._drain()
        if self._partial:
            self._lines.append(self._partial.decode("utf-8", "replace"))
            self._partial = b""
        lines, self._lines = self._lines, []
        return lines

    def _drain(self) -> None:
        if self._fd is None:
            return
        chunks = []
        while True:
            try:
                chunk = os.read(self._fd, PIPE_READ_BYTES)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:  # the process and every copy of the write end are gone
                self.close()
                break
            chunks.append(chunk)
            if len(chunk) < PIPE_READ_BYTES:
                break  # drained for now; the loop calls again when more arrives
        if chunks:
            *complete, self._partial = (self._partial + b"".join(chunks)).split(b"\n")
            self._lines += [line.decode("utf-8", "replace") for line in complete]

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            asyncio.get_running_loop().remove_reader(fd)
            os.close(fd)


def _error_json(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def python_executable() -> str:
    return sys.executable
