"""helpers.measure.invocations: REPORT line parsing."""

from __future__ import annotations

import base64

from helpers.measure import invocations

COLD = (
    "REPORT RequestId: 3f1c2a7e-0000-4000-8000-000000000001\tDuration: 102.51 ms\tBilled Duration: 103 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 71 MB\tInit Duration: 412.07 ms\t"
)
WARM = (
    "REPORT RequestId: 3f1c2a7e-0000-4000-8000-000000000002\tDuration: 3.20 ms\tBilled Duration: 4 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 72 MB\t"
)


def test_parse_cold_and_warm_reports() -> None:
    cold = invocations.parse_report(COLD)
    assert cold is not None and cold["cold"]
    assert cold["duration_ms"] == 102.51 and cold["billed_ms"] == 103 and cold["init_ms"] == 412.07
    assert cold["memory_mb"] == 128 and cold["max_memory_mb"] == 71
    warm = invocations.parse_report(WARM)
    assert warm is not None and not warm["cold"] and warm["init_ms"] is None
    assert warm["request_id"].endswith("0002")


def test_non_report_lines_are_ignored() -> None:
    assert invocations.parse_report("START RequestId: x Version: $LATEST") is None


def test_report_from_log_tail_takes_the_last_report() -> None:
    tail = base64.b64encode(f"START RequestId: a\nhello\nEND RequestId: a\n{WARM}\n".encode()).decode()
    report = invocations.report_from_tail(tail)
    assert report is not None and report["duration_ms"] == 3.2
    assert invocations.report_from_tail(None) is None
    assert invocations.report_from_tail(base64.b64encode(b"no report").decode()) is None
