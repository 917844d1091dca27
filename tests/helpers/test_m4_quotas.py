"""Module 4 reads the account's concurrency settings before reserving or provisioning, and sizes the step to
what the account leaves (issue 19, "New-account quotas"): on a new account's quota of 10 nothing fits, and the
step says so instead of failing; on a larger quota a request too big is cut to fit."""

from __future__ import annotations

import io
import zipfile

import botocore.exceptions
import pytest

import pocketcloud
from helpers.modules import m4_optimize_and_load_test as m4

from .conftest import lambda_role, workshop_on

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _function(cloud: pocketcloud.Cloud, name: str) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    role = lambda_role(cloud, f"{name}-role", TRUST)
    lam = cloud.client("lambda")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": buffer.getvalue()}
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    return name


def _reserved(cloud: pocketcloud.Cloud, name: str) -> int | None:
    return cloud.client("lambda").get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")


def test_a_new_account_has_no_room_and_the_step_says_so(make_cloud, capsys) -> None:
    cloud = make_cloud(account_profile="new")
    name = _function(cloud, "q-new")
    # What the notebook did before: reserve without looking, and fail.
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cloud.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "minimum value of [10]" in refused.value.response["Error"]["Message"]

    with workshop_on(cloud, "q-") as ws:
        room = m4.reserve(ws, name, 1)
        provision = m4.concurrency_room(ws, 4)
    assert (room.quota, room.unreserved, room.minimum, room.granted) == (10, 10, 10, 0)
    assert "Nothing fits" in capsys.readouterr().out
    assert _reserved(cloud, name) is None, "nothing was reserved"
    assert provision.granted == 0 and "Nothing fits" in provision.message


def test_a_request_too_big_for_the_account_is_cut_to_fit(make_cloud, capsys) -> None:
    cloud = make_cloud(lambda_concurrency_limit=20)  # minimum unreserved: a tenth, 2
    name, other = _function(cloud, "q-one"), _function(cloud, "q-two")
    cloud.client("lambda").put_function_concurrency(FunctionName=other, ReservedConcurrentExecutions=8)
    with workshop_on(cloud, "q-") as ws:
        fits = m4.reserve(ws, name, 3)
        assert fits.granted == 3 and _reserved(cloud, name) == 3
        again = m4.reserve(ws, name, 50)  # its own 3 are given back first: 20 - 8 - 2 = 10 fit
        assert (again.unreserved, again.minimum, again.granted) == (12, 2, 10)
        assert _reserved(cloud, name) == 10
        assert "does not fit: this step uses 10" in capsys.readouterr().out
        assert m4.concurrency_room(ws, 5).granted == 0, "provisioning finds the unreserved part at its minimum"


def test_a_refused_reservation_is_sized_by_the_minimum_lambda_names(make_cloud, capsys, monkeypatch) -> None:
    cloud = make_cloud(lambda_concurrency_limit=20)
    name = _function(cloud, "q-three")
    monkeypatch.setattr(m4, "unreserved_minimum", lambda ws, quota: 0)  # a wrong guess of the account's minimum
    with workshop_on(cloud, "q-") as ws:
        room = m4.reserve(ws, name, 50)
    assert "Lambda refused it" in capsys.readouterr().out
    assert (room.minimum, room.granted) == (2, 18) and _reserved(cloud, name) == 18
