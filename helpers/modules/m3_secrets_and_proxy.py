"""Module 3, safer and leaner database access: Secrets Manager, a capped app user, least privilege, RDS Proxy.

The credentials move into Secrets Manager, the API logs in as a capped read-only application user, its
role may read that one secret, and RDS Proxy pools the connections.

The notebook calls the steps one at a time, in this file's order; modules 4 and 5 call :func:`ensure`
once, which creates whatever is missing and reuses the rest, so each module can be started on its own.

Example::

    db = ensure(ws)
    deploy_db_time(ws, db, "db_time_v3")
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pandas as pd

from ..aws.api import api_id_and_stage
from ..aws.database import describe_instance
from ..aws.iam import VPC_EXECUTION, ensure_lambda_role, put_inline_policy, role_arn
from ..aws.lambdas import delete_function, deploy_function
from ..aws.network import delete_secrets_endpoint, ensure_secrets_endpoint
from ..aws.proxy import delete_db_proxy, describe_proxy, ensure_db_proxy, ensure_proxy_role
from ..aws.secrets import generate_password, put_secret, rds_secret, read_secret, secret_exists, secret_read_policy
from ..session import Workshop
from ..text import say
from ..views.diagrams import architecture_figure as draw_architecture
from ..views.tables import resource_table
from . import m2_rest_api
from .m2_rest_api import Module2

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

    def describe(self) -> pd.DataFrame:
        """The stack as a two-column table for the notebook."""
        return resource_table(
            {
                say("m3.table.api"): self.api_url,
                say("m3.table.function"): self.function,
                say("m3.table.db_instance"): say(
                    "m3.table.db_instance_value",
                    name=self.db_instance,
                    db_class=self.db_class,
                    max_connections=self.max_connections,
                ),
                say("m3.table.user_cap"): self.user_limit,
                say("m3.table.app_secret"): self.app_secret_arn,
                "RDS Proxy": f"{self.proxy_name} -> {self.proxy_endpoint}:{PROXY_PORT}",
            }
        )

    def function_env(self, *, through_proxy: bool = True) -> dict[str, str]:
        """Environment variables for the db_time functions: the secret, and where to connect."""
        env = {"SECRET_ARN": self.app_secret_arn}
        if through_proxy:
            env.update(DB_HOST=self.proxy_endpoint, DB_PORT=str(PROXY_PORT))
        return env


def names(ws: Workshop) -> dict[str, str]:
    """Module 3's resource names, under the workshop prefix.

    >>> names(Workshop("local", "us-east-1", "123456789012"))["proxy"]
    'sas-proxy'
    """
    return {
        "app_secret": ws.name("db-app"),
        "proxy": ws.name("proxy"),
        "proxy_role": ws.name("proxy-role"),
        "setup_function": ws.name("db-setup"),
        "setup_role": ws.name("db-setup-role"),
        "direct_function": ws.name("db-time-direct"),
        "check_function": ws.name("db-app-user-check"),
    }


def module2(ws: Workshop) -> Module2:
    """Module 2's resources, created by the toolkit when missing."""
    return m2_rest_api.deploy(ws)


def architecture_figure(
    ws: Workshop, db: DbStack | Module2, *, client: str | None = None, extra: list[tuple[str, str]] | None = None
) -> Any:
    """The module's resources as they exist now, read back from the target: the API under its name and
    stage, the function, the proxy and the app secret once created (the function reaches the database
    straight until the proxy exists). ``extra`` adds (name, kind) nodes the function talks to; the title
    counts what is drawn and names what is still to come."""
    fn = ws.client("lambda").get_function_configuration(FunctionName=db.function)
    instance = describe_instance(ws, db.db_instance)
    api_id, stage = api_id_and_stage(db.api_url)
    api_name = ws.client("apigateway").get_rest_api(restApiId=api_id)["name"]
    proxy_name = (db.proxy_name if isinstance(db, DbStack) else "") or names(ws)["proxy"]
    proxy = describe_proxy(ws, proxy_name)
    secret_name = names(ws)["app_secret"]
    nodes = [
        (client or say("m3.client_you"), "client"),
        (say("m3.node_stage", api=api_name, stage=stage), "API Gateway"),
        (f"{fn['FunctionName']} ({fn['Runtime']}, {fn['MemorySize']} MB)", "Lambda"),
    ]
    edges = [(0, 1), (1, 2)]
    if proxy:
        nodes.append((f"{proxy['DBProxyName']} ({proxy['Status']})", "RDS Proxy"))
        edges += [(2, 3), (3, 4)]
    else:
        edges.append((2, 3))
    nodes.append((f"{instance['DBInstanceIdentifier']} ({instance['DBInstanceClass']})", "RDS MySQL"))
    main = len(nodes)
    missing = [] if proxy else ["RDS Proxy"]
    below = list(extra or [])
    if secret_exists(ws, secret_name):
        below.insert(0, (secret_name, "Secrets Manager"))
    else:
        missing.append(say("m3.missing_secret"))
    for name, kind in below:
        nodes.append((name, kind))
        edges.append((2, len(nodes) - 1))
    to_come = say("m3.to_come", missing=say("m3.and").join(missing)) if missing else ""
    return draw_architecture(nodes, edges, say("m3.deployed_title", count=len(nodes) - 1, to_come=to_come), main=main)


