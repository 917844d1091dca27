"""Measure Lambda invocations: REPORT lines, cold starts, bursts of concurrent calls.

Lambda writes one ``REPORT`` line per invocation (Duration, Billed Duration, Memory, and Init Duration
when the call started a new execution environment). These helpers read them from an invoke's log tail
or from CloudWatch Logs, and fire bursts of simultaneous calls to see concurrency, throttling and cold
starts.

>>> parse_report("REPORT RequestId: r1 Duration: 2.50 ms Billed Duration: 3 ms Memory Size: 128 MB "
...              "Max Memory Used: 40 MB Init Duration: 120.00 ms")["init_ms"]
120.0

Example::

    first = invoke(ws, ws.name("notifier"), {"hello": "world"})
    runs = invoke_many(lam, "db-time", count=10)
    runs[["duration_ms", "init_ms"]].describe()
    burst_frame = burst(lambda: timed_invoke(lam, "db-time"), count=20)
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from ..aws.waiting import poll
from ..session import Workshop
from ..text import say

_FIELDS = {
    "Duration": "duration_ms",
    "Billed Duration": "billed_ms",
    "Memory Size": "memory_mb",
    "Max Memory Used": "max_memory_mb",
    "Init Duration": "init_ms",
}
_FIELD_RE = re.compile(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration): ([\d.]+) (?:ms|MB)")
_REQUEST_RE = re.compile(r"REPORT RequestId: (\S+)")
REPORT_COLUMNS = ["request_id", "duration_ms", "billed_ms", "memory_mb", "max_memory_mb", "init_ms", "cold"]


def parse_report(line: str) -> dict[str, Any] | None:
    """The figures of one ``REPORT RequestId: ...`` line; ``init_ms`` is None on a warm start."""
    match = _REQUEST_RE.search(line)
    if not match:
        return None
    values: dict[str, Any] = dict.fromkeys(_FIELDS.values())
    values["request_id"] = match.group(1)
    for name, number in _FIELD_RE.findall(line):
        values[_FIELDS[name]] = float(number)
    values["cold"] = values["init_ms"] is not None
    return values


def report_from_tail(log_result: str | None) -> dict[str, Any] | None:
    """The REPORT figures in the base64 ``LogResult`` that ``Invoke(LogType="Tail")`` returns."""
    if not log_result:
        return None
    text = base64.b64decode(log_result).decode("utf-8", "replace")
    reports = [parse_report(line) for line in text.splitlines() if line.startswith("REPORT")]
    return reports[-1] if reports and reports[-1] else None


@dataclasses.dataclass
class Invocation:
    """One synchronous invoke: status, answer, function error, client-side latency and the REPORT figures;
    shown in a notebook as a short summary and the answer."""

    status: int
    payload: Any
    error: str | None
    latency_ms: float
    report: dict[str, Any] | None

    @property
    def cold(self) -> bool:
        return bool(self.report and self.report.get("init_ms") is not None)

    def _repr_markdown_(self) -> str:
        figures = ""
        if self.report:
            report = self.report
            figures = say(
                "measure.invocations.figures",
                duration_ms=report["duration_ms"], billed_ms=report["billed_ms"], max_memory_mb=report["max_memory_mb"],
            )  # fmt: skip
            if self.cold:
                figures += say("measure.invocations.cold", init_ms=report["init_ms"])
        error = say("measure.invocations.error", error=self.error) if self.error else ""
        body = json.dumps(self.payload, indent=2, default=str)[:2000]
        status = say("measure.invocations.status", status=self.status, error=error, figures=figures)
        return f"{status}\n\n```json\n{body}\n```"


def invoke(ws: Workshop, name: str, payload: Any = None, *, qualifier: str | None = None) -> Invocation:
    """Invoke ``name`` synchronously; the result shows the response and the REPORT figures."""
    kwargs: dict[str, Any] = {"FunctionName": name, "Payload": json.dumps(payload or {}), "LogType": "Tail"}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    started = time.perf_counter()
    response = ws.client("lambda", retries=False).invoke(**kwargs)  # measured: a 429 must show, not be retried
    latency = (time.perf_counter() - started) * 1000
    raw = response["Payload"].read()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Invocation(
        status=response["StatusCode"],
        payload=body,
        error=response.get("FunctionError"),
        latency_ms=latency,
        report=report_from_tail(response.get("LogResult")),
    )


def timed_invoke(
    lambda_client: Any, function: str, payload: Any = None, *, qualifier: str | None = None
) -> dict[str, Any]:
    """One synchronous invoke: client-side latency, status, function error and the REPORT figures.

    A throttled call (HTTP 429 TooManyRequestsException) is returned as a row with ``throttled`` True
    rather than raised, so bursts can count them.
    """
    kwargs: dict[str, Any] = {"FunctionName": function, "LogType": "Tail", "Payload": json.dumps(payload or {})}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    started = time.perf_counter()
    row: dict[str, Any] = {"status": None, "throttled": False, "error": None, "body": None}
    try:
        response = lambda_client.invoke(**kwargs)
    except lambda_client.exceptions.TooManyRequestsException as exc:
        row.update(status=429, throttled=True, error=exc.response["Error"]["Code"])
        response = None
    row["latency_ms"] = (time.perf_counter() - started) * 1000
    if response is not None:
        body = response["Payload"].read().decode("utf-8", "replace")
        row.update(status=response["StatusCode"], error=response.get("FunctionError"), body=body)
        report = report_from_tail(response.get("LogResult"))
        if report:
            row.update({k: report[k] for k in REPORT_COLUMNS})
    return row


def invoke_many(
    lambda_client: Any, function: str, count: int, payload: Any = None, *, qualifier: str | None = None
) -> pd.DataFrame:
    """``count`` invocations one after another: one row each (call, latency_ms, duration_ms, init_ms, ...)."""
    rows = [timed_invoke(lambda_client, function, payload, qualifier=qualifier) for _ in range(count)]
    frame = pd.DataFrame(rows)
    frame.insert(0, "call", range(1, len(frame) + 1))
    return _with_report_columns(frame)


def burst(call: Callable[[], dict[str, Any]], count: int, *, workers: int | None = None) -> pd.DataFrame:
    """Start ``count`` calls at (nearly) the same moment on a thread pool; one row per call.

    ``call`` is e.g. ``lambda: timed_invoke(lam, name)`` or an HTTP call returning a dict.
    """
    if count < 1:
        raise ValueError(say("measure.invocations.bad_count"))
    with ThreadPoolExecutor(max_workers=workers or count) as pool:
        futures = [pool.submit(call) for _ in range(count)]
        rows = [f.result() for f in futures]
    return _with_report_columns(pd.DataFrame(rows))


def _with_report_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for column in REPORT_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["cold"] = frame["cold"].fillna(False).astype(bool)
    return frame


def report_lines(logs_client: Any, function: str, start: dt.datetime, end: dt.datetime | None = None) -> pd.DataFrame:
    """Every REPORT line the function wrote to CloudWatch Logs in the window, one row per invocation."""
    end = end or dt.datetime.now(dt.UTC)
    kwargs: dict[str, Any] = {
        "logGroupName": f"/aws/lambda/{function}",
        "startTime": int(start.timestamp() * 1000),
        "endTime": int(end.timestamp() * 1000),
        "filterPattern": '"REPORT RequestId"',
    }
    rows = []
    while True:
        try:
            page = logs_client.filter_log_events(**kwargs)
        except logs_client.exceptions.ResourceNotFoundException:
            break
        for event in page.get("events", []):
            report = parse_report(event["message"])
            if report:
                report["timestamp"] = pd.Timestamp(event["timestamp"], unit="ms", tz="UTC")
                report["log_stream"] = event.get("logStreamName")
                rows.append(report)
        token = page.get("nextToken")
        # A page may be empty and still carry a token (CloudWatch Logs searches the window in slices):
        # only a page without a token is the last one.
        if not token or token == kwargs.get("nextToken"):
            break
        kwargs["nextToken"] = token
    frame = pd.DataFrame(rows, columns=[*REPORT_COLUMNS, "timestamp", "log_stream"])
    frame["cold"] = frame["cold"].fillna(False).astype(bool)
    return frame.sort_values("timestamp").reset_index(drop=True)


def wait_for_reports(
    ws: Workshop, function: str, start: dt.datetime, count: int, *, timeout_s: float | None = None
) -> pd.DataFrame:
    """The function's REPORT lines since ``start`` once there are ``count`` of them (CloudWatch Logs takes a
    moment, minutes on AWS); what is there when ``timeout_s`` ends otherwise."""
    frame: pd.DataFrame = poll(
        lambda: report_lines(ws.client("logs"), function, start),
        lambda reports: len(reports) >= count,
        say("measure.invocations.waiting_reports", count=count, function=function),
        timeout_s=timeout_s if timeout_s is not None else ws.default(local=30, aws=120),
        estimate_s=ws.default(local=2, aws=30),
        interval_s=ws.default(local=1, aws=2),
        on_timeout="return",
    )
    return frame
