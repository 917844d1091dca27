"""How API Gateway serves one (API, stage, method, path): derived once from moto's state, then reused."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from typing import TYPE_CHECKING, Any

from ..lambda_.functions import split_name
from .proxy import EventTemplate
from .routes import Match, match

if TYPE_CHECKING:
    from ..server import Server

_LAMBDA_URI = re.compile(r"arn:aws:apigateway:[^:]+:lambda:path/2015-03-31/functions/(?P<fn>.+)/invocations")
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclasses.dataclass(frozen=True)
class Plan:
    """How to serve one (API, stage, method, path): everything taken from moto's state, derived
    once per control-plane generation, so that a request only does its own part."""

    api: Any = None
    stage: Any = None
    found: Match | None = None
    refusal: tuple[int, str, str | None] | None = None  # answered before the integration runs
    failure: bool = False  # the integration cannot run: 500, as AWS answers a bad target or permission
    function_arn: str = ""
    event: EventTemplate | None = None
    traced: bool = False  # the stage has tracing enabled: X-Ray records its segment


def make_plan(server: Server, api_id: str, stage_name: str, method: str, path: str) -> Plan:
    """How to serve ``method path`` on the stage, read from moto's state."""
    path = path if path.startswith("/") else "/" + path
    backend = server.moto.backend("apigateway")
    api = backend.apis.get(api_id)
    stage = api.stages.get(stage_name) if api else None
    deployment = api.deployments.get(stage.deployment_id) if stage and stage.deployment_id else None
    routes = getattr(deployment, "pocketcloud_routes", None)
    if api is None or stage is None or routes is None:
        return Plan(refusal=(403, "Forbidden", "ForbiddenException"))
    found = match(routes, path, method)
    if found is None or found.integration is None:
        return Plan(refusal=(403, "Missing Authentication Token", "MissingAuthenticationTokenException"))
    integration = found.integration
    traced = bool(stage.tracing_enabled)
    if integration.type == "MOCK":
        return Plan(api, stage, found, traced=traced)
    uri = _STAGE_VAR.sub(lambda m: stage.variables.get(m.group(1), ""), integration.uri or "")
    target = _LAMBDA_URI.match(uri)
    if integration.type not in ("AWS_PROXY", "AWS") or target is None:
        return Plan(api, stage, found, failure=True, traced=traced)
    function_arn = target.group("fn")
    prefix = f"arn:aws:execute-api:{server.settings.region}:{server.settings.account_id}:"
    source_arns = [
        f"{prefix}{api_id}/{stage.name}/{method}{found.route.path}",
        f"{prefix}{api_id}/{stage.name}/{method}{path}",
    ]
    if not _may_invoke(server, function_arn, source_arns):
        return Plan(api, stage, found, failure=True, traced=traced)
    event = None
    if integration.type == "AWS_PROXY":
        event = EventTemplate(
            api_id=api_id,
            stage=stage.name,
            account_id=server.settings.account_id,
            method=method,
            resource_id=found.route.resource_id,
            resource_path=found.route.path,
            path=path,
            path_parameters=found.path_parameters,
            stage_variables=dict(stage.variables),
        )
    return Plan(api, stage, found, function_arn=function_arn, event=event, traced=traced)


def _may_invoke(server: Server, function_arn: str, source_arns: list[str]) -> bool:
    """True when the function's resource policy lets API Gateway invoke it for the request."""
    name, qualifier = split_name(function_arn, None)
    try:
        fn = server.moto.backend("lambda").get_function(name, qualifier)
    except Exception:
        return True  # Lambda itself answers 404; API Gateway maps that to a 500 below
    for statement in fn.policy.statements:
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else principal
        services = service if isinstance(service, list) else [service]
        if "apigateway.amazonaws.com" not in services or statement.get("Effect", "Allow") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if not any(a in ("lambda:InvokeFunction", "lambda:*") for a in actions):
            continue
        condition = statement.get("Condition", {})
        patterns = [v for block in condition.values() for k, v in block.items() if k.lower() == "aws:sourcearn"]
        candidates = [(arn, p) for arn in source_arns for p in _flatten(patterns)]
        if not patterns or any(fnmatch.fnmatchcase(arn, p) for arn, p in candidates):
            return True
    return False


def _flatten(values: list[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        out += value if isinstance(value, list) else [value]
    return out
