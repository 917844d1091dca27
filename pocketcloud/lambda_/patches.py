"""Where moto's Lambda control plane drops configuration that the data plane needs."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..moto_hooks import when_loaded


def install() -> None:
    when_loaded("moto.awslambda.models", _patch_models)


def _patch_models(models: ModuleType) -> None:
    original = models.LambdaFunction.update_configuration

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        # moto ignores TracingConfig on UpdateFunctionConfiguration; AWS applies it.
        if config_updates.get("TracingConfig"):
            self.tracing_config = {"Mode": config_updates["TracingConfig"].get("Mode", "PassThrough")}
        return original(self, config_updates)

    models.LambdaFunction.update_configuration = update_configuration
