"""The workshop's prices (USD, on-demand list prices) for the learner's region, and what resources cost per hour.

On the AWS target the prices come from the AWS Price List API (``pricing`` client, GetProducts, endpoint in
us-east-1); when that is not allowed (AccessDenied) or fails, and on the local target, they come from the
snapshot bundled here, dated per region. A figure the snapshot does not have for a region is ``None`` and
shown as unknown, never borrowed from another region.

>>> book = snapshot("us-east-1")
>>> book.rds_instance_hourly_usd("db.t3.micro"), book.source
(0.017, 'snapshot of 2026-11-25')
>>> from helpers.aws.inventory import Resource
>>> resource_hourly_usd(Resource("rds:db-proxy", "sas-proxy", ""))  # 2 vCPUs at least, at 0.015 each
0.03
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..aws.inventory import Resource
from ..session import LOCAL, Workshop, detect_target
from ..text import say

SECONDS_PER_MONTH = 730 * 3600  # AWS bills a month as 730 hours
PRICE_LIST_REGION = "us-east-1"  # one of the Price List API's endpoints (us-east-1, eu-central-1, ap-south-1)
# vCPUs of the instance classes the workshop offers (RDS Proxy bills per vCPU of its target, 2 at least).
VCPUS = {"db.t3.micro": 2, "db.t3.small": 2, "db.t3.medium": 2, "db.m5.large": 2}


@dataclasses.dataclass(frozen=True)
class Snapshot:
    as_of: str
    prices: Mapping[str, float | None]
    rds: Mapping[str, float | None]  # single-AZ RDS for MySQL, USD per hour, by instance class


_US_EAST_1 = Snapshot(
    as_of="2026-11-25",
    prices={
        "lambda_request": 0.20 / 1_000_000,
        "lambda_gb_second": 0.0000166667,  # x86 duration, first tier
        "lambda_provisioned_gb_second": 0.0000041667,  # provisioned concurrency, per GB-s configured
        "lambda_provisioned_duration_gb_second": 0.0000097222,  # duration on provisioned environments
        "api_gateway_rest_request": 3.50 / 1_000_000,  # first 333 million per month
        "rds_proxy_vcpu_hour": 0.015,  # per vCPU of the target instance, 2 vCPU minimum
        "secrets_manager_secret_month": 0.40,
        "secrets_manager_api_call": 0.05 / 10_000,
        "vpc_interface_endpoint_az_hour": 0.01,
    },
    rds={"db.t3.micro": 0.017, "db.t3.small": 0.034, "db.t3.medium": 0.068, "db.m5.large": 0.171},
)
# Asia Pacific (Seoul). Only figures found written down are bundled; the rest stay unknown (None) and are shown
# as such (on AWS the Price List API supplies them). Sources, all for ap-northeast-2:
# [PL] a cost catalogue that quotes the Price List offer files it downloaded on 2026-10-01
#      (offers/v1.0/aws/<service>/current/ap-northeast-2/index.json: AWSLambda, AmazonRDS APN2-RDS:ProxyUsage,
#      AWSSecretsManager, AmazonVPC APN2-VpcEndpoint-Hours);
# [bill] two AWS bills of 2026 for a single-AZ MySQL db.t3.micro (usage type APN2-InstanceUsage:db.t3.micro):
#      611.55 h for USD 15.90 and 38.418 h for USD 0.9989, both USD 0.026 per hour.
# Not found: REST API requests, Lambda duration on provisioned environments, db.t3.small/medium, db.m5.large.
_AP_NORTHEAST_2 = Snapshot(
    as_of="2026-12-06",
    prices={
        "lambda_request": 0.20 / 1_000_000,  # [PL]
        "lambda_gb_second": 0.0000166667,  # [PL] x86 duration, first tier
        "lambda_provisioned_gb_second": 0.0000051254,  # [PL] APN2-Lambda-Provisioned-Concurrency
        "lambda_provisioned_duration_gb_second": None,
        "api_gateway_rest_request": None,
        "rds_proxy_vcpu_hour": 0.018,  # [PL] APN2-RDS:ProxyUsage
        "secrets_manager_secret_month": 0.40,  # [PL]
        "secrets_manager_api_call": 0.05 / 10_000,  # [PL]
        "vpc_interface_endpoint_az_hour": 0.013,  # [PL] APN2-VpcEndpoint-Hours
    },
    rds={"db.t3.micro": 0.026, "db.t3.small": None, "db.t3.medium": None, "db.m5.large": None},  # micro: [bill]
)
SNAPSHOTS = {"us-east-1": _US_EAST_1, "ap-northeast-2": _AP_NORTHEAST_2}


@dataclasses.dataclass(frozen=True)
class PriceBook:
    """The prices of one region and where they came from."""

    region: str
    source: str  # "AWS Price List API, <date>" or "snapshot of <date>", in the session's language
    prices: Mapping[str, float | None]
    rds: Mapping[str, float | None]
    note: str = ""  # why the snapshot is shown on AWS, or which figures came from it

    def price(self, key: str) -> float | None:
        return self.prices.get(key)

    def rds_instance_hourly_usd(self, instance_class: str) -> float | None:
        """On-demand USD per hour of a single-AZ RDS for MySQL instance (None when unknown here)."""
        return self.rds.get(instance_class)

    def resource_hourly_usd(self, resource: Resource) -> float | None:
        """What one workshop resource costs per hour while it exists: 0 for what bills per request, None when
        this book has no figure for it."""
        per_az = self.price("vpc_interface_endpoint_az_hour")
        proxy = self.price("rds_proxy_vcpu_hour")
        secret = self.price("secrets_manager_secret_month")
        if resource.kind == "rds:db-instance":
            return self.rds_instance_hourly_usd(resource.detail)
        if resource.kind == "rds:db-proxy":
            return None if proxy is None else 2 * proxy  # billed per vCPU of its targets, at least 2
        if resource.kind == "secretsmanager:secret":
            return None if secret is None else secret / 730
        if resource.kind == "ec2:vpc-endpoint":
            return None if per_az is None else 2 * per_az  # the workshop's endpoints span two AZs
        return 0.0


def snapshot(region: str, note: str = "") -> PriceBook:
    """The bundled prices of ``region``; every figure unknown (None) for a region without a snapshot."""
    found = SNAPSHOTS.get(region)
    if found is None:
        empty = Snapshot("", dict.fromkeys(_US_EAST_1.prices), dict.fromkeys(_US_EAST_1.rds))
        return PriceBook(region, say("measure.prices.no_snapshot", region=region), empty.prices, empty.rds, note)
    source = say("measure.prices.snapshot_of", date=found.as_of)
    return PriceBook(region, source, dict(found.prices), dict(found.rds), note)


# -- the Price List API ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Query:
    """One GetProducts question and how to pick the workshop's product out of its answer."""

    key: str
    service_code: str
    filters: Mapping[str, str]  # TERM_MATCH filters besides the region
    usagetype_suffix: str  # the usage type without its region prefix (APN2-..., USE1-... or none)
    per: float = 1.0  # the API's unit in ours (e.g. 1 when both are per request)


