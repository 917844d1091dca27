"""The IAM service: what a function's execution role lets it do, and what Lambda checks of a role.

- A request signed with credentials pocketcloud issued to an execution environment
  (:mod:`pocketcloud.lambda_.credentials`) is evaluated against the function's role as the rest of
  AWS sees it (:mod:`.roles`): its identity-based policies and permissions boundary
  (:mod:`.policy`), on the action and resource the request asks for (:mod:`.actions`). A denial is
  answered in the service's AccessDenied shape (:mod:`.errors`). Any other credentials (the
  learner's, the tests', dummy keys) are not evaluated: they keep full access.
- CreateFunction and UpdateFunctionConfiguration refuse a role Lambda cannot assume, and a VPC or
  Active-tracing function whose role lacks the permissions Lambda needs for it (:meth:`IamService.
  lambda_role_refusal`, called from the moto hooks in :mod:`.moto_hooks`).

``settings.enforce_rules = False`` turns both off; the credentials and ``GetCallerIdentity`` stay.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from . import handlers, moto_hooks
from .actions import ANY, Operation, Resource, resource_of
from .errors import denial_message, serialize_denial, shown_action
from .policy import Context, Decision, evaluate
from .request_keys import request_keys
from .roles import RoleHistory, RoleState, read_roles

if TYPE_CHECKING:
    from ..lambda_.credentials import Caller
    from ..server import Server

log = logging.getLogger("pocketcloud.iam")

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
# What Lambda checks a role for before it accepts a function (Lambda Developer Guide: "Giving Lambda
# functions access to resources in an Amazon VPC", "Visualize Lambda function invocations using AWS
# X-Ray"), each with the message it refuses with when the role lacks one.
VPC_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface")
TRACING_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."

Refusal = tuple[int, dict[str, str], bytes]  # status, headers, body


class IamService:
    name = "iam"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.roles = RoleHistory(server.settings.iam_propagation_seconds)
        self.allowed = 0
        self.denied = 0

    @property
    def enforcing(self) -> bool:
        return self.server.settings.enforce_rules

    # -- service lifecycle -------------------------------------------------------------------------
    def install(self) -> None:
        moto_hooks.install(self)
        handlers.install(self)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def status(self) -> dict[str, Any]:
        return {
            "enforcing": self.enforcing,
            "propagation_seconds": self.roles.delay_s,
            "settles_in_seconds": round(self.roles.settles_in(), 3),
            "issued_credentials": len(self.server.lambda_.credentials),
            "function_calls_allowed": self.allowed,
            "function_calls_denied": self.denied,
        }

    # -- IAM's changes ---------------------------------------------------------------------------------
    def observe_roles(self) -> list[str]:
        """Record every role's current version (call under the moto lock, after a change)."""
        return self.roles.observe(read_roles(self.server.moto.backend("iam")))

    # -- what a function's calls may do ------------------------------------------------------------
    def authorize(self, caller: Caller, operation: Operation) -> Refusal | None:
        """None when the caller's role allows ``operation``, else the service's AccessDenied answer."""
        if not self.enforcing:
            return None
        action = operation.action
        if action == "sts:GetCallerIdentity":
            # STS API reference: no permission is needed, and an explicit deny does not stop it.
            return None
        resource = resource_of(operation, self.server.moto) if operation.name else ANY
        decision, by_boundary = self.decide(caller, action, resource, request_keys(operation, self.server.moto))
        if decision is Decision.ALLOW:
            self.allowed += 1
            return None
        self.denied += 1
        message = denial_message(
            caller.arn, shown_action(operation, action), resource.in_message, decision, by_boundary
        )
        log.info("denied: %s", message)
        return serialize_denial(operation, message)

    def check_invoke(self, caller: Caller, function: str, qualifier: str | None, token: str | None) -> Refusal | None:
        """For Lambda's fast-lane Invoke: None when ``caller`` may invoke ``function``, else the refusal."""
        return handlers.check_invoke(self, caller, function, qualifier, token)

    def decide(
        self, caller: Caller, action: str, resource: Resource, service_keys: Context | None = None
    ) -> tuple[Decision, bool]:
        """The decision on ``action`` for ``caller``'s role as it is in force now; True when the
        permissions boundary decided it. ``service_keys`` are the request's service-specific condition keys
        (:func:`.request_keys.request_keys`)."""
        state = self.roles.in_force(caller.role_name)
        if state is None or state.arn != caller.role_arn:
            return Decision.IMPLICIT_DENY, False  # the role is gone (or not visible yet): it grants nothing
        context = {**self.context(caller, state, resource), **(service_keys or {})}
        return _decide(state, action, resource.arn, context)

    def context(self, caller: Caller, state: RoleState, resource: Resource) -> Context:
        """The request context keys pocketcloud knows for a call from a function (IAM User Guide: *AWS global
        condition context keys*; Lambda: ``lambda:SourceFunctionArn`` on calls made with the execution role's
        credentials). Keys it cannot know (aws:SourceIp, aws:SourceVpce, aws:ResourceTag/...) are absent,
        and conditions on them evaluate as AWS evaluates an absent key."""
        now = time.time()
        context: dict[str, str | list[str]] = {
            "aws:principalarn": caller.role_arn,  # for a role session, the role's ARN
            "aws:principalaccount": caller.account_id,
            "aws:principaltype": "AssumedRole",
            "aws:userid": f"{state.role_id}:{caller.function}",
            "aws:requestedregion": self.server.settings.region,
            "aws:securetransport": "true",  # SDKs reach AWS over HTTPS
            "aws:viaawsservice": "false",
            "aws:currenttime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "aws:epochtime": str(int(now)),
            "lambda:sourcefunctionarn": (
                f"arn:aws:lambda:{self.server.settings.region}:{caller.account_id}:function:{caller.function}"
            ),
        }
        for key, value in state.tags.items():
            context[f"aws:principaltag/{key.lower()}"] = value
        return context

    # -- what Lambda checks of a role ----------------------------------------------------------------
    def lambda_role_refusal(self, role_arn: str, in_vpc: bool, active_tracing: bool) -> str | None:
        """Why Lambda refuses ``role_arn`` for a function (InvalidParameterValueException's message), or None.

        Runs on a moto worker under the moto lock (from the CreateFunction and UpdateFunctionConfiguration hooks).
        """
        if not self.enforcing:
            return None
        self.observe_roles()  # any change IAM made by a path pocketcloud did not watch counts from now
        name = role_arn.rsplit("/", 1)[-1]
        state = self.roles.in_force(name)
        if state is None or state.arn != role_arn or not _admits_lambda(state):
            return CANNOT_ASSUME
        context: Context = {}
        needed = [*(VPC_ACTIONS if in_vpc else ()), *(TRACING_ACTIONS if active_tracing else ())]
        region, account = self.server.settings.region, role_arn.split(":")[4]
        for action in needed:
            # DescribeNetworkInterfaces has no resource type (Resource "*"); Create and Delete act on
            # network interfaces; X-Ray's actions have no resource type.
            on_interface = action in ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface")
            resource = f"arn:aws:ec2:{region}:{account}:network-interface/*" if on_interface else "*"
            decision, _ = _decide(state, action, resource, context)
            if decision is not Decision.ALLOW:
                service, _, call = action.partition(":")
                target = "EC2" if service == "ec2" else "XRAY"
                return f"The provided execution role does not have permissions to call {call} on {target}"
        return None


