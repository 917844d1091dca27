"""IAM policy documents, evaluated for one request as AWS documents it.

Why not moto's evaluator (``moto.iam.access_control.IAMPolicy``): moto checks most services' requests
against the resource ``*`` only, has no ``NotResource`` and no ``?`` wildcard, matches action names
case-sensitively, knows one condition operator (``StringEquals``; it passes any other), and answers an
Allow statement whose condition does not hold as an explicit deny. What pocketcloud does take from moto
is everything around the evaluation: the policies it stores (inline, attached, and AWS's managed ones
with their real documents), which operation a request is, its parameters, and the error shapes.

The rules, each from AWS's IAM User Guide:

- *Policy evaluation logic*: an explicit Deny in any applicable policy wins; otherwise the request needs an
  Allow; otherwise it is implicitly denied. With a permissions boundary, the request needs an Allow from
  both the identity-based policies and the boundary.
- *IAM JSON policy elements: Action, NotAction*: ``*`` matches any run of characters and ``?`` one
  character; action names are case-insensitive. ``NotAction`` applies to every action except those listed.
- *Resource, NotResource*: the same wildcards, case-sensitive; ``NotResource`` applies to every resource
  except those listed. Policy variables (``${aws:username}``, ``${*}``, ``${?}``, ``${$}``) are substituted
  from the request context; a variable the context lacks makes the element not match.
- *Condition operators*: every operator in a Condition must hold, every key under an operator must hold,
  and a key holds when any of the policy's values matches (for the negated operators: when none does).
  A key absent from the request context makes the condition false, except for negated operators
  (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress`` ...), for which it is true, for ``...IfExists``
  (true) and ``Null`` (which tests presence). *Set operators for multivalued context keys*:
  ``ForAllValues`` holds for an absent key and when every context value matches; ``ForAnyValue`` when at
  least one does. An operator pocketcloud does not know makes the condition false (AWS refuses such a
  policy when it is written).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import enum
import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ContextValue = str | list[str]
Context = Mapping[str, ContextValue]  # condition keys, lower-cased (aws:principalarn), to their values

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# A ``*`` or ``?`` that a policy variable put into a pattern is a literal character, not a wildcard (IAM User
# Guide, "IAM policy elements: Variables and tags", special characters: ``${*}``, ``${?}`` and ``${$}`` stand for
# the characters themselves). Substitution writes them as these private-use characters, which _wildcard reads
# as the literal ones.
_LITERAL = {"*": "\ue000", "?": "\ue001"}
_LITERAL_REGEX = {marker: re.escape(ch) for ch, marker in _LITERAL.items()}


class Decision(enum.Enum):
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit deny"  # no statement allows
    EXPLICIT_DENY = "explicit deny"  # a Deny statement applies


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """``*`` any run of characters, ``?`` one character, everything else literal (a substituted ``*`` too)."""
    parts = (".*" if ch == "*" else "." if ch == "?" else _LITERAL_REGEX.get(ch) or re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """Match ``value`` against an IAM pattern with ``*`` and ``?``.

    >>> wildcard_match("arn:aws:secretsmanager:*:*:secret:app-*", "arn:aws:secretsmanager:us-east-1:1:secret:app-Ab12")
    True
    >>> wildcard_match("s3:Get?bject", "s3:getobject", ignore_case=True)
    True
    """
    if pattern == "*":
        return True
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


def _substitute(pattern: str, context: Context, wildcards: bool = True) -> str | None:
    """``pattern`` with its policy variables replaced, or None when one of them is not in the context.

    What a variable stands for is literal text: for a pattern with ``wildcards``, its ``*`` and ``?`` are
    written as the markers _wildcard reads as the characters themselves.

    >>> wildcard_match(_substitute("a${*}", {}), "a*"), wildcard_match(_substitute("a${*}", {}), "ab")
    (True, False)
    >>> _substitute("a${?}${$}", {}, wildcards=False)
    'a?$'
    """
    if "${" not in pattern:
        return pattern
    missing = False

    def literal(text: str) -> str:
        return "".join(_LITERAL.get(ch, ch) for ch in text) if wildcards else text

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1).strip()
        if name in ("*", "?", "$"):
            return literal(name)
        name, _, default = name.partition(",")
        found = context.get(name.strip().lower())
        if isinstance(found, str):
            return literal(found)
        if default.strip():
            return literal(default.strip().strip("'"))
        missing = True
        return ""

    substituted = _VARIABLE.sub(value, pattern)
    return None if missing else substituted


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class Statement:
    """One statement, with its elements parsed once."""

    __slots__ = ("actions", "conditions", "effect", "not_action", "not_resource", "principal", "resources", "sid")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.sid = str(raw.get("Sid", ""))
        self.effect = str(raw.get("Effect", ""))
        self.principal: Any = raw.get("Principal")  # trust policies only; identity policies have none
        self.not_action = "NotAction" in raw
        self.actions = [str(a) for a in _as_list(raw.get("NotAction" if self.not_action else "Action", []))]
        self.not_resource = "NotResource" in raw
        self.resources = [str(r) for r in _as_list(raw.get("NotResource" if self.not_resource else "Resource", []))]
        self.conditions: dict[str, dict[str, list[str]]] = {
            str(operator): {str(key): [_condition_value(v) for v in _as_list(values)] for key, values in keys.items()}
            for operator, keys in (raw.get("Condition") or {}).items()
        }

    def matches_action(self, action: str) -> bool:
        found = any(wildcard_match(pattern, action, ignore_case=True) for pattern in self.actions)
        return found != self.not_action

    def matches_resource(self, resource: str, context: Context) -> bool:
        found = False
        for pattern in self.resources:
            substituted = _substitute(pattern, context)
            if substituted is not None and wildcard_match(substituted, resource):
                found = True
                break
        return found != self.not_resource

    def names_service(self, service: str) -> bool:
        """Whether the Principal element admits the AWS service ``service`` (``lambda.amazonaws.com``):
        ``"*"``, ``{"AWS": "*"}`` or ``{"Service": ...}`` naming it (IAM JSON policy elements: Principal)."""
        principal = self.principal
        if principal == "*":
            return True
        if not isinstance(principal, Mapping):
            return False
        return "*" in _as_list(principal.get("AWS", [])) or service in _as_list(principal.get("Service", []))

    def conditions_hold(self, context: Context) -> bool:
        return all(
            condition_holds(operator, key, values, context)
            for operator, keys in self.conditions.items()
            for key, values in keys.items()
        )

    def applies(self, action: str, resource: str, context: Context) -> bool:
        return (
            self.matches_action(action) and self.matches_resource(resource, context) and self.conditions_hold(context)
        )


def _condition_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Policy:
    """A policy document (a JSON string or its parsed form), its statements parsed once.

    >>> p = Policy('{"Statement": {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}}', "inline")
    >>> p.decide("sns:Publish", "arn:aws:sns:us-east-1:1:t", {})
    <Decision.ALLOW: 'allow'>
    """

    __slots__ = ("name", "statements")

    def __init__(self, document: str | Mapping[str, Any], name: str = "") -> None:
        parsed = json.loads(document) if isinstance(document, str) else document
        self.name = name  # the policy's ARN (managed) or name (inline), for status and tests
        self.statements = [Statement(s) for s in _as_list(parsed.get("Statement", [])) if isinstance(s, Mapping)]

    def decide(self, action: str, resource: str, context: Context) -> Decision:
        allowed = False
        for statement in self.statements:
            if statement.applies(action, resource, context):
                if statement.effect == "Deny":
                    return Decision.EXPLICIT_DENY
                if statement.effect == "Allow":
                    allowed = True
        return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def evaluate(policies: Iterable[Policy], action: str, resource: str, context: Context) -> Decision:
    """The identity-based decision over ``policies``: explicit deny wins, then any allow, else implicit deny."""
    allowed = False
    for policy in policies:
        decision = policy.decide(action, resource, context)
        if decision is Decision.EXPLICIT_DENY:
            return decision
        allowed = allowed or decision is Decision.ALLOW
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


# -- conditions ---------------------------------------------------------------------------------------


def _dates(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(float(value), datetime.UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _numbers(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _compare(compare: str, parse: Any, expected: str, actual: str) -> bool:
    a, b = parse(actual), parse(expected)
    if a is None or b is None:
        return False
    return bool(
        {"Equals": a == b, "LessThan": a < b, "LessThanEquals": a <= b, "GreaterThan": a > b,
         "GreaterThanEquals": a >= b}[compare]
    )  # fmt: skip


def _ip(expected: str, actual: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


def _binary(expected: str, actual: str) -> bool:
    try:
        return base64.b64decode(expected) == base64.b64decode(actual)
    except (binascii.Error, ValueError):
        return False


def _arn(expected: str, actual: str) -> bool:
    # ArnEquals and ArnLike: each of the six colon-separated parts is matched on its own, with wildcards.
    want, have = expected.split(":", 5), actual.split(":", 5)
    return len(want) == len(have) == 6 and all(wildcard_match(w, h) for w, h in zip(want, have, strict=True))


_COMPARISONS = ("Equals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
# Positive operators, each a match of one policy value against one context value; the negated operator
# of each holds when none of the policy's values matches.
_POSITIVE: dict[str, Any] = {
    "StringEquals": lambda e, a: e == a,
    "StringEqualsIgnoreCase": lambda e, a: e.lower() == a.lower(),
    "StringLike": lambda e, a: wildcard_match(e, a),
    "Bool": lambda e, a: e.lower() == a.lower(),
    "BinaryEquals": _binary,
    "IpAddress": _ip,
    "ArnEquals": _arn,
    "ArnLike": _arn,
    # Partials of a module-level function, not closures: the comparison is looked up on each call (so that
    # make mutation's mutants of it reach these operators, which are built once, at import).
    **{f"Numeric{c}": functools.partial(_compare, c, _numbers) for c in _COMPARISONS},
    **{f"Date{c}": functools.partial(_compare, c, _dates) for c in _COMPARISONS},
}
_WILDCARD_OPERATORS = {"StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def condition_holds(operator: str, key: str, values: Sequence[str], context: Context) -> bool:
    """Whether ``operator: {key: values}`` holds for the request context (see the module's rules).

    >>> condition_holds("StringNotEquals", "aws:SourceVpce", ["vpce-1"], {})
    True
    >>> condition_holds("StringEquals", "aws:SourceVpce", ["vpce-1"], {})
    False
    >>> condition_holds("ForAllValues:StringLike", "aws:TagKeys", ["env*"], {"aws:tagkeys": ["env", "envx"]})
    True
    """
    qualifier, _, operator = operator.rpartition(":")
    if operator == "Null":
        present = key.lower() in context
        return any((value.lower() == "true") != present for value in values)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = operator in _NEGATED
    match = _POSITIVE.get(_NEGATED.get(operator, operator))
    if match is None:
        return False
    found = context.get(key.lower())
    if found is None:
        return if_exists or negated or qualifier == "ForAllValues"

    wildcards = operator in _WILDCARD_OPERATORS
    expected = [v for v in (_substitute(value, context, wildcards) for value in values) if v is not None]

    def satisfied(actual: str) -> bool:
        return any(match(e, actual) for e in expected) != negated

    actual_values = _as_list(found)
    if qualifier == "ForAllValues":
        return all(satisfied(a) for a in actual_values)
    return any(satisfied(a) for a in actual_values)