QUERIES = (
    Query("lambda_request", "AWSLambda", {"group": "AWS-Lambda-Requests"}, "Request"),
    Query("lambda_gb_second", "AWSLambda", {"group": "AWS-Lambda-Duration"}, "Lambda-GB-Second"),
    Query("lambda_provisioned_gb_second", "AWSLambda", {"group": "AWS-Lambda-Provisioned-Concurrency"},
          "Lambda-Provisioned-Concurrency"),
    Query("lambda_provisioned_duration_gb_second", "AWSLambda", {"group": "AWS-Lambda-Duration-Provisioned"},
          "Lambda-Provisioned-GB-Second"),
    Query("api_gateway_rest_request", "AmazonApiGateway", {"productFamily": "API Calls"}, "ApiGatewayRequest"),
    Query("rds_proxy_vcpu_hour", "AmazonRDS", {"productFamily": "RDS Proxy"}, "RDS:ProxyUsage"),
    Query("secrets_manager_secret_month", "AWSSecretsManager", {}, "AWSSecretsManager-Secrets"),
    Query("secrets_manager_api_call", "AWSSecretsManager", {}, "AWSSecretsManager-APIRequest"),
    Query("vpc_interface_endpoint_az_hour", "AmazonVPC", {"productFamily": "VpcEndpoint"}, "VpcEndpoint-Hours"),
)  # fmt: skip
RDS_FILTERS = {"productFamily": "Database Instance", "databaseEngine": "MySQL", "deploymentOption": "Single-AZ"}


class PricesUnavailable(RuntimeError):
    """The Price List API could not be asked (not allowed, or it failed)."""


def first_tier_usd(product: Mapping[str, Any]) -> float | None:
    """The on-demand USD price of a GetProducts product's first tier (the dimension whose range begins at 0).

    >>> product = {"terms": {"OnDemand": {"A.B": {"priceDimensions": {
    ...     "A.B.C": {"beginRange": "6000000000", "pricePerUnit": {"USD": "0.0000150000"}},
    ...     "A.B.D": {"beginRange": "0", "pricePerUnit": {"USD": "0.0000166667"}}}}}}}
    >>> first_tier_usd(product)
    1.66667e-05
    """
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if str(dimension.get("beginRange", "0")) in ("0", "0.0"):
                usd = dimension.get("pricePerUnit", {}).get("USD")
                return float(usd) if usd is not None else None
    return None


def _usagetype_matches(product: Mapping[str, Any], suffix: str) -> bool:
    usagetype = str(product.get("product", {}).get("attributes", {}).get("usagetype", ""))
    bare = usagetype.split("-", 1)[1] if usagetype[:4].isupper() and usagetype[4:5] == "-" else usagetype
    return bare == suffix  # "APN2-Request" and "Request" match; "Lambda-Edge-Request" does not


