"""What modules 3-5 build on top of module 2, in one place.

Module 3 builds these pieces step by step (the notebook calls the functions one at a time);
modules 4 and 5 call :func:`ensure_secure_db` once, which creates whatever is missing and reuses the
rest, so each module can be started on its own.

Example::

    ws = helpers.connect()
    db = ensure_secure_db(ws)
    deploy_db_time(ws, db, "db_time_v3")
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from typing import Any

import pandas as pd

from . import dbaccess
from .lambdas import deploy_function, show_code

PROXY_PORT = 3306  # RDS Proxy for MySQL always listens on 3306


@dataclasses.dataclass
class DbStack:
    """Names and endpoints of the API, its function, the database, the secrets and the proxy."""

    function: str
    api_url: str
    db_instance: str
    db_class: str
    master_secret_arn: str
    app_secret_arn: str
    proxy_name: str
    proxy_endpoint: str
    max_connections: int
    user_limit: int
    role_name: str
    subnet_ids: list[str]
    security_group_ids: list[str]
    layer_arns: list[str]
    vpc_id: str = ""
    api_id: str = ""
    stage: str = ""

    def describe(self) -> pd.DataFrame:
        """The stack as a two-column table for the notebook."""
        rows = {
            "API (stage URL)": self.api_url,
            "function": self.function,
            "DB instance": f"{self.db_instance} ({self.db_class}, max_connections {self.max_connections})",
            "app user connection cap": self.user_limit,
            "app secret": self.app_secret_arn,
            "RDS Proxy": f"{self.proxy_name} -> {self.proxy_endpoint}:{PROXY_PORT}",
        }
        return pd.DataFrame({"resource": list(rows), "value": [str(v) for v in rows.values()]})

    def function_env(self, *, through_proxy: bool = True) -> dict[str, str]:
        """Environment variables for the db_time functions: the secret, and where to connect."""
        env = {"SECRET_ARN": self.app_secret_arn}
        if through_proxy:
            env.update(DB_HOST=self.proxy_endpoint, DB_PORT=str(PROXY_PORT))
        return env


def names(ws: Any) -> dict[str, str]:
    """Resource names for modules 3-5, all under the workshop prefix."""
    prefix = getattr(ws, "prefix", "sas-")
    return {
        "app_secret": f"{prefix}db-app",
        "proxy": f"{prefix}proxy",
        "proxy_role": f"{prefix}proxy-role",
        "setup_function": f"{prefix}db-setup",
        "setup_role": f"{prefix}db-setup-role",
        "direct_function": f"{prefix}db-time-direct",
        "xray_layer": f"{prefix}xray-sdk",
        "traced_function": f"{prefix}db-time-traced",
    }


def tags(ws: Any) -> dict[str, str]:
    return dict(getattr(ws, "tags", None) or {"workshop": "serverless-at-scale"})


# -- waiting for what AWS publishes later -------------------------------------------------------------


def wait_for_metrics(fetch: Any, expect: tuple[str, ...] = ("Invocations",), timeout_s: float | None = None) -> Any:
    """Call ``fetch()`` until its frame has data for every metric in ``expect`` (CloudWatch lags a little).

    pocketcloud publishes within seconds; AWS within a few minutes. Returns the last frame either way.
    """
    timeout_s = timeout_s if timeout_s is not None else 300
    deadline = time.monotonic() + timeout_s
    while True:
        frame = fetch()
        present = set(frame["metric"]) if not frame.empty else set()
        if set(expect) <= present or time.monotonic() > deadline:
            return frame
        time.sleep(2)


def wait_for_next_minute(progress: bool = True) -> None:
    """Sleep until the next whole minute: CloudWatch aggregates per minute, so a run that starts on a fresh
    minute shares no data point with the run before it."""
    remaining = 60 - time.time() % 60
    if progress:
        from tqdm.auto import tqdm

        for _ in tqdm(range(round(remaining)), desc="waiting for a fresh CloudWatch minute", unit="s", leave=False):
            time.sleep(1)
    remaining = 60 - time.time() % 60
    if remaining < 59:
        time.sleep(remaining)


# -- functions ----------------------------------------------------------------------------------------


def wait_function_ready(lam: Any, name: str, timeout_s: float = 300) -> dict[str, Any]:
    """Wait until the function's last update finished (State Active, LastUpdateStatus Successful)."""
    deadline = time.monotonic() + timeout_s
    while True:
        config = lam.get_function_configuration(FunctionName=name)
        if config.get("State", "Active") == "Active" and config.get("LastUpdateStatus", "Successful") == "Successful":
            return config
        if config.get("LastUpdateStatus") == "Failed" or config.get("State") == "Failed":
            raise RuntimeError(f"{name}: {config.get('LastUpdateStatusReason') or config.get('StateReason')}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not finish updating")
        time.sleep(1)


