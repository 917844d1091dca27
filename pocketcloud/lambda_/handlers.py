"""The edge routes the Lambda service answers itself: Invoke, provisioned concurrency, log reads that wait for lines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..fastlane import Request, Response
from .errors import LambdaError
from .functions import load_spec, split_name

if TYPE_CHECKING:
    from ..edge import AwsRequest
    from .service import LambdaService

INVOKE = r"/2015-03-31/functions/(?P<function>[^/]+)/invocations"
INVOKE_ASYNC = r"/2014-11-13/functions/(?P<function>[^/]+)/invoke-async/?"
PROVISIONED = "/2019-09-30/functions/{function}/provisioned-concurrency"
ACCOUNT_SETTINGS = "/2016-08-19/account-settings"


def install(service: LambdaService) -> None:
    edge = service.server.edge

    def refused(request: Request) -> Response | None:
        """A function's own Invoke, signed with its execution role's credentials, needs lambda:InvokeFunction;
        anyone else's costs one look-up here."""
        caller = service.credentials.caller_of_authorization(request.headers.get("Authorization", ""))
        if caller is None:
            return None
        function, qualifier = request.match_info["function"], request.query.get("Qualifier")
        token = request.headers.get("X-Amz-Security-Token")
        refusal = service.server.iam.check_invoke(caller, function, qualifier, token)
        return None if refusal is None else Response(refusal[0], refusal[2], list(refusal[1].items()))

    async def invoke(request: Request) -> Response:
        denied = refused(request)
        if denied is not None:
            return denied
        try:
            result = await service.invoke(
                request.match_info["function"],
                request.body,
                qualifier=request.query.get("Qualifier"),
                invocation_type=request.headers.get("X-Amz-Invocation-Type", "RequestResponse"),
                log_type=request.headers.get("X-Amz-Log-Type", "None"),
                trace_header=request.headers.get("X-Amzn-Trace-Id"),
                client_context=request.headers.get("X-Amz-Client-Context"),
            )
        except LambdaError as exc:
            return exc.to_fast_response()
        headers = [("X-Amz-Executed-Version", result.executed_version), ("x-amzn-RequestId", result.request_id)]
        if result.status_code == 200:
            headers.append(("Content-Type", "application/json"))
        if result.function_error:
            headers.append(("X-Amz-Function-Error", result.function_error))
        if result.log_result is not None:
            headers.append(("X-Amz-Log-Result", result.log_result))
        return Response(result.status_code, result.payload, headers)

    async def invoke_async(request: Request) -> Response:
        denied = refused(request)
        if denied is not None:
            return denied
        try:
            await service.invoke(request.match_info["function"], request.body, invocation_type="Event")
        except LambdaError as exc:
            return exc.to_fast_response()
        return Response.json({"Status": 202}, status=202)

    async def provisioned(request: web.Request) -> web.Response:
        try:
            return await _provisioned(service, request)
        except LambdaError as exc:
            return exc.to_response()

    async def account_settings(_: web.Request) -> web.Response:
        return web.json_response(await service.server.moto.run(service.account_settings))

    async def flush_logs_first(_: AwsRequest) -> None:
        await service.logs.flush()
        return None

    edge.add_fast_route("POST", INVOKE, invoke)
    edge.add_fast_route("POST", INVOKE_ASYNC, invoke_async)
    for method in ("GET", "PUT", "DELETE"):
        edge.add_route(method, PROVISIONED, provisioned)
    edge.add_route("GET", ACCOUNT_SETTINGS, account_settings)  # moto has no GetAccountSettings
    edge.add_route("GET", ACCOUNT_SETTINGS + "/", account_settings)
    for action in ("GetLogEvents", "FilterLogEvents", "DescribeLogStreams", "StartQuery"):
        edge.intercept("logs", action, flush_logs_first)


def _config_json(service: LambdaService, name: str, qualifier: str) -> dict[str, Any]:
    config = service.pools.provisioned[(name, qualifier)]
    body = {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": config.available if config.status == "READY" else 0,
        "AllocatedProvisionedConcurrentExecutions": config.available if config.status == "READY" else 0,
        "Status": config.status,
        "LastModified": config.last_modified,
    }
    if config.status_reason:
        body["StatusReason"] = config.status_reason
    return body


async def _provisioned(service: LambdaService, request: web.Request) -> web.Response:
    name, inner = split_name(request.match_info["function"], None)
    qualifier = request.query.get("Qualifier") or inner
    if request.method == "GET" and request.query.get("List") == "ALL":
        load_spec(service.backend(), name, None)  # 404 for an unknown function
        configs = []
        for (fn, qual), _ in sorted(service.pools.provisioned.items()):
            if fn == name:
                spec, _ = load_spec(service.backend(), fn, None)
                configs.append({"FunctionArn": f"{spec.arn}:{qual}", **_config_json(service, fn, qual)})
        return web.json_response({"ProvisionedConcurrencyConfigs": configs})
    if not qualifier or qualifier == "$LATEST":
        raise LambdaError.invalid_parameter(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    spec, _ = load_spec(service.backend(), name, qualifier)
    if request.method == "PUT":
        try:
            requested = int(json.loads(await request.read())["ProvisionedConcurrentExecutions"])
        except (ValueError, KeyError, TypeError) as exc:
            raise LambdaError.invalid_parameter("ProvisionedConcurrentExecutions must be a positive integer") from exc
        if requested < 1:
            raise LambdaError.invalid_parameter("ProvisionedConcurrentExecutions must be at least 1")
        # Within the function's reserved concurrency, else out of the account's unreserved concurrency, which
        # must keep its minimum ("Configuring provisioned concurrency for a function").
        held = service.pools.provisioned.items()
        others = sum(c.requested for (fn, qual), c in held if fn == spec.name and qual != qualifier)
        reserved = await service.server.moto.run(service.reserved_by_function)
        service.quota.check_provisioned(reserved, service.provisioned_by_function(), spec.name, others, requested)
        await service.put_provisioned(spec.name, qualifier, requested)
        return web.json_response(_config_json(service, spec.name, qualifier), status=202)
    if (spec.name, qualifier) not in service.pools.provisioned:
        raise LambdaError(
            "ProvisionedConcurrencyConfigNotFoundException",
            f"No Provisioned Concurrency Config found for this function: {spec.arn}:{qualifier}",
            404,
        )
    if request.method == "GET":
        return web.json_response(_config_json(service, spec.name, qualifier))
    await service.delete_provisioned(spec.name, qualifier)
    return web.Response(status=204)
