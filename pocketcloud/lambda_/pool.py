"""Execution environments per function version, and the concurrency rules that admit invocations."""

from __future__ import annotations

import dataclasses
import time

from .environment import ExecutionEnvironment
from .errors import LambdaError
from .functions import Fingerprint


@dataclasses.dataclass
class ProvisionedConfig:
    """Provisioned concurrency on one qualifier (version or alias)."""

    function: str
    qualifier: str
    requested: int
    environments: list[ExecutionEnvironment] = dataclasses.field(default_factory=list)
    status: str = "IN_PROGRESS"
    status_reason: str | None = None
    last_modified: str = dataclasses.field(
        default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
    )

    @property
    def available(self) -> int:
        return sum(1 for env in self.environments if env.alive)

    def idle_environment(self, fingerprint: Fingerprint) -> ExecutionEnvironment | None:
        for env in self.environments:
            if not env.busy and env.alive and env.spec.fingerprint == fingerprint:
                return env
        return None


class Pools:
    """Warm on-demand environments by (function, version), plus in-flight counts for concurrency."""

    def __init__(self, account_limit: int) -> None:
        self.account_limit = account_limit
        self.idle: dict[tuple[str, str], list[ExecutionEnvironment]] = {}
        self.all: set[ExecutionEnvironment] = set()
        self.in_flight: dict[str, int] = {}
        self.reserved: dict[str, int] = {}
        self.provisioned: dict[tuple[str, str], ProvisionedConfig] = {}
        self.total_in_flight = 0

    def admit(self, function: str, reserved: int | None) -> None:
        """Count one more invocation of ``function`` or raise the throttle AWS would raise."""
        if reserved is not None:
            self.reserved[function] = reserved
            if self.in_flight.get(function, 0) >= reserved:
                raise LambdaError.throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
        else:
            self.reserved.pop(function, None)
            unreserved_limit, unreserved_in_flight = self.account_limit, self.total_in_flight
            if self.reserved:
                unreserved_limit -= sum(self.reserved.values())
                unreserved_in_flight -= sum(self.in_flight.get(f, 0) for f in self.reserved)
            if unreserved_in_flight >= unreserved_limit:
                raise LambdaError.throttled("ConcurrentInvocationLimitExceeded")
        self.in_flight[function] = self.in_flight.get(function, 0) + 1
        self.total_in_flight += 1

    def release(self, function: str) -> None:
        self.in_flight[function] -= 1
        self.total_in_flight -= 1

    def take_idle(
        self, key: tuple[str, str], fingerprint: Fingerprint
    ) -> tuple[ExecutionEnvironment | None, list[ExecutionEnvironment]]:
        """A warm environment for ``key`` if one matches ``fingerprint``; also returns stale ones to discard."""
        stale: list[ExecutionEnvironment] = []
        idle = self.idle.get(key, [])
        while idle:
            env = idle.pop()  # most recently used first: it is the warmest
            if env.alive and env.spec.fingerprint == fingerprint:
                return env, stale
            stale.append(env)
        return None, stale

    def put_idle(self, key: tuple[str, str], env: ExecutionEnvironment) -> None:
        self.idle.setdefault(key, []).append(env)

    def expired(self, idle_seconds: float) -> list[ExecutionEnvironment]:
        now = time.monotonic()
        gone = []
        for key, envs in self.idle.items():
            keep = [e for e in envs if now - e.last_used < idle_seconds and e.alive]
            gone += [e for e in envs if e not in keep]
            self.idle[key] = keep
        return gone
