"""IAM's condition operators, policy variables and trust principals, operator by operator and edge by edge."""

from __future__ import annotations

from typing import Any

import pytest

from pocketcloud.iam.policy import Decision, Policy, Statement, condition_holds

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app"


def holds(operator: str, values: list[str], actual: Any, key: str = "k:key") -> bool:
    return condition_holds(operator, key, values, {key.lower(): actual})


@pytest.mark.parametrize(
    ("compare", "results"),
    [
        # the context value below, equal to and above the policy's 10
        ("Equals", (False, True, False)),
        ("LessThan", (True, False, False)),
        ("LessThanEquals", (True, True, False)),
        ("GreaterThan", (False, False, True)),
        ("GreaterThanEquals", (False, True, True)),
    ],
)
def test_numeric_and_date_comparisons_put_the_context_value_first(compare: str, results: tuple[bool, ...]) -> None:
    assert tuple(holds(f"Numeric{compare}", ["10"], actual) for actual in ("9.5", "10", "11")) == results
    days = ("2024-01-09T00:00:00Z", "2024-01-10T00:00:00Z", "2024-01-11T00:00:00Z")
    assert tuple(holds(f"Date{compare}", ["2024-01-10T00:00:00Z"], actual) for actual in days) == results


def test_values_that_are_not_numbers_or_dates_never_compare() -> None:
    for operator in ("NumericEquals", "NumericLessThan", "DateEquals", "DateGreaterThan"):
        assert not holds(operator, ["10"], "ten") and not holds(operator, ["ten"], "10")
    assert holds("NumericNotEquals", ["10"], "11") and not holds("NumericNotEquals", ["10"], "10.0")


def test_dates_are_epoch_seconds_or_iso_with_utc_when_no_zone_is_given() -> None:
    assert holds("DateEquals", ["2024-01-01T00:00:00Z"], "1704067200")
    assert holds("DateEquals", ["1704067200"], "2024-01-01T02:00:00+02:00")
    assert holds("DateEquals", ["2024-01-01T00:00:00Z"], "2024-01-01T00:00:00")
    assert not holds("DateEquals", ["2024-01-01T00:00:00Z"], "2024-01-01T00:00:00+02:00")


def test_ip_address_ranges_and_binary_values() -> None:
    assert holds("IpAddress", ["10.1.2.3/8"], "10.200.0.1")  # host bits in the range are ignored
    assert not holds("IpAddress", ["10.0.0.0/8"], "11.0.0.1")
    assert not holds("IpAddress", ["10.0.0.0/8"], "not-an-address")
    assert holds("NotIpAddress", ["10.0.0.0/8"], "not-an-address")
    assert holds("BinaryEquals", ["aGk="], "aGk=") and not holds("BinaryEquals", ["aGk="], "aG8=")
    assert not holds("BinaryEquals", ["a"], "a")  # not base64 (padding): no match, not an error


def test_arn_operators_match_the_six_parts_each_on_its_own() -> None:
    stream = f"{LOG_GROUP}:log-stream:2024/01/01/abc"
    assert holds("ArnLike", [f"{LOG_GROUP}:*"], stream)  # the resource part keeps its colons
    assert holds("ArnLike", ["arn:aws:logs:*:*:log-group:*"], stream)
    assert not holds("ArnLike", ["arn:aws:logs:*:*:log-group:/other*"], stream)
    assert holds("ArnEquals", [LOG_GROUP], LOG_GROUP) and not holds("ArnEquals", [LOG_GROUP], LOG_GROUP + "x")
    assert not holds("ArnEquals", ["not:an:arn"], "not:an:arn")  # fewer than six parts: never an ARN match
    assert holds("ArnNotEquals", [LOG_GROUP], LOG_GROUP + "x")


def test_null_tests_presence_and_for_all_values_needs_every_value() -> None:
    assert holds("Null", ["false"], "vpce-1") and not holds("Null", ["true"], "vpce-1")
    assert holds("ForAllValues:StringEquals", ["a", "b"], ["a", "b"])
    assert not holds("ForAllValues:StringEquals", ["a"], ["a", "b"])
    assert holds("ForAnyValue:StringLike", ["b*"], ["a", "bee"])


def test_condition_values_may_hold_policy_variables() -> None:
    context = {"s3:prefix": "home/bob/", "aws:username": "bob"}
    assert condition_holds("StringLike", "s3:prefix", ["home/${aws:username}/*"], context)
    assert not condition_holds("StringLike", "s3:prefix", ["home/${aws:userid}/*"], context)


