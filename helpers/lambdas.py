"""Deploy a learner's function from ``lambda_code/`` and invoke it.

Example::

    deploy_function(ws, ws.name("notifier"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": topic})
    result = invoke(ws, ws.name("notifier"), {"hello": "world"})
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

from .invocations import report_from_tail
from .session import REPO_ROOT

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
    """What Lambda reports as CodeSha256: base64 of the SHA-256 of the deployment package."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


def ensure_invoke_permission(
    ws: Any, function: str, statement_id: str, principal: str, source_arn: str, source_account: str | None = None
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


def show_code(folder: str, filename: str = "lambda_function.py") -> Any:
    """The handler source as a Markdown code block, so learners read what they deploy."""
    from IPython.display import Markdown

    source = (LAMBDA_CODE / folder / filename).read_text()
    return Markdown(f"`lambda_code/{folder}/{filename}`\n\n```python\n{source}\n```")


def wait_until_ready(ws: Any, name: str, timeout_s: float = 300) -> dict[str, Any]:
    lam = ws.client("lambda")
    deadline = time.monotonic() + timeout_s
    while True:
        config = lam.get_function_configuration(FunctionName=name)
        if config.get("State", "Active") == "Active" and config.get("LastUpdateStatus", "Successful") != "InProgress":
            return config
        if config.get("State") == "Failed" or config.get("LastUpdateStatus") == "Failed":
            raise RuntimeError(f"{name}: {config.get('StateReason') or config.get('LastUpdateStatusReason')}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} is not ready after {timeout_s:.0f} s")
        time.sleep(1 if ws.local else 3)


def deploy_function(
    ws: Any,
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
        lam.create_function(FunctionName=name, Code={"ZipFile": package}, Tags=ws.tags, **config)
        return wait_until_ready(ws, name)
    wait_until_ready(ws, name)
    if current["CodeSha256"] != code_sha256(package):
        lam.update_function_code(FunctionName=name, ZipFile=package)
        wait_until_ready(ws, name)
    if _config_differs(current, config):
        lam.update_function_configuration(FunctionName=name, **config)
    return wait_until_ready(ws, name)


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


@dataclasses.dataclass
class Invocation:
    status: int
    payload: Any
    error: str | None
    latency_ms: float
    report: dict[str, Any] | None

    @property
    def cold(self) -> bool:
        return bool(self.report and self.report.get("init_ms") is not None)

    def _repr_markdown_(self) -> str:
        figures = ""
        if self.report:
            figures = (
                f"duration **{self.report['duration_ms']:.1f} ms**, billed {self.report['billed_ms']:.0f} ms, "
                f"max memory {self.report['max_memory_mb']:.0f} MB"
            )
            if self.cold:
                figures += f", init **{self.report['init_ms']:.1f} ms** (cold start)"
        error = f" — function error: `{self.error}`" if self.error else ""
        body = json.dumps(self.payload, indent=2, default=str)[:2000]
        return f"Status {self.status}{error}; {figures}\n\n```json\n{body}\n```"


def invoke(ws: Any, name: str, payload: Any = None, *, qualifier: str | None = None) -> Invocation:
    """Invoke ``name`` synchronously; the result shows the response and the REPORT figures."""
    kwargs: dict[str, Any] = {"FunctionName": name, "Payload": json.dumps(payload or {}), "LogType": "Tail"}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    started = time.perf_counter()
    response = ws.client("lambda").invoke(**kwargs)
    latency = (time.perf_counter() - started) * 1000
    raw = response["Payload"].read()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Invocation(
        status=response["StatusCode"],
        payload=body,
        error=response.get("FunctionError"),
        latency_ms=latency,
        report=report_from_tail(response.get("LogResult")),
    )


def recent_logs(ws: Any, name: str, minutes: int = 15, limit: int = 50) -> list[str]:
    """The function's latest log lines from CloudWatch Logs (oldest first)."""
    logs = ws.client("logs")
    start = int((time.time() - minutes * 60) * 1000)
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", startTime=start)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e["message"].rstrip("\n") for e in events][-limit:]
