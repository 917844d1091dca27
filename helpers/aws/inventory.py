"""Find everything the workshop created and delete it in dependency order.

A resource belongs to the workshop when its name starts with the workshop prefix or it carries
the workshop tag, so resources a learner made by hand with the prefix are found too. Every
delete tolerates "already gone", which makes a second run a no-op and copes with half-deleted
states.

Example::

    found = find_resources(ws.client, prefix="sas-")
    delete_resources(ws.client, found)

What each found resource costs per hour is ``helpers.measure.prices``' business.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError

from .waiting import WaitFailed, poll, wait_for, wait_until

TAG_KEY = "workshop"
TAG_VALUE = "serverless-at-scale"
ClientFactory = Callable[[str], Any]

# Deletion order: consumers before what they depend on (API -> function -> DB -> network -> IAM).
ORDER = [
    "apigateway:rest-api",
    "lambda:function",
    "lambda:layer",
    "s3:bucket",
    "sns:topic",
    "rds:db-proxy",
    "rds:db-instance",
    "rds:db-subnet-group",
    "secretsmanager:secret",
    "ec2:vpc-endpoint",
    "cloudformation:stack",
    "logs:log-group",
    "iam:role",
]

_GONE = {
    "NotFoundException",
    "ResourceNotFoundException",
    "NoSuchBucket",
    "NotFound",
    "DBInstanceNotFound",
    "DBInstanceNotFoundFault",
    "DBProxyNotFoundFault",
    "DBSubnetGroupNotFoundFault",
    "NoSuchEntity",
    "InvalidDBInstanceState",
}


@dataclasses.dataclass(frozen=True)
class Resource:
    """One thing the workshop created: its kind (one of ``ORDER``), name or id, and a detail such as its
    instance class."""

    kind: str
    name: str
    detail: str = ""


def _ours(name: str, tags: dict[str, str], prefix: str) -> bool:
    return name.startswith(prefix) or tags.get(TAG_KEY) == TAG_VALUE


def _tag_dict(tags: Iterable[dict[str, str]] | dict[str, str] | None) -> dict[str, str]:
    if not tags:
        return {}
    if isinstance(tags, dict):
        return dict(tags)
    return {t.get("Key", t.get("key", "")): t.get("Value", t.get("value", "")) for t in tags}


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    if client.can_paginate(operation):
        return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]
    items: list[Any] = getattr(client, operation)(**kwargs).get(key, [])
    return items


def find_resources(client: ClientFactory, prefix: str) -> list[Resource]:
    """Every workshop resource across the services the workshop uses, in deletion order."""
    found: list[Resource] = []
    for finder in _FINDERS:
        found.extend(finder(client, prefix))
    return sorted(found, key=lambda r: (ORDER.index(r.kind), r.name))


def only_named(found: Iterable[Resource], names: set[str]) -> list[Resource]:
    """The resources among ``found`` whose name, detail or ARN's last part is one of ``names``.

    >>> only_named([Resource("sns:topic", "arn:aws:sns:us-east-1:1:sas-uploads"), Resource("iam:role", "x")],
    ...            {"sas-uploads"})
    [Resource(kind='sns:topic', name='arn:aws:sns:us-east-1:1:sas-uploads', detail='')]
    """
    return [r for r in found if r.name in names or r.detail in names or r.name.split(":")[-1] in names]


def _find_apis(client: ClientFactory, prefix: str) -> list[Resource]:
    apis = _paginate(client("apigateway"), "get_rest_apis", "items")
    return [
        Resource("apigateway:rest-api", a["id"], detail=a["name"])
        for a in apis
        if _ours(a["name"], a.get("tags", {}), prefix)
    ]


def _find_functions(client: ClientFactory, prefix: str) -> list[Resource]:
    lam = client("lambda")
    out = []
    for fn in _paginate(lam, "list_functions", "Functions"):
        tags = (
            {} if fn["FunctionName"].startswith(prefix) else lam.list_tags(Resource=fn["FunctionArn"]).get("Tags", {})
        )
        if _ours(fn["FunctionName"], tags, prefix):
            out.append(Resource("lambda:function", fn["FunctionName"], detail=fn.get("Runtime", "")))
    for layer in _paginate(lam, "list_layers", "Layers"):
        if layer["LayerName"].startswith(prefix):
            out.append(Resource("lambda:layer", layer["LayerName"]))
    return out


def _find_buckets(client: ClientFactory, prefix: str) -> list[Resource]:
    s3 = client("s3")
    out = []
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        tags: dict[str, str] = {}
        if not name.startswith(prefix):
            try:
                tags = _tag_dict(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
            except ClientError:
                tags = {}
        if _ours(name, tags, prefix):
            out.append(Resource("s3:bucket", name))
    return out


def _find_topics(client: ClientFactory, prefix: str) -> list[Resource]:
    topics = _paginate(client("sns"), "list_topics", "Topics")
    names = [(t["TopicArn"], t["TopicArn"].rsplit(":", 1)[-1]) for t in topics]
    return [Resource("sns:topic", arn, detail=name) for arn, name in names if name.startswith(prefix)]


def _find_rds(client: ClientFactory, prefix: str) -> list[Resource]:
    rds = client("rds")
    out = []
    for proxy in _paginate(rds, "describe_db_proxies", "DBProxies"):
        if proxy["DBProxyName"].startswith(prefix):
            out.append(Resource("rds:db-proxy", proxy["DBProxyName"]))
    for db in _paginate(rds, "describe_db_instances", "DBInstances"):
        if _ours(db["DBInstanceIdentifier"], _tag_dict(db.get("TagList")), prefix):
            out.append(Resource("rds:db-instance", db["DBInstanceIdentifier"], db["DBInstanceClass"]))
    for group in _paginate(rds, "describe_db_subnet_groups", "DBSubnetGroups"):
        if group["DBSubnetGroupName"].startswith(prefix):
            out.append(Resource("rds:db-subnet-group", group["DBSubnetGroupName"]))
    return out


def _find_secrets(client: ClientFactory, prefix: str) -> list[Resource]:
    secrets = _paginate(client("secretsmanager"), "list_secrets", "SecretList")
    return [
        Resource("secretsmanager:secret", s["Name"])
        for s in secrets
        if _ours(s["Name"], _tag_dict(s.get("Tags")), prefix)
    ]


def _find_vpc_endpoints(client: ClientFactory, prefix: str) -> list[Resource]:
    endpoints = _paginate(client("ec2"), "describe_vpc_endpoints", "VpcEndpoints")
    return [
        Resource("ec2:vpc-endpoint", e["VpcEndpointId"], e.get("ServiceName", ""))
        for e in endpoints
        if e.get("State", "").lower() not in ("deleted", "deleting")
        and _tag_dict(e.get("Tags")).get(TAG_KEY) == TAG_VALUE
    ]


def _find_stacks(client: ClientFactory, prefix: str) -> list[Resource]:
    stacks = _paginate(client("cloudformation"), "describe_stacks", "Stacks")
    return [
        Resource("cloudformation:stack", s["StackName"], detail=s["StackStatus"])
        for s in stacks
        if s["StackStatus"] != "DELETE_COMPLETE" and _ours(s["StackName"], _tag_dict(s.get("Tags")), prefix)
    ]


def _find_log_groups(client: ClientFactory, prefix: str) -> list[Resource]:
    groups = _paginate(client("logs"), "describe_log_groups", "logGroups", logGroupNamePrefix=f"/aws/lambda/{prefix}")
    return [Resource("logs:log-group", g["logGroupName"]) for g in groups]


def _find_roles(client: ClientFactory, prefix: str) -> list[Resource]:
    roles = _paginate(client("iam"), "list_roles", "Roles")
    return [Resource("iam:role", r["RoleName"]) for r in roles if r["RoleName"].startswith(prefix)]


_FINDERS = [
    _find_apis,
    _find_functions,
    _find_buckets,
    _find_topics,
    _find_rds,
    _find_secrets,
    _find_vpc_endpoints,
    _find_stacks,
    _find_log_groups,
    _find_roles,
]


def delete_resources(
    client: ClientFactory,
    resources: Iterable[Resource],
    *,
    wait_seconds: float = 900,
    on_deleted: Callable[[Resource], None] | None = None,
) -> list[Resource]:
    """Delete ``resources`` in dependency order, waiting where the next step needs it gone first.

    Returns what was deleted; what was already gone counts as deleted.
    """
    done = []
    for resource in sorted(resources, key=lambda r: ORDER.index(r.kind)):
        try:
            _DELETERS[resource.kind](client, resource.name, wait_seconds)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in _GONE:
                raise
        done.append(resource)
        if on_deleted:
            on_deleted(resource)
    return done


def _delete_api(client: ClientFactory, api_id: str, _: float) -> None:
    client("apigateway").delete_rest_api(restApiId=api_id)


def _delete_function(client: ClientFactory, name: str, _: float) -> None:
    lam = client("lambda")
    for config in _paginate(
        lam, "list_provisioned_concurrency_configs", "ProvisionedConcurrencyConfigs", FunctionName=name
    ):
        qualifier = config["FunctionArn"].rsplit(":", 1)[-1]
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
    for mapping in _paginate(lam, "list_event_source_mappings", "EventSourceMappings", FunctionName=name):
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    lam.delete_function(FunctionName=name)


def _delete_layer(client: ClientFactory, name: str, _: float) -> None:
    lam = client("lambda")
    for version in _paginate(lam, "list_layer_versions", "LayerVersions", LayerName=name):
        lam.delete_layer_version(LayerName=name, VersionNumber=version["Version"])


def _delete_bucket(client: ClientFactory, name: str, _: float) -> None:
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


def _delete_topic(client: ClientFactory, arn: str, _: float) -> None:
    client("sns").delete_topic(TopicArn=arn)


def _delete_proxy(client: ClientFactory, name: str, wait_seconds: float) -> None:
    rds = client("rds")
    rds.delete_db_proxy(DBProxyName=name)

    def gone() -> bool | None:
        try:
            rds.describe_db_proxies(DBProxyName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _GONE:
                return True
        return None

    wait_until(
        gone, f"DB proxy {name} being deleted", timeout_s=wait_seconds, estimate_s=5, interval_s=2, progress=False
    )


def _delete_instance(client: ClientFactory, name: str, wait_seconds: float) -> None:
    rds = client("rds")
    status = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]
    if status != "deleting":
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    wait_for(rds, "db_instance_deleted", f"DB instance {name} being deleted", timeout_s=wait_seconds, estimate_s=5,
             interval_s=5, progress=False, DBInstanceIdentifier=name)  # fmt: skip


def _delete_subnet_group(client: ClientFactory, name: str, _: float) -> None:
    client("rds").delete_db_subnet_group(DBSubnetGroupName=name)


def _delete_secret(client: ClientFactory, name: str, _: float) -> None:
    client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def _delete_vpc_endpoint(client: ClientFactory, endpoint_id: str, _: float) -> None:
    client("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])


def _delete_stack(client: ClientFactory, name: str, wait_seconds: float) -> None:
    """Delete the stack once Lambda has let go of its network; a DELETE_FAILED stack is deleted again.

    Lambda keeps a deleted VPC function's network interfaces for a while (on AWS up to ~40 minutes), and
    while they exist their subnets and security groups cannot be deleted (DependencyViolation), so the
    stack's deletion fails. Waiting for them first, and retrying a failed deletion, recovers.
    """
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
            _wait_for_lambda_interfaces(client, vpc_id, wait_seconds)
        cfn.delete_stack(StackName=name)
        try:
            wait_for(cfn, "stack_delete_complete", f"stack {name} being deleted", timeout_s=wait_seconds,
                     estimate_s=5, interval_s=5, progress=False, StackName=name)  # fmt: skip
            return
        except WaitFailed:
            if attempt == 2:
                raise


def _wait_for_lambda_interfaces(client: ClientFactory, vpc_id: str, wait_seconds: float) -> None:
    ec2 = client("ec2")

    def lambda_interfaces() -> list[str]:
        found = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkInterfaces"]
        return [i["NetworkInterfaceId"] for i in found if i.get("InterfaceType") == "lambda"]

    poll(lambda_interfaces, lambda left: not left, f"Lambda's network interfaces in {vpc_id} being released",
         timeout_s=wait_seconds, estimate_s=5, interval_s=2)  # fmt: skip


def _delete_log_group(client: ClientFactory, name: str, _: float) -> None:
    client("logs").delete_log_group(logGroupName=name)


def _delete_role(client: ClientFactory, name: str, _: float) -> None:
    iam = client("iam")
    for policy in _paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in _paginate(iam, "list_role_policies", "PolicyNames", RoleName=name):
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    for profile in _paginate(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name):
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    iam.delete_role(RoleName=name)


_DELETERS: dict[str, Callable[[ClientFactory, str, float], None]] = {
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
