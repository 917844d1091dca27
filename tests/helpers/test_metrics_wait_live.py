"""wait_for_metrics waits for everything the experiment made, not for the first datapoint: CloudWatch publishes
each value some seconds after it happened (pocketcloud's metrics_delay_seconds), so a minute can show part of
its invocations before the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pocketcloud
from helpers.aws import iam, lambdas
from helpers.measure import metrics
from helpers.measure.invocations import invoke_many

from .conftest import workshop_on

DELAY_S = 4.0


def test_a_read_right_after_the_calls_waits_for_all_of_them(
    make_cloud: Callable[..., pocketcloud.Cloud], tmp_path: Path
) -> None:
    cloud = make_cloud(metrics_delay_seconds=DELAY_S)
    (tmp_path / "lambda_function.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    with workshop_on(cloud, "mwait-") as ws:
        role = iam.ensure_lambda_role(ws, ws.name("role"))
        name = ws.name("counted")
        lambdas.deploy_function(ws, name, str(tmp_path), role_arn=role)
        lam, cloudwatch = ws.client("lambda"), ws.client("cloudwatch")
        start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)

        def fetch() -> object:
            return metrics.lambda_metrics(cloudwatch, name, start, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))

        first = invoke_many(lam, name, 3)
        metrics.wait_for_metrics(ws, fetch, totals={"Invocations": 3}, progress=False)  # the first calls are out
        second = invoke_many(lam, name, 5)
        counted = int((first["status"] == 200).sum() + (second["status"] == 200).sum())

        # Read at once, CloudWatch already has Invocations (the first calls) but not yet the last five.
        early = metrics.metric_totals(fetch())
        assert early.get("Invocations", 0) < counted, "the delay makes an early read partial"

        frame = metrics.wait_for_metrics(ws, fetch, totals={"Invocations": counted}, progress=False)
        assert metrics.metric_totals(frame)["Invocations"] == counted == 8
