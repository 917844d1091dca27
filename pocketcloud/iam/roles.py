"""Roles as the rest of AWS sees them: IAM's changes reach other services only after a delay.

AWS documents IAM as eventually consistent (IAM User Guide, *Troubleshoot IAM: changes that I make are
not always immediately visible*): IAM answers a CreateRole, PutRolePolicy or AttachRolePolicy at once,
but other services see the change some seconds later. Meanwhile Lambda refuses a new role as one it
cannot assume, and a function's calls run under the policies the role had before.

pocketcloud keeps every role's recent versions, each stamped with when IAM made it; a service asking
at time *t* gets the newest version made no later than *t - delay* (``iam_propagation_seconds``), or
nothing (the role does not exist yet, or no longer) when there is none. A version is a snapshot of the
role's ARN, trust policy, inline and attached policies (the default version of each, AWS managed ones
with their real documents) and permissions boundary, taken after each IAM or CloudFormation request
that may have changed roles (:meth:`RoleHistory.observe`).

Example::

    history = RoleHistory(delay_s=2.0)
    history.observe(read_roles(iam_backend))   # after CreateRole
    history.in_force("fn-role")                # None for 2 s, then the role
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from .policy import Policy

# What a role consists of, as raw strings: compared after every IAM change to see whether it changed.
RawRole = tuple[str, str, str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], str | None, str]


@dataclasses.dataclass(frozen=True)
class RoleState:
    """One version of a role, its policies parsed."""

    name: str
    arn: str
    role_id: str  # AROA...
    trust: Policy
    policies: tuple[Policy, ...]  # inline, then attached managed policies
    boundary: Policy | None  # the permissions boundary, if one is set
    tags: Mapping[str, str]


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document, sort_keys=True)


def _parsed(document: str, name: str) -> Policy:
    try:
        return Policy(document, name)
    except (ValueError, AttributeError, TypeError):  # moto validates documents; an unreadable one grants nothing
        return Policy({"Statement": []}, name)


def _default_document(policy: Any) -> str:
    for version in policy.versions:
        if version.is_default:
            return _text(version.document)
    return '{"Statement": []}'


def read_roles(iam_backend: Any) -> dict[str, RawRole]:
    """Every role in moto's IAM backend, as raw strings (call under the moto lock)."""
    roles: dict[str, RawRole] = {}
    for role in list(iam_backend.roles.values()):
        managed = tuple(sorted((arn, _default_document(p)) for arn, p in role.managed_policies.items()))
        boundary_arn = role.permissions_boundary_arn or None
        boundary = None
        if boundary_arn:
            found = iam_backend.managed_policies.get(boundary_arn)
            boundary = _default_document(found) if found is not None else '{"Statement": []}'
        tags = json.dumps({t["Key"]: t["Value"] for t in role.tags or [] if isinstance(t, Mapping)}, sort_keys=True)
        inline = tuple(sorted((name, _text(doc)) for name, doc in role.policies.items()))
        trust = _text(role.assume_role_policy_document)
        roles[role.name] = (role.arn, str(role.id), trust, inline, managed, boundary, tags)
    return roles


def _state(name: str, raw: RawRole) -> RoleState:
    arn, role_id, trust, inline, managed, boundary, tags = raw
    return RoleState(
        name=name,
        arn=arn,
        role_id=role_id,
        trust=_parsed(trust, "trust"),
        policies=tuple(_parsed(doc, policy) for policy, doc in (*inline, *managed)),
        boundary=_parsed(boundary, "boundary") if boundary is not None else None,
        tags=json.loads(tags),
    )


class RoleHistory:
    """Each role's versions with the time IAM made them; see the module docstring."""

    def __init__(self, delay_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay_s = delay_s
        self._clock = clock
        self._raw: dict[str, RawRole] = {}  # the newest version IAM holds, to tell what changed
        # name -> [(made at, state or None for deleted)], oldest first
        self._versions: dict[str, list[tuple[float, RoleState | None]]] = {}

    def observe(self, roles: Mapping[str, RawRole]) -> list[str]:
        """Record what changed since the last look (new, changed and deleted roles); returns their names."""
        now = self._clock()
        changed = []
        for name, raw in roles.items():
            if self._raw.get(name) != raw:
                self._raw[name] = raw
                self._versions.setdefault(name, []).append((now, _state(name, raw)))
                changed.append(name)
        for name in [n for n in self._raw if n not in roles]:
            del self._raw[name]
            self._versions.setdefault(name, []).append((now, None))
            changed.append(name)
        self._forget_superseded(now - self.delay_s)
        return changed

    def _forget_superseded(self, seen_until: float) -> None:
        """Drop versions older than one already in force everywhere: none of them can be in force again."""
        for name, versions in list(self._versions.items()):
            in_force = [i for i, (made_at, _) in enumerate(versions) if made_at <= seen_until]
            if in_force and in_force[-1] > 0:
                # A new list, not a cut of the old one: readers on the event loop may be walking it.
                self._versions[name] = versions[in_force[-1] :]

    def in_force(self, name: str) -> RoleState | None:
        """The version of role ``name`` other services see now, or None if they see no such role."""
        versions = self._versions.get(name)
        if not versions:
            return None
        seen_until = self._clock() - self.delay_s
        for made_at, state in reversed(versions):
            if made_at <= seen_until:
                return state
        return None

    def latest(self, name: str) -> RoleState | None:
        """The version IAM itself holds (what GetRole answers)."""
        versions = self._versions.get(name)
        return versions[-1][1] if versions else None

    def settles_in(self) -> float:
        """Seconds until every change recorded so far is in force everywhere (0 when none is pending)."""
        newest = max((versions[-1][0] for versions in self._versions.values() if versions), default=None)
        return 0.0 if newest is None else max(0.0, newest + self.delay_s - self._clock())
