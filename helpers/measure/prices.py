"""The workshop's one price table (USD, us-east-1 list prices) and what its resources cost per hour.

Prices are as of ``PRICES_AS_OF``. Check the AWS pricing pages before relying on these numbers.

>>> from helpers.aws.inventory import Resource
>>> resource_hourly_usd(Resource("rds:db-instance", "sas-db", "db.t3.micro"))
0.017
"""

from __future__ import annotations

from collections.abc import Iterable

from ..aws.inventory import Resource

PRICES_AS_OF = "2026-11-25"
SECONDS_PER_MONTH = 730 * 3600  # AWS bills a month as 730 hours

# One table, one place: USD, us-east-1, on-demand list prices.
PRICES = {
    "lambda_request": 0.20 / 1_000_000,
    "lambda_gb_second": 0.0000166667,  # x86 duration, first tier
    "lambda_provisioned_gb_second": 0.0000041667,  # provisioned concurrency, per GB-s configured
    "lambda_provisioned_duration_gb_second": 0.0000097222,  # duration on provisioned environments
    "api_gateway_rest_request": 3.50 / 1_000_000,  # first 333 million per month
    "rds_proxy_vcpu_hour": 0.015,  # per vCPU of the target instance, 2 vCPU minimum
    "secrets_manager_secret_month": 0.40,
    "secrets_manager_api_call": 0.05 / 10_000,
    "vpc_interface_endpoint_az_hour": 0.01,
}

# Single-AZ RDS for MySQL, on-demand: (USD per hour, vCPUs).
RDS_INSTANCES = {
    "db.t3.micro": (0.017, 2),
    "db.t3.small": (0.034, 2),
    "db.t3.medium": (0.068, 2),
    "db.m5.large": (0.171, 2),
}


def rds_instance_hourly_usd(instance_class: str) -> float:
    """On-demand USD per hour of a single-AZ RDS for MySQL instance of ``instance_class`` (0 when unknown)."""
    return RDS_INSTANCES.get(instance_class, (0.0, 0))[0]


def resource_hourly_usd(resource: Resource) -> float:
    """What one workshop resource costs per hour while it exists (0 for what bills per request)."""
    if resource.kind == "rds:db-instance":
        return rds_instance_hourly_usd(resource.detail)
    if resource.kind == "rds:db-proxy":
        return 2 * PRICES["rds_proxy_vcpu_hour"]  # billed per vCPU of its targets, at least 2
    if resource.kind == "secretsmanager:secret":
        return PRICES["secrets_manager_secret_month"] / 730
    if resource.kind == "ec2:vpc-endpoint":
        return 2 * PRICES["vpc_interface_endpoint_az_hour"]  # the workshop's endpoints span two AZs
    return 0.0


def hourly_cost(resources: Iterable[Resource]) -> float:
    """What ``resources`` cost per hour together, in USD."""
    return round(sum(resource_hourly_usd(r) for r in resources), 4)
