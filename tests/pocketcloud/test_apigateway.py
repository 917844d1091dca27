"""API Gateway invoke URLs over real HTTP: routing, the proxy contract, integrations, errors, stages."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

import pocketcloud

from .conftest import Deploy

ECHO = """
import json
def handler(event, context):
    if event.get('body') == 'boom':
        raise RuntimeError('boom')
    if event.get('body') == 'malformed':
        return {'statusCode': 200, 'unexpected': True}
    return {'statusCode': 201, 'headers': {'X-Echo': 'yes'}, 'multiValueHeaders': {'Set-Cookie': ['a=1', 'b=2']},
            'body': json.dumps(event)}
"""
PLAIN = "def handler(event, context):\n    return {'sum': event['a'] + event['b']}\n"
SLOW = "import time\ndef handler(event, context):\n    time.sleep(2)\n    return {'statusCode': 200, 'body': 'late'}\n"


def _get(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None) -> tuple:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Api:
    """A REST API built with boto3 the way a learner would."""

    def __init__(self, cloud: pocketcloud.Cloud, name: str) -> None:
        self.cloud = cloud
        self.client = cloud.client("apigateway")
        self.id = self.client.create_rest_api(name=name)["id"]
        self.root = next(r["id"] for r in self.client.get_resources(restApiId=self.id)["items"] if r["path"] == "/")

    def resource(self, parent: str, part: str) -> str:
        return self.client.create_resource(restApiId=self.id, parentId=parent, pathPart=part)["id"]

    def method(self, resource: str, verb: str, kind: str, function_arn: str | None = None, **extra: Any) -> None:
        self.client.put_method(restApiId=self.id, resourceId=resource, httpMethod=verb, authorizationType="NONE")
        uri = f"arn:aws:apigateway:{self.cloud.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
        args = {"uri": uri, "integrationHttpMethod": "POST"} if function_arn else {}
        self.client.put_integration(restApiId=self.id, resourceId=resource, httpMethod=verb, type=kind, **args, **extra)

    def allow(self, function: str) -> None:
        self.cloud.client("lambda").add_permission(
            FunctionName=function,
            StatementId=f"apigw-{self.id}",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{self.cloud.region}:123456789012:{self.id}/*",
        )

    def deploy(self, stage: str = "dev", **kwargs: Any) -> None:
        self.client.create_deployment(restApiId=self.id, stageName=stage, **kwargs)

    def url(self, path: str = "", stage: str = "dev") -> str:
        return self.cloud.api_url(self.id, stage, path)


def _arn(cloud: pocketcloud.Cloud, name: str) -> str:
    return cloud.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def api(cloud: pocketcloud.Cloud) -> Api:
    from .conftest import role_arn, wait_active, zip_files

    lam = cloud.client("lambda")
    arns = {}
    for name, source, timeout in (("agw-echo", ECHO, 3), ("agw-plain", PLAIN, 3), ("agw-slow", SLOW, 5)):
        arns[name] = lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn(cloud),
            Handler="app.handler",
            Timeout=timeout,
            Code={"ZipFile": zip_files({"app.py": source})},
        )["FunctionArn"]
    for name in arns:
        wait_active(cloud, name)
    built = Api(cloud, "agw-test")
    built.method(built.root, "GET", "AWS_PROXY", arns["agw-echo"])
    items = built.resource(built.root, "items")
    item = built.resource(items, "{id}")
    built.method(item, "GET", "AWS_PROXY", arns["agw-echo"])
    built.method(item, "POST", "AWS_PROXY", arns["agw-echo"])
    files = built.resource(built.root, "files")
    built.method(built.resource(files, "{proxy+}"), "ANY", "AWS_PROXY", arns["agw-echo"])
    built.method(built.resource(built.root, "sum"), "POST", "AWS", arns["agw-plain"])
    built.method(built.resource(built.root, "slow"), "GET", "AWS_PROXY", arns["agw-slow"], timeoutInMillis=500)
    mock = built.resource(built.root, "mock")
    built.method(mock, "GET", "MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    for name in arns:
        built.allow(name)
    built.deploy("dev", variables={"color": "blue"})
    return built


def test_proxy_event_and_response_contract(api: Api) -> None:
    status, headers, body = _get(api.url("items/42?x=1&x=2&y=3"), headers={"X-Custom": "abc"})
    assert status == 201
    assert headers["X-Echo"] == "yes"
    event = json.loads(body)
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"x": "2", "y": "3"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": ["3"]}
    assert event["headers"]["X-Custom"] == "abc"
    assert event["multiValueHeaders"]["X-Custom"] == ["abc"]
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["apiId"] == api.id and context["stage"] == "dev"
    assert context["accountId"] == "123456789012"
    assert context["resourcePath"] == "/items/{id}" and context["httpMethod"] == "GET"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestTimeEpoch"] > 0 and context["requestId"]


def test_multi_value_response_headers(api: Api) -> None:
    url = urllib.parse.urlsplit(api.url("items/1"))
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", url.path)
    response = conn.getresponse()
    assert response.headers.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_post_body_root_and_greedy_paths(api: Api) -> None:
    status, _, body = _get(api.url("items/7"), "POST", b'{"name": "lamp"}', {"Content-Type": "application/json"})
    assert status == 201 and json.loads(json.loads(body)["body"]) == {"name": "lamp"}
    status, _, body = _get(api.url(""))
    assert status == 201 and json.loads(body)["resource"] == "/"
    status, _, body = _get(api.url("files/a/b/c.txt"), "DELETE")
    event = json.loads(body)
    assert status == 201
    assert event["resource"] == "/files/{proxy+}" and event["pathParameters"] == {"proxy": "a/b/c.txt"}


def test_unknown_route_or_method_is_missing_authentication_token(api: Api) -> None:
    for method, path in (("GET", "nothing-here"), ("DELETE", "items/1"), ("GET", "files")):
        status, _headers, body = _get(api.url(path), method)
        assert status == 403, path
        assert json.loads(body) == {"message": "Missing Authentication Token"}


def test_unknown_stage_is_forbidden(api: Api) -> None:
    status, _, body = _get(api.url("items/1", stage="prod"))
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}


def test_function_error_and_malformed_response_are_502(api: Api) -> None:
    for payload in (b"boom", b"malformed"):
        status, _, body = _get(api.url("items/1"), "POST", payload)
        assert status == 502
        assert json.loads(body) == {"message": "Internal server error"}


def test_integration_timeout_is_504(api: Api) -> None:
    status, _, body = _get(api.url("slow"))
    assert status == 504
    assert json.loads(body) == {"message": "Endpoint request timed out"}


def test_non_proxy_lambda_integration_passes_json_through(api: Api) -> None:
    status, _, body = _get(api.url("sum"), "POST", b'{"a": 2, "b": 3}', {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body) == {"sum": 5}


def test_mock_integration(api: Api) -> None:
    status, _, _ = _get(api.url("mock"))
    assert status == 200


def test_host_header_routing(api: Api) -> None:
    url = urllib.parse.urlsplit(api.cloud.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", "/dev/items/9", headers={"Host": f"{api.id}.execute-api.localhost"})
    response = conn.getresponse()
    assert response.status == 201
    assert json.loads(response.read())["pathParameters"] == {"id": "9"}


def test_localstack_style_path_reaches_the_stage(api: Api) -> None:
    base = f"{api.cloud.endpoint_url}/_aws/execute-api/{api.id}/dev"
    status, _, body = _get(f"{base}/items/9")
    assert status == 201, body
    assert json.loads(body)["pathParameters"] == {"id": "9"}
    status, _, body = _get(f"{base}/no/such/route")
    assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    status, _, body = _get(f"{api.cloud.endpoint_url}/_aws/execute-api/{api.id}/nostage/items/9")
    assert status == 403, "an unknown stage is refused by API Gateway, not answered by S3"


def test_missing_invoke_permission_is_500(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    api = Api(cloud, "agw-no-permission")
    api.method(api.root, "GET", "AWS_PROXY", _arn(cloud, name))
    api.deploy()
    status, _, body = _get(api.url(""))
    assert status == 500 and json.loads(body) == {"message": "Internal server error"}
    api.allow(name)
    assert _get(api.url(""))[0] == 201


def test_lambda_throttle_is_500(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    cloud.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    api = Api(cloud, "agw-throttled")
    api.method(api.root, "GET", "AWS_PROXY", _arn(cloud, name))
    api.allow(name)
    api.deploy()
    status, _, body = _get(api.url(""))
    assert status == 500 and json.loads(body) == {"message": "Internal server error"}


def test_stage_serves_its_deployment_not_later_changes(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    api = Api(cloud, "agw-snapshot")
    api.method(api.root, "GET", "AWS_PROXY", _arn(cloud, name))
    api.allow(name)
    api.deploy()
    api.method(api.resource(api.root, "new"), "GET", "AWS_PROXY", _arn(cloud, name))
    assert _get(api.url("new"))[0] == 403, "undeployed changes are not live"
    api.client.update_stage(
        restApiId=api.id,
        stageName="dev",
        patchOperations=[{"op": "replace", "path": "/tracingEnabled", "value": "true"}],
    )
    api.deploy()
    assert _get(api.url("new"))[0] == 201
    stage = api.client.get_stage(restApiId=api.id, stageName="dev")
    assert stage["tracingEnabled"] is True, "a new deployment keeps the stage's settings"


def test_malformed_json_body_fails_that_call_only(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    source = (
        "import json\n"
        "def handler(event, context):\n"
        "    order = json.loads(event['body'])\n"
        "    return {'statusCode': 201, 'body': json.dumps({'total': order['qty'] * 2})}\n"
    )
    name = deploy(source)
    api = Api(cloud, "agw-json")
    api.method(api.root, "POST", "AWS_PROXY", _arn(cloud, name))
    api.allow(name)
    api.deploy()
    status, _, body = _get(api.url(""), "POST", b'{"qty": 3,,', {"Content-Type": "application/json"})
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}
    status, _, body = _get(api.url(""), "POST", b'{"qty": 3}', {"Content-Type": "application/json"})
    assert status == 201 and json.loads(body) == {"total": 6}, "the next call works: nothing was lost"


def test_permission_for_another_api_or_method_is_500(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO)
    api = Api(cloud, "agw-scoped-permission")
    api.method(api.root, "GET", "AWS_PROXY", _arn(cloud, name))
    api.deploy()
    arn = f"arn:aws:execute-api:{cloud.region}:123456789012"
    lam = cloud.client("lambda")
    for sid, source in (("other-api", f"{arn}:zzzz999999/*"), ("post-only", f"{arn}:{api.id}/*/POST/")):
        lam.add_permission(
            FunctionName=name,
            StatementId=sid,
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=source,
        )
    status, _, body = _get(api.url(""))
    assert status == 500 and json.loads(body) == {"message": "Internal server error"}
    lam.add_permission(
        FunctionName=name,
        StatementId="get-root",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"{arn}:{api.id}/dev/GET/",
    )
    assert _get(api.url(""))[0] == 201
