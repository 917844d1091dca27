"""Start as many execution environments as a measurement needs, so that its simultaneous calls really overlap.

A burst of N calls runs at once only when N environments are idle and waiting. A warm-up of quick calls does
not get there: a call that ends before the next one arrives hands its environment on, and Lambda adds new
environments at a limited rate (AWS: 1,000 per function every 10 seconds, refilled continuously, "Lambda
scaling behavior"; pocketcloud scales that rate down), throttling the rest. The calls beyond the warm ones
then start seconds later, after their cold start, when the first wave is over.

So the warm-up sends rounds of N calls that each stay busy (the measurement's own event), until one round
needs no new environment and nothing is throttled: N environments then exist and are idle.

Example::

    done = start_environments(lam, "sas-db-time", 24, {"queryStringParameters": {"hold": "1.5"}})
    done.ready, done.rounds, done.cold_starts
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from .invocations import burst, timed_invoke


@dataclasses.dataclass(frozen=True)
class Warmup:
    """What the warm-up took: rounds of ``wanted`` calls, cold starts and throttles seen, and whether the last
    round found ``wanted`` environments waiting."""

    function: str
    wanted: int
    rounds: int
    cold_starts: int
    throttled: int
    seconds: float
    ready: bool


def round_was_warm(cold: int, throttled: int, errors: int) -> bool:
    """A round of overlapping calls proves the environments exist when none of its calls started one, none was
    throttled and none failed.

    >>> round_was_warm(0, 0, 0), round_was_warm(3, 0, 0), round_was_warm(0, 2, 0)
    (True, False, False)
    """
    return cold == 0 and throttled == 0 and errors == 0


def start_environments(
    lambda_client: Any,
    function: str,
    count: int,
    payload: Any,
    *,
    timeout_s: float = 180.0,
    pause_s: float = 2.0,
) -> Warmup:
    """Rounds of ``count`` simultaneous calls with ``payload`` (which must keep each call busy long enough for all
    to overlap) until a round is all warm; a pause after a throttled round lets Lambda's scaling refill."""
    started = time.monotonic()
    rounds = cold_starts = throttled = 0
    ready = False
    while not ready and time.monotonic() - started < timeout_s:
        calls = burst(lambda: timed_invoke(lambda_client, function, payload), count=count)
        rounds += 1
        cold = int(calls["cold"].sum())
        refused = int(calls["throttled"].sum())
        # a function error (e.g. MySQL refusing a connection) still ran in an environment; only a missing answer
        # (status other than 200) says nothing about the environments
        errors = int((calls["status"] != 200).sum()) - refused
        cold_starts, throttled = cold_starts + cold, throttled + refused
        ready = round_was_warm(cold, refused, errors)
        if refused and not ready:
            time.sleep(pause_s)
    return Warmup(function, count, rounds, cold_starts, throttled, round(time.monotonic() - started, 1), ready)
