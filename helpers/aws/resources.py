"""What the inventory and the deletion share: the resource record, the deletion order, tags and error codes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from ..session import TAGS

((TAG_KEY, TAG_VALUE),) = TAGS.items()
ClientFactory = Callable[[str], Any]

# Deletion order: consumers before what they depend on (API -> function -> DB -> network -> IAM). Functions
# go first so that Lambda starts releasing their network interfaces at once; roles go last, because Lambda
# uses the function's role to delete those interfaces.
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
    "InvalidVpcEndpointId.NotFound",
}

# Still in use by something being deleted: try again until it is gone (EC2's DependencyViolation while
# Lambda's interfaces hold a subnet, IAM's DeleteConflict, RDS while the instance using it is deleting).
_BUSY = {
    "DependencyViolation",
    "DeleteConflict",
    "InvalidDBSubnetGroupStateFault",
    "InvalidDBInstanceState",
    "InvalidDBProxyStateFault",
    "ResourceConflictException",
}


@dataclasses.dataclass(frozen=True)
class Resource:
    """One thing the workshop created: its kind (one of ``ORDER``), name or id, and a detail such as its
    instance class."""

    kind: str
    name: str
    detail: str = ""


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    if client.can_paginate(operation):
        return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]
    items: list[Any] = getattr(client, operation)(**kwargs).get(key, [])
    return items
