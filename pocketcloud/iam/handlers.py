"""The IAM service at the edge: functions' signed requests checked, IAM's changes watched, GetCallerIdentity.

Every request that reaches aiohttp passes :func:`check` (the edge's ``authorizer``) before it is routed; for
a key pocketcloud did not issue, that is one dictionary look-up. Lambda's Invoke on the fast lane is
checked by the Lambda handler itself through :func:`check_invoke`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from aiohttp import web

from ..moto_bridge import _environ
from .actions import Operation, parse_operation, quick_operation
from .errors import serialize_error

if TYPE_CHECKING:
    from ..edge import AwsRequest
    from ..lambda_.credentials import Caller
    from .service import IamService, Refusal

# IAM operations that can change what a role grants or who may assume it, and CloudFormation operations
# that can create, change or delete roles: after each, pocketcloud records the roles' new versions.
ROLE_CHANGES = (
    "CreateRole", "DeleteRole", "UpdateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy",
    "AttachRolePolicy", "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
    "CreatePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicyVersion", "DeletePolicy", "TagRole", "UntagRole",
)  # fmt: skip
STACK_CHANGES = ("CreateStack", "UpdateStack", "DeleteStack", "ExecuteChangeSet")
# How each protocol answers a session token that does not belong to the access key (AWS answers the same
# for a token it does not know): (code, status).
_BAD_TOKEN = {
    "query": ("InvalidClientTokenId", 403),
    "ec2": ("AuthFailure", 401),
    "rest-xml": ("InvalidToken", 400),
    "rest-json": ("UnrecognizedClientException", 403),
}
BAD_TOKEN_MESSAGE = "The security token included in the request is invalid."


def install(service: IamService) -> None:
    edge = service.server.edge
    credentials = service.server.lambda_.credentials

    async def check(request: web.Request, authorization: str) -> web.StreamResponse | None:
        caller = credentials.caller_of_authorization(authorization)
        if caller is None or not service.enforcing:
            return None
        return await _check(service, caller, request, authorization)

    async def record_role_changes(aws: AwsRequest) -> web.StreamResponse:
        answer = await service.server.moto.forward(aws.request, aws.body)
        await service.server.moto.run(service.observe_roles)
        return answer

    async def caller_identity(aws: AwsRequest) -> web.StreamResponse | None:
        caller = credentials.caller_of_authorization(aws.request.headers.get("Authorization", ""))
        if caller is None:
            return None
        return _caller_identity(service, caller)

    edge.authorizer = check
    for action in ROLE_CHANGES:
        edge.intercept("iam", action, record_role_changes)
    for action in STACK_CHANGES:
        edge.intercept("cloudformation", action, record_role_changes)
    edge.intercept("sts", "GetCallerIdentity", caller_identity)


async def _check(service: IamService, caller: Caller, request: web.Request, authorization: str) -> web.Response | None:
    scope = authorization.partition("Credential=")[2].partition(",")[0].split("/")
    region, signing_name = (scope[2], scope[3]) if len(scope) >= 4 else (service.server.settings.region, "")
    body = await request.read()
    operation = quick_operation(request.headers, body, request.query_string, signing_name, region, caller.account_id)
    if operation is None:
        operation = parse_operation(_environ(request, body), signing_name, region, caller.account_id)
    refusal = _token_refusal(caller, operation, request.headers.get("X-Amz-Security-Token"))
    if refusal is None:
        refusal = service.authorize(caller, operation)
    if refusal is None:
        return None
    status, headers, payload = refusal
    return web.Response(status=status, body=payload, headers=headers)


def _token_refusal(caller: Caller, operation: Operation, token: str | None) -> Refusal | None:
    """Temporary credentials are only valid with their session token (IAM User Guide: *Use temporary
    credentials with AWS resources*)."""
    if token == caller.session_token:
        return None
    code, status = _BAD_TOKEN.get(operation.protocol, ("UnrecognizedClientException", 400))
    return serialize_error(operation, code, BAD_TOKEN_MESSAGE, status)


def check_invoke(
    service: IamService, caller: Caller, function: str, qualifier: str | None, token: str | None
) -> Refusal | None:
    """The refusal of a fast-lane Invoke signed by ``caller`` (``lambda:InvokeFunction`` on the function), or None."""
    if not service.enforcing:
        return None
    settings = service.server.settings
    params = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
    operation = Operation("lambda", "lambda", "rest-json", "Invoke", params, settings.region, caller.account_id)
    return _token_refusal(caller, operation, token) or service.authorize(caller, operation)


def _caller_identity(service: IamService, caller: Caller) -> web.Response:
    """GetCallerIdentity for a function: its role session, as on AWS (``AROA...:FUNCTION``)."""
    state = service.roles.latest(caller.role_name)
    user_id = f"{state.role_id if state else 'AROA' + 'X' * 17}:{caller.function}"
    xml = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        f"<Arn>{escape(caller.arn)}</Arn><UserId>{escape(user_id)}</UserId><Account>{caller.account_id}</Account>"
        f"</GetCallerIdentityResult><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    )
    return web.Response(body=xml.encode(), content_type="text/xml")
