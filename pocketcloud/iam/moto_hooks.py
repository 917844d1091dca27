"""Where moto's Lambda accepts any execution role: CreateFunction and UpdateFunctionConfiguration check it as AWS does;
where moto keeps a CloudFormation-made role's inline policy as a Python dict (see ``keep_inline_policies_as_json``);
and where moto takes any well-formed ARN as a role's permissions boundary (see ``_refuse_missing_boundary``).

Lambda refuses, with ``InvalidParameterValueException`` (HTTP 400), a role it cannot assume (the trust
policy does not admit ``lambda.amazonaws.com``, the role does not exist, or IAM has not propagated it
yet), a VPC function's role without the network interface permissions, and an Active-tracing
function's role without X-Ray's write permissions. The checks live in :class:`IamService`; these hooks
call it before moto creates or changes anything, so a refused request changes nothing.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..moto_hooks import Target, moto_hook, registry

if TYPE_CHECKING:
    from .service import IamService

target: Target[IamService] = Target("iam")


def _refuse(role: str, vpc_config: Any, tracing_config: Any) -> None:
    service = target.current
    if service is None:
        return
    in_vpc = bool((vpc_config or {}).get("SubnetIds"))
    active = (tracing_config or {}).get("Mode") == "Active"
    refusal = service.lambda_role_refusal(str(role or ""), in_vpc, active)
    if refusal is not None:
        from moto.awslambda.exceptions import InvalidParameterValueException

        raise InvalidParameterValueException(refusal)


@moto_hook("moto.awslambda.models", "LambdaBackend", "create_function", ("self", "spec"))
def check_role_on_create(original: Any, models: ModuleType) -> object:
    """CreateFunction: the role, and what the function's VPC and tracing settings need of it."""

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        _refuse(spec.get("Role", ""), spec.get("VpcConfig"), spec.get("TracingConfig"))
        return original(self, spec)

    return create_function


@moto_hook(
    "moto.awslambda.models",
    "LambdaBackend",
    "update_function_configuration",
    ("self", "function_name", "qualifier", "body"),
)
def check_role_on_update(original: Any, models: ModuleType) -> object:
    """UpdateFunctionConfiguration that sets the role, the VPC or tracing: the function's settings after the
    update are checked against its role after the update."""

    def update_function_configuration(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
        if any(key in body for key in ("Role", "VpcConfig", "TracingConfig")):
            fn = self.get_function(function_name, qualifier)
            _refuse(
                body.get("Role", fn.role),
                body.get("VpcConfig", fn.vpc_config),
                body.get("TracingConfig") or fn.tracing_config,
            )
        return original(self, function_name, qualifier, body)

    return update_function_configuration


@moto_hook("moto.iam.models", "Role", "put_policy", ("self", "policy_name", "policy_json"))
def keep_inline_policies_as_json(original: Any, models: ModuleType) -> object:
    """A role's inline policy is stored as its JSON document. moto's CloudFormation handler for AWS::IAM::Role
    passes the template's Policies[].PolicyDocument as a dict, which GetRolePolicy then answers with the dict's
    Python repr; IAM answers the JSON document (URL-encoded, "GetRolePolicy", IAM API Reference)."""

    def put_policy(self: Any, policy_name: str, policy_json: Any) -> None:
        document = policy_json if isinstance(policy_json, str) else json.dumps(policy_json)
        original(self, policy_name, document)

    return put_policy


def _refuse_missing_boundary(backend: Any, boundary: str | None) -> None:
    """A permissions boundary must be a managed policy that exists: IAM answers NoSuchEntity (HTTP 404) for one
    that does not ("PutRolePermissionsBoundary", "CreateRole": NoSuchEntity, "referenced a resource entity that
    does not exist"); moto stores any well-formed ARN, which pocketcloud would then evaluate as denying all."""
    if boundary and backend.policy_arn_regex.match(boundary) and boundary not in backend.managed_policies:
        from moto.iam.exceptions import NoSuchEntity

        raise NoSuchEntity(f"Scope ARN: {boundary} does not exist or is not attachable.")


@moto_hook(
    "moto.iam.models",
    "IAMBackend",
    "create_role",
    ("self", "role_name", "assume_role_policy_document", "path", "permissions_boundary", "description", "tags",
     "max_session_duration", "linked_service"),
)  # fmt: skip
def check_boundary_on_create(original: Any, models: ModuleType) -> object:
    """CreateRole (and CloudFormation's AWS::IAM::Role) naming a boundary policy that does not exist."""

    def create_role(
        self: Any, role_name: str, assume_role_policy_document: str, path: str, permissions_boundary: str | None,
        *args: Any, **kwargs: Any,
    ) -> Any:  # fmt: skip
        _refuse_missing_boundary(self, permissions_boundary)
        return original(self, role_name, assume_role_policy_document, path, permissions_boundary, *args, **kwargs)

    return create_role


@moto_hook(
    "moto.iam.models", "IAMBackend", "put_role_permissions_boundary", ("self", "role_name", "permissions_boundary")
)
def check_boundary_on_put(original: Any, models: ModuleType) -> object:
    """PutRolePermissionsBoundary naming a boundary policy that does not exist."""

    def put_role_permissions_boundary(self: Any, role_name: str, permissions_boundary: str) -> None:
        _refuse_missing_boundary(self, permissions_boundary)
        original(self, role_name, permissions_boundary)

    return put_role_permissions_boundary


HOOKS = (
    check_role_on_create,
    check_role_on_update,
    keep_inline_policies_as_json,
    check_boundary_on_create,
    check_boundary_on_put,
)


def install(service: IamService) -> None:
    target.serve(service)
    registry.register(HOOKS)