def _products(client: Any, service_code: str, region: str, filters: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every product GetProducts answers (PriceList entries are JSON documents in strings)."""
    from botocore.exceptions import BotoCoreError, ClientError

    terms = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    terms += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
    found: list[dict[str, Any]] = []
    token = None
    try:
        for _ in range(10):  # a bounded number of pages: the workshop's questions match a handful of products
            page = client.get_products(
                ServiceCode=service_code, Filters=terms, FormatVersion="aws_v1", MaxResults=100,
                **({"NextToken": token} if token else {}),
            )  # fmt: skip
            found += [json.loads(entry) if isinstance(entry, str) else entry for entry in page.get("PriceList", [])]
            token = page.get("NextToken")
            if not token:
                break
    except ClientError as error:
        raise PricesUnavailable(error.response.get("Error", {}).get("Code", "error")) from error
    except BotoCoreError as error:
        raise PricesUnavailable(type(error).__name__) from error
    return found


def from_price_list(client: Any, region: str, today: dt.date | None = None) -> PriceBook:
    """``region``'s prices from the Price List API through ``client`` (a boto3 ``pricing`` client). A figure
    the API does not answer keeps the snapshot's; raises :class:`PricesUnavailable` when the API refuses."""
    fallback = snapshot(region)
    prices = dict(fallback.prices)
    rds = dict(fallback.rds)
    from_snapshot = []
    for query in QUERIES:
        matches = [p for p in _products(client, query.service_code, region, query.filters)
                   if _usagetype_matches(p, query.usagetype_suffix)]  # fmt: skip
        usd = first_tier_usd(matches[0]) if len(matches) == 1 else None
        if usd is None:
            from_snapshot.append(query.key)
        else:
            prices[query.key] = usd * query.per
    for instance_class in rds:
        matches = _products(client, "AmazonRDS", region, {**RDS_FILTERS, "instanceType": instance_class})
        usd = first_tier_usd(matches[0]) if len(matches) == 1 else None
        if usd is None:
            from_snapshot.append(instance_class)
        else:
            rds[instance_class] = usd
    note = say("measure.prices.from_snapshot", source=fallback.source, figures=", ".join(from_snapshot))
    day = (today or dt.date.today()).isoformat()
    return PriceBook(region, say("measure.prices.price_list", date=day), prices, rds, note if from_snapshot else "")


def live_book(region: str, client: Any) -> PriceBook:
    """``region``'s prices from the Price List API, or the snapshot (saying why) when it refuses or fails."""
    try:
        return from_price_list(client, region)
    except PricesUnavailable as refused:
        return snapshot(region, note=say("measure.prices.price_list_refused", answer=refused))


@functools.lru_cache(maxsize=8)
def _live(region: str) -> PriceBook:
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2, "mode": "standard"})
    return live_book(region, boto3.client("pricing", region_name=PRICE_LIST_REGION, config=config))


# The region whose prices a local run shows, by the notebook's language: the Korean edition was written for
# learners in Seoul, so it prices Seoul even though pocketcloud's region stays us-east-1.
LOCAL_PRICE_REGIONS = {"ko": "ap-northeast-2"}


def price_book(ws: Workshop | None = None) -> PriceBook:
    """The prices of ``ws``'s region: the Price List API's on AWS (once per region and process), the snapshot
    on pocketcloud, which has no price list (of the language's region, when it has one). Without ``ws`` (a
    notebook's price table comes before its ``connect()``), for the target and region ``connect()`` will choose."""
    target, region = (ws.target, ws.region) if ws is not None else _where_connect_goes()
    if target != LOCAL:
        return _live(region)
    return snapshot(LOCAL_PRICE_REGIONS.get(_language(ws), region))


def _language(ws: Workshop | None) -> str:
    """The session's language (helpers/session.py chooses it: connect's argument, WORKSHOP_LANGUAGE, the
    notebook's folder): the Workshop's when it has one, else what ``connect()`` will choose."""
    from .. import session

    chosen = getattr(ws, "language", None) or getattr(session, "detect_language", lambda: None)()
    return str(chosen or os.environ.get("WORKSHOP_LANGUAGE") or "en").strip().lower()


def _where_connect_goes() -> tuple[str, str]:
    """The target ``connect()`` picks (``detect_target``) and its region, as ``connect()`` finds it: boto3's
    region on AWS (us-east-1 when none is set), pocketcloud's setting locally."""
    target = detect_target()
    if target == LOCAL:
        return target, os.environ.get("POCKETCLOUD_REGION") or "us-east-1"
    import boto3

    return target, boto3.Session().region_name or "us-east-1"


def rds_instance_hourly_usd(instance_class: str) -> float:
    """us-east-1 on-demand USD per hour of a single-AZ RDS for MySQL instance (0 when unknown)."""
    return snapshot("us-east-1").rds_instance_hourly_usd(instance_class) or 0.0


def resource_hourly_usd(resource: Resource, book: PriceBook | None = None) -> float:
    """What one workshop resource costs per hour while it exists (0 for what bills per request or is unknown)."""
    return (book or snapshot("us-east-1")).resource_hourly_usd(resource) or 0.0


def hourly_cost(resources: Iterable[Resource], book: PriceBook | None = None) -> float:
    """What ``resources`` cost per hour together, in USD (what ``book`` has no figure for counts as 0)."""
    return round(sum(resource_hourly_usd(r, book) for r in resources), 4)
