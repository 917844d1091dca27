"""Find what the workshop created (its tag AND its name prefix) and delete it in an order that lets it go.

A resource is the workshop's only when it carries the workshop tag and its name starts with the prefix: in
a shared account someone else's ``sas-`` resources, or anything tagged by hand, are left alone. Kinds that
AWS cannot tag, or that another service creates, are found through their owner (see each finder). Every
delete tolerates "already gone", so a second run is a no-op and a half-finished cleanup can be resumed;
what is still in use (DependencyViolation and the like) is retried, and a stack whose deletion failed is
deleted again once Lambda has released its network interfaces.

Example::

    found = find_resources(ws.client, prefix="sas-")
    delete_resources(ws.client, found)

What each found resource costs per hour is ``helpers.measure.prices``' business.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from .resources import _GONE, ORDER, TAG_KEY, TAG_VALUE, ClientFactory, Resource, _error_code, _paginate
from .teardown import Waits, delete_resources

LAYER_MARK = f"{TAG_KEY}={TAG_VALUE}"  # in a layer version's description: Lambda layers take no tags


def _ours(name: str, tags: dict[str, str], prefix: str) -> bool:
    """The workshop's: named with the prefix AND tagged.

    >>> _ours("sas-db", {"workshop": "serverless-at-scale"}, "sas-"), _ours("sas-db", {}, "sas-")
    (True, False)
    >>> _ours("db", {"workshop": "serverless-at-scale"}, "sas-")
    False
    """
    return name.startswith(prefix) and tags.get(TAG_KEY) == TAG_VALUE


def _tag_dict(tags: Iterable[dict[str, str]] | None) -> dict[str, str]:
    """A tag list as every API the inventory reads answers it (boto3 spells the members Key and Value), as a dict.

    >>> _tag_dict([{"Key": "workshop", "Value": "serverless-at-scale"}]), _tag_dict(None)
    ({'workshop': 'serverless-at-scale'}, {})
    """
    return {t["Key"]: t["Value"] for t in tags or ()}


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


# Each finder reads tags only for names with the prefix: one tag call per candidate, none for the rest of a
# shared account. Kinds whose list call returns no tags (functions, roles, topics, RDS proxies and subnet
# groups, buckets, log groups) are asked one by one.


def _find_apis(client: ClientFactory, prefix: str) -> list[Resource]:
    apis = _paginate(client("apigateway"), "get_rest_apis", "items")
    return [
        Resource("apigateway:rest-api", a["id"], detail=a["name"])
        for a in apis
        if _ours(a["name"], a.get("tags", {}), prefix)
    ]


def _function_tags(lam: Any, name: str) -> dict[str, str] | None:
    """The function's tags, or None when there is no such function."""
    try:
        arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
        return dict(lam.list_tags(Resource=arn).get("Tags", {}))
    except ClientError as exc:
        if _error_code(exc) in _GONE:
            return None
        raise


def _find_functions(client: ClientFactory, prefix: str) -> list[Resource]:
    lam = client("lambda")
    out = []
    for fn in _paginate(lam, "list_functions", "Functions"):
        name = fn["FunctionName"]
        if name.startswith(prefix) and _ours(name, _function_tags(lam, name) or {}, prefix):
            out.append(Resource("lambda:function", name, detail=fn.get("Runtime", "")))
    # Lambda layers take no tags (TagResource accepts functions, event source mappings and code signing
    # configurations only), so helpers.aws.layers writes the workshop's tag into each version's description.
    for layer in _paginate(lam, "list_layers", "Layers"):
        description = (layer.get("LatestMatchingVersion") or {}).get("Description", "")
        if layer["LayerName"].startswith(prefix) and LAYER_MARK in description:
            out.append(Resource("lambda:layer", layer["LayerName"]))
    return out


