"""The account's concurrency quota as on AWS: reserved and provisioned concurrency must leave the minimum
unreserved concurrency to the other functions, GetAccountSettings reports both, and a new account (quota
10, minimum 10) can reserve and provision nothing.

Each test runs on a private cloud, so that no other test's reservations change the sums."""

from __future__ import annotations

import botocore.exceptions
import pytest

import pocketcloud

from .conftest import Deploy

SOURCE = "def handler(event, context):\n    return 1\n"


def _refused(call: object) -> dict:
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        call()  # type: ignore[operator]
    response: dict = refused.value.response
    assert response["Error"]["Code"] == "InvalidParameterValueException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response


def _limits(cloud: pocketcloud.Cloud) -> tuple[int, int]:
    limit = cloud.client("lambda").get_account_settings()["AccountLimit"]
    return limit["ConcurrentExecutions"], limit["UnreservedConcurrentExecutions"]


def test_reserved_concurrency_must_leave_the_unreserved_minimum(make_cloud, deploy: Deploy) -> None:
    private = make_cloud(lambda_concurrency_limit=50)  # minimum unreserved: a tenth, 5
    lam = private.client("lambda")
    first, second = deploy(SOURCE, target=private), deploy(SOURCE, target=private)
    assert _limits(private) == (50, 50)

    response = _refused(lambda: lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=46))
    assert response["Error"]["Message"] == (
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [5]."
    )
    assert (
        lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=40)[
            "ReservedConcurrentExecutions"
        ]
        == 40
    )
    assert _limits(private) == (50, 10)
    _refused(lambda: lam.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=6))
    lam.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=5)
    assert _limits(private) == (50, 5)
    lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=30)  # lowering is always allowed
    lam.delete_function_concurrency(FunctionName=second)
    assert _limits(private) == (50, 20)


def test_provisioned_concurrency_counts_against_the_quota(make_cloud, deploy: Deploy) -> None:
    private = make_cloud(lambda_concurrency_limit=20, lambda_unreserved_minimum=10)
    lam = private.client("lambda")
    name = deploy(SOURCE, target=private)
    version = lam.publish_version(FunctionName=name)["Version"]

    response = _refused(
        lambda: lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=11
        )
    )
    assert response["Error"]["Message"] == (
        "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [10]."
    )
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=2)
    assert _limits(private) == (20, 18), "provisioned concurrency outside a reservation is taken from the unreserved"
    other = deploy(SOURCE, target=private)
    _refused(lambda: lam.put_function_concurrency(FunctionName=other, ReservedConcurrentExecutions=9))
    lam.put_function_concurrency(FunctionName=other, ReservedConcurrentExecutions=8)

    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    response = _refused(
        lambda: lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=3
        )
    )
    assert response["Error"]["Message"] == (
        "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function"
    )


def test_a_new_account_can_reserve_and_provision_nothing(make_cloud, deploy: Deploy) -> None:
    new = make_cloud(account_profile="new")
    lam = new.client("lambda")
    name = deploy(SOURCE, target=new)
    version = lam.publish_version(FunctionName=name)["Version"]
    assert _limits(new) == (10, 10)
    message = "decreases account's UnreservedConcurrentExecution below its minimum value of [10]."
    reserved = _refused(lambda: lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1))
    assert reserved["Error"]["Message"] == f"Specified ReservedConcurrentExecutions for function {message}"
    provisioned = _refused(
        lambda: lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
        )
    )
    assert provisioned["Error"]["Message"] == f"Specified ConcurrentExecutions for function {message}"
    assert _limits(new) == (10, 10)
