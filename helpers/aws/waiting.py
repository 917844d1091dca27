"""The one way the helpers wait: a bounded poll with a progress bar, and boto3's waiters run through it.

A learner sees the same thing for every wait: nothing when the answer comes within a second or two,
otherwise a text bar that counts seconds against the usual wait and ends at 100 % (also in the saved
notebook and its HTML export); a wait that runs out of time removes its bar and says so in one line.

Example::

    poll(lambda: rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0],
         lambda proxy: proxy["Status"] == "available", "RDS Proxy becoming available",
         timeout_s=1800, estimate_s=300, interval_s=10)
    wait_for(lam, ("function_active_v2", "function_updated_v2"), "function ready",
             timeout_s=300, estimate_s=5, interval_s=1, FunctionName=name)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from ..text import say

T = TypeVar("T")


class WaitFailed(RuntimeError):
    """What was waited for reached a state it does not leave (a boto3 waiter's failure state)."""


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    what: str,
    *,
    timeout_s: float,
    estimate_s: float,
    interval_s: float = 1.0,
    progress: bool = True,
    on_timeout: Literal["raise", "return"] = "raise",
    postfix: Callable[[], str] | None = None,
    show_after_s: float = 2.0,
) -> T:
    """Call ``fetch()`` every ``interval_s`` seconds until ``done(value)``, for at most ``timeout_s``.

    Returns the value that was done. Out of time it raises ``TimeoutError``, or with
    ``on_timeout="return"`` prints one line and returns the last value. With ``progress``, a wait longer
    than ``show_after_s`` shows a bar of seconds against ``estimate_s``, the usual wait (stretched when
    the wait runs longer, so that it never reads 100 % early); ``postfix`` adds a short status to it
    (e.g. a load test's current rate).

    >>> answers = iter(["creating", "creating", "available"])
    >>> poll(lambda: next(answers), lambda s: s == "available", "demo", timeout_s=5, estimate_s=1,
    ...      interval_s=0, progress=False)
    'available'
    >>> poll(lambda: "creating", lambda s: s == "available", "demo", timeout_s=0, estimate_s=1,
    ...      progress=False, on_timeout="return")
    'creating'
    """
    started = time.monotonic()
    deadline = started + timeout_s
    value = fetch()
    bar = None
    try:
        while not done(value):
            if time.monotonic() >= deadline:
                return _out_of_time(value, what, timeout_s, bar, on_timeout, progress)
            time.sleep(max(0.0, min(interval_s, deadline - time.monotonic())))
            value = fetch()
            elapsed = time.monotonic() - started
            # A wait of a second or two is not worth a bar: it would flash by on every deploy.
            if progress and bar is None and elapsed >= show_after_s and not done(value):
                bar = _bar(what, estimate_s)
            if bar is not None:
                _advance(bar, elapsed, postfix)
        if bar is not None:  # done: the bar ends full, at the seconds really waited
            bar.total = bar.n = max(1, round(time.monotonic() - started))
            bar.refresh()
        return value
    finally:
        if bar is not None:
            bar.close()


def _out_of_time(value: T, what: str, timeout_s: float, bar: Any, on_timeout: str, progress: bool) -> T:
    if bar is not None:
        bar.leave = False  # a bar that did not finish is removed; the line below says what happened
        bar.close()
    message = say("aws.waiting.not_done", what=what, seconds=timeout_s)
    if on_timeout == "raise":
        raise TimeoutError(message)
    if progress:
        print(say("aws.waiting.going_on", message=message))
    return value


def wait_until(
    check: Callable[[], T | None],
    what: str,
    *,
    timeout_s: float,
    estimate_s: float,
    interval_s: float = 1.0,
    progress: bool = True,
) -> T:
    """Call ``check()`` until it returns something other than None, and return that (see :func:`poll`).

    >>> calls = iter([None, None, {"Status": "READY"}])
    >>> wait_until(lambda: next(calls), "demo", timeout_s=5, estimate_s=1, interval_s=0, progress=False)
    {'Status': 'READY'}
    """
    result = poll(
        check, _is_not_none, what, timeout_s=timeout_s, estimate_s=estimate_s, interval_s=interval_s, progress=progress
    )
    assert result is not None  # poll returns only a done value when it does not raise
    return result


