"""The workshop's VPC, from the CloudFormation template kept next to this module."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("templates") / "vpc.yaml"


def deploy_vpc(ws: Any, stack_name: str | None = None) -> dict[str, Any]:
    """Create the VPC stack once and return its outputs (VpcId, SubnetIds list, security group ids)."""
    cfn = ws.client("cloudformation")
    stack_name = stack_name or ws.name("network")
    try:
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    except cfn.exceptions.ClientError:
        stack = None
    if stack is None or stack["StackStatus"] in ("DELETE_COMPLETE", "ROLLBACK_COMPLETE"):
        if stack is not None:
            cfn.delete_stack(StackName=stack_name)
            cfn.get_waiter("stack_delete_complete").wait(StackName=stack_name)
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=TEMPLATE.read_text(),
            Parameters=[{"ParameterKey": "Prefix", "ParameterValue": ws.prefix.rstrip("-")}],
            Tags=ws.tag_list(),
        )
    deadline = time.monotonic() + 900
    while (status := cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]).endswith("IN_PROGRESS"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"stack {stack_name} still {status}")
        time.sleep(2 if ws.local else 10)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise RuntimeError(f"stack {stack_name} ended in {status}")
    outputs = {
        o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["Outputs"]
    }
    outputs["SubnetIds"] = outputs["SubnetIds"].split(",")
    return outputs
