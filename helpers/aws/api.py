"""A REST API in front of a function: create it, find its stage, switch stage tracing, call it."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.request
from typing import Any

from ..session import Workshop
from .lambdas import ensure_invoke_permission

# Stage URLs deployed moments ago, and until when their first call is retried: a fresh deployment may answer
# 403 or 404 for a few seconds on AWS while it reaches every API Gateway host.
_FRESH_DEPLOYMENTS: dict[str, float] = {}
_NOT_DEPLOYED_YET = (403, 404)


def api_url(ws: Workshop, api_id: str, stage: str) -> str:
    """The stage's invoke URL on this target."""
    # Stays a target difference: pocketcloud also answers at {api_id}.execute-api.localhost, but not every
    # resolver maps *.localhost to loopback, so its URL carries the API in the path instead.
    if ws.local:
        return f"{ws.endpoint_url}/restapis/{api_id}/{stage}/_user_request_/"
    return f"https://{api_id}.execute-api.{ws.region}.amazonaws.com/{stage}/"


def api_id_and_stage(url: str) -> tuple[str, str]:
    """The REST API id and stage in an invoke URL (AWS ``https://{id}.execute-api...`` or pocketcloud's).

    >>> api_id_and_stage("https://a1b2c3.execute-api.us-east-1.amazonaws.com/dev/")
    ('a1b2c3', 'dev')
    >>> api_id_and_stage("http://127.0.0.1:4566/restapis/a1b2c3/dev/_user_request_/")
    ('a1b2c3', 'dev')
    """
    if "/restapis/" in url:
        api_id, stage = url.split("/restapis/", 1)[1].split("/")[:2]
        return api_id, stage
    host, _, path = url.split("//", 1)[-1].partition("/")
    return host.split(".", 1)[0], path.split("/", 1)[0]


def find_rest_apis(ws: Workshop, name: str) -> list[dict[str, Any]]:
    """The REST APIs called ``name``, every page of GetRestApis read."""
    pages = ws.client("apigateway").get_paginator("get_rest_apis").paginate()
    return [api for page in pages for api in page.get("items", []) if api["name"] == name]


def ensure_rest_api(ws: Workshop, name: str, function_name: str, *, stage: str = "dev") -> dict[str, str]:
    """REST API ``name`` whose ``GET /`` is a Lambda proxy integration to ``function_name``, with the
    invoke permission and a deployed stage. Re-running points it at the function and redeploys."""
    apigw, lam = ws.client("apigateway"), ws.client("lambda")
    function_arn = lam.get_function_configuration(FunctionName=function_name)["FunctionArn"]
    existing = find_rest_apis(ws, name)
    api_id: str = existing[0]["id"] if existing else apigw.create_rest_api(
        name=name, description="Serverless at Scale workshop API", endpointConfiguration={"types": ["REGIONAL"]},
        tags=ws.tags,
    )["id"]  # fmt: skip
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    try:
        apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    except apigw.exceptions.NotFoundException:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    uri = f"arn:aws:apigateway:{ws.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST", uri=uri
    )
    ensure_invoke_permission(
        ws,
        function_name,
        f"apigateway-{api_id}",
        "apigateway.amazonaws.com",
        f"arn:aws:execute-api:{ws.region}:{ws.account}:{api_id}/*/GET/",
    )
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    url = api_url(ws, api_id, stage)
    _FRESH_DEPLOYMENTS[url.rstrip("/")] = time.monotonic() + ws.default(local=10, aws=60)
    return {"api_id": api_id, "stage": stage, "url": url}


def get_stage(ws: Workshop, url: str) -> dict[str, Any]:
    """The stage behind an invoke URL, as API Gateway describes it (``tracingEnabled`` and the rest)."""
    api_id, stage = api_id_and_stage(url)
    found: dict[str, Any] = ws.client("apigateway").get_stage(restApiId=api_id, stageName=stage)
    return found


def set_stage_tracing(ws: Workshop, url: str, enabled: bool) -> dict[str, Any]:
    """Turn X-Ray tracing of the stage behind an invoke URL on or off; returns the stage."""
    api_id, stage = api_id_and_stage(url)
    updated: dict[str, Any] = ws.client("apigateway").update_stage(
        restApiId=api_id,
        stageName=stage,
        patchOperations=[{"op": "replace", "path": "/tracingEnabled", "value": "true" if enabled else "false"}],
    )
    return updated


@dataclasses.dataclass
class ApiResponse:
    """One HTTP answer: status, body (parsed when JSON), client-side latency and headers."""

    status: int
    body: Any
    latency_ms: float
    headers: dict[str, str]


def call_api(
    url: str,
    path: str = "",
    *,
    method: str = "GET",
    data: Any = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 35,
) -> ApiResponse:
    """Call the API: status, body (parsed when JSON), latency and headers. HTTP errors are returned, not raised.

    The first call to a stage that :func:`ensure_rest_api` just deployed is repeated while it answers 403 or
    404 (for a bounded time): the deployment is still reaching API Gateway's hosts.
    """
    fresh_until = _FRESH_DEPLOYMENTS.get(url.rstrip("/"))
    while True:
        answer = _call_once(url, path, method=method, data=data, headers=headers, timeout_s=timeout_s)
        if fresh_until is None or answer.status not in _NOT_DEPLOYED_YET or time.monotonic() >= fresh_until:
            _FRESH_DEPLOYMENTS.pop(url.rstrip("/"), None)
            return answer
        time.sleep(1)


def _call_once(
    url: str, path: str, *, method: str, data: Any, headers: dict[str, str] | None, timeout_s: float
) -> ApiResponse:
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url.rstrip("/") + "/" + path.lstrip("/"), data=body, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            status, raw, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), dict(error.headers)
    latency = (time.perf_counter() - started) * 1000
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return ApiResponse(status, parsed, latency, answer_headers)
