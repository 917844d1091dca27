"""Execution environments per function version, and the concurrency rules that admit invocations."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

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


class ScalingRate:
    """Lambda's concurrency scaling rate for one function: a bucket of ``per_10s`` new environments,
    refilled continuously at ``per_10s`` every 10 seconds, never holding more than ``per_10s``.

    "Lambda scaling behavior" (Lambda Developer Guide): each function may add at most 1,000 execution
    environments every 10 seconds; Lambda refills the rate continuously rather than once per 10 seconds,
    and an unused part does not accumulate: at any moment the most it can add is 1,000. A warm environment
    reused costs nothing; only a new one draws on the rate.

    >>> clock = [0.0]
    >>> rate = ScalingRate(10, clock=lambda: clock[0])
    >>> [rate.take() for _ in range(11)].count(True)   # a full bucket: 10 at once, the 11th refused
    10
    >>> clock[0] = 0.5; rate.take()                   # 0.5 s later half an environment has come back
    False
    >>> clock[0] = 1.0; rate.take()                   # one environment per second at 10 per 10 s
    True
    >>> clock[0] = 1000.0; rate.available()           # idle time never adds more than one bucket
    10.0
    """

    def __init__(self, per_10s: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_10s = per_10s
        self._clock = clock
        self._tokens = float(per_10s)
        self._at = clock()

    def available(self) -> float:
        """New environments the function may add now (fractions are part-refilled ones)."""
        now = self._clock()
        self._tokens = min(float(self.per_10s), self._tokens + (now - self._at) * self.per_10s / 10.0)
        self._at = now
        return self._tokens

    def take(self) -> bool:
        """Draw one new environment from the rate; False when the function is scaling as fast as it may."""
        if self.available() < 1.0:
            return False
        self._tokens -= 1.0
        return True


class Pools:
    """Warm on-demand environments by (function, version), plus in-flight counts for concurrency.

    ``scaling_rate``: new environments each function may add every 10 seconds (0: no limit).
    ``clock``: what the scaling rate measures time with (a test may pass its own).

    >>> pools = Pools(50, scaling_rate=2, clock=lambda: 0.0)
    >>> pools.admit("f", None); pools.scale_out("f")
    >>> pools.admit("f", None); pools.scale_out("f")
    >>> pools.admit("f", None); pools.scale_out("f")
    Traceback (most recent call last):
    ...
    pocketcloud.lambda_.errors.LambdaError: Rate Exceeded.
    """

    def __init__(
        self, account_limit: int, *, scaling_rate: int = 0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.account_limit = account_limit
        self.scaling_rate = scaling_rate
        self._clock = clock
        self.rates: dict[str, ScalingRate] = {}
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

    def scale_out(self, function: str) -> None:
        """Count one new on-demand environment for ``function`` against its scaling rate, or raise the
        throttle Lambda answers when requests arrive faster than the function may scale ("Lambda scaling
        behavior": "additional requests fail with a throttling error (429 status code)"). AWS does not
        document which of the Invoke API's reasons this throttle carries; of those it lists,
        FunctionInvocationRateLimitExceeded is the function-level rate one."""
        if self.scaling_rate <= 0:
            return
        rate = self.rates.get(function)
        if rate is None:
            rate = self.rates[function] = ScalingRate(self.scaling_rate, clock=self._clock)
        if not rate.take():
            raise LambdaError.throttled("FunctionInvocationRateLimitExceeded")

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
