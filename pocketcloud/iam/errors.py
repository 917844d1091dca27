"""AccessDenied as each AWS service answers it.

The code and HTTP status depend on the service's protocol: JSON protocols (Secrets Manager, CloudWatch
Logs, DynamoDB, KMS ...) answer ``AccessDeniedException`` with HTTP 400; REST-JSON services (Lambda,
X-Ray, API Gateway) ``AccessDeniedException`` with 403; query services (STS, IAM, RDS) ``AccessDenied``
with 403, SNS ``AuthorizationError`` with 403; EC2 ``UnauthorizedOperation`` with 403, its message
starting "You are not authorized to perform this operation."; S3 ``AccessDenied`` with 403; services
that kept query compatibility when they moved to JSON or CBOR (SQS, CloudWatch) the query code
``AccessDenied``. The body's framing (XML namespaces, ``__type``, CBOR, the query-compatibility header)
is moto's serializer for that service and protocol, so that every SDK parses it as it parses AWS's.

The message is IAM's (IAM User Guide, *Troubleshoot access denied error messages*)::

    User: arn:aws:sts::123456789012:assumed-role/ROLE/FUNCTION is not authorized to perform:
    secretsmanager:GetSecretValue on resource: SECRET because no identity-based policy allows the
    secretsmanager:GetSecretValue action

with "on resource: ..." left out for actions that have no resource, and "with an explicit deny in an
identity-based policy" when a Deny statement applied.
"""

from __future__ import annotations

import uuid
import warnings
from typing import Any

from .actions import Operation
from .policy import Decision

_QUERY_CODE = {"sns": "AuthorizationError"}
# Services whose messages spell the action's prefix their own way (SNS: "SNS:Publish").
_MESSAGE_PREFIX = {"sns": "SNS"}


def shown_action(operation: Operation, action: str) -> str:
    """The action as ``operation``'s service names it in an AccessDenied message."""
    prefix = _MESSAGE_PREFIX.get(operation.service)
    return f"{prefix}:{action.partition(':')[2]}" if prefix else action


def denial_message(principal_arn: str, action: str, resource: str | None, decision: Decision, boundary: bool) -> str:
    """IAM's AccessDenied message.

    >>> denial_message("P", "x:Y", None, Decision.EXPLICIT_DENY, False)
    'User: P is not authorized to perform: x:Y with an explicit deny in an identity-based policy'
    >>> denial_message("P", "x:Y", "R", Decision.IMPLICIT_DENY, False)
    'User: P is not authorized to perform: x:Y on resource: R because no identity-based policy allows the x:Y action'
    """
    on = f" on resource: {resource}" if resource else ""
    if decision is Decision.EXPLICIT_DENY:
        why = f"with an explicit deny in {'a permissions boundary' if boundary else 'an identity-based policy'}"
    else:
        why = f"because no {'permissions boundary' if boundary else 'identity-based policy'} allows the {action} action"
    return f"User: {principal_arn} is not authorized to perform: {action}{on} {why}"


def code_and_status(operation: Operation) -> tuple[str, int]:
    """The error code and HTTP status ``operation``'s service answers an access denial with."""
    protocol = operation.protocol
    if protocol == "ec2":
        return "UnauthorizedOperation", 403
    if protocol in ("query", "rest-xml"):
        return _QUERY_CODE.get(operation.service, "AccessDenied"), 403
    if protocol == "rest-json":
        return "AccessDeniedException", 403
    if operation.service in ("sqs", "cloudwatch"):  # query-compatible JSON / CBOR
        return "AccessDenied", 403 if operation.service == "cloudwatch" else 400
    return "AccessDeniedException", 400


def serialize_denial(operation: Operation, message: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the AccessDenied answer to ``operation``."""
    code, status = code_and_status(operation)
    if operation.protocol == "ec2":
        message = f"You are not authorized to perform this operation. {message}"
    return serialize_error(operation, code, message, status)


def serialize_error(operation: Operation, code: str, message: str, status: int) -> tuple[int, dict[str, str], bytes]:
    """An error in the shape ``operation``'s service and protocol use, through moto's serializer."""
    request_id = str(uuid.uuid4())
    try:
        from moto.core.exceptions import ServiceException
        from moto.core.serialize import SerializationContext, get_serializer_class
        from moto.core.utils import get_service_model

        model = get_service_model(operation.service)
        operation_model = model.operation_model(operation.name)
        serializer = get_serializer_class(operation.service, operation.protocol)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # moto warns about codes its models lack (AccessDenied in most)
            answer: Any = serializer(operation_model, SerializationContext(request_id)).serialize(
                ServiceException(code, message)
            )
        body = answer["body"]
        headers = {str(k): str(v) for k, v in answer["headers"].items()}
    except Exception:  # an operation moto's models lack: the JSON shape every SDK reads
        import json

        body = json.dumps({"__type": code, "message": message, "Message": message})
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    headers["x-amzn-RequestId"] = request_id
    return status, headers, body.encode() if isinstance(body, str) else bytes(body)
