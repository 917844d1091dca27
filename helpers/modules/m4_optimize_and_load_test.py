"""Module 4, optimize and load test: the stack it measures, the bursts it sends, the room the account leaves
for reserved and provisioned concurrency, and its clean-up.

The notebook sends a burst at a constant arrival rate to the unoptimized function and watches Lambda add
environments at its scaling rate (throttling while it does), moves the handler's initialization out of it
and sends the same burst again, caps the function with reserved concurrency, adds provisioned concurrency
and plans capacity from what it measured.

Example::

    db = ensure(ws)
    deploy(ws, db, "db_time_v2")
    run = run_burst(ws, db, "unoptimized (v2)", rate=10, duration_s=30)
    run.steady_peak, run.model_concurrency
    room = reserve(ws, db.function, wanted=2)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pandas as pd

from ..aws.lambdas import recycle_environments, remove_provisioned_alias, remove_reserved_concurrency
from ..aws.waiting import poll
from ..measure import concurrency, invocations, loadtest, metrics
from ..session import Workshop
from ..text import say
from . import m3_secrets_and_proxy as m3
from .m3_secrets_and_proxy import DbStack

ALIAS = "live"  # the alias that gets provisioned concurrency
# AWS's documented numbers ("Lambda scaling behavior", "Configuring reserved concurrency"): a function adds at
# most 1,000 environments every 10 s, and reservations leave the account at least 100 unreserved.
AWS_SCALING_RATE = 1000
AWS_UNRESERVED_MINIMUM = 100


def ensure(ws: Workshop) -> DbStack:
    """What modules 2 and 3 built (VPC, database, API, secret, RDS Proxy), created where missing."""
    return m3.ensure(ws)


def architecture_figure(ws: Workshop, db: DbStack, *, client: str | None = None) -> Any:
    """The resources this module measures, read from the target; ``client`` is who sends the load (Locust)."""
    return m3.architecture_figure(ws, db, client=client or say("m4.client_locust"))


def deploy(ws: Workshop, db: DbStack, folder: str) -> dict[str, Any]:
    """Put a version of the handler (``lambda_code/<folder>``, e.g. ``db_time_v3``) behind the API."""
    return m3.deploy_db_time(ws, db, folder)


def _pocketcloud_lambda(ws: Workshop) -> dict[str, Any]:
    status: dict[str, Any] = ws.pocketcloud().status()["services"]["lambda"]
    return status


def scaling_rate(ws: Workshop) -> int:
    """New execution environments a function may add every 10 seconds: AWS's 1,000, or the smaller rate
    pocketcloud is set to (``POCKETCLOUD_LAMBDA_SCALING_RATE``) so a laptop shows the same ramp."""
    rate: int = ws.default(local=None, aws=AWS_SCALING_RATE) or _pocketcloud_lambda(ws)["scaling_rate"]
    return rate


def run_burst(
    ws: Workshop,
    db: DbStack,
    name: str,
    *,
    rate: float,
    duration_s: float,
    path: str = "/",
    opening: int = 0,
    progress: bool = True,
) -> concurrency.BurstRun:
    """Send ``rate`` calls per second to the API from a standing start (no warm environment) for ``duration_s``
    seconds, ``opening`` more at the same instant when it opens, then read the REPORT lines of the invocations
    it caused; both on one time line."""
    recycle_environments(ws, db.function)  # a configuration change: the burst starts with no warm environment
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    users = loadtest.users_for_rate(rate, slowest_s=ws.default(local=10.0, aws=3.0))  # cold starts are slow here
    load = loadtest.run_load_test(
        db.api_url, users=users, rate=rate, duration=duration_s, paths=[path], progress=progress, opening=opening
    )
    succeeded = int(load.calls["ok"].sum())
    reports = invocations.wait_for_reports(ws, db.function, start, succeeded)
    return concurrency.burst_run(name, load, reports, scaling_rate=scaling_rate(ws))


def ramp_reading(run: concurrency.BurstRun) -> str:
    """What this burst's ramp showed, in words: throttled while the first cold starts ran, or never (the
    environments the scaling rate allows at once were enough: fast cold starts, or AWS's 1,000 at once)."""
    allowance = int(run.scaling_rate)
    if run.throttled == 0:
        return say("m4.ramp_not_needed", allowance=allowance, environments=run.environments)
    cleared = say("m4.ramp_cleared", second=run.cleared_at) if run.cleared_at is not None else say("m4.ramp_never")
    return say(
        "m4.ramp_throttled",
        allowance=allowance,
        environments=run.environments,
        throttled=run.throttled,
        cleared=cleared,
    )


