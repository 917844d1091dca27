"""Measured calls see their throttles: ``ws.client("lambda", retries=False)`` makes one attempt, so Lambda's
429 reaches the caller, while the control-plane client keeps boto3's retries (on a real pocketcloud)."""

from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config

import pocketcloud
from helpers.aws.waiting import poll
from helpers.measure import invocations

from .conftest import workshop_on
from .test_invocations_live import _function


def _attempts_until_answer(call: Any) -> tuple[str, int]:
    """What one boto3 call ended with (``ok`` or the error code) and how many times boto3 retried it."""
    try:
        response = call()
    except Exception as error:  # botocore's ClientError subclasses; the retry count is in its response
        meta = getattr(error, "response", {})
        return str(meta.get("Error", {}).get("Code")), int(meta.get("ResponseMetadata", {}).get("RetryAttempts", 0))
    return "ok", int(response["ResponseMetadata"]["RetryAttempts"])


def test_a_measured_invoke_gets_its_429_at_once_while_the_control_plane_client_retries(
    cloud: pocketcloud.Cloud,
) -> None:
    name = _function(cloud)
    cloud.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    with workshop_on(cloud, "mc-") as ws:
        # The holder must get the one environment even when a measured call takes it first: it retries long.
        patient = cloud.client("lambda", config=Config(retries={"max_attempts": 30, "mode": "standard"}))
        holder = threading.Thread(
            target=lambda: patient.invoke(FunctionName=name, Payload=b'{"sleep": 8}'), daemon=True
        )
        holder.start()  # the one environment the reservation allows is busy for 8 s
        measured = ws.client("lambda", retries=False)
        outcome, retried = poll(
            lambda: _attempts_until_answer(lambda: measured.invoke(FunctionName=name, Payload=b"{}")),
            lambda answer: answer[0] != "ok",
            "a measured invoke throttled",
            timeout_s=30,
            estimate_s=1,
            interval_s=0.2,
            progress=False,
        )
        assert (outcome, retried) == ("TooManyRequestsException", 0), "the measured client retried its 429"

        outcome, retried = _attempts_until_answer(lambda: ws.client("lambda").invoke(FunctionName=name, Payload=b"{}"))
        assert retried >= 1, f"the control-plane client did not retry the throttled call ({outcome})"
        holder.join(timeout=60)


def test_a_burst_through_the_measured_client_counts_throttles(cloud: pocketcloud.Cloud) -> None:
    name = _function(cloud)
    cloud.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    with workshop_on(cloud, "mc-") as ws:
        lam = ws.client("lambda", retries=False)
        frame = invocations.burst(lambda: invocations.timed_invoke(lam, name, {"sleep": 2}), count=3)
    throttled = frame[frame["throttled"]]
    assert len(throttled) >= 1 and (throttled["status"] == 429).all()
    assert int((frame["status"] == 200).sum()) >= 1