def default_user_limit(ws: Workshop) -> int:
    """The app user's connection cap: small on a laptop so the lesson shows at laptop scale."""
    return ws.default(local=10, aws=20)


def ensure_app_secret(ws: Workshop, m2: Module2) -> str:
    """The application user's credentials in an RDS-format secret (password generated once, then reused)."""
    name = names(ws)["app_secret"]
    instance = describe_instance(ws, m2.db_instance)
    master = read_secret(ws, m2.master_secret_arn)
    try:
        password = read_secret(ws, name)["password"]
    except ws.client("secretsmanager").exceptions.ResourceNotFoundException:
        password = generate_password(ws)
    value = rds_secret(
        "app",
        password,
        instance["Endpoint"]["Address"],
        instance["Endpoint"]["Port"],
        master.get("dbname") or instance.get("DBName") or "workshop",
        instance_id=m2.db_instance,
    )
    return put_secret(ws, name, value)


def ensure_app_user(ws: Workshop, m2: Module2, app_secret_arn: str, user_limit: int) -> dict[str, Any]:
    """Deploy and run ``lambda_code/db_setup`` in the VPC: the capped, read-only application user."""
    name = names(ws)["setup_function"]
    # Its own role: only this one-off function may read the master secret, never the API's function.
    setup_role = ensure_lambda_role(
        ws,
        names(ws)["setup_role"],
        managed=[VPC_EXECUTION],
        inline={"read-db-secrets": secret_read_policy([m2.master_secret_arn, app_secret_arn])},
    )
    deploy_function(
        ws,
        name,
        "db_setup",
        role_arn=setup_role,
        env={"MASTER_SECRET_ARN": m2.master_secret_arn, "APP_SECRET_ARN": app_secret_arn},
        layers=m2.layer_arns,
        subnet_ids=m2.subnet_ids,
        security_group_ids=m2.lambda_security_group_ids,
        timeout_s=30,
    )
    response = ws.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"max_user_connections": user_limit}))
    body: dict[str, Any] = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(say("errors.function_failed", function="db_setup", answer=body))
    return body


def check_app_user(ws: Workshop, m2: Module2, app_secret_arn: str) -> dict[str, Any]:
    """What MySQL says the application user may do: deploy and run ``lambda_code/db_app_user_check`` in the VPC,
    which logs in as that user, reads its grants and tries one write. Returns ``grants`` and ``write``."""
    name = names(ws)["check_function"]
    deploy_function(
        ws,
        name,
        "db_app_user_check",
        role_arn=role_arn(ws, names(ws)["setup_role"]),  # may read the app secret (made by ensure_app_user)
        env={"APP_SECRET_ARN": app_secret_arn},
        layers=m2.layer_arns,
        subnet_ids=m2.subnet_ids,
        security_group_ids=m2.lambda_security_group_ids,
        timeout_s=30,
    )
    response = ws.client("lambda").invoke(FunctionName=name, Payload=b"{}")
    body: dict[str, Any] = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(say("errors.function_failed", function="db_app_user_check", answer=body))
    return body


def function_secret_policy(ws: Workshop, role_name: str, secret_arn: str) -> dict[str, Any]:
    """Give the function's role read access to exactly one secret (inline policy); returns the policy."""
    policy = secret_read_policy(secret_arn)
    put_inline_policy(ws, role_name, "read-db-app-secret", policy)
    return policy


