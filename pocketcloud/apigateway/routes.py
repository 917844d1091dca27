"""Deployed route tables: a snapshot of an API's resources taken when a deployment is created.

A stage serves its deployment's snapshot, so changes made after the last deployment are not live,
as on AWS. Matching prefers literal path parts over ``{param}`` over greedy ``{proxy+}``.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class IntegrationSpec:
    type: str  # AWS_PROXY | AWS | MOCK | HTTP | HTTP_PROXY
    uri: str | None
    timeout_ms: int
    mock_body: str


@dataclasses.dataclass(frozen=True)
class RouteSpec:
    resource_id: str
    path: str  # template, e.g. /items/{id}
    methods: dict[str, IntegrationSpec | None]  # http method (or ANY) -> integration

    @property
    def parts(self) -> list[str]:
        return [p for p in self.path.split("/") if p]


@dataclasses.dataclass(frozen=True)
class Match:
    route: RouteSpec
    method: str
    integration: IntegrationSpec | None
    path_parameters: dict[str, str]


def snapshot(api: Any) -> list[RouteSpec]:
    """Freeze moto's resource tree of ``api`` into route specs."""
    routes = []
    for resource in api.resources.values():
        methods: dict[str, IntegrationSpec | None] = {}
        for http_method, method in resource.resource_methods.items():
            integration = method.method_integration
            if integration is None:
                methods[http_method.upper()] = None
                continue
            mock_body = ""
            for response in (integration.integration_responses or {}).values():
                templates = getattr(response, "response_templates", None) or {}
                mock_body = templates.get("application/json") or mock_body
            methods[http_method.upper()] = IntegrationSpec(
                type=integration.integration_type.upper(),
                uri=integration.uri,
                timeout_ms=int(integration.timeout_in_millis or 29000),
                mock_body=mock_body or "",
            )
        routes.append(RouteSpec(resource.id, resource.get_path(), methods))
    return routes


def _match_parts(template: list[str], path: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    score: list[int] = []
    params: dict[str, str] = {}
    for i, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            rest = path[i:]
            if not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            score.append(0)
            return tuple(score), params
        if i >= len(path):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = path[i]
            score.append(1)
        elif part == path[i]:
            score.append(2)
        else:
            return None
    if len(path) != len(template):
        return None
    return tuple(score), params


def match(routes: list[RouteSpec], path: str, method: str) -> Match | None:
    """The route and method that serve ``method path``, or None (API Gateway then answers 403)."""
    parts = [p for p in path.split("/") if p]
    best: tuple[tuple[int, ...], RouteSpec, dict[str, str]] | None = None
    for route in routes:
        found = _match_parts(route.parts, parts)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], route, found[1])
    if best is None:
        return None
    _, route, params = best
    for candidate in (method.upper(), "ANY"):
        if candidate in route.methods:
            return Match(route, candidate, route.methods[candidate], params)
    return None