def recycle_environments(ws: Any, function: str) -> None:
    """Change a harmless setting so Lambda retires the function's warm environments (next calls are cold)."""
    lam = ws.client("lambda")
    config = wait_function_ready(lam, function)
    env = dict((config.get("Environment") or {}).get("Variables") or {})
    env["RECYCLED_AT"] = str(time.time())
    lam.update_function_configuration(FunctionName=function, Environment={"Variables": env})
    wait_function_ready(lam, function)


def ensure_provisioned_alias(
    ws: Any, function: str, alias: str, count: int, *, timeout_s: float = 900, progress: bool = True
) -> dict[str, Any]:
    """Publish the current code as a version, point ``alias`` at it and provision ``count`` environments.

    Waits until the configuration is READY (minutes on AWS) and returns it.
    """
    lam = ws.client("lambda")
    wait_function_ready(lam, function)
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
    estimate = 180 if "amazonaws.com" in (lam.meta.endpoint_url or "") else 10
    return dbaccess._wait(
        lambda: (
            (
                (c := lam.get_provisioned_concurrency_config(FunctionName=function, Qualifier=alias))["Status"]
                == "READY"
                and {
                    "Alias": alias,
                    "FunctionVersion": version,
                    **{k: v for k, v in c.items() if k != "ResponseMetadata"},
                }
            )
            or _raise_if_failed(c)
        ),
        f"provisioning {count} environments",
        timeout_s=timeout_s,
        estimate_s=estimate,
        progress=progress,
    )


def _raise_if_failed(config: dict[str, Any]) -> bool:
    if config.get("Status") == "FAILED":
        raise RuntimeError(f"provisioned concurrency failed: {config.get('StatusReason')}")
    return False


def remove_provisioned_alias(ws: Any, function: str, alias: str) -> bool:
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


def function_secret_policy(ws: Any, role_name: str, secret_arn: str) -> dict[str, Any]:
    """Give the function's role read access to exactly one secret (inline policy); returns the policy."""
    policy = dbaccess.secret_read_policy(secret_arn)
    ws.client("iam").put_role_policy(
        RoleName=role_name, PolicyName="read-db-app-secret", PolicyDocument=json.dumps(policy)
    )
    return policy


# -- module 2's resources, as modules 3-5 need them ---------------------------------------------------


@dataclasses.dataclass
class Module2:
    """What module 2 deployed: the API's function, its role and network, the database and its secret."""

    function: str
    api_url: str
    role_name: str
    db_instance: str
    db_class: str
    master_secret_arn: str
    subnet_ids: list[str]
    lambda_security_group_ids: list[str]
    db_security_group_ids: list[str]
    layer_arns: list[str]
    vpc_id: str = ""
    api_id: str = ""
    stage: str = ""


def deploy_code(
    ws: Any,
    name: str,
    folder: str,
    *,
    role_arn: str,
    env: dict[str, str],
    layers: list[str],
    subnet_ids: list[str] | None = None,
    security_group_ids: list[str] | None = None,
    timeout_s: int = 15,
    memory_mb: int = 128,
    tracing: str = "PassThrough",
) -> dict[str, Any]:
    """Create or update function ``name`` from ``lambda_code/<folder>`` (see ``lambdas.deploy_function``)."""
    return deploy_function(
        ws,
        name,
        folder,
        role_arn=role_arn,
        env=env,
        layers=layers,
        subnet_ids=subnet_ids,
        security_group_ids=security_group_ids,
        timeout_s=timeout_s,
        memory_mb=memory_mb,
        tracing=tracing,
    )


def _role_arn(ws: Any, role_name: str) -> str:
    return ws.client("iam").get_role(RoleName=role_name)["Role"]["Arn"]


def ensure_app_secret(ws: Any, m2: Module2) -> str:
    """The application user's credentials in an RDS-format secret (password generated once, then reused)."""
    sm, rds = ws.client("secretsmanager"), ws.client("rds")
    name = names(ws)["app_secret"]
    instance = rds.describe_db_instances(DBInstanceIdentifier=m2.db_instance)["DBInstances"][0]
    master = dbaccess.read_secret(sm, m2.master_secret_arn)
    try:
        password = dbaccess.read_secret(sm, name)["password"]
    except sm.exceptions.ResourceNotFoundException:
        password = dbaccess.generate_password(sm)
    value = dbaccess.rds_secret(
        "app",
        password,
        instance["Endpoint"]["Address"],
        instance["Endpoint"]["Port"],
        master.get("dbname") or instance.get("DBName") or "workshop",
        instance_id=m2.db_instance,
    )
    return dbaccess.put_secret(sm, name, value, tags(ws))


