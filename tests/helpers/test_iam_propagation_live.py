"""deploy_function rides out IAM propagation: a policy attached just before Active tracing is refused by Lambda
until IAM has it everywhere (pocketcloud delays it, as AWS does), and the helper retries for a bounded time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pocketcloud
from helpers.aws import iam, lambdas

from .conftest import workshop_on

PROPAGATION_S = 6.0


def test_active_tracing_right_after_attaching_xray_write_access(
    make_cloud: Callable[..., pocketcloud.Cloud], tmp_path: Path
) -> None:
    cloud = make_cloud(iam_propagation_seconds=PROPAGATION_S)
    (tmp_path / "lambda_function.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    with workshop_on(cloud, "iamprop-") as ws:
        role = iam.ensure_lambda_role(ws, ws.name("role"))  # waits for IAM: the role itself is in force
        ws.client("iam").attach_role_policy(RoleName=ws.name("role"), PolicyArn=iam.XRAY_WRITE)
        lam = ws.client("lambda")

        # Straight after the attachment Lambda does not see the new permission yet: AWS's refusal.
        with pytest.raises(lam.exceptions.InvalidParameterValueException, match="PutTraceSegments"):
            lam.create_function(
                FunctionName=ws.name("raw"), Role=role, Runtime="python3.12", Handler="lambda_function.lambda_handler",
                Code={"ZipFile": lambdas.zip_folder(tmp_path)}, TracingConfig={"Mode": "Active"},
            )  # fmt: skip

        # The helper asks again until IAM has propagated the policy, and the function ends Active with tracing.
        config: dict[str, Any] = lambdas.deploy_function(ws, ws.name("traced"), str(tmp_path), role_arn=role,
                                                         tracing="Active")  # fmt: skip
        assert config["State"] == "Active" and config["TracingConfig"]["Mode"] == "Active"
        answer = lam.invoke(FunctionName=ws.name("traced"))
        assert json.loads(answer["Payload"].read()) == 1
