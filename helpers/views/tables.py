"""Tables and text the notebooks show: prices, deployed resources, what cleanup finds, handler code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..aws.inventory import Resource
from ..aws.lambdas import LAMBDA_CODE
from ..measure.prices import VCPUS, PriceBook, price_book, resource_hourly_usd
from ..session import Workshop
from ..text import is_key, say
from .metrics import outcome_label

# A figure the price book does not have for the region (no snapshot figure offline): said, not guessed (the
# English text; the table says views.tables.unknown_price in the session's language).
UNKNOWN = "not in the offline snapshot (see the AWS pricing page)"


def mask(secret: str) -> str:
    """A password as it may be shown: its length only.

    >>> mask("hunter22")
    '•••••••• (8 characters)'
    """
    return say("views.tables.masked", dots="•" * min(len(secret), 12), count=len(secret))


def show_code(folder: str, filename: str = "lambda_function.py") -> Any:
    """The handler source as a Markdown code block, so learners read what they deploy."""
    from IPython.display import Markdown

    source = (LAMBDA_CODE / folder / filename).read_text()
    return Markdown(f"`lambda_code/{folder}/{filename}`\n\n```python\n{source}\n```")  # type: ignore[no-untyped-call]


def readable(frame: pd.DataFrame, *, decimals: int = 2, missing: str = "") -> pd.DataFrame:
    """A copy of ``frame`` to show: whole numbers without decimals, other floats at ``decimals``, missing
    values as ``missing`` (pandas would show NaN or None). Column headers, the index's and the columns' names
    are shown in the session's language where the catalog names them (``views.tables.column.<name>``), and so
    are the words the data use as values (an outcome, a mail's kind, True and False); the data keep theirs.

    >>> readable(pd.DataFrame({"ms": [1.23456, None], "calls": [3.0, 4.0], "cold": [True, None]})).values.tolist()
    [['1.23', '3', 'True'], ['', '4', '']]
    """

    def cell(value: object, whole: bool) -> str:
        if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
            return missing
        if isinstance(value, float):
            return f"{value:,.0f}" if whole else f"{value:,.{decimals}f}"
        return value_label(value)

    shown = frame.copy()
    for column in shown.columns:
        numbers = pd.to_numeric(shown[column], errors="coerce") if shown[column].dtype != object else None
        whole = numbers is not None and bool(((numbers.dropna() % 1) == 0).all())
        shown[column] = [cell(v, whole) for v in shown[column]]
    shown.columns = pd.Index([column_header(column) for column in shown.columns], name=_axis_name(frame.columns))
    if shown.index.nlevels == 1 and pd.api.types.is_string_dtype(shown.index.dtype):
        shown.index = shown.index.map(value_label)
    shown.index.names = [_axis_name_of(name) for name in frame.index.names]
    return shown


def column_header(column: object) -> str:
    """A data column's header in the session's language: the data keep their English names, which code uses.
    A column named after a value (``unstack`` makes outcomes columns) is shown as that value is.

    >>> column_header("duration_ms"), column_header("refused: too many connections"), column_header("no_such")
    ('duration (ms)', 'refused: too many connections', 'no_such')
    """
    key = f"views.tables.column.{column}"
    return say(key) if is_key(key) else value_label(column)


def value_label(value: object) -> str:
    """A value the data share with the code (an outcome, a mail's kind, a boolean) as a table shows it.

    >>> value_label("other error"), value_label(True), value_label("sas-db-time"), value_label(3)
    ('other error', 'True', 'sas-db-time', '3')
    """
    if isinstance(value, bool | np.bool_):
        return say(f"views.tables.value.{bool(value)}")
    key = f"views.tables.value.{value}"
    if isinstance(value, str) and is_key(key):
        return say(key)
    return outcome_label(value) if isinstance(value, str) else str(value)


def _axis_name(axis: pd.Index) -> str | None:
    return _axis_name_of(axis.name)


def _axis_name_of(name: object) -> str | None:
    """An index's or columns' name (``path``, ``step``) as a header shows it; no name stays none."""
    return None if name is None else column_header(name)


def resource_table(rows: Mapping[str, object]) -> pd.DataFrame:
    """A two-column table (resource, value) of what a module deployed.

    >>> resource_table({"function": "sas-db-time", "app user connection cap": 10}).iloc[:, 1].tolist()
    ['sas-db-time', '10']
    """
    values = [str(v) for v in rows.values()]
    return pd.DataFrame({say("views.tables.resource"): list(rows), say("views.tables.value"): values})


def facts_table(facts: Mapping[str, object]) -> pd.DataFrame:
    """Named facts about one resource (its endpoint, port, state ...) as a table with one value column: shown as
    a table in the notebook and its HTML, where a pandas Series would print as text ending in ``dtype: object``.

    >>> facts_table({"port": 3306, "engine": "mysql 8.4.7"}).iloc[:, 0].tolist()
    ['3306', 'mysql 8.4.7']
    """
    return pd.DataFrame({say("views.tables.value"): [str(v) for v in facts.values()]}, index=list(facts))


def names_table(names: Mapping[str, str]) -> pd.DataFrame:
    """A module's resource names as a two-column table (resource, name).

    >>> names_table({"topic": "sas-uploads"}).values.tolist()
    [['topic', 'sas-uploads']]
    """
    kinds = [say(f"views.tables.kind.{n}") if is_key(f"views.tables.kind.{n}") else n for n in names]
    return pd.DataFrame({say("views.tables.resource"): kinds, say("views.tables.name"): list(names.values())})


def resources_table(resources: Iterable[Resource], book: PriceBook | None = None) -> pd.DataFrame:
    """What cleanup found or deleted: kind, name, detail and the estimated USD per hour of each, at ``book``'s
    prices (the session's, as its price tables show them; us-east-1's snapshot without one).

    >>> from helpers.measure.prices import snapshot
    >>> micro = Resource("rds:db-instance", "sas-db", "db.t3.micro")
    >>> resources_table([micro], snapshot("ap-northeast-2")).iloc[0, 3], resources_table([micro]).iloc[0, 3]
    (np.float64(0.026), np.float64(0.017))
    """
    return pd.DataFrame(
        [
            {"kind": r.kind, "name": r.name, "detail": r.detail, "usd_per_hour": round(resource_hourly_usd(r, book), 4)}
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
    >>> table.iloc[:, 2].tolist(), table.columns[1]
    (['0.017', '0.030'], 'list price in USD (us-east-1)')
    """
    book = price_book(ws)
    min_vcpus = max(2, VCPUS.get(db_class, 2))  # RDS Proxy bills per vCPU of its target, 2 at least
    gb = memory_mb / 1024

    unknown = say("views.tables.unknown_price")

    def known(key: str, show: Any) -> str:
        value = book.price(key)
        return unknown if value is None else show(value)

    rds_hourly = book.rds_instance_hourly_usd(db_class)
    while_called = say("views.tables.only_while_called")
    catalogue = {
        "lambda": ("Lambda", say("views.tables.per_request"), while_called),
        "api_gateway": (
            say("views.tables.api_gateway"),
            known("api_gateway_rest_request", lambda p: say("views.tables.per_million_requests", usd=p * 1e6)),
            while_called,
        ),
        "rds": (
            f"RDS {db_class}",
            unknown if rds_hourly is None else say("views.tables.per_hour", usd=rds_hourly),
            "" if rds_hourly is None else f"{rds_hourly:.3f}",
        ),
        "rds_proxy": (
            "RDS Proxy",
            known("rds_proxy_vcpu_hour", lambda p: say("views.tables.per_vcpu_hour", usd=p, vcpus=min_vcpus)),
            known("rds_proxy_vcpu_hour", lambda p: f"{p * min_vcpus:.3f}"),
        ),
        "secrets": (
            "Secrets Manager",
            known("secrets_manager_secret_month", lambda p: say("views.tables.per_secret_month", usd=p))
            + known("secrets_manager_api_call", lambda p: say("views.tables.per_10000_calls", usd=p * 1e4)).replace(
                unknown, ""
            ),
            known("secrets_manager_secret_month", lambda p: say("views.tables.per_secret", usd=p / 730)),
        ),
        "vpc_endpoint": (
            say("views.tables.vpc_endpoint"),
            known("vpc_interface_endpoint_az_hour", lambda p: say("views.tables.per_az_hour", usd=p)),
            known("vpc_interface_endpoint_az_hour", lambda p: f"{2 * p:.3f}"),
        ),
        "provisioned": (
            say("views.tables.provisioned", memory_mb=memory_mb),
            known("lambda_provisioned_gb_second", lambda p: say("views.tables.per_gb_hour", usd=p * 3600)),
            known("lambda_provisioned_gb_second", lambda p: say("views.tables.per_environment", usd=p * 3600 * gb)),
        ),
        "xray": ("X-Ray", say("views.tables.xray_price"), while_called),
    }
    rows = [catalogue[i] for i in items]
    # Amounts without a "$": JupyterLab typesets the text between two bare dollar signs in an output as math.
    columns = [
        say("views.tables.resource"), say("views.tables.list_price", region=book.region), say("views.tables.hourly")
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update(as_of=book.source, region=book.region, source=book.source, note=book.note)
    return frame
