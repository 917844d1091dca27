"""CloudWatch metrics as tidy pandas DataFrames (``helpers.views.metrics`` draws them).

One row per (metric, timestamp): columns ``timestamp``, ``label``, ``namespace``, ``metric``,
``stat``, ``unit``, ``value`` and one column per dimension. Lambda publishes per function (and per
alias or version with the ``Resource`` dimension); RDS publishes per DB instance and per proxy.

Example::

    frame = wait_for_metrics(ws, lambda: lambda_metrics(cloudwatch, "db-time", start, end), expect=("Throttles",))
    metric_totals(frame)["Throttles"]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..aws.waiting import pause, poll
from ..session import Workshop
from ..text import say

# The statistic that answers the workshop's question for each metric: how many at the peak of
# each period (concurrency, connections), how many in total (counts), how long on average.
LAMBDA_METRICS = {
    "ConcurrentExecutions": ("Maximum", "Count"),
    "Invocations": ("Sum", "Count"),
    "Throttles": ("Sum", "Count"),
    "Errors": ("Sum", "Count"),
    "Duration": ("Average", "Milliseconds"),
}
RDS_PROXY_METRICS = {
    "ClientConnections": ("Maximum", "Count"),
    "DatabaseConnections": ("Maximum", "Count"),
}
RDS_INSTANCE_METRICS = {
    "DatabaseConnections": ("Maximum", "Count"),
}

COLUMNS = ["timestamp", "label", "namespace", "metric", "stat", "unit", "value"]
_MAX_QUERIES = 500  # GetMetricData accepts at most 500 queries per call


@dataclasses.dataclass(frozen=True)
class MetricQuery:
    """One CloudWatch metric and statistic to fetch; ``label`` names its series in tables and figures."""

    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = "Average"
    unit: str = "Count"
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.metric

    def to_api(self, query_id: str, period: int) -> dict[str, Any]:
        """The ``MetricDataQueries`` entry for GetMetricData."""
        return {
            "Id": query_id,
            "Label": self.name,
            "ReturnData": True,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.metric,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions],
                },
                "Period": period,
                "Stat": self.stat,
            },
        }


def _queries(
    namespace: str, table: dict[str, tuple[str, str]], dimensions: dict[str, str], suffix: str
) -> list[MetricQuery]:
    dims = tuple(sorted(dimensions.items()))
    return [
        MetricQuery(namespace, metric, dims, stat, unit, label=f"{metric}{suffix}")
        for metric, (stat, unit) in table.items()
    ]


def lambda_queries(function_name: str, qualifier: str | None = None) -> list[MetricQuery]:
    """Concurrency, invocations, throttles, errors and duration of one function (or one alias/version)."""
    dims = {"FunctionName": function_name}
    if qualifier:
        dims["Resource"] = f"{function_name}:{qualifier}"
    return _queries("AWS/Lambda", LAMBDA_METRICS, dims, "")


def rds_proxy_queries(proxy_name: str) -> list[MetricQuery]:
    """Client-side and database-side connections of one RDS Proxy."""
    return _queries("AWS/RDS", RDS_PROXY_METRICS, {"ProxyName": proxy_name}, f" ({proxy_name})")


def rds_instance_queries(db_instance_id: str) -> list[MetricQuery]:
    """Open connections on one DB instance, as the database itself counts them."""
    return _queries("AWS/RDS", RDS_INSTANCE_METRICS, {"DBInstanceIdentifier": db_instance_id}, f" ({db_instance_id})")


def tidy_metric_data(results: Iterable[dict[str, Any]], queries: Sequence[MetricQuery]) -> pd.DataFrame:
    """Turn GetMetricData ``MetricDataResults`` (ids ``m0``, ``m1``, ... in ``queries`` order) into rows.

    Pages of the same query id are concatenated; timestamps become UTC pandas timestamps, sorted.
    """
    by_id = {f"m{i}": q for i, q in enumerate(queries)}
    rows: list[dict[str, Any]] = []
    for result in results:
        query = by_id.get(result["Id"])
        if query is None:
            continue
        for timestamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            row = {
                "timestamp": timestamp,
                "label": query.name,
                "namespace": query.namespace,
                "metric": query.metric,
                "stat": query.stat,
                "unit": query.unit,
                "value": float(value),
            }
            row.update(dict(query.dimensions))
            rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame.sort_values(["label", "timestamp"]).reset_index(drop=True)


def get_metrics(
    cloudwatch: Any,
    queries: Sequence[MetricQuery],
    start: dt.datetime,
    end: dt.datetime,
    period: int = 60,
) -> pd.DataFrame:
    """Fetch ``queries`` between ``start`` and ``end`` with one GetMetricData call per 500 queries.

    ``period`` is in seconds; Lambda and RDS publish at one-minute resolution, so 60 is the finest
    useful value. ``start`` is rounded down and ``end`` up to whole periods so no partial minute is lost.
    """
    if period < 1:
        raise ValueError(say("measure.metrics.bad_period"))
    start, end = _widen(start, end, period)
    results: list[dict[str, Any]] = []
    for offset in range(0, len(queries), _MAX_QUERIES):
        chunk = list(enumerate(queries))[offset : offset + _MAX_QUERIES]
        kwargs: dict[str, Any] = {
            "MetricDataQueries": [q.to_api(f"m{i}", period) for i, q in chunk],
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        while True:
            page = cloudwatch.get_metric_data(**kwargs)
            results.extend(page.get("MetricDataResults", []))
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    return tidy_metric_data(results, queries)


def _widen(start: dt.datetime, end: dt.datetime, period: int) -> tuple[dt.datetime, dt.datetime]:
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise ValueError(say("measure.metrics.end_before_start"))
    epoch_start = int(start.timestamp()) // period * period
    epoch_end = -(-int(end.timestamp()) // period) * period
    return dt.datetime.fromtimestamp(epoch_start, dt.UTC), dt.datetime.fromtimestamp(
        max(epoch_end, epoch_start + period), dt.UTC
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def lambda_metrics(
    cloudwatch: Any,
    function_name: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    qualifier: str | None = None,
    period: int = 60,
) -> pd.DataFrame:
    """The function's ConcurrentExecutions, Invocations, Throttles, Errors and Duration per period."""
    return get_metrics(cloudwatch, lambda_queries(function_name, qualifier), start, end, period)


