"""Lambda's concurrency admission (reserved, unreserved, scaling rate) and the warm pools, without a server."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketcloud.lambda_.environment import ExecutionEnvironment, LaunchConfig
from pocketcloud.lambda_.errors import LambdaError
from pocketcloud.lambda_.functions import FunctionSpec
from pocketcloud.lambda_.pool import Pools, ProvisionedConfig, ScalingRate


def _reason(call: object, *args: object) -> str | None:
    """The throttle's reason, None when admitted."""
    try:
        call(*args)  # type: ignore[operator]
    except LambdaError as exc:
        assert (exc.code, exc.status, exc.message) == ("TooManyRequestsException", 429, "Rate Exceeded.")
        return exc.reason
    return None


def test_unreserved_functions_share_the_account_limit() -> None:
    pools = Pools(3)
    assert [_reason(pools.admit, f, None) for f in ("a", "b", "a", "c")] == [
        None,
        None,
        None,
        "ConcurrentInvocationLimitExceeded",
    ]
    assert pools.in_flight == {"a": 2, "b": 1} and pools.total_in_flight == 3
    pools.release("a")
    assert pools.in_flight == {"a": 1, "b": 1} and pools.total_in_flight == 2
    assert _reason(pools.admit, "c", None) is None


def test_a_reservation_caps_its_function_and_is_taken_from_the_others() -> None:
    pools = Pools(4)
    assert [_reason(pools.admit, "r", 2) for _ in range(3)] == [
        None,
        None,
        "ReservedFunctionConcurrentInvocationLimitExceeded",
    ]
    # 4 - 2 reserved leaves 2 for everyone else, whatever the reserved function has in flight.
    assert [_reason(pools.admit, "u", None) for _ in range(3)] == [None, None, "ConcurrentInvocationLimitExceeded"]
    pools.release("r")
    pools.release("r")
    assert _reason(pools.admit, "u", None) == "ConcurrentInvocationLimitExceeded"
    assert pools.reserved == {"r": 2}


def test_the_reserved_functions_in_flight_do_not_count_against_the_unreserved_pool() -> None:
    pools = Pools(3)
    pools.admit("r", 1)
    assert _reason(pools.admit, "u", None) is None and _reason(pools.admit, "u", None) is None
    assert _reason(pools.admit, "u", None) == "ConcurrentInvocationLimitExceeded"


def test_removing_a_reservation_returns_it_to_the_unreserved_pool() -> None:
    pools = Pools(2)
    pools.admit("r", 1)
    pools.release("r")
    assert _reason(pools.admit, "u", None) is None
    assert _reason(pools.admit, "u", None) == "ConcurrentInvocationLimitExceeded"
    pools.admit("r", None)  # the same function, its reservation deleted
    assert pools.reserved == {} and pools.total_in_flight == 2


def test_a_reservation_of_zero_throttles_every_call() -> None:
    pools = Pools(10)
    assert _reason(pools.admit, "off", 0) == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert pools.total_in_flight == 0 and pools.in_flight == {}
    # Its reservation of 0 still leaves the whole account to the others, though it never ran.
    assert [_reason(pools.admit, "u", None) for _ in range(11)][-2:] == [None, "ConcurrentInvocationLimitExceeded"]


def test_the_scaling_rate_limits_new_environments_per_function() -> None:
    clock = [0.0]
    pools = Pools(100, scaling_rate=2, clock=lambda: clock[0])
    assert [_reason(pools.scale_out, "a") for _ in range(3)] == [None, None, "FunctionInvocationRateLimitExceeded"]
    assert _reason(pools.scale_out, "b") is None  # each function has its own rate
    clock[0] = 5.0  # 2 per 10 s: one more after 5 s
    assert [_reason(pools.scale_out, "a") for _ in range(2)] == [None, "FunctionInvocationRateLimitExceeded"]
    unlimited = Pools(100, scaling_rate=0, clock=lambda: clock[0])
    assert all(_reason(unlimited.scale_out, "a") is None for _ in range(50)) and unlimited.rates == {}
    by_default = Pools(100)  # no scaling rate unless one is set
    assert all(_reason(by_default.scale_out, "a") is None for _ in range(50))
    assert (by_default.all, by_default.provisioned, by_default.idle) == (set(), {}, {})
    one = Pools(100, scaling_rate=1, clock=lambda: clock[0])
    assert [_reason(one.scale_out, "a") for _ in range(2)] == [None, "FunctionInvocationRateLimitExceeded"]


