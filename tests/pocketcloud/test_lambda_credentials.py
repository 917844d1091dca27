"""Each execution environment runs with temporary credentials for its function's execution role."""

from __future__ import annotations

import pocketcloud

from .conftest import Deploy, invoke_json, wait_updated

KEYS = """
import os

NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

def handler(event, context):
    return {name: os.environ.get(name, "") for name in NAMES}
"""


def test_each_environment_gets_its_own_temporary_keys(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(KEYS)
    _, first = invoke_json(cloud, name)
    _, again = invoke_json(cloud, name)  # the same warm environment
    assert first["AWS_ACCESS_KEY_ID"].startswith("ASIA") and len(first["AWS_ACCESS_KEY_ID"]) == 20
    assert first["AWS_SECRET_ACCESS_KEY"] and first["AWS_SESSION_TOKEN"]
    assert first["AWS_SECRET_ACCESS_KEY"] != "testing"
    assert again == first
    cloud.client("lambda").update_function_configuration(FunctionName=name, Environment={"Variables": {"V": "2"}})
    wait_updated(cloud, name)  # invocations run the previous configuration until the update completes
    _, replaced = invoke_json(cloud, name)  # a new environment after a configuration change
    assert replaced["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]
