import math

import pytest

from helpers.measure.capacity import Traffic, capacity_plan, monthly_cost


def test_concurrency_is_rate_times_duration() -> None:
    plan = capacity_plan(200, duration_ms=45)
    assert plan.concurrency == math.ceil(200 * 0.045) == 9


def test_users_become_a_request_rate() -> None:
    traffic = Traffic(daily_active_users=100_000, concurrent_share=0.05, requests_per_user_per_minute=12)
    assert traffic.concurrent_users == 5_000
    assert traffic.peak_requests_per_s == pytest.approx(1_000)
    plan = capacity_plan(traffic=traffic, duration_ms=100)
    assert plan.concurrency == 100


def test_monthly_cost_adds_up_its_lines() -> None:
    plan = capacity_plan(100, duration_ms=50, memory_mb=256, average_to_peak=1.0)
    cost = monthly_cost(plan)
    lambda_requests = cost.lines.set_index("item").loc["Lambda requests", "usd"]
    # By hand: 100 requests/s x 730 h x 3600 s = 262,800,000 requests at USD 0.20 per million (Lambda pricing
    # page, us-east-1) = USD 52.56.
    assert lambda_requests == pytest.approx(52.56)
    assert cost.total == pytest.approx(cost.lines["usd"].sum())
    assert "RDS Proxy" in set(cost.lines["item"])


def test_provisioned_concurrency_is_priced_only_when_asked() -> None:
    without = monthly_cost(capacity_plan(50, duration_ms=100))
    with_pc = monthly_cost(capacity_plan(50, duration_ms=100, provisioned_share=1.0))
    assert "Lambda provisioned concurrency" not in set(without.lines["item"])
    assert with_pc.total > without.total


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        capacity_plan(duration_ms=10)
    with pytest.raises(ValueError):
        capacity_plan(10, duration_ms=0)
    with pytest.raises(ValueError, match="unknown instance class"):
        capacity_plan(10, duration_ms=10, db_instance_class="db.x99.huge")
