"""Lambda's concurrency scaling rate: a function adds new execution environments no faster than the rate
(a bucket of ``lambda_scaling_rate``, refilled continuously over 10 s); requests that would need one more are
throttled with 429, warm environments are reused without drawing on the rate, and the throttles clear once
the function has scaled ("Lambda scaling behavior", Lambda Developer Guide)."""

from __future__ import annotations

import time

import botocore.exceptions

from .test_lambda_concurrency import SLOW, _parallel

RATE = 3  # new environments per 10 s: a bucket of 3, one more every 3.3 s


def _split(results: list) -> tuple[list[int], list[botocore.exceptions.ClientError]]:
    pids = [r for r in results if isinstance(r, int)]
    errors = [r for r in results if isinstance(r, botocore.exceptions.ClientError)]
    assert len(pids) + len(errors) == len(results), f"unexpected results: {results}"
    return pids, errors


def test_a_burst_above_the_scaling_rate_is_throttled_until_environments_are_added(make_cloud, deploy) -> None:
    cloud = make_cloud(lambda_scaling_rate=RATE)
    name = deploy(SLOW, target=cloud)
    started = time.monotonic()

    # A burst of 6 on a function with no environment: the bucket holds 3 new environments.
    pids, throttled = _split(_parallel(cloud, name, 6, 1.0))
    assert len(set(pids)) == RATE, f"{len(set(pids))} environments started at once, the rate allows {RATE}"
    assert len(throttled) == 6 - RATE
    for error in throttled:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error.response["Error"]["Code"] == "TooManyRequestsException"
        assert error.response["Error"]["Message"] == "Rate Exceeded."
        assert error.response["Reason"] == "FunctionInvocationRateLimitExceeded"
    seen = set(pids)

    # The bucket is (nearly) empty now, but reusing the warm environments draws nothing from it.
    again, refused = _split(_parallel(cloud, name, RATE, 0.2))
    assert refused == [], "a warm environment was free for each call: none may be throttled"
    assert set(again) <= seen, "the calls ran in the warm environments"

    # The same burst, repeated: environments are added at the rate and the throttles clear.
    rounds = []
    deadline = time.monotonic() + 120
    while True:
        pids, throttled = _split(_parallel(cloud, name, 5, 0.3))
        rounds.append(len(throttled))
        seen |= set(pids)
        if not throttled:
            break
        for error in throttled:
            assert error.response["Reason"] == "FunctionInvocationRateLimitExceeded"
        assert time.monotonic() < deadline, f"still throttled after {len(rounds)} rounds: {rounds}"
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    assert rounds[0] > 0, "the first repeated burst needed more environments than the rate had refilled"
    assert len(seen) == 5, f"once scaled, 5 calls at once run in 5 environments: {len(seen)}"
    # Never faster than the rate: a full bucket, then RATE more every 10 s (a bound a slow host only loosens).
    assert len(seen) <= RATE + RATE * elapsed / 10 + 1e-9, f"{len(seen)} environments in {elapsed:.1f} s"


def test_the_scaling_rate_is_per_function(make_cloud, deploy) -> None:
    cloud = make_cloud(lambda_scaling_rate=RATE)
    first, second = deploy(SLOW, target=cloud), deploy(SLOW, target=cloud)
    pids, _ = _split(_parallel(cloud, first, RATE, 0.5))
    assert len(set(pids)) == RATE
    other, throttled = _split(_parallel(cloud, second, RATE, 0.5))
    assert throttled == [] and len(set(other)) == RATE, "another function scales from its own bucket"


def test_no_scaling_rate_when_the_setting_is_zero(make_cloud, deploy) -> None:
    cloud = make_cloud(lambda_scaling_rate=0)
    name = deploy(SLOW, target=cloud)
    pids, throttled = _split(_parallel(cloud, name, 6, 1.0))
    assert throttled == [] and len(set(pids)) == 6