def pause(seconds: float, what: str, *, progress: bool = True) -> None:
    """Wait ``seconds`` that nothing can be asked about (IAM propagating a role, a clock reaching a minute).

    >>> pause(0.01, "demo", progress=False)
    """
    end = time.monotonic() + seconds
    poll(
        time.monotonic,
        lambda now: now >= end,
        what,
        timeout_s=seconds + 1,
        estimate_s=seconds,
        interval_s=min(0.2, seconds),
        progress=progress,
    )


def waiter_state(client: Any, waiter_name: str, response: dict[str, Any]) -> str | None:
    """What boto3's waiter ``waiter_name`` makes of one answer of its operation: ``success``, ``failure``,
    ``retry``, or None when none of its acceptors matches (boto3 then asks again)."""
    for acceptor in client.get_waiter(waiter_name).config.acceptors:
        if acceptor.matcher_func(response):
            return str(acceptor.state)
    return None


def wait_for(
    client: Any,
    waiters: str | Sequence[str],
    what: str,
    *,
    timeout_s: float,
    estimate_s: float,
    interval_s: float,
    progress: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """Run boto3's waiter (or several waiters on the same operation, all of which must succeed) through
    :func:`poll`: the waiter's own operation and acceptors, this module's bar, deadline and interval.

    Returns the operation's last answer; raises :class:`WaitFailed` on a failure state or an error no
    acceptor expects.
    """
    from botocore import xform_name
    from botocore.exceptions import ClientError

    names = [waiters] if isinstance(waiters, str) else list(waiters)
    operations = {client.get_waiter(name).config.operation for name in names}
    if len(operations) != 1:
        raise ValueError(f"waiters {names} do not share one operation: {sorted(operations)}")
    operation = getattr(client, xform_name(operations.pop()))

    def fetch() -> tuple[dict[str, Any], bool]:
        try:
            response: dict[str, Any] = operation(**params)
        except ClientError as error:  # some acceptors expect an error, e.g. "not found" means deleted
            response = error.response
        states = [waiter_state(client, name, response) for name in names]
        if "failure" in states or (None in states and "Error" in response):
            reason = response.get("Error", {}).get("Message") or f"waiter {names} reached a failure state"
            raise WaitFailed(f"{what}: {reason}")
        return response, all(state == "success" for state in states)

    response, _ = poll(
        fetch,
        lambda answer: answer[1],
        what,
        timeout_s=timeout_s,
        estimate_s=estimate_s,
        interval_s=interval_s,
        progress=progress,
    )
    return response


_BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n}/{total} UNIT{postfix}"  # UNIT: seconds in the language


def _is_not_none(value: object) -> bool:
    return value is not None


def _bar(what: str, estimate_s: float) -> Any:
    import sys

    from tqdm.std import tqdm

    # Seconds waited against the usual wait; tqdm's own rate and clock would say nothing more (and its clock
    # starts late, with the bar). A text bar on stdout rather than tqdm's notebook widget: a widget's saved
    # form (in the .ipynb and its HTML export) is its text at the moment it was shown, 0 %, whatever it
    # reached; a text bar is redrawn with carriage returns, and every notebook view keeps its last state.
    bar_format = _BAR_FORMAT.replace("UNIT", say("aws.waiting.seconds_unit"))
    return tqdm(total=max(1, round(estimate_s)), desc=what, bar_format=bar_format, file=sys.stdout, ncols=90)


def _advance(bar: Any, elapsed: float, postfix: Callable[[], str] | None) -> None:
    bar.n = round(elapsed)
    if bar.n >= bar.total:  # longer than usual: stretch the bar rather than show 100 % before it is done
        bar.total = round(elapsed * 1.25) + 1
    if postfix is not None:
        bar.set_postfix_str(postfix(), refresh=False)
    bar.refresh()