def cloudwatch_totals(
    ws: Workshop, function: str, start: dt.datetime, end: dt.datetime, at_least: dict[str, float]
) -> pd.Series:
    """The function's CloudWatch totals over the window (Sum of counts, Maximum of concurrency), once every
    metric in ``at_least`` has reached that total (CloudWatch publishes late, and a minute may come in parts);
    what was published when the wait ends otherwise."""
    cloudwatch = ws.client("cloudwatch")

    def reached(totals: pd.Series) -> bool:
        return all(name in totals and totals[name] >= value for name, value in at_least.items())

    totals: pd.Series = poll(
        lambda: metrics.metric_totals(metrics.lambda_metrics(cloudwatch, function, start, end)),
        reached,
        say("m4.waiting_totals"),
        timeout_s=ws.default(local=60, aws=600),
        estimate_s=ws.default(local=5, aws=180),
        interval_s=ws.default(local=1, aws=15),
        on_timeout="return",
    )
    return totals


@dataclasses.dataclass(frozen=True)
class ConcurrencyRoom:
    """What the account leaves for reserved or provisioned concurrency, read with GetAccountSettings."""

    quota: int  # AccountLimit.ConcurrentExecutions
    unreserved: int  # AccountLimit.UnreservedConcurrentExecutions
    minimum: int  # what reservations must leave unreserved
    wanted: int
    granted: int  # wanted, sized to fit (0: nothing fits)

    @property
    def message(self) -> str:
        free = max(0, self.unreserved - self.minimum)
        head = say("m4.room", quota=self.quota, unreserved=self.unreserved, minimum=self.minimum, free=free)
        if self.granted == self.wanted:
            return say("m4.room_fits", head=head, wanted=self.wanted)
        if self.granted == 0:
            return say("m4.room_nothing", head=head)
        return say("m4.room_partly", head=head, wanted=self.wanted, granted=self.granted)


def unreserved_minimum(ws: Workshop, quota: int) -> int:
    """Unreserved concurrency the account keeps whatever is reserved or provisioned: AWS keeps 100 (all of a
    quota below that), pocketcloud its scaled setting."""
    minimum: int = (
        ws.default(local=None, aws=min(AWS_UNRESERVED_MINIMUM, quota)) or _pocketcloud_lambda(ws)["unreserved_minimum"]
    )
    return minimum


def concurrency_room(ws: Workshop, wanted: int) -> ConcurrencyRoom:
    """How much of ``wanted`` reserved or provisioned concurrency the account can give (GetAccountSettings)."""
    limits = ws.client("lambda").get_account_settings()["AccountLimit"]
    quota, unreserved = int(limits["ConcurrentExecutions"]), int(limits["UnreservedConcurrentExecutions"])
    minimum = unreserved_minimum(ws, quota)
    granted = max(0, min(wanted, unreserved - minimum))
    return ConcurrencyRoom(quota, unreserved, minimum, wanted, granted)


def reserve(ws: Workshop, function: str, wanted: int) -> ConcurrencyRoom:
    """Cap the function at ``wanted`` environments, or at what the account leaves room for (printed); no cap
    when nothing fits. A reservation the account refuses names its minimum, which sizes the retry."""
    remove_reserved_concurrency(ws, function)  # what this function reserved before is unreserved again
    room = concurrency_room(ws, wanted)
    print(room.message)
    if room.granted:
        lam = ws.client("lambda")
        try:
            lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=room.granted)
        except lam.exceptions.InvalidParameterValueException as exc:
            found = re.search(r"minimum value of \[(\d+)\]", str(exc))
            if not found:
                raise
            room = dataclasses.replace(room, minimum=int(found.group(1)))
            room = dataclasses.replace(room, granted=max(0, min(wanted, room.unreserved - room.minimum)))
            print(say("m4.refused", message=room.message))
            if room.granted:
                lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=room.granted)
    return room


def cleanup(ws: Workshop, db: DbStack, alias: str = ALIAS) -> list[str]:
    """Remove provisioned concurrency, the alias and the reserved-concurrency cap (idempotent)."""
    removed = []
    if remove_provisioned_alias(ws, db.function, alias):
        removed.append(say("m4.removed_alias", alias=alias))
    if remove_reserved_concurrency(ws, db.function):
        removed.append(say("m4.removed_cap"))
    print(say("m3.removed", items=", ".join(removed)) if removed else say("m3.nothing_to_remove"))
    return removed