def ensure_app_user(ws: Any, m2: Module2, app_secret_arn: str, user_limit: int) -> dict[str, Any]:
    """Deploy and run ``lambda_code/db_setup`` in the VPC: the capped, read-only application user."""
    from .iam import VPC_EXECUTION, ensure_lambda_role

    name = names(ws)["setup_function"]
    # Its own role: only this one-off function may read the master secret, never the API's function.
    role_arn = ensure_lambda_role(
        ws,
        names(ws)["setup_role"],
        managed=[VPC_EXECUTION],
        inline={"read-db-secrets": dbaccess.secret_read_policy([m2.master_secret_arn, app_secret_arn])},
    )
    deploy_code(
        ws,
        name,
        "db_setup",
        role_arn=role_arn,
        env={"MASTER_SECRET_ARN": m2.master_secret_arn, "APP_SECRET_ARN": app_secret_arn},
        layers=m2.layer_arns,
        subnet_ids=m2.subnet_ids,
        security_group_ids=m2.lambda_security_group_ids,
        timeout_s=30,
    )
    response = ws.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"max_user_connections": user_limit}))
    body = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(f"db_setup failed: {body}")
    return body


def ensure_proxy(ws: Any, m2: Module2, app_secret_arn: str, user_limit: int, max_connections: int) -> dict[str, Any]:
    """RDS Proxy in front of the instance, authenticating with the app secret; its pool stays under the
    app user's connection cap (``MaxConnectionsPercent`` of the instance's max_connections)."""
    n = names(ws)
    role_arn = dbaccess.ensure_proxy_role(ws.client("iam"), n["proxy_role"], app_secret_arn, tags(ws))
    percent = max(1, min(100, user_limit * 100 // max_connections)) if user_limit else 100
    return dbaccess.ensure_db_proxy(
        ws.client("rds"),
        n["proxy"],
        app_secret_arn,
        role_arn,
        m2.subnet_ids,
        m2.db_security_group_ids,
        m2.db_instance,
        tags(ws),
        max_connections_percent=percent,
    )


def deploy_db_time(
    ws: Any,
    db: DbStack,
    folder: str,
    *,
    name: str | None = None,
    through_proxy: bool = True,
    tracing: str = "PassThrough",
    layers: list[str] | None = None,
) -> dict[str, Any]:
    """Deploy a ``lambda_code/db_time_*`` version as the API's function (or as ``name``)."""
    return deploy_code(
        ws,
        name or db.function,
        folder,
        role_arn=_role_arn(ws, db.role_name),
        env=db.function_env(through_proxy=through_proxy),
        layers=layers or db.layer_arns,
        subnet_ids=db.subnet_ids,
        security_group_ids=db.security_group_ids,
        tracing=tracing,
    )


def default_user_limit(ws: Any) -> int:
    """The app user's connection cap: small on a laptop so the lesson shows at laptop scale."""
    default = getattr(ws, "default", None)
    return int(default(local=10, aws=20)) if callable(default) else 10


def module2(ws: Any) -> Module2:
    """Module 2's resources, created by the toolkit when missing."""
    from .modules import deploy_module2

    return deploy_module2(ws)


def ensure_secure_db(ws: Any, m2: Module2 | None = None, *, user_limit: int | None = None) -> DbStack:
    """Everything module 3 builds, created when missing and reused otherwise; returns the stack.

    Order: module 2's resources, the app secret, the capped app user, the proxy (with its role), the
    function's read access to the secret, the Secrets Manager endpoint, and the v2 function on the API
    when the API still runs module 2's code.
    """
    m2 = m2 or module2(ws)
    user_limit = default_user_limit(ws) if user_limit is None else user_limit
    app_arn = ensure_app_secret(ws, m2)
    user = ensure_app_user(ws, m2, app_arn, user_limit)
    proxy = ensure_proxy(ws, m2, app_arn, user_limit, user["max_connections"])
    function_secret_policy(ws, m2.role_name, app_arn)
    if m2.vpc_id:
        dbaccess.ensure_secrets_endpoint(
            ws.client("ec2"), m2.vpc_id, m2.subnet_ids, m2.lambda_security_group_ids, _region(ws), tags(ws)
        )
    db = DbStack(
        function=m2.function,
        api_url=m2.api_url,
        db_instance=m2.db_instance,
        db_class=m2.db_class,
        master_secret_arn=m2.master_secret_arn,
        app_secret_arn=app_arn,
        proxy_name=proxy["DBProxyName"],
        proxy_endpoint=proxy["Endpoint"],
        max_connections=int(user["max_connections"]),
        user_limit=user_limit,
        role_name=m2.role_name,
        subnet_ids=m2.subnet_ids,
        security_group_ids=m2.lambda_security_group_ids,
        layer_arns=m2.layer_arns,
        vpc_id=m2.vpc_id,
        api_id=m2.api_id,
        stage=m2.stage,
    )
    env = (ws.client("lambda").get_function_configuration(FunctionName=db.function).get("Environment") or {}).get(
        "Variables"
    ) or {}
    if "SECRET_ARN" not in env:  # still module 2's handler: move it to the secret and the proxy
        deploy_db_time(ws, db, "db_time_v2")
    return db


def _region(ws: Any) -> str:
    return getattr(ws, "region", None) or ws.client("lambda").meta.region_name


def cleanup_module3(ws: Any, db: DbStack, *, keep_for_next_modules: bool = True) -> list[str]:
    """Remove what module 3 added. With ``keep_for_next_modules`` only the comparison and setup functions go;
    otherwise the proxy and the Secrets Manager endpoint too. The secret and the app user always stay
    (``99_cleanup`` removes them with the database)."""
    removed = []
    n = names(ws)
    lam = ws.client("lambda")
    for fn in (n["direct_function"], n["setup_function"]):
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.delete_function(FunctionName=fn)
            removed.append(f"function {fn}")
    if not keep_for_next_modules:
        if dbaccess.delete_db_proxy(ws.client("rds"), n["proxy"]):
            removed.append(f"RDS Proxy {n['proxy']}")
        if db.vpc_id:
            ec2 = ws.client("ec2")
            removed += [f"VPC endpoint {e}" for e in dbaccess.delete_secrets_endpoint(ec2, db.vpc_id, _region(ws))]
    print("Removed:", ", ".join(removed) if removed else "nothing left to remove")
    return removed


def cleanup_module4(ws: Any, db: DbStack, alias: str = "live") -> list[str]:
    """Remove provisioned concurrency, the alias and the reserved-concurrency cap (idempotent)."""
    lam = ws.client("lambda")
    removed = []
    if remove_provisioned_alias(ws, db.function, alias):
        removed.append(f"alias {alias} and its provisioned concurrency")
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        if lam.get_function_concurrency(FunctionName=db.function).get("ReservedConcurrentExecutions") is not None:
            lam.delete_function_concurrency(FunctionName=db.function)
            removed.append("reserved concurrency cap")
    print("Removed:", ", ".join(removed) if removed else "nothing left to remove")
    return removed


def outcome(body: str | None) -> str:
    """Classify one db_time invocation's answer: succeeded, refused by the connection limit, or another error."""
    text = body or ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("statusCode") == 200:
        return "succeeded"
    if "max_user_connections" in text or "Too many connections" in text or "1226" in text or "1040" in text:
        return "refused: too many connections"
    return "other error"


# Re-exported so notebooks reach every module 3-5 step as ``stack.<name>``.
from .stack_tracing import (  # noqa: E402
    XRAY_WRITE,
    api_id_and_stage,
    cleanup_module5,
    enable_tracing,
    set_stage_tracing,
    wait_for_traces,
)
from .stack_views import architecture_figure, concurrency_figure, price_table  # noqa: E402

__all__ = [
    "XRAY_WRITE",
    "DbStack",
    "Module2",
    "api_id_and_stage",
    "architecture_figure",
    "cleanup_module3",
    "cleanup_module4",
    "cleanup_module5",
    "concurrency_figure",
    "default_user_limit",
    "deploy_code",
    "deploy_db_time",
    "enable_tracing",
    "ensure_app_secret",
    "ensure_app_user",
    "ensure_provisioned_alias",
    "ensure_proxy",
    "ensure_secure_db",
    "function_secret_policy",
    "module2",
    "names",
    "outcome",
    "price_table",
    "recycle_environments",
    "remove_provisioned_alias",
    "set_stage_tracing",
    "show_code",
    "tags",
    "wait_for_metrics",
    "wait_for_next_minute",
    "wait_for_traces",
    "wait_function_ready",
]
