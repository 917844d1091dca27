"""The Lambda data plane: admits, places and runs invocations, and reports them as Lambda does."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from ..ids import request_id as new_request_id
from ..monitoring.metrics import Series
from ..state_cache import StateCache
from . import handlers, moto_hooks
from .credentials import Caller, Credentials
from .environment import INIT_TIMEOUT_S, ExecutionEnvironment, LaunchConfig, Outcome, python_executable
from .errors import LambdaError
from .functions import CodeCache, FunctionSpec, layer_paths, load_spec, split_name
from .logs import LogShipper, report_line, tail
from .pool import Pools, ProvisionedConfig
from .quotas import ConcurrencyQuota
from .runtime_api import Invocation
from .runtime_dir import build_runtime_dir
from .states import FunctionStates, invoke_refused
from .tracing import InvocationTrace

if TYPE_CHECKING:
    from ..server import Server

log = logging.getLogger("pocketcloud.lambda")

ASYNC_PAYLOAD_LIMIT = 256 * 1024
ASYNC_MAX_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice
REAP_INTERVAL_S = 5.0
MEMORY_CHECK_S = 0.05  # how often busy environments' resident memory is compared with their limit


# Every metric an invocation adds to, and its unit.
_METRICS = {
    "Invocations": "Count",
    "Errors": "Count",
    "Throttles": "Count",
    "Duration": "Milliseconds",
    "ConcurrentExecutions": "Count",
    "ProvisionedConcurrencySpilloverInvocations": "Count",
}
_ACCOUNT_WIDE = ("ConcurrentExecutions", "Throttles", "Invocations")  # also without dimensions


@dataclasses.dataclass
class _Target:
    """What invoking ``name:qualifier`` needs from the control plane, looked up once per change."""

    spec: FunctionSpec
    reserved_concurrency: int | None
    metrics: dict[str, list[Series]]
    failed: bool = False  # its creation failed (State: Failed): every invocation is refused


@dataclasses.dataclass
class InvokeResult:
    status_code: int
    payload: bytes
    function_error: str | None
    executed_version: str
    log_result: str | None
    request_id: str


class LambdaService:
    name = "lambda"

    def __init__(self, server: Server) -> None:
        self.server = server
        settings = server.settings
        self.pools = Pools(settings.lambda_quota, scaling_rate=settings.lambda_scaling_rate)
        self.quota = ConcurrencyQuota(settings.lambda_quota, settings.lambda_min_unreserved)
        self.states = FunctionStates(settings)  # Pending -> Active, update InProgress -> Successful
        self.code = CodeCache(settings.state_dir / "lambda")
        self.logs = LogShipper(server.logs)
        self._launch: LaunchConfig | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._background: list[asyncio.Task[None]] = []
        self._targets: StateCache[_Target] = StateCache(server.edge)
        self.credentials = Credentials()  # each environment's keys for its execution role

    # -- service lifecycle -------------------------------------------------------------------------
    def install(self) -> None:
        moto_hooks.install(self)
        handlers.install(self)

    async def start(self) -> None:
        runtime_dir = build_runtime_dir(self.server.settings.state_dir / "lambda" / "runtime")
        self._launch = LaunchConfig(
            python=python_executable(),
            runtime_dir=runtime_dir,
            host=self.server.settings.host,
            endpoint_url=self.server.endpoint_url,
            region=self.server.settings.region,
            xray_address=self.server.xray.daemon_address,
            nice=self.server.settings.lambda_nice,
            batch=self.server.settings.lambda_batch,
        )
        self.logs.start()
        self._loop = loop = asyncio.get_running_loop()  # kept for invocations: each lookup costs a getpid()
        self._background = [loop.create_task(self._reap_forever()), loop.create_task(self._watch_memory_forever())]

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*(env.destroy() for env in list(self.pools.all)), return_exceptions=True)
        await self.logs.stop()

    def status(self) -> dict[str, Any]:
        envs = [e for e in self.pools.all if e.alive]
        return {
            "environments": len(envs),
            "busy": sum(1 for e in envs if e.busy),
            "in_flight": self.pools.total_in_flight,
            "concurrency_limit": self.pools.account_limit,
            "scaling_rate": self.pools.scaling_rate,  # new environments per function per 10 s (0: no limit)
            "unreserved_minimum": self.quota.minimum_unreserved,
            "functions": sorted({e.spec.name for e in envs}),
            "provisioned": {f"{k[0]}:{k[1]}": c.status for k, c in self.pools.provisioned.items()},
        }

    def backend(self) -> Any:
        return self.server.moto.backend("lambda")

    def caller_of(self, access_key: str) -> Caller | None:
        """Which function, version, execution role and environment an access key was issued to; None for
        keys pocketcloud did not issue to a function (the learner's, the tests', dummy keys).

        Example::

            caller = server.lambda_.caller_of("ASIA...")
            caller.function, caller.version, caller.role_arn, caller.environment_id
        """
        return self.credentials.caller_of(access_key)

    # -- invoking --------------------------------------------------------------------------------
    async def invoke(
        self,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        invocation_type: str = "RequestResponse",
        log_type: str = "None",
        trace_header: str | None = None,
        client_context: str | None = None,
        validated: bool = False,
        caller_timeout_s: float | None = None,
    ) -> InvokeResult:
        """Invoke a function as Lambda's Invoke API does; raises :class:`LambdaError` for service errors.

        ``validated`` skips the JSON check for payloads pocketcloud built itself (API Gateway events).
        ``caller_timeout_s``: raise TimeoutError when a synchronous invocation takes longer; the
        invocation itself runs on, as on AWS when an integration gives up waiting.

        Example::

            result = await service.invoke("hello", b'{"name": "Ada"}')
        """
        name, qualifier = split_name(function, qualifier)
        target = self._current_target(name, qualifier)
        payload = payload or b"{}"
        if invocation_type not in ("RequestResponse", "Event", "DryRun"):
            raise LambdaError.invalid_parameter(f"Unsupported invocation type {invocation_type}")
        limit = ASYNC_PAYLOAD_LIMIT if invocation_type == "Event" else self.server.settings.lambda_max_payload_bytes
        if len(payload) > limit:
            raise LambdaError.too_large(len(payload), limit)
        if not validated and payload != b"{}":
            try:
                json.loads(payload)
            except ValueError as exc:
                raise LambdaError.invalid_json(str(exc)) from exc
        version = target.spec.version
        if invocation_type == "DryRun":
            return InvokeResult(204, b"", None, version, None, new_request_id())
        if invocation_type == "Event":
            request_id = new_request_id()
            self._spawn(self._run_async(name, qualifier, payload, trace_header, request_id))
            return InvokeResult(202, b"", None, version, None, request_id)
        run = self._invoke_sync(target, qualifier, payload, log_type, trace_header, client_context)
        # Init plus the function's timeout bounds an invocation: within the caller's patience, no watchdog.
        if caller_timeout_s is None or INIT_TIMEOUT_S + target.spec.timeout_s + 1.0 < caller_timeout_s:
            return await run
        task = asyncio.get_running_loop().create_task(run)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({task}, timeout=caller_timeout_s)
        if not done:
            raise TimeoutError(f"{function} still running after {caller_timeout_s} s")
        return task.result()

    def _target(self, name: str, qualifier: str | None) -> _Target:
        """The function's spec, reserved concurrency and metric series; cached until the next
        control-plane change, so a warm invoke does not ask moto."""
        return self._targets.get((name, qualifier), lambda: self._load_target(name, qualifier))

    def _current_target(self, name: str, qualifier: str | None) -> _Target:
        """:meth:`_target` as the function's state has it: refused while Pending, and for $LATEST the
        previous code and configuration while an update is in progress ("Lambda function states")."""
        target = self._target(name, qualifier)
        busy = self.states.busy
        if busy:
            self.states.refuse_invoke(name)  # a Pending function answers Pending, even one whose creation failed
        if target.failed:
            raise invoke_refused("Failed")
        if not busy:
            return target
        previous = self.states.previous(name) if target.spec.version == "$LATEST" else None
        return target if previous is None else dataclasses.replace(target, spec=previous)

    def _load_target(self, name: str, qualifier: str | None) -> _Target:
        spec, fn = load_spec(self.backend(), name, qualifier)
        failure = getattr(fn, "pocketcloud_failure", None)
        dimensions = [{"FunctionName": spec.name}]
        if qualifier and qualifier != "$LATEST":
            dimensions.append({"FunctionName": spec.name, "Resource": f"{spec.name}:{qualifier}"})
        metrics = {}
        for metric, unit in _METRICS.items():
            series = [self.server.metrics.series("AWS/Lambda", metric, d, unit) for d in dimensions]
            if metric in _ACCOUNT_WIDE:
                series.append(self.server.metrics.series("AWS/Lambda", metric, {}, unit))
            metrics[metric] = series
        failed = failure is not None and failure[2] == "create"
        return _Target(spec, self._reserved_concurrency(spec.name), metrics, failed)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_async(
        self, name: str, qualifier: str | None, payload: bytes, trace: str | None, request_id: str
    ) -> None:
        delay = self.server.settings.lambda_async_retry_delay
        for attempt in range(ASYNC_MAX_RETRIES + 1):
            try:
                target = self._current_target(name, qualifier)
                result = await self._invoke_sync(target, qualifier, payload, "None", trace, None, request_id)
                if result.function_error is None:
                    return
            except LambdaError as exc:
                if exc.status != 429:
                    log.warning("async invocation of %s dropped: %s", name, exc.message)
                    return
            if attempt < ASYNC_MAX_RETRIES:
                await asyncio.sleep(delay * (2**attempt))
        log.info("async invocation %s of %s failed after %d retries", request_id, name, ASYNC_MAX_RETRIES)

    async def _invoke_sync(
        self,
        target: _Target,
        qualifier: str | None,
        payload: bytes,
        log_type: str,
        trace_header: str | None,
        client_context: str | None,
        request_id: str | None = None,
    ) -> InvokeResult:
        request_id = request_id or new_request_id()
        spec, metrics = target.spec, target.metrics
        try:
            self.pools.admit(spec.name, target.reserved_concurrency)
        except LambdaError:
            self._count(metrics, "Throttles", 1)
            raise
        trace = InvocationTrace(
            self.server.xray, spec, trace_header, self.server.settings.region, self.server.settings.account_id
        )
        try:
            concurrent = self.pools.in_flight[spec.name]
            env = self._take_ready(spec, qualifier, metrics)
            cold = env is None
            if env is None:
                try:
                    self.pools.scale_out(spec.name)  # a new environment draws on the function's scaling rate
                except LambdaError:
                    self._count(metrics, "Throttles", 1)
                    raise
                env = await self._new_environment(spec, "on-demand")
            if env.init_error is not None:
                outcome = Outcome("init_error", env.init_error, 0.0, 0, [])
                return self._finish(spec, env, request_id, outcome, cold, log_type, metrics, trace, concurrent)
            invocation = Invocation(
                request_id=request_id,
                payload=payload,
                function_arn=spec.arn + (f":{qualifier}" if qualifier else ""),
                deadline_ms=int((time.time() + spec.timeout_s) * 1000),
                trace_id=trace.runtime_header,
                client_context=client_context,
                outcome=self._loop.create_future(),
            )
            env.busy = True
            invoke_started = time.time()
            try:
                outcome = await env.invoke(invocation)
            finally:
                env.busy = False
            result = self._finish(
                spec, env, request_id, outcome, cold, log_type, metrics, trace, concurrent, invoke_started
            )
            self._return(spec, env)
            return result
        finally:
            self.pools.release(spec.name)

    def _reserved_concurrency(self, name: str) -> int | None:
        try:
            latest = self.backend().get_function(name)
        except Exception:
            return None
        value = latest.reserved_concurrency
        return None if value is None else int(value)

    def _take_ready(
        self, spec: FunctionSpec, qualifier: str | None, metrics: dict[str, list[Series]]
    ) -> ExecutionEnvironment | None:
        """A provisioned or warm environment for this invocation, or None when it needs a cold start."""
        if self.pools.provisioned:
            provisioned = self.pools.provisioned.get((spec.name, qualifier or ""))
            if provisioned:
                env = provisioned.idle_environment(spec.fingerprint)
                if env:
                    return env
                self._count(metrics, "ProvisionedConcurrencySpilloverInvocations", 1)
        env, stale = self.pools.take_idle((spec.name, spec.version), spec.fingerprint)
        for old in stale:
            self._discard(old)
        return env

    async def _new_environment(self, spec: FunctionSpec, init_type: str) -> ExecutionEnvironment:
        assert self._launch is not None
        fn = self.backend().get_function(spec.name, spec.version)
        code_dir = self.code.unpack("code", spec.code_sha256, fn.code_bytes)
        layer_dirs = []
        for arn in spec.layer_arns:
            layer = self.backend().layers_versions_by_arn(arn)
            layer_dirs += layer_paths(self.code.unpack("layers", layer.code_sha_256, layer.code_bytes))
        env = ExecutionEnvironment(spec, code_dir, layer_dirs, self._launch, init_type)
        env.caller = self.credentials.issue(spec.name, spec.version, spec.role, env.id)
        self.pools.all.add(env)
        await env.start(self.server.processes)
        if init_type == "on-demand" and env.init_lines:
            self.logs.ship(spec.log_group, env.log_stream, env.init_lines)
        return env

    def _return(self, spec: FunctionSpec, env: ExecutionEnvironment) -> None:
        if not env.alive:
            self._discard(env)
        elif env.init_type == "on-demand":
            self.pools.put_idle((spec.name, spec.version), env)

    def _discard(self, env: ExecutionEnvironment) -> None:
        self.pools.all.discard(env)
        self._spawn(env.destroy())

    def _finish(
        self,
        spec: FunctionSpec,
        env: ExecutionEnvironment,
        request_id: str,
        outcome: Outcome,
        cold: bool,
        log_type: str,
        metrics: dict[str, list[Series]],
        trace: InvocationTrace,
        concurrent: int,
        invoke_started: float | None = None,
    ) -> InvokeResult:
        init_ms = env.init_duration_ms if cold and env.init_type == "on-demand" else None
        lines = [f"START RequestId: {request_id} Version: {spec.version}"]
        if outcome.kind == "init_error":
            lines = [*env.init_lines, *lines]
        lines += outcome.log_lines
        error_body = None
        if outcome.kind != "response":
            error_body = _aws_error_body(outcome, request_id)
            if outcome.kind in ("timeout", "exit", "oom"):
                lines.append(f"{_timestamp()} {request_id} {json.loads(error_body)['errorMessage']}")
        lines.append(f"END RequestId: {request_id}")
        lines.append(report_line(request_id, outcome.duration_ms, spec.memory_mb, outcome.max_memory_mb, init_ms))
        self.logs.ship(spec.log_group, env.log_stream, lines)
        self.server.metrics.add_many(
            (
                (metrics["ConcurrentExecutions"], concurrent),  # as the invocation was admitted
                (metrics["Invocations"], 1),
                (metrics["Duration"], outcome.duration_ms),
                (metrics["Errors"], 0 if error_body is None else 1),
            )
        )
        if trace.active:
            started = invoke_started if invoke_started is not None else time.time()
            trace.finish(
                request_id,
                env.started_wall if init_ms is not None else None,
                init_ms,
                started,
                started + outcome.duration_ms / 1000,
                None if error_body is None else outcome.kind,
            )
        return InvokeResult(
            status_code=200,
            payload=outcome.body if error_body is None else error_body,
            function_error=None if error_body is None else "Unhandled",
            executed_version=spec.version,
            log_result=tail(lines) if log_type == "Tail" else None,
            request_id=request_id,
        )

    # -- metrics -------------------------------------------------------------------------------------
    def _count(self, metrics: dict[str, list[Series]], metric: str, value: float) -> None:
        self.server.metrics.add_to(metrics[metric], value)

    # -- concurrency quotas -------------------------------------------------------------------------------
    def reserved_by_function(self, backend: Any = None) -> dict[str, int]:
        """Reserved concurrency by function, for the functions that have one (call under the moto lock)."""
        functions = (backend or self.backend()).list_functions()
        return {f.function_name: int(f.reserved_concurrency) for f in functions if f.reserved_concurrency is not None}

    def provisioned_by_function(self) -> dict[str, int]:
        """Provisioned concurrency requested by function, summed over its versions and aliases."""
        totals: dict[str, int] = {}
        for (function, _), config in self.pools.provisioned.items():
            totals[function] = totals.get(function, 0) + config.requested
        return totals

    def account_settings(self) -> dict[str, Any]:
        """GetAccountSettings: the quota and what reservations leave unreserved (call under the moto lock)."""
        functions = list(self.backend().list_functions())
        unreserved = self.quota.unreserved(self.reserved_by_function(), self.provisioned_by_function())
        return {
            "AccountLimit": {
                "TotalCodeSize": 75 * 1024**3,
                "CodeSizeUnzipped": 250 * 1024**2,
                "CodeSizeZipped": 50 * 1024**2,
                "ConcurrentExecutions": self.quota.quota,
                "UnreservedConcurrentExecutions": unreserved,
            },
            "AccountUsage": {
                "TotalCodeSize": sum(int(f.code_size or 0) for f in functions),
                "FunctionCount": len(functions),
            },
        }

    # -- provisioned concurrency --------------------------------------------------------------------
    async def put_provisioned(self, name: str, qualifier: str, requested: int) -> ProvisionedConfig:
        spec, _ = load_spec(self.backend(), name, qualifier)
        key = (name, qualifier)
        old = self.pools.provisioned.pop(key, None)
        if old:
            for env in old.environments:
                self._discard(env)
        config = ProvisionedConfig(name, qualifier, requested)
        self.pools.provisioned[key] = config
        self._spawn(self._allocate(config, spec))
        return config

    async def _allocate(self, config: ProvisionedConfig, spec: FunctionSpec) -> None:
        envs = await asyncio.gather(
            *(self._new_environment(spec, "provisioned-concurrency") for _ in range(config.requested)),
            return_exceptions=True,
        )
        config.environments = [e for e in envs if isinstance(e, ExecutionEnvironment)]
        failed = [e for e in config.environments if e.init_error is not None]
        if failed or len(config.environments) < config.requested:
            config.status, config.status_reason = "FAILED", "Function initialization failed"
        else:
            config.status = "READY"

    async def delete_provisioned(self, name: str, qualifier: str) -> bool:
        config = self.pools.provisioned.pop((name, qualifier), None)
        if config is None:
            return False
        for env in config.environments:
            self._discard(env)
        return True

    async def _watch_memory_forever(self) -> None:
        # One watcher for all environments, rather than one per environment woken by every invocation.
        while True:
            await asyncio.sleep(MEMORY_CHECK_S)
            for env in [e for e in self.pools.all if e.busy]:
                env.check_memory()

    async def _reap_forever(self) -> None:
        idle_seconds = self.server.settings.lambda_idle_seconds
        # An environment outlives its idle time by at most half of it (and never by more than 5 s).
        interval = min(REAP_INTERVAL_S, idle_seconds / 2)
        while True:
            await asyncio.sleep(interval)
            for env in self.pools.expired(idle_seconds):
                self._discard(env)


def _aws_error_body(outcome: Outcome, request_id: str) -> bytes:
    """The error payload Lambda returns: handler errors as the runtime reported them, others as Lambda."""
    try:
        body = json.loads(outcome.body)
    except ValueError:
        body = {"errorMessage": outcome.body.decode("utf-8", "replace"), "errorType": "Runtime.Unknown"}
    if outcome.kind in ("timeout", "exit", "oom"):
        body["errorMessage"] = f"RequestId: {request_id} Error: {body['errorMessage']}"
    if outcome.kind == "init_error":
        body.setdefault("requestId", "")
    return json.dumps(body).encode()


def _timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
