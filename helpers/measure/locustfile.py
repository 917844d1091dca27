"""The workshop's load test: virtual users calling the API, either as fast as it answers or at a constant
arrival rate, each call logged with its start time, latency and HTTP status.

``run_load_test`` starts Locust with this file; settings arrive as environment variables so the same file
serves every module:

- ``LOADTEST_PATHS``: comma-separated paths to call (default ``/``).
- ``LOADTEST_RATE``: calls per second across all users. Each of the ``LOADTEST_USERS`` users gets its own
  slot in the cycle (user i calls at ``T0 + i / rate + k * users / rate``), so calls arrive evenly spaced
  instead of in lockstep; a user whose answer comes after its next slot skips that slot. 0 (the default):
  closed loop, each user calls again ``LOADTEST_WAIT`` seconds after its answer.
- ``LOADTEST_OPENING``: with a rate, this many users (the first slots) also call at ``T0`` itself, all at the
  same instant, before their place in the schedule: a crowd arriving together opens the burst. 0 (default): none.
- ``LOADTEST_T0``: the shared start of the schedule (Unix time); ``LOADTEST_LOG``: a CSV file that gets one
  line per call: ``start,latency_ms,status`` (status 0 when no HTTP answer came).
"""

from __future__ import annotations

import itertools
import math
import os
import random
import time
from typing import Any

from locust import HttpUser, events, task

_PATHS = [p.strip() or "/" for p in os.environ.get("LOADTEST_PATHS", "/").split(",")]
_RATE = float(os.environ.get("LOADTEST_RATE", "0"))
_USERS = max(1, int(os.environ.get("LOADTEST_USERS", "1")))
_T0 = float(os.environ.get("LOADTEST_T0", "0")) or time.time()
_OPENING = int(os.environ.get("LOADTEST_OPENING", "0"))
_LOG_PATH = os.environ.get("LOADTEST_LOG", "")
_log = open(_LOG_PATH, "a", buffering=1) if _LOG_PATH else None  # noqa: SIM115  # open for the run's life
_slots = itertools.count()


def _log_call(start_time: float, response_time: float, response: object = None, **_: object) -> None:
    if _log is not None:
        status = getattr(response, "status_code", 0) or 0
        _log.write(f"{start_time:.6f},{response_time:.3f},{status}\n")


_PAUSE = float(os.environ.get("LOADTEST_WAIT", "0"))


def _wait(user: Any) -> float:
    """Seconds to wait before the user's next call: until its next slot, or the closed loop's pause."""
    return user.until_next_slot() if _RATE > 0 else _PAUSE


events.request.add_listener(_log_call)  # type: ignore[no-untyped-call]


class ApiUser(HttpUser):
    wait_time = _wait

    def on_start(self) -> None:
        self.slot = next(_slots) % _USERS
        if _RATE > 0 and self.slot < _OPENING:
            time.sleep(max(0.0, _T0 - time.time()))  # the opening wave: every such user calls at T0 itself
        elif _RATE > 0:
            time.sleep(self.until_next_slot())  # gevent's sleep: Locust patches the standard library

    def until_next_slot(self) -> float:
        """Seconds until this user's next slot in the schedule (constant arrival rate)."""
        period = _USERS / _RATE
        first = _T0 + self.slot / _RATE
        now = time.time()
        missed = max(0, math.ceil((now - first) / period))
        return max(0.0, first + missed * period - now)

    @task
    def call_api(self) -> None:
        path = random.choice(_PATHS)
        # Name every call after the path so the statistics stay one row per path.
        with self.client.get(path, name=path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:120]}")