def test_the_rate_refills_continuously_up_to_one_bucket() -> None:
    clock = [100.0]
    rate = ScalingRate(10, clock=lambda: clock[0])
    assert rate.available() == 10.0 and rate.per_10s == 10
    assert all(rate.take() for _ in range(10)) and not rate.take()
    clock[0] = 100.9
    assert rate.available() == pytest.approx(0.9) and not rate.take()
    clock[0] = 101.0
    assert rate.take() and rate.available() == pytest.approx(0.0)
    clock[0] = 103.5
    assert rate.available() == pytest.approx(2.5)
    clock[0] = 10_000.0
    assert rate.available() == 10.0


# -- warm environments -------------------------------------------------------------------------------------------


def _spec(version: str = "1", memory_mb: int = 128) -> FunctionSpec:
    return FunctionSpec(
        name="fn",
        arn="arn:aws:lambda:us-east-1:123456789012:function:fn",
        version=version,
        handler="app.handler",
        runtime="python3.12",
        memory_mb=memory_mb,
        timeout_s=3,
        environment={},
        tracing_mode="PassThrough",
        code_sha256="abc",
        layer_arns=(),
        reserved_concurrency=None,
    )


@pytest.fixture
def running() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes standing in for started runtimes; stopped after the test."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.wait()


def _environment(spec: FunctionSpec, running: list[subprocess.Popen[bytes]] | None = None) -> ExecutionEnvironment:
    """An environment; with ``running``, one whose process is up (alive), else one never started (not alive)."""
    launch = LaunchConfig("python3", Path("/nonexistent"), "127.0.0.1", "http://127.0.0.1:1", "us-east-1", None)
    env = ExecutionEnvironment(spec, Path("/nonexistent"), [], launch)
    if running is not None:
        # What start() leaves behind, without the runtime: a live process of the environment's own.
        running.append(subprocess.Popen(["sleep", "60"]))
        env._proc = running[-1]  # type: ignore[assignment]
    return env


def test_the_warmest_matching_environment_is_taken_and_stale_ones_returned(
    running: list[subprocess.Popen[bytes]],
) -> None:
    pools = Pools(10)
    key = ("fn", "1")
    old_config, dead, first, warmest = (
        _environment(_spec(memory_mb=256), running),
        _environment(_spec()),
        _environment(_spec(), running),
        _environment(_spec(), running),
    )
    for env in (first, old_config, dead, warmest):
        pools.put_idle(key, env)
    assert pools.take_idle(key, _spec().fingerprint) == (warmest, [])
    assert pools.take_idle(key, _spec().fingerprint) == (first, [dead, old_config])
    assert pools.take_idle(key, _spec().fingerprint) == (None, [])
    assert pools.take_idle(("other", "1"), _spec().fingerprint) == (None, [])
    pools.put_idle(key, _environment(_spec(version="2"), running))
    taken, stale = pools.take_idle(key, _spec().fingerprint)
    assert taken is None and [e.spec.version for e in stale] == ["2"] and pools.idle[key] == []


def test_idle_environments_expire_after_the_idle_time_or_when_dead(running: list[subprocess.Popen[bytes]]) -> None:
    pools = Pools(10)
    fresh, old, dead = _environment(_spec(), running), _environment(_spec(), running), _environment(_spec())
    old.last_used = time.monotonic() - 100
    for env in (fresh, old, dead):
        pools.put_idle(("fn", "1"), env)
    assert pools.expired(50) == [old, dead]
    assert pools.idle[("fn", "1")] == [fresh]
    fresh.last_used = time.monotonic() - 50.5
    assert pools.expired(50) == [fresh] and pools.idle[("fn", "1")] == []
    first, second = _environment(_spec()), _environment(_spec(version="2"))
    pools.put_idle(("fn", "1"), first)
    pools.put_idle(("fn", "2"), second)
    assert pools.expired(50) == [first, second]  # from every function version


def test_provisioned_environments_serve_only_when_idle_alive_and_current(
    running: list[subprocess.Popen[bytes]],
) -> None:
    busy, stale, dead, ready = (
        _environment(_spec(), running),
        _environment(_spec(memory_mb=512), running),
        _environment(_spec()),
        _environment(_spec(), running),
    )
    busy.busy = True
    config = ProvisionedConfig("fn", "1", requested=4, environments=[busy, stale, dead, ready])
    assert config.available == 3 and config.status == "IN_PROGRESS" and config.status_reason is None
    assert config.idle_environment(_spec().fingerprint) is ready
    ready.busy = True
    assert config.idle_environment(_spec().fingerprint) is None
    assert config.idle_environment(_spec(memory_mb=512).fingerprint) is stale
    assert time.strptime(config.last_modified, "%Y-%m-%dT%H:%M:%S+0000")
