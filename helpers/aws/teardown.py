"""Delete workshop resources in an order AWS lets go of them, resuming from any half-deleted state.

Functions go first and roles last: Lambda keeps a deleted VPC function's network interfaces for a while
(on AWS up to ~40 minutes) and removes them with the function's role; until they are gone their subnets and
security groups answer DependencyViolation and the VPC stack's deletion fails. So each deletion retries what
is still in use, the stack is deleted once the VPC's service-managed interfaces are gone (and again if it
ended DELETE_FAILED), and a resource that does not go within its time is reported, not raised, so the rest
still goes (the roles stay when a function or the network did not: Lambda needs them).

Example::

    delete_resources(ws.client, find_resources(ws.client, ws.prefix), waits=Waits(usual_s=120))
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterable

from botocore.exceptions import ClientError, WaiterError

from ..session import PREFIX
from ..text import say
from .iam import boundary_arn
from .resources import _BUSY, _GONE, ORDER, TAG_KEY, TAG_VALUE, ClientFactory, Resource, _error_code, _paginate
from .waiting import WaitFailed, poll, wait_for


@dataclasses.dataclass(frozen=True)
class Waits:
    """How long deletions may take, and the usual durations the progress bars count against.

    ``timeout_s`` bounds one resource's deletion; ``network_timeout_s`` the wait for Lambda's network
    interfaces (AWS: up to ~40 minutes after the function is deleted).
    """

    timeout_s: float = 900
    network_timeout_s: float = 2700
    usual_s: float = 5
    usual_network_s: float = 5
    progress: bool = True


# A failure of these leaves network interfaces that Lambda removes with the function's role: keep the roles.
_NEEDS_ROLES = {"lambda:function", "ec2:vpc-endpoint", "cloudformation:stack"}


def delete_resources(
    client: ClientFactory,
    resources: Iterable[Resource],
    *,
    waits: Waits | None = None,
    on_deleted: Callable[[Resource], None] | None = None,
) -> list[Resource]:
    """Delete ``resources`` in dependency order, waiting where the next step needs one gone first.

    Returns what was deleted (what was already gone counts); what could not be deleted in time is printed
    with the reason and left for the next run.
    """
    waits = waits or Waits()
    done: list[Resource] = []
    keep_roles = False
    for resource in sorted(resources, key=lambda r: ORDER.index(r.kind)):
        if resource.kind == "iam:role" and keep_roles:
            print(say("aws.teardown.kept_role", name=resource.name))
            continue
        try:
            _while_busy(functools.partial(_DELETERS[resource.kind], client, resource.name, waits), resource, waits)
        except ClientError as exc:
            if _error_code(exc) not in _GONE:
                keep_roles |= _failed(resource, f"{_error_code(exc)}: {exc}")
                continue
        except (WaitFailed, WaiterError, TimeoutError) as exc:
            keep_roles |= _failed(resource, str(exc))
            continue
        done.append(resource)
        if on_deleted:
            on_deleted(resource)
    return done


def _failed(resource: Resource, reason: str) -> bool:
    print(say("aws.teardown.could_not_delete", kind=resource.kind, name=resource.name, reason=reason))
    return resource.kind in _NEEDS_ROLES


def _while_busy(delete: Callable[[], None], resource: Resource, waits: Waits) -> None:
    """``delete()``, tried again while AWS answers that the resource is still in use."""

    def attempt() -> str | None:
        try:
            delete()
        except ClientError as exc:
            if _error_code(exc) in _BUSY:
                return _error_code(exc)
            raise
        return None

    poll(attempt, lambda busy: busy is None, say("aws.teardown.in_use", kind=resource.kind, name=resource.name),
         timeout_s=waits.timeout_s, estimate_s=waits.usual_s, interval_s=2, progress=waits.progress)  # fmt: skip


def _delete_api(client: ClientFactory, api_id: str, _: Waits) -> None:
    client("apigateway").delete_rest_api(restApiId=api_id)


def _delete_function(client: ClientFactory, name: str, _: Waits) -> None:
    lam = client("lambda")
    # Lambda made the log group untagged; tagged now, it is still found as ours once the function is gone.
    with contextlib.suppress(client("logs").exceptions.ResourceNotFoundException):
        client("logs").tag_log_group(logGroupName=f"/aws/lambda/{name}", tags={TAG_KEY: TAG_VALUE})
    for config in _paginate(
        lam, "list_provisioned_concurrency_configs", "ProvisionedConcurrencyConfigs", FunctionName=name
    ):
        qualifier = config["FunctionArn"].rsplit(":", 1)[-1]
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
    for mapping in _paginate(lam, "list_event_source_mappings", "EventSourceMappings", FunctionName=name):
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    lam.delete_function(FunctionName=name)


def _delete_layer(client: ClientFactory, name: str, _: Waits) -> None:
    lam = client("lambda")
    for version in _paginate(lam, "list_layer_versions", "LayerVersions", LayerName=name):
        lam.delete_layer_version(LayerName=name, VersionNumber=version["Version"])


def _delete_bucket(client: ClientFactory, name: str, _: Waits) -> None:
    s3 = client("s3")
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={})
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        keys = [
            {"Key": o["Key"], "VersionId": o["VersionId"]}
            for o in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def _delete_topic(client: ClientFactory, arn: str, _: Waits) -> None:
    client("sns").delete_topic(TopicArn=arn)


def _delete_proxy(client: ClientFactory, name: str, waits: Waits) -> None:
    """Delete the proxy (unless it is already deleting, as after an interrupted cleanup) and wait until it
    is gone: the instance and subnet group it uses cannot go before."""
    rds = client("rds")

    def status() -> str | None:
        try:
            return str(rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]["Status"])
        except ClientError as exc:
            if _error_code(exc) in _GONE:
                return None
            raise

    if status() not in ("deleting", None):
        rds.delete_db_proxy(DBProxyName=name)
    poll(status, lambda s: s is None, say("aws.teardown.proxy_deleting", name=name), timeout_s=waits.timeout_s,
         estimate_s=waits.usual_s, interval_s=2, progress=waits.progress)  # fmt: skip


def _delete_instance(client: ClientFactory, name: str, waits: Waits) -> None:
    rds = client("rds")
    status = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]
    if status != "deleting":
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    wait_for(rds, "db_instance_deleted", say("aws.teardown.instance_deleting", name=name), timeout_s=waits.timeout_s,
             estimate_s=waits.usual_s, interval_s=5, progress=waits.progress, DBInstanceIdentifier=name)  # fmt: skip


def _delete_subnet_group(client: ClientFactory, name: str, _: Waits) -> None:
    client("rds").delete_db_subnet_group(DBSubnetGroupName=name)


def _delete_secret(client: ClientFactory, name: str, _: Waits) -> None:
    client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def _delete_vpc_endpoint(client: ClientFactory, endpoint_id: str, waits: Waits) -> None:
    """Delete the endpoint and wait until it is deleted: its network interfaces hold the stack's subnets."""
    ec2 = client("ec2")

    def state() -> str | None:
        try:
            found = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
        except ClientError as exc:
            if _error_code(exc) in _GONE:
                return None
            raise
        return str(found[0]["State"]).lower() if found and found[0]["State"].lower() != "deleted" else None

    if state() not in ("deleting", None):
        # DeleteVpcEndpoints reports a failed id in Unsuccessful rather than raising.
        for failure in ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("Unsuccessful", []):
            error = failure.get("Error", {})
            raise ClientError({"Error": {"Code": error.get("Code", ""), "Message": error.get("Message", "")}},
                              "DeleteVpcEndpoints")  # fmt: skip
    what = say("aws.teardown.endpoint_deleting", endpoint=endpoint_id)
    poll(state, lambda s: s is None, what, timeout_s=waits.timeout_s, estimate_s=waits.usual_s, interval_s=2,
         progress=waits.progress)  # fmt: skip