def _decide(state: RoleState, action: str, resource: str, context: Context) -> tuple[Decision, bool]:
    """Identity-based policies, then the permissions boundary (IAM User Guide: *Policy evaluation logic*)."""
    decision = evaluate(state.policies, action, resource, context)
    if decision is Decision.EXPLICIT_DENY or state.boundary is None:
        return decision, False
    bounded = state.boundary.decide(action, resource, context)
    if bounded is Decision.EXPLICIT_DENY:
        return bounded, True
    if decision is Decision.ALLOW and bounded is not Decision.ALLOW:
        return Decision.IMPLICIT_DENY, True
    return decision, False


def _admits_lambda(state: RoleState) -> bool:
    """Whether the role's trust policy lets Lambda assume it: a statement allows ``sts:AssumeRole`` to the
    principal ``lambda.amazonaws.com`` and no statement denies it. Lambda's request carries no condition keys
    pocketcloud knows, so a condition on one holds only as it would for an absent key."""
    allowed = False
    for statement in state.trust.statements:
        if not (statement.matches_action("sts:AssumeRole") and statement.names_service(LAMBDA_PRINCIPAL)):
            continue
        if not statement.conditions_hold({}):
            continue
        if statement.effect == "Deny":
            return False
        allowed = allowed or statement.effect == "Allow"
    return allowed
