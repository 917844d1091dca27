"""Capacity and monthly cost from numbers measured in a load test.

Lambda concurrency is requests per second times the average duration in seconds (Little's law):
100 req/s of 50 ms calls keep 5 environments busy on average. Calls do not arrive evenly, so the peak of
environments in flight is above that average: ``peak_factor`` is that ratio as a load test measured it, and
``headroom`` what is added on top. Every assumption a plan rests on is listed by ``CapacityPlan.assumptions``.
A month is priced from a price book (``helpers.measure.prices``: the session's region, ``price_book(ws)``; the
us-east-1 snapshot when none is given); a line the book has no price for stays empty and is named by
``MonthlyCost.unknown``. Check the AWS pricing pages before relying on the figures.

>>> plan = capacity_plan(200, duration_ms=45, memory_mb=256)
>>> plan.concurrency
9
>>> capacity_plan(200, duration_ms=45, peak_factor=2.0, headroom=1.5).concurrency  # 200 x 0.045 x 2 x 1.5
27
>>> round(monthly_cost(plan).total) > 0
True
>>> monthly_cost(plan, snapshot("ap-northeast-2")).unknown  # Seoul's REST API price is not bundled
('API Gateway REST requests',)
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from ..text import say
from .prices import SECONDS_PER_MONTH, VCPUS, PriceBook, snapshot


@dataclasses.dataclass(frozen=True)
class Traffic:
    """Users expressed as load: at the peak, ``concurrent_share`` of daily users are online and each
    online user sends ``requests_per_user_per_minute``."""

    daily_active_users: int
    concurrent_share: float = 0.10
    requests_per_user_per_minute: float = 6.0

    @property
    def concurrent_users(self) -> float:
        return self.daily_active_users * self.concurrent_share

    @property
    def peak_requests_per_s(self) -> float:
        return self.concurrent_users * self.requests_per_user_per_minute / 60


@dataclasses.dataclass(frozen=True)
class CapacityPlan:
    peak_requests_per_s: float
    average_requests_per_s: float
    duration_ms: float
    memory_mb: int
    concurrency: int
    provisioned_concurrency: int = 0
    db_instance_class: str = "db.t3.micro"
    with_proxy: bool = True
    secrets: int = 1
    vpc_endpoint_azs: int = 2
    average_to_peak: float = 0.3
    peak_factor: float = 1.0
    headroom: float = 1.0

    @property
    def average_concurrency(self) -> float:
        """Environments busy on average at the peak rate: requests/s x duration (s)."""
        return self.peak_requests_per_s * self.duration_ms / 1000

    def assumptions(self) -> pd.DataFrame:
        """Every number the plan rests on, where it comes from, and what follows from it."""
        values = {
            "peak_rps": round(self.peak_requests_per_s, 1),
            "duration": round(self.duration_ms, 2),
            "average_concurrency": round(self.average_concurrency, 2),
            "peak_factor": round(self.peak_factor, 2),
            "headroom": round(self.headroom, 2),
            "concurrency": self.concurrency,
            "average_to_peak": round(self.average_to_peak, 2),
        }
        rows = [
            (say(f"measure.capacity.{key}"), value, say(f"measure.capacity.{key}_source"))
            for key, value in values.items()
        ]
        columns = [
            say("measure.capacity.col.assumption"),
            say("measure.capacity.col.value"),
            say("measure.capacity.col.source"),
        ]
        return pd.DataFrame(rows, columns=columns).set_index(columns[0])


def capacity_plan(
    requests_per_s: float | None = None,
    *,
    duration_ms: float,
    memory_mb: int = 128,
    traffic: Traffic | None = None,
    average_to_peak: float = 0.3,
    peak_factor: float = 1.0,
    headroom: float = 1.0,
    provisioned_share: float = 0.0,
    db_instance_class: str = "db.t3.micro",
    with_proxy: bool = True,
) -> CapacityPlan:
    """Concurrency needed at the peak, for a request rate or for a user population.

    ``peak_factor``: measured peak in flight over rate x duration; ``headroom``: a margin on top;
    ``average_to_peak`` scales the peak rate to the month's average for the bill (traffic is not flat);
    ``provisioned_share`` of the peak concurrency is kept warm with provisioned concurrency.
    """
    if peak_factor < 1 or headroom < 1 or not 0 < average_to_peak <= 1:
        raise ValueError(say("measure.capacity.bad_factors"))
    if (requests_per_s is None) == (traffic is None):
        raise ValueError(say("measure.capacity.rate_or_traffic"))
    if duration_ms <= 0 or memory_mb < 128:
        raise ValueError(say("measure.capacity.bad_duration_or_memory"))
    if db_instance_class not in VCPUS:  # the classes the workshop offers, priced in a region or not
        raise ValueError(say("measure.capacity.unknown_class", db_class=repr(db_instance_class), known=sorted(VCPUS)))
    peak = requests_per_s if requests_per_s is not None else traffic.peak_requests_per_s  # type: ignore[union-attr]
    # round() first: 200 x 0.045 x 2 x 1.5 is 26.999999999999996 in floating point
    concurrency = max(1, math.ceil(round(peak * duration_ms / 1000 * peak_factor * headroom, 9)))
    return CapacityPlan(
        peak_requests_per_s=peak,
        average_requests_per_s=peak * average_to_peak,
        duration_ms=duration_ms,
        memory_mb=memory_mb,
        concurrency=concurrency,
        provisioned_concurrency=math.ceil(concurrency * provisioned_share),
        db_instance_class=db_instance_class,
        with_proxy=with_proxy,
        average_to_peak=average_to_peak,
        peak_factor=peak_factor,
        headroom=headroom,
    )


@dataclasses.dataclass(frozen=True)
class MonthlyCost:
    lines: pd.DataFrame  # columns: item, usage, usd (NaN where the price book has no figure)

    @property
    def total(self) -> float:
        """USD of the lines with a price: the whole month when ``unknown`` is empty, else a lower bound."""
        return float(self.lines["usd"].sum())  # pandas skips NaN

    @property
    def unknown(self) -> tuple[str, ...]:
        """The items the price book has no figure for (their lines show no amount)."""
        return tuple(self.lines.loc[self.lines["usd"].isna(), "item"])


def _times(quantity: float, usd: float | None) -> float:
    """``quantity`` at ``usd`` each, NaN when the price is unknown (a missing line, not a free one)."""
    return math.nan if usd is None else quantity * usd


def monthly_cost(plan: CapacityPlan, book: PriceBook | None = None) -> MonthlyCost:
    """Monthly USD for Lambda, API Gateway, RDS, RDS Proxy and Secrets Manager under ``plan``, at ``book``'s
    prices (``prices.price_book(ws)`` for the session's region; the us-east-1 snapshot by default)."""
    book = book or snapshot("us-east-1")
    requests = plan.average_requests_per_s * SECONDS_PER_MONTH
    gb = plan.memory_mb / 1024
    gb_seconds = requests * plan.duration_ms / 1000 * gb
    hours = SECONDS_PER_MONTH / 3600
    rows = [
        (
            say("measure.capacity.lambda_requests"),
            say("measure.capacity.usage_requests", count=requests),
            _times(requests, book.price("lambda_request")),
        ),
        (
            say("measure.capacity.lambda_duration"),
            f"{gb_seconds:,.0f} GB-s",
            _times(gb_seconds, book.price("lambda_gb_second")),
        ),
        (
            say("measure.capacity.api_requests"),
            say("measure.capacity.usage_requests", count=requests),
            _times(requests, book.price("api_gateway_rest_request")),
        ),
        (
            f"RDS {plan.db_instance_class}",
            say("measure.capacity.usage_hours", hours=hours),
            _times(hours, book.rds_instance_hourly_usd(plan.db_instance_class)),
        ),
        (
            "Secrets Manager",
            say("measure.capacity.usage_secrets", count=plan.secrets),
            _times(plan.secrets, book.price("secrets_manager_secret_month")),
        ),
        (
            say("measure.capacity.secrets_vpc_endpoint"),
            say("measure.capacity.usage_az_hours", azs=plan.vpc_endpoint_azs, hours=hours),
            _times(plan.vpc_endpoint_azs * hours, book.price("vpc_interface_endpoint_az_hour")),
        ),
    ]
    if plan.with_proxy:
        proxy_vcpus = max(2, VCPUS.get(plan.db_instance_class, 2))  # billed per vCPU of the target, 2 at least
        rows.append(
            (
                "RDS Proxy",
                say("measure.capacity.usage_vcpu_hours", vcpus=proxy_vcpus, hours=hours),
                _times(proxy_vcpus * hours, book.price("rds_proxy_vcpu_hour")),
            )
        )
    if plan.provisioned_concurrency:
        configured = plan.provisioned_concurrency * gb * SECONDS_PER_MONTH
        rows.append(
            (
                say("measure.capacity.provisioned"),
                say("measure.capacity.usage_env_hours", count=plan.provisioned_concurrency, hours=hours),
                _times(configured, book.price("lambda_provisioned_gb_second")),
            )
        )
    lines = pd.DataFrame(rows, columns=["item", "usage", "usd"])
    lines["usd"] = lines["usd"].astype(float)
    return MonthlyCost(lines=lines)