def _delete_stack(client: ClientFactory, name: str, waits: Waits) -> None:
    """Delete the stack once the VPC's service-managed network interfaces are gone; a stack that ends
    DELETE_FAILED (an interface came back, or was slower) is deleted again, retaining nothing."""
    cfn = client("cloudformation")
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:  # a deleted stack, asked for by name: "Stack with id NAME does not exist"
        if "does not exist" in str(exc):
            return
        raise
    vpc_id = next((o["OutputValue"] for o in stacks[0].get("Outputs", []) if o["OutputKey"] == "VpcId"), None)
    for attempt in range(3):
        if vpc_id:
            _wait_for_service_interfaces(client, vpc_id, waits)
        cfn.delete_stack(StackName=name)
        try:
            what = say("aws.teardown.stack_deleting", name=name)
            wait_for(cfn, "stack_delete_complete", what, timeout_s=waits.timeout_s,
                     estimate_s=waits.usual_s, interval_s=5, progress=waits.progress, StackName=name)  # fmt: skip
            return
        except WaitFailed:  # DELETE_FAILED: what held a resource is waited for above, then deleted again
            if attempt == 2:
                raise


def _wait_for_service_interfaces(client: ClientFactory, vpc_id: str, waits: Waits) -> None:
    """Wait until no network interface that a service manages (Lambda's, an endpoint's, RDS's) is left in
    the VPC: they go by themselves, and until they do the VPC's subnets and groups cannot be deleted."""
    ec2 = client("ec2")

    def left() -> list[str]:
        found = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkInterfaces"]
        return [i["NetworkInterfaceId"] for i in found if i.get("RequesterManaged") or i.get("InterfaceType") in
                ("lambda", "vpc_endpoint")]  # fmt: skip

    poll(left, lambda ids: not ids, say("aws.teardown.releasing_interfaces", vpc=vpc_id),
         timeout_s=waits.network_timeout_s, estimate_s=waits.usual_network_s, interval_s=5,
         progress=waits.progress)  # fmt: skip


