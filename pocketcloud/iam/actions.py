"""What a signed request asks: its IAM action and the resource IAM checks it on.

The operation comes from moto's own request routing and parsing (``moto.core.routing``,
``moto.core.parse``), which know every protocol botocore speaks (query, JSON, REST, RPC v2 CBOR); the
IAM action is the service's IAM prefix and the operation's name, except where the *Service
Authorization Reference* names it otherwise (``lambda:Invoke`` is authorized as
``lambda:InvokeFunction``, S3's ``ListObjectsV2`` as ``s3:ListBucket`` ...). The resource is the ARN the
Service Authorization Reference lists for the action, built from the request's parameters, for the
services a function in this workshop calls and a few more; an action with no resource type, or one
pocketcloud has no rule for, is checked on ``*`` (which only a statement with ``Resource: "*"`` or a
wildcard covering everything matches).
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlparse

# SigV4 signing names whose IAM prefix differs (the rest sign with their IAM prefix).
_IAM_PREFIX = {"monitoring": "cloudwatch", "email": "ses"}
# SigV4 signing names whose botocore service name differs.
_BOTOCORE_NAME = {"monitoring": "cloudwatch", "email": "ses", "states": "stepfunctions"}
# Operations authorized under another action name (Service Authorization Reference).
_ACTION_OF = {
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
    ("lambda", "InvokeAsync"): "InvokeFunction",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "GetObjectAttributes"): "GetObject",
    ("s3", "CopyObject"): "PutObject",
    ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject",
    ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "DeleteObjects"): "DeleteObject",
}


@dataclasses.dataclass(frozen=True)
class Operation:
    """One request, as IAM sees it."""

    service: str  # botocore's service name, e.g. "secretsmanager"
    signing_name: str  # SigV4 signing name, e.g. "monitoring"
    protocol: str  # e.g. "json", "query", "rest-json"
    name: str  # the API operation, e.g. "GetSecretValue"; "" when the request matched none
    params: dict[str, Any]
    region: str
    account_id: str

    @property
    def action(self) -> str:
        """The IAM action, e.g. ``secretsmanager:GetSecretValue``."""
        prefix = _IAM_PREFIX.get(self.signing_name, self.signing_name)
        return f"{prefix}:{_ACTION_OF.get((self.service, self.name), self.name)}"


def botocore_name(signing_name: str) -> str:
    return _BOTOCORE_NAME.get(signing_name, signing_name)


def quick_operation(
    headers: Mapping[str, str], body: bytes, query_string: str, signing_name: str, region: str, account_id: str
) -> Operation | None:
    """The operation of a JSON- or query-protocol request, read without moto (a tenth of the cost): the
    JSON protocol names it in ``X-Amz-Target`` and sends the parameters as they are; the query protocol
    names it in ``Action`` among flat form parameters. None for any other request (REST, CBOR)."""
    content_type = headers.get("Content-Type", "")
    service = botocore_name(signing_name)
    target = headers.get("X-Amz-Target")
    if target and "json" in content_type:
        try:
            params = json.loads(body) if body else {}
        except ValueError:
            return None
        if not isinstance(params, dict):
            return None
        return Operation(service, signing_name, "json", target.rpartition(".")[2], params, region, account_id)
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        form.update(parse_qsl(query_string, keep_blank_values=True))
        protocol = "ec2" if service == "ec2" else "query"
        return Operation(service, signing_name, protocol, form.pop("Action", ""), form, region, account_id)
    return None


def parse_operation(environ: dict[str, Any], signing_name: str, region: str, account_id: str) -> Operation:
    """The operation a WSGI request (``environ``, as moto receives it) calls, with its parameters."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import Request, determine_request_protocol
    from moto.core.routing import get_service_router
    from moto.core.utils import get_service_model

    service = botocore_name(signing_name)
    request = Request(environ)
    try:
        model = get_service_model(service)
        protocol = determine_request_protocol(model, request)
        operation, uri_params = get_service_router(service).match(request)
        parser = PROTOCOL_PARSERS[protocol](operation, map_type=dict)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params = parser.parse(
                {
                    "method": request.method,
                    "values": request.values,
                    "headers": request.headers,
                    "body": request.get_data(),
                    "url_path": request.path,
                    "url_params": uri_params,
                }
            )
    except Exception:  # an unknown service or operation, or a body moto cannot read: checked as "*"
        return Operation(service, signing_name, "", "", {}, region, account_id)
    return Operation(service, signing_name, protocol, str(operation.name), dict(params), region, account_id)


# -- resources ------------------------------------------------------------------------------------------

Resolver = Callable[[Operation, Any], "Resource"]


@dataclasses.dataclass(frozen=True)
class Resource:
    arn: str  # what statements are matched against; "*" when the action has no resource
    shown: str | None = None  # how AWS names it in an AccessDenied message, when not the ARN

    @property
    def in_message(self) -> str | None:
        if self.arn == "*" and self.shown is None:
            return None
        return self.shown if self.shown is not None else self.arn


ANY = Resource("*")


def resource_of(operation: Operation, moto: Any) -> Resource:
    """The resource IAM checks ``operation`` on; ``moto`` is the :class:`MotoBridge` (to find ARNs by name)."""
    resolver = _RESOLVERS.get(operation.service)
    if resolver is None or not operation.name:
        return ANY
    try:
        return resolver(operation, moto)
    except Exception:  # a parameter of an unexpected shape
        return ANY