def rds_connection_metrics(
    cloudwatch: Any,
    start: dt.datetime,
    end: dt.datetime,
    *,
    proxy_names: Sequence[str] = (),
    db_instances: Sequence[str] = (),
    period: int = 60,
) -> pd.DataFrame:
    """ClientConnections and DatabaseConnections per proxy, DatabaseConnections per DB instance."""
    queries = [q for name in proxy_names for q in rds_proxy_queries(name)]
    queries += [q for name in db_instances for q in rds_instance_queries(name)]
    return get_metrics(cloudwatch, queries, start, end, period)


def metric_totals(frame: pd.DataFrame) -> pd.Series:
    """One number per series: the sum for Sum statistics, the peak for Maximum, the mean otherwise."""
    if frame.empty:
        return pd.Series(dtype=float)
    totals = {}
    for label, group in frame.groupby("label", sort=True):
        stat = group["stat"].iloc[0]
        values = group["value"]
        totals[label] = values.sum() if stat == "Sum" else values.max() if stat == "Maximum" else values.mean()
    return pd.Series(totals, dtype=float)


def wait_for_metrics(
    ws: Workshop,
    fetch: Callable[[], pd.DataFrame],
    expect: tuple[str, ...] = ("Invocations",),
    *,
    totals: Mapping[str, float] | None = None,
    covers: dt.datetime | None = None,
    timeout_s: float | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Call ``fetch()`` until CloudWatch has published everything the experiment made, with a progress bar.

    CloudWatch publishes a little late (pocketcloud within seconds, AWS within a few minutes), and a minute
    can show part of its values before the rest: a frame with *some* data may still be partial. Done when
    every metric in ``expect`` has data, every metric in ``totals`` adds up (see :func:`metric_totals`) to
    at least the count the client counted (e.g. ``{"Invocations": 40}``), and, with ``covers``, every
    metric in ``expect`` has a datapoint for the minute holding ``covers`` (the end of the experiment; for
    metrics published every minute, such as RDS connections). Returns the last frame when ``timeout_s``
    runs out, saying what was missing.
    """
    wanted = dict(totals or {})
    last_minute = None if covers is None else pd.Timestamp(_utc(covers)).floor("min")

    def missing(frame: pd.DataFrame) -> list[str]:
        present = set(frame["metric"]) if not frame.empty else set()
        gaps = [f"{metric} (no data)" for metric in expect if metric not in present]
        if wanted:
            by_metric = metric_totals(frame.assign(label=frame["metric"])) if not frame.empty else pd.Series()
            gaps += [
                say("measure.metrics.gap_count", metric=metric, seen=by_metric.get(metric, 0), count=count)
                for metric, count in wanted.items()
                if by_metric.get(metric, 0) < count
            ]
        if last_minute is not None and not frame.empty:
            newest = frame.groupby("metric")["timestamp"].max()
            gaps += [
                say("measure.metrics.gap_minute", metric=metric, minute=last_minute)
                for metric in expect
                if metric in newest and newest[metric] < last_minute
            ]
        return gaps

    result: pd.DataFrame = poll(
        fetch,
        lambda frame: not missing(frame),
        say("measure.metrics.waiting_publish", metrics=", ".join(dict.fromkeys([*expect, *wanted]))),
        timeout_s=timeout_s if timeout_s is not None else ws.default(local=60, aws=600),
        estimate_s=ws.default(local=5, aws=180),
        interval_s=ws.default(local=1, aws=10),
        progress=progress,
        on_timeout="return",
    )
    gaps = missing(result)
    if gaps:
        print(say("measure.metrics.partial", gaps="; ".join(gaps)))
    return result


def wait_for_next_minute(progress: bool = True) -> None:
    """Wait until the next whole minute: CloudWatch aggregates per minute, so a run that starts on a fresh
    minute shares no data point with the run before it. Within a minute's first second, there is no wait."""
    remaining = 60 - time.time() % 60
    if remaining < 59:
        pause(remaining, say("measure.metrics.fresh_minute"), progress=progress)
