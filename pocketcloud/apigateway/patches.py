"""Where moto's API Gateway control plane needs to behave more like AWS for the data plane."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..moto_hooks import when_loaded
from .routes import snapshot


def install() -> None:
    when_loaded("moto.apigateway.models", _patch_models)


def _patch_models(models: ModuleType) -> None:
    from moto.apigateway.exceptions import RestAPINotFound

    original_create = models.RestAPI.create_deployment

    def create_deployment(self: Any, name: str, description: str, stage_variables: Any = None) -> Any:
        # AWS keeps a stage's settings (tracing, variables) when a new deployment is pointed at it;
        # moto replaces the stage object, so carry the old one over.
        previous = self.stages.get(name) if name else None
        deployment = original_create(self, name, description, stage_variables)
        deployment.pocketcloud_routes = snapshot(self)
        if previous is not None:
            previous.deployment_id = deployment.id
            if stage_variables:
                previous.variables.update(stage_variables)
            self.stages[name] = previous
        return deployment

    original_delete = models.APIGatewayBackend.delete_rest_api

    def delete_rest_api(self: Any, function_id: str) -> Any:
        if function_id not in self.apis:
            raise RestAPINotFound()
        return original_delete(self, function_id)

    models.RestAPI.create_deployment = create_deployment
    models.APIGatewayBackend.delete_rest_api = delete_rest_api