def ensure_proxy(
    ws: Workshop, m2: Module2, app_secret_arn: str, user_limit: int, max_connections: int
) -> dict[str, Any]:
    """RDS Proxy in front of the instance, authenticating with the app secret; its pool stays under the
    app user's connection cap (``MaxConnectionsPercent`` of the instance's max_connections)."""
    n = names(ws)
    proxy_role = ensure_proxy_role(ws, n["proxy_role"], app_secret_arn)
    percent = max(1, min(100, user_limit * 100 // max_connections)) if user_limit else 100
    return ensure_db_proxy(
        ws,
        n["proxy"],
        app_secret_arn,
        proxy_role,
        m2.subnet_ids,
        m2.proxy_security_group_ids,
        m2.db_instance,
        max_connections_percent=percent,
    )


def ensure(ws: Workshop, m2: Module2 | None = None, *, user_limit: int | None = None) -> DbStack:
    """Everything module 3 builds, created when missing and reused otherwise; returns the stack.

    Order: module 2's resources, the app secret, the capped app user, the proxy (with its role), the
    function's read access to the secret, the Secrets Manager endpoint, and the v2 function on the API
    when the API still runs module 2's code.
    """
    m2 = m2 or module2(ws)
    user_limit = default_user_limit(ws) if user_limit is None else user_limit
    app_arn = ensure_app_secret(ws, m2)
    if m2.vpc_id:  # before any function in the VPC reads a secret: without it the read times out
        ensure_secrets_endpoint(ws, m2.vpc_id, m2.subnet_ids, m2.endpoint_security_group_ids)
    user = ensure_app_user(ws, m2, app_arn, user_limit)
    # The one-off setup function has done its job: a module that only needs the stack leaves none behind.
    delete_function(ws, names(ws)["setup_function"])
    proxy = ensure_proxy(ws, m2, app_arn, user_limit, user["max_connections"])
    function_secret_policy(ws, m2.role_name, app_arn)
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
    )
    config = ws.client("lambda").get_function_configuration(FunctionName=db.function)
    if "SECRET_ARN" not in ((config.get("Environment") or {}).get("Variables") or {}):
        deploy_db_time(ws, db, "db_time_v2")  # still module 2's handler: move it to the secret and the proxy
    return db


def deploy_db_time(
    ws: Workshop,
    db: DbStack,
    folder: str,
    *,
    name: str | None = None,
    through_proxy: bool = True,
    tracing: str = "PassThrough",
    layers: list[str] | None = None,
) -> dict[str, Any]:
    """Deploy a ``lambda_code/db_time_*`` version as the API's function (or as ``name``)."""
    return deploy_function(
        ws,
        name or db.function,
        folder,
        role_arn=role_arn(ws, db.role_name),
        env=db.function_env(through_proxy=through_proxy),
        layers=layers or db.layer_arns,
        subnet_ids=db.subnet_ids,
        security_group_ids=db.security_group_ids,
        timeout_s=15,
        tracing=tracing,
    )


def outcome(body: Any) -> str:
    """Classify one db_time invocation's answer: succeeded, refused by the connection limit, or another error.

    >>> outcome('{"statusCode": 200}'), outcome("(1226, \\"User 'app' has exceeded max_user_connections\\")")
    ('succeeded', 'refused: too many connections')
    >>> outcome(float("nan"))
    'other error'
    """
    text = body if isinstance(body, str) else ""  # a call that got no answer (e.g. throttled) has no body
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("statusCode") == 200:
        return "succeeded"
    if "max_user_connections" in text or "Too many connections" in text or "1226" in text or "1040" in text:
        return "refused: too many connections"
    return "other error"


def cleanup(ws: Workshop, db: DbStack, *, keep_for_next_modules: bool = True) -> list[str]:
    """Remove what module 3 added. With ``keep_for_next_modules`` only the comparison, setup and check functions go;
    otherwise the proxy and the Secrets Manager endpoint too. The secret and the app user always stay
    (``99_cleanup`` removes them with the database)."""
    n = names(ws)
    functions = (n["direct_function"], n["setup_function"], n["check_function"])
    removed = [say("m3.removed_function", name=fn) for fn in functions if delete_function(ws, fn)]
    if not keep_for_next_modules:
        if delete_db_proxy(ws, n["proxy"]):
            removed.append(say("m3.removed_proxy", name=n["proxy"]))
        if db.vpc_id:
            removed += [say("m3.removed_endpoint", endpoint=e) for e in delete_secrets_endpoint(ws, db.vpc_id)]
    print(say("m3.removed", items=", ".join(removed)) if removed else say("m3.nothing_to_remove"))
    return removed
