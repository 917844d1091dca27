"""Prices: the Price List API's answer read right, the snapshot when it refuses, and the tables against figures
worked out here by hand from the documented list prices (not from the module's own table)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from helpers.aws.inventory import Resource
from helpers.measure import prices
from helpers.session import Workshop
from helpers.views.tables import UNKNOWN, price_table

# Figures made up for the stubbed answer (so that a value shown can only have come from it), in Seoul's shape.
SEOUL = "ap-northeast-2"
ANSWERS = {
    "lambda_request": [("APN2-Lambda-Edge-Request", [("0", "0.0000006000")]), ("APN2-Request", [("0", "2.1E-7")])],
    "lambda_gb_second": [("APN2-Lambda-GB-Second", [("6000000000", "0.0000150000"), ("0", "0.0000166700")])],
    "lambda_provisioned_gb_second": [("APN2-Lambda-Provisioned-Concurrency", [("0", "0.0000043000")])],
    "lambda_provisioned_duration_gb_second": [("APN2-Lambda-Provisioned-GB-Second", [("0", "0.0000098000")])],
    "api_gateway_rest_request": [("APN2-ApiGatewayHttpRequest", [("0", "0.0000012300")]),
                                 ("APN2-ApiGatewayRequest", [("333000000", "0.0000031900"), ("0", "0.0000037100")])],
    "rds_proxy_vcpu_hour": [("APN2-RDS:ProxyUsage", [("0", "0.0188000000")])],
    "secrets_manager_secret_month": [("APN2-AWSSecretsManager-Secrets", [("0", "0.4100000000")])],
    "secrets_manager_api_call": [],  # no product in the answer: the snapshot's figure (none for Seoul) stays
    "vpc_interface_endpoint_az_hour": [("APN2-VpcEndpoint-Hours", [("0", "0.0131000000")])],
}  # fmt: skip
RDS_ANSWERS = {"db.t3.micro": "0.0251000000", "db.t3.small": "0.0502000000", "db.t3.medium": "0.1004000000"}


def product(usagetype: str, tiers: list[tuple[str, str]]) -> str:
    """One PriceList entry as GetProducts returns it: a JSON document in a string (Price List Query API,
    GetProducts; the offer file's product, attributes and OnDemand terms with their price dimensions)."""
    dimensions = {
        f"SKU.TERM.RATE{i}": {"unit": "Units", "beginRange": begin, "endRange": "Inf", "pricePerUnit": {"USD": usd}}
        for i, (begin, usd) in enumerate(tiers)
    }
    return json.dumps(
        {
            "product": {
                "productFamily": "x",
                "attributes": {"usagetype": usagetype, "regionCode": SEOUL},
                "sku": "SKU",
            },
            "terms": {"OnDemand": {"SKU.TERM": {"priceDimensions": dimensions, "sku": "SKU"}}},
        }
    )


def pricing_client() -> Any:
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def request(service_code: str, filters: dict[str, str] | Any) -> dict[str, Any]:
    """What GetProducts must be asked: the service, TERM_MATCH filters on Seoul's region code and the product."""
    terms = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": SEOUL}]
    terms += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
    return {"ServiceCode": service_code, "Filters": terms, "FormatVersion": "aws_v1", "MaxResults": 100}


def stubbed_answers(stub: Stubber) -> None:
    for query in prices.QUERIES:
        entries = [product(usagetype, tiers) for usagetype, tiers in ANSWERS[query.key]]
        expected = request(query.service_code, query.filters)
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": entries}, expected)
    for instance_class in prices.snapshot(SEOUL).rds:
        usd = RDS_ANSWERS.get(instance_class)
        entries = [product(f"APN2-InstanceUsage:{instance_class}", [("0", usd)])] if usd else []
        expected = request("AmazonRDS", {**prices.RDS_FILTERS, "instanceType": instance_class})
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": entries}, expected)


def test_a_get_products_answer_becomes_the_regions_prices() -> None:
    client = pricing_client()
    with Stubber(client) as stub:
        stubbed_answers(stub)
        book = prices.live_book(SEOUL, client)
        stub.assert_no_pending_responses()
    assert book.source.startswith("AWS Price List API") and book.region == SEOUL
    assert book.price("lambda_request") == pytest.approx(2.1e-7)  # not the Lambda@Edge request
    assert book.price("lambda_gb_second") == pytest.approx(1.667e-5)  # the first tier, not the one from 6 billion
    assert book.price("api_gateway_rest_request") == pytest.approx(3.71e-6)  # REST, first 333 million
    assert book.rds_instance_hourly_usd("db.t3.micro") == pytest.approx(0.0251)
    # What was not in the answer keeps the snapshot's figure (USD 0.05 per 10,000 calls; none for db.m5.large)
    # and is named.
    assert book.price("secrets_manager_api_call") == pytest.approx(0.05 / 10_000)
    assert book.rds_instance_hourly_usd("db.m5.large") is None
    assert "secrets_manager_api_call" in book.note and "db.m5.large" in book.note
    # By hand: a proxy bills 2 vCPUs x 0.0188; an endpoint 2 AZs x 0.0131; a secret 0.41 / 730 h.
    assert book.resource_hourly_usd(Resource("rds:db-proxy", "sas-p", "")) == pytest.approx(0.0376)
    assert book.resource_hourly_usd(Resource("ec2:vpc-endpoint", "sas-e", "")) == pytest.approx(0.0262)
    assert book.resource_hourly_usd(Resource("secretsmanager:secret", "sas-s", "")) == pytest.approx(0.41 / 730)


def test_a_refused_price_list_shows_the_dated_snapshot_and_says_why() -> None:
    client = pricing_client()
    with Stubber(client) as stub:
        stub.add_client_error("get_products", service_error_code="AccessDeniedException", http_status_code=400)
        book = prices.live_book("us-east-1", client)
    assert book.source == "snapshot of 2026-11-25"
    assert "AccessDeniedException" in book.note
    assert book.rds_instance_hourly_usd("db.t3.micro") == 0.017  # RDS for MySQL pricing page, us-east-1


def test_the_local_target_shows_the_snapshot_of_its_region_and_names_it() -> None:
    seoul = price_table(["rds", "vpc_endpoint"], db_class="db.t3.small", ws=Workshop("local", SEOUL, "123456789012"))
    assert seoul.columns[1] == "list price in USD (ap-northeast-2)"
    assert seoul.attrs["source"] == "snapshot of 2026-12-06"
    assert seoul.iloc[0, 1] == UNKNOWN and seoul.iloc[0, 2] == ""  # no figure is borrowed from another region
    assert seoul.iloc[1, 2] == "0.026"  # Seoul's endpoint: 0.013 per AZ-hour x 2 AZs
    virginia = price_table(["rds"], ws=Workshop("local", "us-east-1", "123456789012"))
    assert virginia.columns[1] == "list price in USD (us-east-1)" and virginia.iloc[0, 2] == "0.017"


def test_the_price_table_agrees_with_the_documented_us_east_1_prices() -> None:
    """us-east-1 list prices (AWS pricing pages, 2026-11-25): RDS for MySQL db.t3.micro single-AZ USD 0.017 per
    hour; RDS Proxy USD 0.015 per vCPU-hour, 2 vCPUs at least; an interface endpoint USD 0.01 per AZ-hour;
    provisioned concurrency USD 0.0000041667 per GB-second; Secrets Manager USD 0.40 per secret-month."""
    table = price_table(["rds", "rds_proxy", "vpc_endpoint", "provisioned", "secrets"], memory_mb=128)
    hourly = table["USD per hour while it exists"].tolist()
    # 0.015 x 2 = 0.030; 0.01 x 2 AZs = 0.020; 0.0000041667 x 3600 s x 0.125 GB = 0.001875; 0.40 / 730 = 0.000548
    assert hourly == ["0.017", "0.030", "0.020", "0.0019 per environment", "0.0005 per secret"]
    assert "$" not in table.to_html() + "".join(table.columns), "JupyterLab typesets text between two dollars"


def test_a_table_shown_before_connect_uses_the_target_and_region_connect_will_choose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(prices, "_live", lambda region: asked.append(region) or prices.snapshot(region))
    monkeypatch.delenv("WORKSHOP_TARGET", raising=False)
    monkeypatch.setenv("POCKETCLOUD_REGION", SEOUL)
    assert price_table(["rds"]).columns[1] == "list price in USD (ap-northeast-2)" and asked == []
    monkeypatch.setenv("WORKSHOP_TARGET", "aws")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert price_table(["rds"]).attrs["region"] == "eu-west-1" and asked == ["eu-west-1"]  # the Price List API


def test_the_seoul_snapshot_holds_the_figures_found_and_no_others() -> None:
    """ap-northeast-2 list prices as found (prices.py names the sources): Lambda USD 0.20 per million requests and
    USD 0.0000166667 per GB-second; RDS Proxy USD 0.018 per vCPU-hour; Secrets Manager USD 0.40 per secret-month
    and USD 0.05 per 10,000 calls; an interface endpoint USD 0.013 per AZ-hour; RDS for MySQL db.t3.micro
    single-AZ USD 0.026 per hour. REST API requests and the larger instance classes were not found."""
    seoul = Workshop("local", SEOUL, "123456789012")
    table = price_table(["rds", "rds_proxy", "vpc_endpoint", "secrets", "api_gateway"], ws=seoul)
    # 0.026; 0.018 x 2 vCPUs = 0.036; 0.013 x 2 AZs = 0.026; 0.40 / 730 h = 0.000548
    hourly = table["USD per hour while it exists"].tolist()
    assert hourly == ["0.026", "0.036", "0.026", "0.0005 per secret", "only while called"]
    assert table.iloc[3, 1] == "0.40 per secret-month + 0.05 per 10,000 calls"
    assert table.iloc[4, 1] == UNKNOWN
    book = prices.snapshot(SEOUL)
    assert book.price("lambda_request") == pytest.approx(2e-7) and book.price("lambda_gb_second") == 0.0000166667
    unknown = {key for key, value in book.prices.items() if value is None}
    assert unknown == {"api_gateway_rest_request", "lambda_provisioned_duration_gb_second"}
    assert [c for c, usd in book.rds.items() if usd is None] == ["db.t3.small", "db.t3.medium", "db.m5.large"]


def test_the_korean_edition_prices_seoul_on_the_local_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """pocketcloud's region stays us-east-1; a Korean notebook's price table shows Seoul's snapshot."""
    for name in ("WORKSHOP_TARGET", "POCKETCLOUD_REGION", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKSHOP_LANGUAGE", "ko")
    assert price_table(["rds"]).attrs["region"] == SEOUL
    assert prices.price_book().rds_instance_hourly_usd("db.t3.micro") == 0.026
    monkeypatch.setenv("WORKSHOP_LANGUAGE", "en")
    assert price_table(["rds"]).attrs["region"] == "us-east-1"
