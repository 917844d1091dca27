"""The tests' one way to wait for something: poll until it holds, with a generous deadline, and say what was seen.

A test waits for an event (a metric published, a file written, a process gone), never for a fixed time:
a slow host then only waits longer, and a test fails only when the event does not come at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    check: Callable[[], T], timeout: float, what: str, interval: float = 0.2, seen: Callable[[], object] | None = None
) -> T:
    """Call ``check()`` until it returns something other than None or False, and return that (so a check
    returns a bool, or the thing awaited once it is there: a data frame, a count, a record).

    After ``timeout`` seconds the test fails saying ``what`` was awaited and what was last seen: ``seen()``
    if given, else the last value ``check`` returned.

    >>> answers = iter([False, None, 0])
    >>> wait_until(lambda: next(answers), 5, "a count", interval=0)
    0
    >>> wait_until(lambda: None, 0, "a record", seen=lambda: ["other"])
    Traceback (most recent call last):
    AssertionError: waited 0 s for a record; last seen: ['other']
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}; last seen: {seen() if seen else value!r}")
        time.sleep(interval)
