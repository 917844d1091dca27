"""The IAM policy evaluator and the role history that delays IAM's changes, without a server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pocketcloud.iam.actions import Operation, function_arn
from pocketcloud.iam.errors import code_and_status, denial_message, serialize_denial
from pocketcloud.iam.policy import Decision, Policy, condition_holds, evaluate, wildcard_match
from pocketcloud.iam.roles import RoleHistory

FN = "arn:aws:lambda:us-east-1:1:function:"
ROLE = "arn:aws:iam::1:role/"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-AbCdEf"


def policy(*statements: dict[str, Any]) -> Policy:
    return Policy({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(policies: list[Policy], action: str, resource: str = "*", **context: Any) -> Decision:
    return evaluate(policies, action, resource, {k.lower(): v for k, v in context.items()})


def test_nothing_is_allowed_without_an_allow() -> None:
    assert decide([], "secretsmanager:GetSecretValue", SECRET) is Decision.IMPLICIT_DENY
    assert decide([policy(allow("sns:Publish"))], "secretsmanager:GetSecretValue", SECRET) is Decision.IMPLICIT_DENY


def test_an_explicit_deny_wins_in_any_policy() -> None:
    allows, denies = policy(allow("secretsmanager:*")), policy(deny("secretsmanager:GetSecretValue", SECRET))
    assert decide([allows, denies], "secretsmanager:GetSecretValue", SECRET) is Decision.EXPLICIT_DENY
    assert decide([denies, allows], "secretsmanager:GetSecretValue", SECRET) is Decision.EXPLICIT_DENY
    assert decide([allows, denies], "secretsmanager:DescribeSecret", SECRET) is Decision.ALLOW


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:aws:secretsmanager:*:*:secret:app-*", SECRET, True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-??????", SECRET, True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-?????", SECRET, False),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:app.db*", SECRET, False),  # "." is literal
        ("arn:aws:sns:*:*:topic", "arn:aws:sns:us-east-1:1:topic", True),
        ("arn:aws:sns:*:*:topic", "arn:aws:sns:us-east-1:1:topic-2", False),
    ],
)
def test_resource_wildcards(pattern: str, value: str, matches: bool) -> None:
    assert wildcard_match(pattern, value) is matches


def test_actions_match_case_insensitively_with_wildcards() -> None:
    assert decide([policy(allow("SecretsManager:get*"))], "secretsmanager:GetSecretValue", SECRET) is Decision.ALLOW
    assert decide([policy(allow("s3:Get?bject"))], "s3:GetObject") is Decision.ALLOW
    assert decide([policy(allow(["sns:Publish", "logs:*"]))], "logs:PutLogEvents") is Decision.ALLOW


def test_resources_match_case_sensitively() -> None:
    lower = policy(allow("sns:Publish", "arn:aws:sns:us-east-1:1:topic"))
    assert decide([lower], "sns:Publish", "arn:aws:sns:us-east-1:1:Topic") is Decision.IMPLICIT_DENY


def test_not_action_and_not_resource() -> None:
    everything_but_iam = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide([everything_but_iam], "sns:Publish") is Decision.ALLOW
    assert decide([everything_but_iam], "iam:CreateRole") is Decision.IMPLICIT_DENY
    but_one_secret = policy({"Effect": "Allow", "Action": "secretsmanager:*", "NotResource": SECRET})
    assert decide([but_one_secret], "secretsmanager:GetSecretValue", SECRET) is Decision.IMPLICIT_DENY
    assert decide([but_one_secret], "secretsmanager:GetSecretValue", SECRET + "x") is Decision.ALLOW


def test_a_request_on_star_is_only_covered_by_a_statement_on_everything() -> None:
    assert decide([policy(allow("xray:PutTraceSegments", SECRET))], "xray:PutTraceSegments", "*") is (
        Decision.IMPLICIT_DENY
    )
    assert decide([policy(allow("xray:PutTraceSegments", ["*"]))], "xray:PutTraceSegments", "*") is Decision.ALLOW


def test_an_allow_whose_condition_fails_does_not_deny() -> None:
    conditional = policy(allow("sns:Publish", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}))
    plain = policy(allow("sns:Publish"))
    assert decide([conditional], "sns:Publish") is Decision.IMPLICIT_DENY
    assert decide([conditional, plain], "sns:Publish") is Decision.ALLOW


def test_a_deny_whose_negated_condition_meets_an_absent_key_applies() -> None:
    # The documented rule: a negated operator on a key the request lacks is true.
    outside_vpce = policy(allow("*"), deny("*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))
    assert decide([outside_vpce], "sns:Publish") is Decision.EXPLICIT_DENY
    assert decide([outside_vpce], "sns:Publish", **{"aws:SourceVpce": "vpce-1"}) is Decision.ALLOW


@pytest.mark.parametrize(
    ("operator", "key", "values", "context", "holds"),
    [
        ("StringEquals", "aws:PrincipalTag/team", ["web"], {"aws:principaltag/team": "web"}, True),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", ["WEB"], {"aws:principaltag/team": "web"}, True),
        ("StringLike", "lambda:SourceFunctionArn", [FN + "app-*"], {"lambda:sourcefunctionarn": FN + "app-x"}, True),
        ("StringEqualsIfExists", "aws:SourceVpce", ["vpce-1"], {}, True),
        ("StringEqualsIfExists", "aws:SourceVpce", ["vpce-1"], {"aws:sourcevpce": "vpce-2"}, False),
        ("Null", "aws:SourceVpce", ["true"], {}, True),
        ("Null", "aws:SourceVpce", ["false"], {}, False),
        ("Bool", "aws:SecureTransport", ["true"], {"aws:securetransport": "true"}, True),
        ("NumericLessThan", "aws:EpochTime", ["100"], {"aws:epochtime": "99"}, True),
        ("DateGreaterThan", "aws:CurrentTime", ["2020-01-01T00:00Z"], {"aws:currenttime": "2024-05-01T00:00Z"}, True),
        ("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], {"aws:sourceip": "10.1.2.3"}, True),
        ("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8"], {"aws:sourceip": "10.1.2.3"}, False),
        ("ArnLike", "aws:PrincipalArn", [ROLE + "app-*"], {"aws:principalarn": ROLE + "app-x"}, True),
        ("ArnNotLike", "aws:PrincipalArn", [ROLE + "app-*"], {}, True),
        ("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {}, True),
        ("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {"aws:tagkeys": ["a", "c"]}, False),
        ("ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"], {"aws:tagkeys": ["a", "c"]}, True),
        ("ForAnyValue:StringEquals", "aws:TagKeys", ["a"], {}, False),
        ("StringEqualsNoSuchOperator", "aws:TagKeys", ["a"], {"aws:tagkeys": "a"}, False),
    ],
)  # fmt: skip
def test_condition_operators(operator: str, key: str, values: list[str], context: dict[str, Any], holds: bool) -> None:
    assert condition_holds(operator, key, values, context) is holds


def test_policy_variables_in_resources() -> None:
    own = policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:PrincipalTag/team}/*"))
    assert (
        decide([own], "s3:GetObject", "arn:aws:s3:::home/web/x", **{"aws:PrincipalTag/team": "web"}) is Decision.ALLOW
    )
    assert decide([own], "s3:GetObject", "arn:aws:s3:::home/db/x", **{"aws:PrincipalTag/team": "web"}) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([own], "s3:GetObject", "arn:aws:s3:::home/web/x") is Decision.IMPLICIT_DENY, "no such key"


def test_a_single_statement_object_and_string_elements() -> None:
    single = Policy(json.dumps({"Statement": {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}}))
    assert decide([single], "sns:Publish") is Decision.ALLOW


def test_the_aws_managed_policies_the_workshop_attaches_grant_what_they_say() -> None:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    managed = json.loads(aws_managed_policies_data)
    vpc = Policy(managed["AWSLambdaVPCAccessExecutionRole"]["Document"])
    xray = Policy(managed["AWSXRayDaemonWriteAccess"]["Document"])
    secrets = Policy(managed["SecretsManagerReadWrite"]["Document"])
    assert decide([vpc], "ec2:CreateNetworkInterface") is Decision.ALLOW
    assert decide([vpc], "secretsmanager:GetSecretValue", SECRET) is Decision.IMPLICIT_DENY
    assert decide([xray], "xray:PutTraceSegments") is Decision.ALLOW
    assert decide([secrets], "secretsmanager:GetSecretValue", SECRET) is Decision.ALLOW
    fn = "arn:aws:lambda:us-east-1:123456789012:function:"
    assert decide([secrets], "lambda:InvokeFunction", fn + "SecretsManagerRotation") is Decision.ALLOW
    assert decide([secrets], "lambda:InvokeFunction", fn + "app") is Decision.IMPLICIT_DENY


# -- messages and shapes ---------------------------------------------------------------------------------


def test_denial_messages() -> None:
    session = "arn:aws:sts::123456789012:assumed-role/app-role/app"
    assert denial_message(session, "sns:Publish", "arn:t", Decision.IMPLICIT_DENY, False) == (
        f"User: {session} is not authorized to perform: sns:Publish on resource: arn:t "
        "because no identity-based policy allows the sns:Publish action"
    )
    assert denial_message(session, "xray:PutTraceSegments", None, Decision.IMPLICIT_DENY, True) == (
        f"User: {session} is not authorized to perform: xray:PutTraceSegments "
        "because no permissions boundary allows the xray:PutTraceSegments action"
    )


@pytest.mark.parametrize(
    ("service", "protocol", "name", "code", "status"),
    [
        ("secretsmanager", "json", "GetSecretValue", "AccessDeniedException", 400),
        ("logs", "json", "PutLogEvents", "AccessDeniedException", 400),
        ("lambda", "rest-json", "Invoke", "AccessDeniedException", 403),
        ("xray", "rest-json", "PutTraceSegments", "AccessDeniedException", 403),
        ("sns", "query", "Publish", "AuthorizationError", 403),
        ("sts", "query", "AssumeRole", "AccessDenied", 403),
        ("rds", "query", "DescribeDBInstances", "AccessDenied", 403),
        ("ec2", "ec2", "DescribeVpcs", "UnauthorizedOperation", 403),
        ("s3", "rest-xml", "GetObject", "AccessDenied", 403),
        ("cloudwatch", "smithy-rpc-v2-cbor", "PutMetricData", "AccessDenied", 403),
    ],
)
def test_each_protocol_answers_access_denied_in_its_shape(
    service: str, protocol: str, name: str, code: str, status: int
) -> None:
    operation = Operation(service, service, protocol, name, {}, "us-east-1", "123456789012")
    assert code_and_status(operation) == (code, status)
    answered_status, _, body = serialize_denial(operation, "User: x is not authorized")
    assert answered_status == status
    assert code.encode() in body and b"User: x is not authorized" in body


def test_function_arns() -> None:
    assert function_arn("app", None, "us-east-1", "1") == "arn:aws:lambda:us-east-1:1:function:app"
    assert function_arn("app:live", None, "us-east-1", "1") == "arn:aws:lambda:us-east-1:1:function:app:live"
    assert function_arn("arn:aws:lambda:eu-west-1:2:function:app", "3", "us-east-1", "1") == (
        "arn:aws:lambda:eu-west-1:2:function:app:3"
    )


# -- propagation -------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def raw(arn: str, *inline: str) -> Any:
    trust = json.dumps({"Statement": []})
    return (arn, "AROAEXAMPLE", trust, tuple((f"p{i}", doc) for i, doc in enumerate(inline)), (), None, "{}")


def test_a_role_is_seen_only_after_the_propagation_delay() -> None:
    clock = Clock()
    history = RoleHistory(delay_s=2.0, clock=clock)
    history.observe({"app": raw("arn:aws:iam::1:role/app")})
    assert history.in_force("app") is None and history.latest("app") is not None
    clock.now += 1.9
    assert history.in_force("app") is None
    clock.now += 0.2
    state = history.in_force("app")
    assert state is not None and state.arn == "arn:aws:iam::1:role/app"


def test_the_previous_version_stays_in_force_until_the_change_propagates() -> None:
    clock = Clock()
    history = RoleHistory(delay_s=2.0, clock=clock)
    history.observe({"app": raw("arn:aws:iam::1:role/app")})
    clock.now += 5
    publish = json.dumps({"Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]})
    assert history.observe({"app": raw("arn:aws:iam::1:role/app", publish)}) == ["app"]
    assert history.observe({"app": raw("arn:aws:iam::1:role/app", publish)}) == [], "nothing changed"
    old = history.in_force("app")
    assert old is not None and old.policies == ()
    assert history.settles_in() == pytest.approx(2.0)
    clock.now += 2
    new = history.in_force("app")
    assert new is not None and evaluate(new.policies, "sns:Publish", "*", {}) is Decision.ALLOW
    assert history.settles_in() == 0.0


def test_a_deleted_role_stays_visible_until_the_deletion_propagates() -> None:
    clock = Clock()
    history = RoleHistory(delay_s=2.0, clock=clock)
    history.observe({"app": raw("arn:aws:iam::1:role/app")})
    clock.now += 5
    history.observe({})
    assert history.in_force("app") is not None
    clock.now += 2
    assert history.in_force("app") is None


JSON = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def _environ(content_type: str, body: bytes, **headers: str) -> dict[str, Any]:
    import io

    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": "/", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "4566", "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": content_type, "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
    }  # fmt: skip
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    return environ


@pytest.mark.parametrize(
    ("signing_name", "content_type", "body", "headers"),
    [
        ("secretsmanager", JSON, b'{"SecretId": "app-db"}', {"X-Amz-Target": "secretsmanager.GetSecretValue"}),
        ("sns", FORM, b"Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Message=hi", {}),
        ("ec2", FORM, b"Action=DescribeVpcs&Version=2016-11-15", {}),
    ],
)  # fmt: skip
def test_the_quick_read_of_json_and_query_requests_agrees_with_moto(
    signing_name: str, content_type: str, body: bytes, headers: dict[str, str]
) -> None:
    from pocketcloud.iam.actions import parse_operation, quick_operation

    quick = quick_operation({"Content-Type": content_type, **headers}, body, "", signing_name, "us-east-1", "1")
    full = parse_operation(_environ(content_type, body, **headers), signing_name, "us-east-1", "1")
    assert quick is not None
    assert (quick.service, quick.protocol, quick.name, quick.action) == (
        full.service,
        full.protocol,
        full.name,
        full.action,
    )
    for key, value in full.params.items():
        if isinstance(value, str):
            assert quick.params[key] == value
