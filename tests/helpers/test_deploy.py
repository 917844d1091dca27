"""Deploy helpers against a real pocketcloud: idempotent, update on change, never duplicate."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import pocketcloud
from helpers.aws import api, iam, lambdas, layers
from helpers.measure.invocations import invoke
from helpers.session import Workshop


@pytest.fixture
def ws(cloud: pocketcloud.Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workshop]:
    for key, value in cloud.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("POCKETCLOUD_STATE_DIR", str(cloud.settings.state_dir))
    yield Workshop("local", cloud.region, "123456789012", cloud.endpoint_url, prefix="deploytest-", cloud=cloud)


def test_deploy_function_twice_is_a_no_op_and_code_changes_update(ws: Workshop, tmp_path) -> None:
    role = iam.ensure_lambda_role(ws, ws.name("role"))
    assert iam.ensure_lambda_role(ws, ws.name("role")) == role, "the role is reused"
    code = tmp_path / "fn"
    code.mkdir()
    (code / "lambda_function.py").write_text("def lambda_handler(e, c):\n    return 'one'\n")
    first = lambdas.deploy_function(ws, ws.name("fn"), str(code), role_arn=role)
    second = lambdas.deploy_function(ws, ws.name("fn"), str(code), role_arn=role)
    assert second["CodeSha256"] == first["CodeSha256"]
    assert second["LastModified"] == first["LastModified"], "nothing changed, nothing updated"
    assert invoke(ws, ws.name("fn")).payload == "one"

    (code / "lambda_function.py").write_text("def lambda_handler(e, c):\n    return 'two'\n")
    third = lambdas.deploy_function(ws, ws.name("fn"), str(code), role_arn=role, env={"MODE": "x"})
    assert third["CodeSha256"] != first["CodeSha256"]
    assert third["Environment"]["Variables"] == {"MODE": "x"}
    assert invoke(ws, ws.name("fn")).payload == "two"
    names = [f["FunctionName"] for f in ws.client("lambda").list_functions()["Functions"]]
    assert names.count(ws.name("fn")) == 1


def test_layer_published_once_per_content(ws: Workshop) -> None:
    first = layers.build_layer(ws, ws.name("pymysql"), ["pymysql"])
    assert layers.build_layer(ws, ws.name("pymysql"), ["pymysql"]) == first
    versions = ws.client("lambda").list_layer_versions(LayerName=ws.name("pymysql"))["LayerVersions"]
    assert len(versions) == 1


def test_rest_api_is_reused_and_answers(ws: Workshop, tmp_path) -> None:
    role = iam.ensure_lambda_role(ws, ws.name("api-role"))
    code = tmp_path / "api"
    code.mkdir()
    (code / "lambda_function.py").write_text(
        "def lambda_handler(e, c):\n    return {'statusCode': 200, 'body': '{\"ok\": true}'}\n"
    )
    lambdas.deploy_function(ws, ws.name("api-fn"), str(code), role_arn=role)
    first = api.ensure_rest_api(ws, ws.name("api"), ws.name("api-fn"))
    second = api.ensure_rest_api(ws, ws.name("api"), ws.name("api-fn"))
    assert first["api_id"] == second["api_id"]
    response = api.call_api(second["url"])
    assert response.status == 200 and response.body == {"ok": True}
    apis = [a for a in ws.client("apigateway").get_rest_apis()["items"] if a["name"] == ws.name("api")]
    assert len(apis) == 1
    assert os.environ["AWS_ENDPOINT_URL"] == ws.endpoint_url
