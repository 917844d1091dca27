"""Where moto's Lambda control plane drops configuration that the data plane needs, and where it must
refuse what Lambda refuses (function states, concurrency quotas)."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..moto_hooks import Target, moto_hook, registry
from .errors import LambdaError
from .functions import spec_of
from .states import show_failure

if TYPE_CHECKING:
    from .service import LambdaService

LAMBDA: Target[LambdaService] = Target("lambda")


@moto_hook("moto.awslambda.models", "LambdaFunction", "update_configuration", ("self", "config_updates"))
def apply_tracing_config(original: Any, models: ModuleType) -> object:
    """moto ignores TracingConfig on UpdateFunctionConfiguration; AWS applies it."""

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if config_updates.get("TracingConfig"):
            self.tracing_config = {"Mode": config_updates["TracingConfig"].get("Mode", "PassThrough")}
        return original(self, config_updates)

    return update_configuration


# -- function states ("Lambda function states") ------------------------------------------------------
@moto_hook("moto.awslambda.models", "LambdaBackend", "create_function", ("self", "spec"))
def start_functions_pending(original: Any, models: ModuleType) -> object:
    """A new function is Pending, then Active (later for a VPC function)."""

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        fn = original(self, spec)
        service = LAMBDA.current
        if service is not None:
            in_vpc = bool((spec.get("VpcConfig") or {}).get("SubnetIds"))
            latest = self.get_function(fn.function_name)
            service.states.created(fn.function_name, latest.function_arn, in_vpc)
        return fn

    return create_function


@moto_hook("moto.awslambda.models", "LambdaFunction", "get_configuration", ("self", "on_create"))
def report_function_states(original: Any, models: ModuleType) -> object:
    """$LATEST's State and LastUpdateStatus as the function's lifecycle has them, not always Active/Successful;
    Failed, with the reason, once a creation or update that Lambda could not complete has finished trying."""

    def get_configuration(self: Any, on_create: bool = False) -> Any:
        config = original(self, on_create)
        service = LAMBDA.current
        if service is not None and str(self.version) == "$LATEST":
            service.states.describe(self.function_name, config)
            show_failure(config, getattr(self, "pocketcloud_failure", None))
        return config

    return get_configuration


def _updates_in_progress(original: Any) -> Any:
    """UpdateFunctionCode / UpdateFunctionConfiguration: refused while Pending or while another update is in
    progress; accepted ones are InProgress for a while, during which invocations run the previous spec."""

    def update(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
        service = LAMBDA.current
        fn = self.get_function(function_name, qualifier)  # moto's 404 for an unknown function comes first
        if service is None or str(fn.version) != "$LATEST" or body.get("DryRun"):
            return original(self, function_name, qualifier, body)
        _refuse(service, fn.function_name)
        previous = spec_of(fn)
        # Unpacked now, while moto still holds it: environments started during the update run it.
        service.code.unpack("code", fn.code_sha_256, fn.code_bytes)
        config = original(self, function_name, qualifier, body)
        vpc_change = "SubnetIds" in (body.get("VpcConfig") or {})
        service.states.update_started(fn.function_name, fn.function_arn, previous, vpc_change)
        if isinstance(config, dict) and config.get("Version") == "$LATEST":
            service.states.describe(fn.function_name, config)
        return config

    return update


@moto_hook(
    "moto.awslambda.models", "LambdaBackend", "update_function_code", ("self", "function_name", "qualifier", "body")
)
def update_code_in_progress(original: Any, models: ModuleType) -> object:
    """UpdateFunctionCode follows the function's state (see ``_updates_in_progress``)."""
    return _updates_in_progress(original)


@moto_hook(
    "moto.awslambda.models",
    "LambdaBackend",
    "update_function_configuration",
    ("self", "function_name", "qualifier", "body"),
)
def update_configuration_in_progress(original: Any, models: ModuleType) -> object:
    """UpdateFunctionConfiguration follows the function's state (see ``_updates_in_progress``)."""
    return _updates_in_progress(original)


@moto_hook("moto.awslambda.models", "LambdaBackend", "publish_version", ("self", "function_name", "description"))
def refuse_publishing_while_changing(original: Any, models: ModuleType) -> object:
    """PublishVersion fails while the function is Pending or an update is in progress."""

    def publish_version(self: Any, function_name: str, description: str = "") -> Any:
        service = LAMBDA.current
        if service is not None:
            _refuse(service, self.get_function(function_name).function_name)
        return original(self, function_name, description)

    return publish_version


def _refuse(service: LambdaService, name: str) -> None:
    try:
        service.states.refuse_change(name)
    except LambdaError as exc:
        raise _moto_error(exc) from None


# -- concurrency quotas -----------------------------------------------------------------------------
@moto_hook(
    "moto.awslambda.models",
    "LambdaBackend",
    "put_function_concurrency",
    ("self", "function_name", "reserved_concurrency"),
)
def keep_unreserved_minimum(original: Any, models: ModuleType) -> object:
    """PutFunctionConcurrency may not leave the account less than its minimum unreserved concurrency
    ("Configuring reserved concurrency for a function")."""

    def put_function_concurrency(self: Any, function_name: str, reserved_concurrency: str) -> Any:
        service = LAMBDA.current
        if service is not None:
            name = self.get_function(function_name).function_name
            try:
                service.quota.check_reserved(
                    service.reserved_by_function(self),
                    service.provisioned_by_function(),
                    name,
                    int(reserved_concurrency),
                )
            except LambdaError as exc:
                raise _moto_error(exc) from None
        return original(self, function_name, reserved_concurrency)

    return put_function_concurrency


def _moto_error(exc: LambdaError) -> Exception:
    """``exc`` as moto answers its own errors (the same code, status and message)."""
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(exc.code, exc.message)
    error.code = exc.status
    return error


HOOKS = (
    apply_tracing_config,
    start_functions_pending,
    report_function_states,
    update_code_in_progress,
    update_configuration_in_progress,
    refuse_publishing_while_changing,
    keep_unreserved_minimum,
)


def install(service: LambdaService) -> None:
    """Register the hooks; function states and quotas are ``service``'s (the latest server's)."""
    LAMBDA.serve(service)
    registry.register(HOOKS)
