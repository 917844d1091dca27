"""report_lines reads every page of FilterLogEvents, including empty pages that still carry a nextToken."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helpers.measure.invocations import report_lines


class _SlicedLogs:
    """FilterLogEvents as CloudWatch Logs may answer it: the first slice of the window holds nothing yet."""

    class exceptions:  # boto3 names it so
        class ResourceNotFoundException(Exception):
            pass

    def __init__(self) -> None:
        self.pages: list[dict[str, Any]] = [
            {"events": [], "nextToken": "slice-2"},
            {"events": [], "nextToken": "slice-3"},
            {"events": [{"message": "REPORT RequestId: r1 Duration: 2.00 ms Billed Duration: 2 ms "
                                    "Memory Size: 128 MB Max Memory Used: 40 MB", "timestamp": 1_700_000_000_000}]},
        ]  # fmt: skip
        self.tokens: list[str | None] = []

    def filter_log_events(self, **kwargs: Any) -> dict[str, Any]:
        self.tokens.append(kwargs.get("nextToken"))
        return self.pages[len(self.tokens) - 1]


def test_empty_pages_with_a_token_are_followed() -> None:
    logs = _SlicedLogs()
    frame = report_lines(logs, "fn", dt.datetime(2023, 11, 14, tzinfo=dt.UTC))
    assert list(frame["request_id"]) == ["r1"]
    assert logs.tokens == [None, "slice-2", "slice-3"]
