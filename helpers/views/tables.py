"""Tables and text the notebooks show: prices, deployed resources, what cleanup finds, handler code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..aws.inventory import Resource
from ..aws.lambdas import LAMBDA_CODE
from ..measure.prices import VCPUS, price_book, resource_hourly_usd
from ..session import Workshop

# A figure the price book does not have for the region (no snapshot figure offline): said, not guessed.
UNKNOWN = "not in the offline snapshot (see the AWS pricing page)"


def mask(secret: str) -> str:
    """A password as it may be shown: its length only.

    >>> mask("hunter22")
    '•••••••• (8 characters)'
    """
    return f"{'•' * min(len(secret), 12)} ({len(secret)} characters)"


def show_code(folder: str, filename: str = "lambda_function.py") -> Any:
    """The handler source as a Markdown code block, so learners read what they deploy."""
    from IPython.display import Markdown

    source = (LAMBDA_CODE / folder / filename).read_text()
    return Markdown(f"`lambda_code/{folder}/{filename}`\n\n```python\n{source}\n```")  # type: ignore[no-untyped-call]


def readable(frame: pd.DataFrame, *, decimals: int = 2, missing: str = "") -> pd.DataFrame:
    """A copy of ``frame`` to show: whole numbers without decimals, other floats at ``decimals``, missing
    values as ``missing`` (pandas would show NaN or None). Columns stay as they are in ``frame``.

    >>> readable(pd.DataFrame({"ms": [1.23456, None], "calls": [3.0, 4.0], "cold": [True, None]})).values.tolist()
    [['1.23', '3', 'True'], ['', '4', '']]
    """

    def cell(value: object, whole: bool) -> str:
        if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
            return missing
        if isinstance(value, float):
            return f"{value:,.0f}" if whole else f"{value:,.{decimals}f}"
        return str(value)

    shown = frame.copy()
    for column in shown.columns:
        numbers = pd.to_numeric(shown[column], errors="coerce") if shown[column].dtype != object else None
        whole = numbers is not None and bool(((numbers.dropna() % 1) == 0).all())
        shown[column] = [cell(v, whole) for v in shown[column]]
    return shown


def resource_table(rows: Mapping[str, object]) -> pd.DataFrame:
    """A two-column table (resource, value) of what a module deployed.

    >>> resource_table({"function": "sas-db-time", "app user connection cap": 10})["value"].tolist()
    ['sas-db-time', '10']
    """
    return pd.DataFrame({"resource": list(rows), "value": [str(v) for v in rows.values()]})


def resources_table(resources: Iterable[Resource]) -> pd.DataFrame:
    """What cleanup found or deleted: kind, name, detail and the estimated USD per hour of each."""
    return pd.DataFrame(
        [
            {"kind": r.kind, "name": r.name, "detail": r.detail, "usd_per_hour": round(resource_hourly_usd(r), 4)}
            for r in resources
        ],
        columns=["kind", "name", "detail", "usd_per_hour"],
    )


def price_table(
    items: list[str], *, memory_mb: int = 128, db_class: str = "db.t3.micro", ws: Workshop | None = None
) -> pd.DataFrame:
    """Hourly list prices of what a module keeps running, for ``ws``'s region (``helpers.measure.prices``: the
    AWS Price List API on AWS, the dated snapshot on pocketcloud; without ``ws``, where ``connect()`` will go).

    >>> table = price_table(["rds", "rds_proxy"])
    >>> table["USD per hour while it exists"].tolist(), table.columns[1]
    (['0.017', '0.030'], 'list price in USD (us-east-1)')
    """
    book = price_book(ws)
    min_vcpus = max(2, VCPUS.get(db_class, 2))  # RDS Proxy bills per vCPU of its target, 2 at least
    gb = memory_mb / 1024

    def known(key: str, show: Any) -> str:
        value = book.price(key)
        return UNKNOWN if value is None else show(value)

    rds_hourly = book.rds_instance_hourly_usd(db_class)
    catalogue = {
        "lambda": ("Lambda", "per request + per GB-second of run time", "only while called"),
        "api_gateway": (
            "API Gateway REST",
            known("api_gateway_rest_request", lambda p: f"{p * 1e6:.2f} per million requests"),
            "only while called",
        ),
        "rds": (
            f"RDS {db_class}",
            UNKNOWN if rds_hourly is None else f"{rds_hourly:.3f} per hour",
            "" if rds_hourly is None else f"{rds_hourly:.3f}",
        ),
        "rds_proxy": (
            "RDS Proxy",
            known("rds_proxy_vcpu_hour", lambda p: f"{p:.3f} per vCPU-hour of the instance ({min_vcpus} vCPU minimum)"),
            known("rds_proxy_vcpu_hour", lambda p: f"{p * min_vcpus:.3f}"),
        ),
        "secrets": (
            "Secrets Manager",
            known("secrets_manager_secret_month", lambda p: f"{p:.2f} per secret-month")
            + known("secrets_manager_api_call", lambda p: f" + {p * 1e4:.2f} per 10,000 calls").replace(UNKNOWN, ""),
            known("secrets_manager_secret_month", lambda p: f"{p / 730:.4f} per secret"),
        ),
        "vpc_endpoint": (
            "VPC interface endpoint (Secrets Manager)",
            known("vpc_interface_endpoint_az_hour", lambda p: f"{p:.3f} per AZ-hour (2 AZs)"),
            known("vpc_interface_endpoint_az_hour", lambda p: f"{2 * p:.3f}"),
        ),
        "provisioned": (
            f"Lambda provisioned concurrency ({memory_mb} MB)",
            known("lambda_provisioned_gb_second", lambda p: f"{p * 3600:.4f} per GB-hour configured"),
            known("lambda_provisioned_gb_second", lambda p: f"{p * 3600 * gb:.4f} per environment"),
        ),
        "xray": ("X-Ray", "5.00 per million traces recorded (first 100,000 per month free)", "only while called"),
    }
    rows = [catalogue[i] for i in items]
    # Amounts without a "$": JupyterLab typesets the text between two bare dollar signs in an output as math.
    frame = pd.DataFrame(
        rows, columns=["resource", f"list price in USD ({book.region})", "USD per hour while it exists"]
    )
    frame.attrs.update(as_of=book.source, region=book.region, source=book.source, note=book.note)
    return frame
