"""Cleanup from half-deleted states, on real pocketclouds: a function gone but its log group left; a VPC stack
left DELETE_FAILED by Lambda's lingering network interfaces, with an RDS instance, its proxy and subnet group
in the same inventory; and ``python -m helpers.cleanup`` as a learner runs it, as subprocesses. What is left is
always read back from the cloud, and a second cleanup changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pocketcloud
from helpers.aws import database, iam, lambdas, network, proxy
from helpers.aws.inventory import Resource, delete_resources, find_resources
from helpers.aws.waiting import poll
from helpers.session import REPO_ROOT

from .conftest import workshop_on


def test_a_log_group_left_by_a_deleted_function_is_still_found_and_deleted(cloud: pocketcloud.Cloud) -> None:
    with workshop_on(cloud, "cs1-") as ws:
        role = iam.ensure_lambda_role(ws, ws.name("role"))
        name = ws.name("fn")
        lambdas.deploy_function(ws, name, "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"})
        logs = ws.client("logs")
        if not logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]:
            logs.create_log_group(logGroupName=f"/aws/lambda/{name}")  # as Lambda makes it: untagged
        delete_resources(ws.client, [Resource("lambda:function", name)])  # a cleanup stopped after this step

        found = find_resources(ws.client, ws.prefix)
        assert {(r.kind, r.name) for r in found} == {
            ("logs:log-group", f"/aws/lambda/{name}"),
            ("iam:role", role.rsplit("/", 1)[-1]),
        }
        delete_resources(ws.client, found)
        assert logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"] == []
        assert find_resources(ws.client, ws.prefix) == []


def test_a_module_deleted_functions_log_group_is_found_and_deleted(cloud: pocketcloud.Cloud) -> None:
    """Modules 3 and 5 clean up with lambdas.delete_function, which does not tag the log group: deploy_function
    made it tagged before the function existed, so the cleanup still proves it the workshop's afterwards."""
    with workshop_on(cloud, "cs4-") as ws:
        role = iam.ensure_lambda_role(ws, ws.name("role"))
        name = ws.name("fn")
        lambdas.deploy_function(ws, name, "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"})
        logs, group = ws.client("logs"), f"/aws/lambda/{name}"
        ws.client("lambda").invoke(FunctionName=name, Payload=b"{}")  # Lambda writes to (or makes) the group
        poll(lambda: logs.describe_log_streams(logGroupName=group)["logStreams"] if _group_exists(logs, group)
             else [], bool, "the call's log stream", timeout_s=60, estimate_s=2, progress=False)  # fmt: skip
        assert lambdas.delete_function(ws, name)

        found = {(r.kind, r.name) for r in find_resources(ws.client, ws.prefix)}
        assert ("logs:log-group", group) in found
        delete_resources(ws.client, find_resources(ws.client, ws.prefix))
        assert not _group_exists(logs, group)
        assert find_resources(ws.client, ws.prefix) == []


def _group_exists(logs: Any, group: str) -> bool:
    return any(g["logGroupName"] == group for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"])


def _stack_status(cfn: Any, name: str) -> str:
    return str(next(s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == name))


def test_a_failed_stack_deletion_and_a_database_with_its_proxy_are_cleaned_up_in_one_go(
    make_cloud: Callable[..., pocketcloud.Cloud],
) -> None:
    cloud = make_cloud(lambda_eni_release_seconds=8)  # Lambda's interfaces outlive the function a while
    with workshop_on(cloud, "cs2-") as ws:
        net = network.deploy_vpc(ws)
        groups = [net["DatabaseSecurityGroupId"]]
        subnet_group = database.ensure_subnet_group(ws, ws.name("db-subnets"), net["SubnetIds"])
        db = database.ensure_database(ws, ws.name("db"), subnet_group=subnet_group, security_group_ids=groups,
                                      progress=False)  # fmt: skip
        proxy_role = proxy.ensure_proxy_role(ws, ws.name("proxy-role"), db["SecretArn"])
        proxy.ensure_db_proxy(ws, ws.name("proxy"), db["SecretArn"], proxy_role, net["SubnetIds"],
                              [net["ProxySecurityGroupId"]], ws.name("db"), progress=False)  # fmt: skip
        role = iam.ensure_lambda_role(ws, ws.name("vpc-role"), managed=[iam.VPC_EXECUTION])
        function = ws.name("vpc-fn")
        lambdas.deploy_function(
            ws,
            function,
            "s3_notifier",
            role_arn=role,
            env={"TOPIC_ARN": "unused"},
            subnet_ids=net["SubnetIds"],
            security_group_ids=[net["LambdaSecurityGroupId"]],
        )

        # A cleanup that did not wait: the function deleted, the stack deleted at once -> DELETE_FAILED.
        cfn = ws.client("cloudformation")
        ws.client("lambda").delete_function(FunctionName=function)
        cfn.delete_stack(StackName=ws.name("network"))
        poll(lambda: _stack_status(cfn, ws.name("network")), lambda s: s.endswith(("FAILED", "COMPLETE")),
             "stack deletion ending", timeout_s=120, estimate_s=5, progress=False)  # fmt: skip
        assert _stack_status(cfn, ws.name("network")) == "DELETE_FAILED"

        found = find_resources(ws.client, ws.prefix)
        kinds = {r.kind for r in found}
        assert {"rds:db-proxy", "rds:db-instance", "rds:db-subnet-group", "cloudformation:stack"} <= kinds
        ws.client("rds").delete_db_proxy(DBProxyName=ws.name("proxy"))  # already going when the cleanup reaches it

        delete_resources(ws.client, found)
        rds = ws.client("rds")
        assert [p["DBProxyName"] for p in rds.describe_db_proxies()["DBProxies"]] == []
        assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == []
        assert [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]] == []
        assert _stack_status(cfn, ws.name("network")) == "DELETE_COMPLETE"
        assert net["VpcId"] not in {v["VpcId"] for v in ws.client("ec2").describe_vpcs()["Vpcs"]}
        assert [r["RoleName"] for r in ws.client("iam").list_roles()["Roles"] if r["RoleName"].startswith("cs2-")] == []

        assert find_resources(ws.client, ws.prefix) == []
        assert delete_resources(ws.client, find_resources(ws.client, ws.prefix)) == []