def test_json_booleans_in_conditions_read_as_true_and_false() -> None:
    statement = Statement({"Condition": {"Bool": {"aws:SecureTransport": True, "aws:ViaAWSService": [False, "x"]}}})
    assert statement.conditions == {"Bool": {"aws:SecureTransport": ["true"], "aws:ViaAWSService": ["false", "x"]}}
    assert statement.conditions_hold({"aws:securetransport": "true", "aws:viaawsservice": "false"})
    assert not statement.conditions_hold({"aws:securetransport": "false", "aws:viaawsservice": "false"})


def _resource_allowed(pattern: str, resource: str, **context: str) -> bool:
    document = {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": pattern}}
    return Policy(document).decide("s3:GetObject", resource, context) is Decision.ALLOW


def test_special_character_variables_and_defaults() -> None:
    assert _resource_allowed("arn:aws:s3:::a${*}", "arn:aws:s3:::a*")
    assert _resource_allowed("arn:aws:s3:::q${?}", "arn:aws:s3:::q?")
    assert _resource_allowed("arn:aws:s3:::d${$}", "arn:aws:s3:::d$")
    assert _resource_allowed("arn:aws:s3:::home/${aws:username, 'guest'}/x", "arn:aws:s3:::home/guest/x")
    assert _resource_allowed("arn:aws:s3:::${aws:username,'Xena'}", "arn:aws:s3:::Xena")
    assert _resource_allowed(
        "arn:aws:s3:::home/${aws:username, 'guest'}/x", "arn:aws:s3:::home/ann/x", **{"aws:username": "ann"}
    )


def test_special_character_variables_are_the_characters_not_wildcards() -> None:
    # IAM User Guide, policy variables' special characters: ${*}, ${?} and ${$} stand for a literal * ? $.
    assert not _resource_allowed("arn:aws:s3:::a${*}", "arn:aws:s3:::anything")
    assert not _resource_allowed("arn:aws:s3:::q${?}", "arn:aws:s3:::qx")
    assert _resource_allowed("arn:aws:s3:::a${*}/*", "arn:aws:s3:::a*/key"), "the policy's own * stays a wildcard"
    assert not _resource_allowed("arn:aws:s3:::a${*}/*", "arn:aws:s3:::ab/key")
    assert condition_holds("StringLike", "s3:prefix", ["docs${*}"], {"s3:prefix": "docs*"})
    assert not condition_holds("StringLike", "s3:prefix", ["docs${*}"], {"s3:prefix": "docs/secret"})
    assert not condition_holds("StringNotLike", "s3:prefix", ["docs${?}"], {"s3:prefix": "docs?"})
    assert condition_holds("StringNotLike", "s3:prefix", ["docs${?}"], {"s3:prefix": "docsx"})
    assert condition_holds("StringEquals", "s3:prefix", ["a${*}b${?}c${$}"], {"s3:prefix": "a*b?c$"})
    arn = "arn:aws:sns:us-east-1:123456789012:topic*"
    assert condition_holds("ArnLike", "aws:SourceArn", ["arn:aws:sns:*:*:topic${*}"], {"aws:sourcearn": arn})
    assert not condition_holds(
        "ArnLike", "aws:SourceArn", ["arn:aws:sns:*:*:topic${*}"], {"aws:sourcearn": arn[:-1] + "s"}
    )


def test_a_missing_variable_matches_nothing_not_an_empty_string() -> None:
    assert not _resource_allowed("arn:aws:s3:::home/${aws:username}/x", "arn:aws:s3:::home//x")
    assert not _resource_allowed("arn:aws:s3:::home/${aws:username}*", "arn:aws:s3:::home/")


def test_statement_elements_are_read_as_written() -> None:
    statement = Statement({"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}})
    assert (statement.sid, statement.effect, statement.principal) == (
        "Trust",
        "Allow",
        {"Service": "lambda.amazonaws.com"},
    )
    bare = Statement({})
    assert (bare.sid, bare.effect, bare.principal, bare.actions, bare.resources) == ("", "", None, [], [])
    assert Policy({"Statement": []}, "inline-a").name == "inline-a" and Policy({}).name == ""


@pytest.mark.parametrize(
    ("principal", "admits_lambda"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::1:root", "*"]}, True),
        ({"Service": "lambda.amazonaws.com"}, True),
        ({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}, True),
        ({"Service": "ec2.amazonaws.com"}, False),
        ({"AWS": "arn:aws:iam::1:root"}, False),
        ("lambda.amazonaws.com", False),
        (None, False),
    ],
)
def test_trust_principals(principal: Any, admits_lambda: bool) -> None:
    statement = Statement({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    assert statement.names_service("lambda.amazonaws.com") is admits_lambda
