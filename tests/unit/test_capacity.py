import dataclasses
import math

import pytest

from helpers.measure.capacity import Traffic, capacity_plan, monthly_cost
from helpers.measure.prices import VCPUS, snapshot
from helpers.text import say, using

SEOUL = snapshot("ap-northeast-2")


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


def test_a_seoul_book_prices_seoul() -> None:
    plan = capacity_plan(100, duration_ms=50, memory_mb=256, average_to_peak=1.0)
    lines = monthly_cost(plan, SEOUL).lines.set_index("item")["usd"]
    # By hand, from the bundled ap-northeast-2 figures: db.t3.micro USD 0.026 per hour (the Seoul bills), RDS
    # Proxy USD 0.018 per vCPU-hour for the 2 vCPUs billed at least, the interface endpoint USD 0.013 per AZ-hour.
    assert lines["RDS db.t3.micro"] == pytest.approx(0.026 * 730)
    assert lines["RDS Proxy"] == pytest.approx(2 * 0.018 * 730)
    assert lines["Secrets Manager VPC endpoint"] == pytest.approx(2 * 0.013 * 730)
    assert lines["Lambda requests"] == pytest.approx(52.56)  # USD 0.20 per million in Seoul too
    us_east_1 = monthly_cost(plan).lines.set_index("item")["usd"]  # the default stays the us-east-1 snapshot
    assert us_east_1["RDS db.t3.micro"] == pytest.approx(0.017 * 730)


def test_a_price_the_book_lacks_leaves_its_line_empty_and_out_of_the_total() -> None:
    plan = capacity_plan(100, duration_ms=50, memory_mb=256, average_to_peak=1.0, db_instance_class="db.t3.small")
    cost = monthly_cost(plan, SEOUL)  # Seoul's snapshot has neither REST API requests nor db.t3.small
    lines = cost.lines.set_index("item")["usd"]
    assert math.isnan(lines["API Gateway REST requests"]) and math.isnan(lines["RDS db.t3.small"])
    assert cost.unknown == ("API Gateway REST requests", "RDS db.t3.small")
    # The known lines by hand: 262,800,000 requests at 0.20/M; 262,800,000 x 0.05 s x 0.25 GB at 0.0000166667;
    # one secret at 0.40; 2 AZ x 730 h at 0.013; proxy 2 vCPU x 730 h at 0.018.
    known = 52.56 + 3_285_000 * 0.0000166667 + 0.40 + 2 * 730 * 0.013 + 2 * 730 * 0.018
    assert cost.total == pytest.approx(known)
    assert not monthly_cost(plan).unknown  # us-east-1 prices every line


def test_an_unknown_provisioned_price_is_listed_too() -> None:
    book = dataclasses.replace(SEOUL, prices={**SEOUL.prices, "lambda_provisioned_gb_second": None})
    with using("ko"):
        cost = monthly_cost(capacity_plan(50, duration_ms=100, provisioned_share=1.0), book)
        assert cost.unknown == (say("measure.capacity.api_requests"), say("measure.capacity.provisioned"))
        assert cost.unknown[1] == "Lambda 프로비저닝된 동시성"


def test_every_class_the_workshop_offers_is_planned() -> None:
    for db_class in VCPUS:
        assert capacity_plan(10, duration_ms=10, db_instance_class=db_class).db_instance_class == db_class


def test_the_month_is_said_with_its_region_and_what_has_no_price() -> None:
    values = {"monthly": 1234.4, "region": "ap-northeast-2", "source": "s", "unknown": "API Gateway REST requests"}
    for language, at_least in (("en", "at least"), ("ko", "최소")):
        with using(language):
            sentence = say("m4.plan_cost_at_least", **values)
            assert at_least in sentence and "USD 1,234" in sentence and "ap-northeast-2" in sentence
            assert "API Gateway REST requests" in sentence
            assert "ap-northeast-2" in say("m4.plan_cost", **values)
