"""Lambda functions from ``lambda_code/``: package, deploy, wait until ready, permissions, aliases, logs.

Example::

    deploy_function(ws, ws.name("notifier"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": topic})
    ensure_provisioned_alias(ws, ws.name("db-time"), "live", 4)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..session import REPO_ROOT, Workshop
from ..text import say
from .waiting import WaitFailed, poll, wait_for

LAMBDA_CODE = REPO_ROOT / "lambda_code"
HANDLER = "lambda_function.lambda_handler"
RUNTIME = "python3.12"


def zip_folder(folder: str | Path) -> bytes:
    """A deterministic zip of ``folder`` (relative names are under ``lambda_code/``), so unchanged code
    hashes the same."""
    return zip_tree(Path(folder) if Path(folder).is_absolute() else LAMBDA_CODE / folder)


def zip_tree(folder: Path) -> bytes:
    """Every file below ``folder`` with fixed timestamps and permissions, caches left out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                info = zipfile.ZipInfo(str(path.relative_to(folder)), date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def code_sha256(zip_bytes: bytes) -> str:
    """What Lambda reports as CodeSha256: base64 of the SHA-256 of the deployment package.

    >>> code_sha256(b"")
    '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
    """
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


def ensure_invoke_permission(
    ws: Workshop,
    function: str,
    statement_id: str,
    principal: str,
    source_arn: str,
    source_account: str | None = None,
) -> None:
    """Allow ``principal`` (a service such as ``s3.amazonaws.com``) to invoke ``function`` from ``source_arn``, once."""
    lam = ws.client("lambda")
    try:
        policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
        if any(s.get("Sid") == statement_id for s in policy["Statement"]):
            return
    except lam.exceptions.ResourceNotFoundException:
        pass
    extra = {"SourceAccount": source_account} if source_account else {}
    lam.add_permission(
        FunctionName=function,
        StatementId=statement_id,
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source_arn,
        **extra,
    )


def wait_until_ready(ws: Workshop, name: str, *, timeout_s: float = 300, progress: bool = True) -> dict[str, Any]:
    """Wait until the function is Active and its last update finished (boto3's ``function_active_v2`` and
    ``function_updated_v2`` waiters); returns its configuration. A failed state or a failed last update
    (``LastUpdateStatus: Failed``) raises :class:`FunctionFailed` with Lambda's reason."""
    try:
        response = wait_for(
            ws.client("lambda"),
            ("function_active_v2", "function_updated_v2"),
            say("aws.lambdas.becoming_ready", name=name),
            timeout_s=timeout_s,
            estimate_s=ws.default(local=2, aws=60),
            interval_s=ws.default(local=1, aws=3),
            progress=progress,
            FunctionName=name,
        )
    except WaitFailed as failed:
        config = ws.client("lambda").get_function_configuration(FunctionName=name)
        raise FunctionFailed(failure_reason(config) or str(failed)) from failed
    configuration: dict[str, Any] = response["Configuration"]
    reason = failure_reason(configuration)
    if reason:  # the waiters' acceptors read Failed as done on some botocore versions: never call that ready
        raise FunctionFailed(reason)
    return configuration


class FunctionFailed(RuntimeError):
    """The function's state or its last update failed; the message is Lambda's reason."""


def failure_reason(config: dict[str, Any]) -> str | None:
    """Lambda's reason when the function's state or last update failed, else None.

    >>> failure_reason({"State": "Active", "LastUpdateStatus": "Failed", "LastUpdateStatusReason":
    ...                 "Subnet out of IPs", "LastUpdateStatusReasonCode": "SubnetOutOfIPAddresses"})
    'last update of the function failed (SubnetOutOfIPAddresses): Subnet out of IPs'
    >>> failure_reason({"State": "Active", "LastUpdateStatus": "Successful"}) is None
    True
    """
    if config.get("State") == "Failed":
        return f"function failed ({config.get('StateReasonCode')}): {config.get('StateReason')}"
    if config.get("LastUpdateStatus") == "Failed":
        return (
            f"last update of the function failed ({config.get('LastUpdateStatusReasonCode')}): "
            f"{config.get('LastUpdateStatusReason')}"
        )
    return None


def deploy_function(
    ws: Workshop,
    name: str,
    code: str,
    *,
    role_arn: str,
    env: dict[str, str] | None = None,
    layers: list[str] | None = None,
    subnet_ids: list[str] | None = None,
    security_group_ids: list[str] | None = None,
    timeout_s: int = 10,
    memory_mb: int = 128,
    tracing: str = "PassThrough",
    handler: str = HANDLER,
) -> dict[str, Any]:
    """Create function ``name`` from ``lambda_code/<code>``, or update it: the code only when its hash
    changed, the configuration only when it differs. Safe to call twice; waits until ready."""
    lam = ws.client("lambda")
    package = zip_folder(code)
    config: dict[str, Any] = {
        "Role": role_arn,
        "Handler": handler,
        "Runtime": RUNTIME,
        "Timeout": timeout_s,
        "MemorySize": memory_mb,
        "Environment": {"Variables": dict(env or {})},
        "Layers": list(layers or []),
        "TracingConfig": {"Mode": tracing},
    }
    if subnet_ids:
        config["VpcConfig"] = {"SubnetIds": subnet_ids, "SecurityGroupIds": security_group_ids or []}
    try:
        current = lam.get_function_configuration(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        ensure_log_group(ws, name)
        _while_iam_propagates(
            ws, name, lambda: lam.create_function(FunctionName=name, Code={"ZipFile": package}, Tags=ws.tags, **config)
        )
        return wait_until_ready(ws, name)
    wait_until_ready(ws, name)
    if current["CodeSha256"] != code_sha256(package):
        lam.update_function_code(FunctionName=name, ZipFile=package)
        wait_until_ready(ws, name)
    if _config_differs(current, config):
        _while_iam_propagates(ws, name, lambda: lam.update_function_configuration(FunctionName=name, **config))
    return wait_until_ready(ws, name)


def ensure_log_group(ws: Workshop, name: str) -> str:
    """Make function ``name``'s log group, ``/aws/lambda/<name>``, carrying the workshop's tags; returns its name.

    Lambda would create the group itself at the first call, untagged, and keep it after the function is deleted;
    made here first, it is found as the workshop's (tag and prefix) by the cleanup whenever it runs. A group that
    exists already (an earlier run, or Lambda's own) gets the tags.
    """
    logs, group = ws.client("logs"), f"/aws/lambda/{name}"
    try:
        logs.create_log_group(logGroupName=group, tags=ws.tags)
    except logs.exceptions.ResourceAlreadyExistsException:
        logs.tag_log_group(logGroupName=group, tags=ws.tags)
    return group


# What Lambda answers while a role's trust or permissions have not reached it yet (Lambda Developer
# Guide, "Troubleshoot deployment issues"): the same call succeeds once IAM has propagated.
_PROPAGATING = ("cannot be assumed by Lambda", "does not have permissions to call")


def _while_iam_propagates(ws: Workshop, name: str, call: Callable[[], Any]) -> None:
    """``call()``, retried (bounded: a minute here, three on AWS) while Lambda refuses the role because IAM is
    still propagating it or a policy just attached to it (VPC access, X-Ray write access)."""
    lam = ws.client("lambda")

    def attempt() -> str | None:
        try:
            call()
        except lam.exceptions.InvalidParameterValueException as error:
            if any(text in str(error) for text in _PROPAGATING):
                return str(error)
            raise
        return None

    poll(
        attempt,
        lambda refused: refused is None,
        say("aws.lambdas.waiting_iam", name=name),
        timeout_s=ws.default(local=60, aws=180),
        estimate_s=ws.default(local=3, aws=15),
        interval_s=1,
    )


def _config_differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    have = {
        "Role": current.get("Role"),
        "Handler": current.get("Handler"),
        "Runtime": current.get("Runtime"),
        "Timeout": current.get("Timeout"),
        "MemorySize": current.get("MemorySize"),
        "Environment": {"Variables": current.get("Environment", {}).get("Variables", {})},
        "Layers": [layer["Arn"] for layer in current.get("Layers", [])],
        "TracingConfig": {"Mode": current.get("TracingConfig", {}).get("Mode", "PassThrough")},
    }
    if "VpcConfig" in wanted:
        vpc = current.get("VpcConfig") or {}
        have["VpcConfig"] = {"SubnetIds": vpc.get("SubnetIds", []), "SecurityGroupIds": vpc.get("SecurityGroupIds", [])}
    return any(have.get(key) != value for key, value in wanted.items())


def recent_logs(ws: Workshop, name: str, minutes: int = 15, limit: int = 50) -> list[str]:
    """The function's latest log lines from CloudWatch Logs (oldest first)."""
    logs = ws.client("logs")
    start = int((time.time() - minutes * 60) * 1000)
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", startTime=start)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [str(e["message"]).rstrip("\n") for e in events][-limit:]


def function_exists(ws: Workshop, name: str) -> bool:
    """Whether function ``name`` exists (one GetFunctionConfiguration, not a listing of every function)."""
    lam = ws.client("lambda")
    try:
        lam.get_function_configuration(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        return False
    return True


def delete_function(ws: Workshop, name: str) -> bool:
    """Delete function ``name``; False when there was none."""
    lam = ws.client("lambda")
    try:
        lam.delete_function(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        return False
    return True


def recycle_environments(ws: Workshop, function: str) -> None:
    """Change a harmless setting so Lambda retires the function's warm environments (next calls are cold)."""
    lam = ws.client("lambda")
    config = wait_until_ready(ws, function)
    env = dict((config.get("Environment") or {}).get("Variables") or {})
    env["RECYCLED_AT"] = str(time.time())
    _while_iam_propagates(
        ws, function, lambda: lam.update_function_configuration(FunctionName=function, Environment={"Variables": env})
    )
    wait_until_ready(ws, function)


def ensure_provisioned_alias(
    ws: Workshop, function: str, alias: str, count: int, *, timeout_s: float = 900, progress: bool = True
) -> dict[str, Any]:
    """Publish the current code as a version, point ``alias`` at it and provision ``count`` environments.

    Waits until the configuration is READY (minutes on AWS) and returns it with the alias and version.
    """
    lam = ws.client("lambda")
    wait_until_ready(ws, function)
    version = lam.publish_version(FunctionName=function)["Version"]
    try:
        current = lam.get_alias(FunctionName=function, Name=alias)
    except lam.exceptions.ResourceNotFoundException:
        current = None
    if current is None:
        lam.create_alias(FunctionName=function, Name=alias, FunctionVersion=version)
    elif current["FunctionVersion"] != version:
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=version)
    lam.put_provisioned_concurrency_config(
        FunctionName=function, Qualifier=alias, ProvisionedConcurrentExecutions=count
    )

    def status() -> dict[str, Any]:
        config: dict[str, Any] = lam.get_provisioned_concurrency_config(FunctionName=function, Qualifier=alias)
        if config.get("Status") == "FAILED":
            raise RuntimeError(say("aws.lambdas.provisioning_failed", reason=config.get("StatusReason")))
        return config

    config = poll(
        status,
        lambda c: c["Status"] == "READY",
        say("aws.lambdas.provisioning", count=count),
        timeout_s=timeout_s,
        estimate_s=ws.default(local=10, aws=180),
        interval_s=ws.default(local=1, aws=10),
        progress=progress,
    )
    return {"Alias": alias, "FunctionVersion": version, **{k: v for k, v in config.items() if k != "ResponseMetadata"}}


def remove_provisioned_alias(ws: Workshop, function: str, alias: str) -> bool:
    """Remove the provisioned concurrency and the alias; False when there was none."""
    lam = ws.client("lambda")
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        lam.delete_provisioned_concurrency_config(FunctionName=function, Qualifier=alias)
    try:
        lam.get_alias(FunctionName=function, Name=alias)
    except lam.exceptions.ResourceNotFoundException:
        return False
    lam.delete_alias(FunctionName=function, Name=alias)
    return True


def remove_reserved_concurrency(ws: Workshop, function: str) -> bool:
    """Lift the function's reserved-concurrency cap; False when it had none (or the function is gone)."""
    lam = ws.client("lambda")
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        if lam.get_function_concurrency(FunctionName=function).get("ReservedConcurrentExecutions") is not None:
            lam.delete_function_concurrency(FunctionName=function)
            return True
    return False
