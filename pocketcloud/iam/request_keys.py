"""The service-specific condition keys IAM puts in a request's context: IAM's own keys on role changes.

The Service Authorization Reference (*Actions, resources, and condition keys for AWS Identity and Access
Management*) lists, for each IAM action, the keys a policy may test:

- ``iam:PermissionsBoundary``: "the specified policy is set as the permissions boundary on the IAM entity".
  For CreateRole and PutRolePermissionsBoundary it is the ``PermissionsBoundary`` the request sets; for the
  changes of an existing role's policies (PutRolePolicy, DeleteRolePolicy, AttachRolePolicy,
  DetachRolePolicy) and for DeleteRolePermissionsBoundary, the boundary the role has now. Absent when there
  is none, so a condition requiring a boundary refuses (IAM User Guide, *Permissions boundaries for IAM
  entities*: delegating role creation with ``iam:PermissionsBoundary``).
- ``iam:PolicyARN``: the managed policy that AttachRolePolicy and DetachRolePolicy name.

Example::

    request_keys(Operation("iam", "iam", "query", "CreateRole", {"PermissionsBoundary": arn}, ...), moto)
    # {"iam:permissionsboundary": arn}
"""

from __future__ import annotations

from typing import Any

from .actions import Operation
from .policy import ContextValue

_SETS_BOUNDARY = frozenset({"CreateRole", "PutRolePermissionsBoundary"})
_HAS_BOUNDARY = frozenset(
    {"PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "DeleteRolePermissionsBoundary"}
)
_NAMES_POLICY = frozenset({"AttachRolePolicy", "DetachRolePolicy"})


def request_keys(operation: Operation, moto: Any) -> dict[str, ContextValue]:
    """IAM's condition keys for ``operation`` (lower-cased, as the evaluator reads them); ``moto`` is the
    :class:`MotoBridge`, whose IAM backend holds the role as IAM has it now (IAM authorizes against its own,
    current state, not a propagated copy)."""
    if operation.service != "iam":
        return {}
    params = operation.params
    keys: dict[str, ContextValue] = {}
    if operation.name in _SETS_BOUNDARY:
        if params.get("PermissionsBoundary"):
            keys["iam:permissionsboundary"] = str(params["PermissionsBoundary"])
    elif operation.name in _HAS_BOUNDARY:
        boundary = _current_boundary(moto, operation, str(params.get("RoleName") or ""))
        if boundary:
            keys["iam:permissionsboundary"] = boundary
    if operation.name in _NAMES_POLICY and params.get("PolicyArn"):
        keys["iam:policyarn"] = str(params["PolicyArn"])
    return keys


def _current_boundary(moto: Any, operation: Operation, role_name: str) -> str | None:
    backend = moto.backend("iam", account_id=operation.account_id)
    for role in list(backend.roles.values()):
        if role.name == role_name:
            return str(role.permissions_boundary_arn) if role.permissions_boundary_arn else None
    return None