def _find_buckets(client: ClientFactory, prefix: str) -> list[Resource]:
    s3 = client("s3")
    out = []
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        if not name.startswith(prefix):
            continue
        try:
            tags = _tag_dict(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
        except ClientError:  # NoSuchTagSet: an untagged bucket is not ours
            tags = {}
        if _ours(name, tags, prefix):
            out.append(Resource("s3:bucket", name))
    return out


def _find_topics(client: ClientFactory, prefix: str) -> list[Resource]:
    sns = client("sns")
    out = []
    for topic in _paginate(sns, "list_topics", "Topics"):
        arn = topic["TopicArn"]
        name = arn.rsplit(":", 1)[-1]
        if name.startswith(prefix) and _ours(name, _tag_dict(sns.list_tags_for_resource(ResourceArn=arn)["Tags"]),
                                             prefix):  # fmt: skip
            out.append(Resource("sns:topic", arn, detail=name))
    return out


def _rds_tags(rds: Any, arn: str) -> dict[str, str]:
    return _tag_dict(rds.list_tags_for_resource(ResourceName=arn).get("TagList"))


def _find_rds(client: ClientFactory, prefix: str) -> list[Resource]:
    rds = client("rds")
    out = []
    for proxy in _paginate(rds, "describe_db_proxies", "DBProxies"):  # a proxy still deleting is listed too
        name = proxy["DBProxyName"]
        if name.startswith(prefix) and _ours(name, _rds_tags(rds, proxy["DBProxyArn"]), prefix):
            out.append(Resource("rds:db-proxy", name, proxy.get("Status", "")))
    for db in _paginate(rds, "describe_db_instances", "DBInstances"):
        if _ours(db["DBInstanceIdentifier"], _tag_dict(db.get("TagList")), prefix):
            out.append(Resource("rds:db-instance", db["DBInstanceIdentifier"], db["DBInstanceClass"]))
    for group in _paginate(rds, "describe_db_subnet_groups", "DBSubnetGroups"):
        name = group["DBSubnetGroupName"]
        if name.startswith(prefix) and _ours(name, _rds_tags(rds, group["DBSubnetGroupArn"]), prefix):
            out.append(Resource("rds:db-subnet-group", name))
    return out


def _find_secrets(client: ClientFactory, prefix: str) -> list[Resource]:
    secrets = _paginate(client("secretsmanager"), "list_secrets", "SecretList")
    return [
        Resource("secretsmanager:secret", s["Name"])
        for s in secrets
        if _ours(s["Name"], _tag_dict(s.get("Tags")), prefix)
    ]


def _find_vpc_endpoints(client: ClientFactory, prefix: str) -> list[Resource]:
    """Endpoints have ids, not names: one is ours when tagged and in a VPC that is ours (tagged, and named
    with the prefix, as the workshop's stack names it)."""
    ec2 = client("ec2")
    tagged = [
        e
        for e in _paginate(ec2, "describe_vpc_endpoints", "VpcEndpoints")
        if e.get("State", "").lower() != "deleted" and _tag_dict(e.get("Tags")).get(TAG_KEY) == TAG_VALUE
    ]
    vpc_ids = sorted({e["VpcId"] for e in tagged})
    vpcs = ec2.describe_vpcs(VpcIds=vpc_ids)["Vpcs"] if vpc_ids else []
    our_vpcs = {v["VpcId"] for v in vpcs if _ours(_tag_dict(v.get("Tags")).get("Name", ""), _tag_dict(v.get("Tags")),
                                                  prefix)}  # fmt: skip
    return [
        Resource("ec2:vpc-endpoint", e["VpcEndpointId"], e.get("ServiceName", ""))
        for e in tagged
        if e["VpcId"] in our_vpcs
    ]


def _find_stacks(client: ClientFactory, prefix: str) -> list[Resource]:
    stacks = _paginate(client("cloudformation"), "describe_stacks", "Stacks")
    return [
        Resource("cloudformation:stack", s["StackName"], detail=s["StackStatus"])
        for s in stacks
        if s["StackStatus"] != "DELETE_COMPLETE" and _ours(s["StackName"], _tag_dict(s.get("Tags")), prefix)
    ]


def _find_log_groups(client: ClientFactory, prefix: str) -> list[Resource]:
    """Lambda creates /aws/lambda/<function> itself, untagged. A group is ours when it carries the workshop
    tag (the cleanup tags it before deleting its function, so it stays ours once the function is gone) or
    when its function exists and is ours."""
    logs, lam = client("logs"), client("lambda")
    out = []
    for group in _paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=f"/aws/lambda/{prefix}"):
        name = group["logGroupName"]
        function = name.removeprefix("/aws/lambda/")
        tags = dict(logs.list_tags_log_group(logGroupName=name).get("tags", {}))
        if _ours(function, tags, prefix) or _ours(function, _function_tags(lam, function) or {}, prefix):
            out.append(Resource("logs:log-group", name))
    return out


def _find_roles(client: ClientFactory, prefix: str) -> list[Resource]:
    iam = client("iam")
    return [
        Resource("iam:role", r["RoleName"])
        for r in _paginate(iam, "list_roles", "Roles")  # ListRoles returns no tags: ask per candidate
        if r["RoleName"].startswith(prefix)
        and _ours(r["RoleName"], _tag_dict(iam.list_role_tags(RoleName=r["RoleName"])["Tags"]), prefix)
    ]


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

__all__ = ["ORDER", "Resource", "Waits", "delete_resources", "find_resources", "only_named"]