def _arn(operation: Operation, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{operation.region}:{operation.account_id}:{resource}"


def _secretsmanager(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    secret_id = p.get("SecretId") or p.get("Name")
    if not secret_id:
        return ANY
    secret_id = str(secret_id)
    if secret_id.startswith("arn:"):
        return Resource(secret_id)
    found = moto.backend("secretsmanager", operation.region, operation.account_id).secrets.get(secret_id)
    # A secret's ARN ends in its name and six random characters; one not created yet has none.
    arn = found.arn if found is not None else _arn(operation, "secretsmanager", f"secret:{secret_id}")
    return Resource(arn, shown=secret_id)


def _sns(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    topic = p.get("TopicArn") or p.get("TargetArn") or p.get("ResourceArn")
    if topic:
        return Resource(str(topic))
    if operation.name == "CreateTopic" and p.get("Name"):
        return Resource(_arn(operation, "sns", str(p["Name"])))
    if p.get("SubscriptionArn"):
        return Resource(str(p["SubscriptionArn"]).rsplit(":", 1)[0])
    return ANY


def _lambda(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    if p.get("LayerName"):
        layer = str(p["LayerName"])
        arn = layer if layer.startswith("arn:") else _arn(operation, "lambda", f"layer:{layer}")
        return Resource(f"{arn}:{p['VersionNumber']}" if p.get("VersionNumber") else arn)
    function = p.get("FunctionName")
    if not function:
        return ANY
    return Resource(function_arn(str(function), p.get("Qualifier"), operation.region, operation.account_id))


def function_arn(function: str, qualifier: str | None, region: str, account_id: str) -> str:
    """A function's ARN from a name, partial or full ARN, qualified when a version or alias is named.

    >>> function_arn("hello", "2", "us-east-1", "123456789012")
    'arn:aws:lambda:us-east-1:123456789012:function:hello:2'
    """
    parts = function.split(":")
    if function.startswith("arn:"):
        name, inner = parts[6], (parts[7] if len(parts) > 7 else None)
        region, account_id = parts[3], parts[4]
    elif len(parts) >= 3 and parts[1] == "function":
        account_id, name, inner = parts[0], parts[2], (parts[3] if len(parts) > 3 else None)
    else:
        name, inner = parts[0], (parts[1] if len(parts) > 1 else None)
    qualifier = qualifier or inner
    arn = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def _logs(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    group = p.get("logGroupName")
    if not group:
        return ANY
    arn = _arn(operation, "logs", f"log-group:{group}")
    stream = p.get("logStreamName")
    return Resource(f"{arn}:log-stream:{stream}" if stream else arn)


def _s3(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    if not p.get("Bucket"):
        return ANY
    return Resource(f"arn:aws:s3:::{p['Bucket']}" + (f"/{p['Key']}" if p.get("Key") else ""))


def _sqs(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    url = p.get("QueueUrl")
    if url:
        path = urlparse(str(url)).path.strip("/").split("/")
        return Resource(_arn(operation, "sqs", path[-1]))
    if p.get("QueueName"):
        return Resource(_arn(operation, "sqs", str(p["QueueName"])))
    return ANY


def _dynamodb(operation: Operation, moto: Any) -> Resource:
    table = operation.params.get("TableName")
    return Resource(_arn(operation, "dynamodb", f"table/{table}")) if table else ANY


_ON_POLICY = ("GetPolicy", "GetPolicyVersion", "CreatePolicyVersion", "DeletePolicy", "SetDefaultPolicyVersion")


def _iam(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    if p.get("PolicyArn") and operation.name in _ON_POLICY:
        return Resource(str(p["PolicyArn"]))
    for key, kind in (("RoleName", "role"), ("UserName", "user"), ("GroupName", "group")):
        if p.get(key):
            return Resource(f"arn:aws:iam::{operation.account_id}:{kind}/{p[key]}")
    return ANY


def _sts(operation: Operation, moto: Any) -> Resource:
    role = operation.params.get("RoleArn")
    return Resource(str(role)) if role else ANY


def _rds(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    if p.get("DBInstanceIdentifier"):
        return Resource(_arn(operation, "rds", f"db:{p['DBInstanceIdentifier']}"))
    if operation.name == "DescribeDBInstances":
        return Resource(_arn(operation, "rds", "db:*"))
    if p.get("DBClusterIdentifier"):
        return Resource(_arn(operation, "rds", f"cluster:{p['DBClusterIdentifier']}"))
    return ANY


def _kms(operation: Operation, moto: Any) -> Resource:
    key = operation.params.get("KeyId")
    if not key:
        return ANY
    key = str(key)
    if key.startswith("arn:"):
        return Resource(key)
    return Resource(_arn(operation, "kms", key if key.startswith("alias/") else f"key/{key}"))


def _ssm(operation: Operation, moto: Any) -> Resource:
    name = operation.params.get("Name")
    if not name or str(name).startswith("arn:"):
        return Resource(str(name)) if name else ANY
    return Resource(_arn(operation, "ssm", f"parameter/{str(name).lstrip('/')}"))


def _events(operation: Operation, moto: Any) -> Resource:
    p = operation.params
    if operation.name == "PutEvents":
        buses = {str(e.get("EventBusName") or "default") for e in p.get("Entries") or []}
        bus = buses.pop() if len(buses) == 1 else "default"
        return Resource(bus if bus.startswith("arn:") else _arn(operation, "events", f"event-bus/{bus}"))
    return ANY


_RESOLVERS: dict[str, Resolver] = {
    "secretsmanager": _secretsmanager,
    "sns": _sns,
    "lambda": _lambda,
    "logs": _logs,
    "s3": _s3,
    "sqs": _sqs,
    "dynamodb": _dynamodb,
    "iam": _iam,
    "sts": _sts,
    "rds": _rds,
    "kms": _kms,
    "ssm": _ssm,
    "events": _events,
}
