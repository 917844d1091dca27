"""helpers.measure.metrics: GetMetricData answers to tidy frames; helpers.views.metrics: the figures of them."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import measure, views

T0 = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)


def _result(query_id: str, values: list[float], label: str = "x") -> dict:
    # Shape of one MetricDataResults entry in the GetMetricData API reference.
    return {
        "Id": query_id,
        "Label": label,
        "Timestamps": [T0 + dt.timedelta(minutes=i) for i in range(len(values))][::-1],
        "Values": values[::-1],
        "StatusCode": "Complete",
    }


def test_lambda_queries_use_function_and_alias_dimensions() -> None:
    plain = measure.metrics.lambda_queries("db-time")
    assert {q.metric for q in plain} == {"ConcurrentExecutions", "Invocations", "Throttles", "Errors", "Duration"}
    assert all(q.dimensions == (("FunctionName", "db-time"),) for q in plain)
    alias = measure.metrics.lambda_queries("db-time", "live")
    assert alias[0].dimensions == (("FunctionName", "db-time"), ("Resource", "db-time:live"))
    api = alias[0].to_api("m0", 60)
    assert api["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "FunctionName", "Value": "db-time"},
        {"Name": "Resource", "Value": "db-time:live"},
    ]
    assert api["MetricStat"]["Period"] == 60


def test_tidy_frame_has_one_row_per_point_sorted_with_dimensions() -> None:
    queries = measure.metrics.lambda_queries("db-time")
    ids = {q.metric: f"m{i}" for i, q in enumerate(queries)}
    results = [_result(ids["Throttles"], [0, 4, 7]), _result(ids["Duration"], [120.5, 80.0])]
    frame = measure.metrics.tidy_metric_data(results, queries)
    assert len(frame) == 5
    throttles = frame[frame["metric"] == "Throttles"]
    assert list(throttles["value"]) == [0, 4, 7]  # ascending time even though the API answered newest first
    assert throttles["timestamp"].is_monotonic_increasing
    assert set(throttles["stat"]) == {"Sum"} and set(throttles["FunctionName"]) == {"db-time"}
    assert frame[frame["metric"] == "Duration"]["unit"].iloc[0] == "Milliseconds"
    assert str(frame["timestamp"].dt.tz) == "UTC"


def test_tidy_frame_ignores_unknown_ids_and_is_empty_with_columns() -> None:
    frame = measure.metrics.tidy_metric_data([_result("zz", [1.0])], measure.metrics.lambda_queries("f"))
    assert frame.empty and list(frame.columns) == measure.metrics.COLUMNS


def test_totals_follow_the_statistic() -> None:
    queries = measure.metrics.lambda_queries("f")
    ids = {q.metric: f"m{i}" for i, q in enumerate(queries)}
    frame = measure.metrics.tidy_metric_data(
        [
            _result(ids["Throttles"], [2, 3]),
            _result(ids["ConcurrentExecutions"], [5, 9, 4]),
            _result(ids["Duration"], [10, 30]),
        ],
        queries,
    )
    totals = measure.metrics.metric_totals(frame)
    assert totals["Throttles"] == 5 and totals["ConcurrentExecutions"] == 9 and totals["Duration"] == 20


def test_rds_queries_per_proxy_and_instance() -> None:
    proxy = measure.metrics.rds_proxy_queries("workshop-proxy")
    assert [q.metric for q in proxy] == ["ClientConnections", "DatabaseConnections"]
    assert proxy[0].dimensions == (("ProxyName", "workshop-proxy"),)
    assert proxy[1].label == "DatabaseConnections (workshop-proxy)"
    instance = measure.metrics.rds_instance_queries("workshop-db")
    assert instance[0].dimensions == (("DBInstanceIdentifier", "workshop-db"),)


class _FakePagedCloudWatch:
    """Plays back GetMetricData pages; records the requests (the paging logic is what is tested)."""

    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages
        self.requests: list[dict] = []

    def get_metric_data(self, **kwargs):
        self.requests.append(kwargs)
        return self.pages[len(self.requests) - 1]


def test_get_metrics_follows_next_token_and_widens_to_whole_periods() -> None:
    queries = measure.metrics.lambda_queries("f")
    pages = [
        {"MetricDataResults": [_result("m1", [1.0])], "NextToken": "t1"},
        {"MetricDataResults": [_result("m1", [2.0])]},
    ]
    cw = _FakePagedCloudWatch(pages)
    frame = measure.metrics.get_metrics(cw, queries, T0 + dt.timedelta(seconds=17), T0 + dt.timedelta(seconds=75))
    assert len(cw.requests) == 2 and cw.requests[1]["NextToken"] == "t1"
    assert cw.requests[0]["StartTime"] == T0
    assert cw.requests[0]["EndTime"] == T0 + dt.timedelta(seconds=120)
    assert len(frame) == 2


def test_get_metrics_rejects_bad_windows() -> None:
    with pytest.raises(ValueError):
        measure.metrics.get_metrics(_FakePagedCloudWatch([]), [], T0, T0 - dt.timedelta(minutes=1))
    with pytest.raises(ValueError):
        measure.metrics.get_metrics(_FakePagedCloudWatch([]), [], T0, T0, period=0)


def test_figure_has_one_panel_per_metric_with_units() -> None:
    queries = measure.metrics.lambda_queries("f")
    ids = {q.metric: f"m{i}" for i, q in enumerate(queries)}
    frame = measure.metrics.tidy_metric_data(
        [_result(ids["Throttles"], [1, 2]), _result(ids["Duration"], [5, 6])], queries
    )
    fig = views.metrics.metrics_figure(frame, "Under load", metrics=["Throttles", "Duration", "Errors"])
    assert fig.layout.title.text == "Under load"
    assert len(fig.data) == 2
    assert fig.layout.yaxis.title.text == "Throttles, sum (count)"
    assert fig.layout.yaxis2.title.text == "Duration, average (ms)"
    assert "no data" in fig.layout.yaxis3.title.text
    assert fig.layout.xaxis3.title.text == "time (UTC)"


def test_empty_figure_says_so() -> None:
    fig = views.metrics.metrics_figure(measure.metrics.tidy_metric_data([], []), "Nothing")
    assert "no data" in fig.layout.title.text