def test_a_proxy_still_deleting_is_waited_for_and_the_cleanup_finishes(
    make_cloud: Callable[..., pocketcloud.Cloud],
) -> None:
    """A cleanup interrupted right after DeleteDBProxy: the proxy is `deleting` for minutes on AWS, and the DB
    instance and subnet group behind it cannot go before it has (InvalidDBProxyStateFault, then
    InvalidDBSubnetGroupStateFault while the instance is deleting). The next cleanup waits and finishes."""
    cloud = make_cloud(db_proxy_delete_seconds=6, db_instance_delete_seconds=6)
    with workshop_on(cloud, "cs5-") as ws:
        net = network.deploy_vpc(ws)
        subnet_group = database.ensure_subnet_group(ws, ws.name("db-subnets"), net["SubnetIds"])
        db = database.ensure_database(ws, ws.name("db"), subnet_group=subnet_group,
                                      security_group_ids=[net["DatabaseSecurityGroupId"]], progress=False)  # fmt: skip
        proxy_role = proxy.ensure_proxy_role(ws, ws.name("proxy-role"), db["SecretArn"])
        proxy.ensure_db_proxy(ws, ws.name("proxy"), db["SecretArn"], proxy_role, net["SubnetIds"],
                              [net["ProxySecurityGroupId"]], ws.name("db"), progress=False)  # fmt: skip
        rds = ws.client("rds")
        rds.delete_db_proxy(DBProxyName=ws.name("proxy"))  # the interrupted cleanup's last call
        assert rds.describe_db_proxies(DBProxyName=ws.name("proxy"))["DBProxies"][0]["Status"] == "deleting"

        found = find_resources(ws.client, ws.prefix)
        assert {("rds:db-proxy", ws.name("proxy")), ("rds:db-instance", ws.name("db")),
                ("rds:db-subnet-group", subnet_group)} <= {(r.kind, r.name) for r in found}  # fmt: skip
        assert set(delete_resources(ws.client, found)) == set(found)
        assert rds.describe_db_proxies()["DBProxies"] == []
        assert rds.describe_db_instances()["DBInstances"] == []
        assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
        assert find_resources(ws.client, ws.prefix) == []
        assert delete_resources(ws.client, find_resources(ws.client, ws.prefix)) == []


def _cleanup_cli(cloud: pocketcloud.Cloud, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **cloud.env(), "POCKETCLOUD_STATE_DIR": str(cloud.settings.state_dir),
           "WORKSHOP_TARGET": "local"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "helpers.cleanup", *args], cwd=REPO_ROOT, env=env, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip


def test_the_cleanup_command_lists_asks_and_deletes_only_the_workshops(
    make_cloud: Callable[..., pocketcloud.Cloud],
) -> None:
    cloud = make_cloud()
    secrets = cloud.client("secretsmanager")
    secrets.create_secret(
        Name="sas-db-master", SecretString="{}", Tags=[{"Key": "workshop", "Value": "serverless-at-scale"}]
    )
    secrets.create_secret(Name="sas-someone-elses", SecretString="{}")

    def names() -> set[str]:
        return {s["Name"] for s in secrets.list_secrets()["SecretList"]}

    listed = _cleanup_cli(cloud, "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert "sas-db-master" in listed.stdout and "sas-someone-elses" not in listed.stdout
    assert names() == {"sas-db-master", "sas-someone-elses"}, "a dry run deletes nothing"

    unasked = _cleanup_cli(cloud)  # no --yes and nobody at a terminal to answer
    assert unasked.returncode == 1 and "Nothing deleted" in unasked.stdout
    assert names() == {"sas-db-master", "sas-someone-elses"}

    deleted = _cleanup_cli(cloud, "--yes")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert names() == {"sas-someone-elses"}

    again = _cleanup_cli(cloud, "--yes")
    assert again.returncode == 0 and "Found 0 workshop resources" in again.stdout
    assert names() == {"sas-someone-elses"}
