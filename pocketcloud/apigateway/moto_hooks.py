"""Where moto's API Gateway control plane needs to behave more like AWS for the data plane."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..moto_hooks import moto_hook, registry
from .routes import snapshot


@moto_hook("moto.apigateway.models", "RestAPI", "create_deployment", ("self", "name", "description", "stage_variables"))
def keep_stage_settings(original: Any, models: ModuleType) -> object:
    """AWS keeps a stage's settings (tracing, variables) when a new deployment is pointed at it; moto
    replaces the stage object, so the old one is carried over. Each deployment also keeps a snapshot
    of the routes it serves, as AWS's does."""

    def create_deployment(self: Any, name: str, description: str, stage_variables: Any = None) -> Any:
        previous = self.stages.get(name) if name else None
        deployment = original(self, name, description, stage_variables)
        deployment.pocketcloud_routes = snapshot(self)
        if previous is not None:
            previous.deployment_id = deployment.id
            if stage_variables:
                previous.variables.update(stage_variables)
            self.stages[name] = previous
        return deployment

    return create_deployment


@moto_hook("moto.apigateway.models", "APIGatewayBackend", "delete_rest_api", ("self", "function_id"))
def refuse_deleting_an_unknown_api(original: Any, models: ModuleType) -> object:
    """Deleting an API that does not exist is a NotFoundException on AWS, not a KeyError."""
    from moto.apigateway.exceptions import RestAPINotFound

    def delete_rest_api(self: Any, function_id: str) -> Any:
        if function_id not in self.apis:
            raise RestAPINotFound()
        return original(self, function_id)

    return delete_rest_api


HOOKS = (keep_stage_settings, refuse_deleting_an_unknown_api)


def install() -> None:
    registry.register(HOOKS)
