"""Where moto's Lambda control plane drops configuration that the data plane needs."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..moto_hooks import moto_hook, registry


@moto_hook("moto.awslambda.models", "LambdaFunction", "update_configuration", ("self", "config_updates"))
def apply_tracing_config(original: Any, models: ModuleType) -> object:
    """moto ignores TracingConfig on UpdateFunctionConfiguration; AWS applies it."""

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if config_updates.get("TracingConfig"):
            self.tracing_config = {"Mode": config_updates["TracingConfig"].get("Mode", "PassThrough")}
        return original(self, config_updates)

    return update_configuration


HOOKS = (apply_tracing_config,)


def install() -> None:
    registry.register(HOOKS)
