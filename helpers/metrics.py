"""CloudWatch metrics as tidy pandas DataFrames, and plotly figures of them.

One row per (metric, timestamp): columns ``timestamp``, ``label``, ``namespace``, ``metric``,
``stat``, ``unit``, ``value`` and one column per dimension. Lambda publishes per function (and per
alias or version with the ``Resource`` dimension); RDS publishes per DB instance and per proxy.

Example::

    frame = lambda_metrics(cloudwatch, "db-time", start, end)
    metrics_figure(frame, "db-time under load").show()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

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


def _queries(namespace: str, table: dict[str, tuple[str, str]], dimensions: dict[str, str], suffix: str) -> list:
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
        raise ValueError("period must be at least 1 second")
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
        raise ValueError("end must be after start")
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


def _unit_label(unit: str) -> str:
    return {"Milliseconds": "ms", "Count": "count", "Seconds": "s", "Percent": "%"}.get(unit, unit)


def axis_title(metric: str, stat: str, unit: str) -> str:
    """A y-axis title that says what was aggregated and in which unit, e.g. ``Duration, average (ms)``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", metric)
    return f"{words}, {stat.lower()} ({_unit_label(unit)})"


def metrics_figure(frame: pd.DataFrame, title: str, *, metrics: Sequence[str] | None = None, split_by: str = "label"):
    """One panel per metric (shared time axis), one line per series; empty panels say "no data".

    ``split_by`` picks the column that separates the lines within a panel (``label`` by default, or a
    column the caller added, e.g. ``run`` to overlay two load tests).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if metrics is None:
        metrics = list(dict.fromkeys(frame["metric"])) if not frame.empty else []
    if not metrics:
        fig = go.Figure()
        fig.update_layout(title=f"{title} (no data points yet)", template="plotly_white")
        fig.update_xaxes(title_text="time (UTC)")
        return fig
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=metrics)
    for row, metric in enumerate(metrics, start=1):
        part = frame[frame["metric"] == metric]
        if part.empty:
            fig.update_yaxes(title_text=f"{metric} (no data)", row=row, col=1)
            continue
        for name, series in part.groupby(split_by, sort=True):
            fig.add_trace(
                go.Scatter(x=series["timestamp"], y=series["value"], mode="lines+markers", name=str(name)),
                row=row,
                col=1,
            )
        first = part.iloc[0]
        fig.update_yaxes(
            title_text=axis_title(metric, first["stat"], first["unit"]), rangemode="tozero", row=row, col=1
        )
    fig.update_xaxes(title_text="time (UTC)", row=len(metrics), col=1)
    fig.update_layout(title=title, template="plotly_white", height=max(320, 220 * len(metrics)))
    return fig


def bar_comparison(totals: pd.DataFrame, title: str, *, value: str, group: str, category: str, y_title: str):
    """Grouped bars, e.g. errors and peak connections for "direct" vs "proxy" runs side by side."""
    import plotly.express as px

    fig = px.bar(totals, x=category, y=value, color=group, barmode="group", title=title, template="plotly_white")
    fig.update_layout(yaxis_title=y_title, xaxis_title=category.replace("_", " "))
    return fig