def _delete_log_group(client: ClientFactory, name: str, _: Waits) -> None:
    client("logs").delete_log_group(logGroupName=name)


def _delete_role(client: ClientFactory, name: str, _: Waits) -> None:
    iam = client("iam")
    role = iam.get_role(RoleName=name)["Role"]
    if name.startswith(PREFIX) and "PermissionsBoundary" not in role:
        # A sas- role made before the workshop's boundary existed: the learner's policy removes a role's
        # policies only when it carries the boundary, so it gets it first (the role is about to go anyway).
        account = role["Arn"].split(":")[4]
        with contextlib.suppress(iam.exceptions.NoSuchEntityException):  # no boundary in this account
            iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary_arn(account))
    for policy in _paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in _paginate(iam, "list_role_policies", "PolicyNames", RoleName=name):
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    for profile in _paginate(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name):
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    iam.delete_role(RoleName=name)


_DELETERS: dict[str, Callable[[ClientFactory, str, Waits], None]] = {
    "apigateway:rest-api": _delete_api,
    "lambda:function": _delete_function,
    "lambda:layer": _delete_layer,
    "s3:bucket": _delete_bucket,
    "sns:topic": _delete_topic,
    "rds:db-proxy": _delete_proxy,
    "rds:db-instance": _delete_instance,
    "rds:db-subnet-group": _delete_subnet_group,
    "secretsmanager:secret": _delete_secret,
    "ec2:vpc-endpoint": _delete_vpc_endpoint,
    "cloudformation:stack": _delete_stack,
    "logs:log-group": _delete_log_group,
    "iam:role": _delete_role,
}
assert set(_DELETERS) == set(ORDER), "every kind the inventory finds has a deleter"
