"""Each module's resources as one idempotent call, so any notebook can start on its own.

Example::

    m1 = deploy_module1(ws, email="you@example.com")
    m2 = deploy_module2(ws)          # VPC, database, layer, function, API
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .api import ensure_rest_api
from .database import ensure_database, ensure_subnet_group
from .dbaccess import read_secret
from .events import ensure_bucket, ensure_topic, notify_function_on_upload, subscribe_email
from .iam import VPC_EXECUTION, allow, ensure_lambda_role, policy
from .lambdas import deploy_function
from .layers import build_layer
from .network import deploy_vpc
from .stack import Module2

LOCAL_EMAIL = "learner@example.com"


@dataclasses.dataclass
class Module1:
    topic_arn: str
    email: str
    bucket: str
    function: str
    role_name: str


def module1_names(ws: Any) -> dict[str, str]:
    return {
        "topic": ws.name("uploads"),
        "bucket": ws.name("uploads", ws.account, ws.region),
        "function": ws.name("notifier"),
        "role": ws.name("notifier-role"),
    }


def deploy_module1(ws: Any, email: str | None = None) -> Module1:
    """Topic + email subscription, bucket, notifier function (may publish to that topic only), notification."""
    names = module1_names(ws)
    email = email or LOCAL_EMAIL
    topic = ensure_topic(ws, names["topic"])
    subscribe_email(ws, topic, email)
    bucket = ensure_bucket(ws, names["bucket"])
    role = ensure_lambda_role(ws, names["role"], inline={"publish-uploads": policy(allow("sns:Publish", topic))})
    deploy_function(ws, names["function"], "s3_notifier", role_arn=role, env={"TOPIC_ARN": topic})
    notify_function_on_upload(ws, bucket, names["function"])
    return Module1(topic, email, bucket, names["function"], names["role"])


def module2_names(ws: Any) -> dict[str, str]:
    return {
        "network": ws.name("network"),
        "subnet_group": ws.name("db-subnets"),
        "db": ws.name("db"),
        "db_secret": ws.name("db-master"),
        "layer": ws.name("pymysql"),
        "role": ws.name("api-role"),
        "function": ws.name("db-time"),
        "api": ws.name("api"),
    }


def deploy_module2(ws: Any, *, progress: bool = True, refresh: bool = False) -> Module2:
    """Everything module 2 builds, created when missing and reused otherwise.

    An existing function and API are left as later modules made them, unless ``refresh`` asks to put
    module 2's code and integration back.
    """
    names = module2_names(ws)
    net = deploy_vpc(ws, names["network"])
    group = ensure_subnet_group(ws, names["subnet_group"], net["SubnetIds"])
    db = ensure_database(
        ws,
        names["db"],
        subnet_group=group,
        security_group_ids=[net["DatabaseSecurityGroupId"]],
        secret_name=names["db_secret"],
        progress=progress,
    )
    layer = build_layer(ws, names["layer"], ["pymysql"])
    role = ensure_lambda_role(ws, names["role"], managed=[VPC_EXECUTION])
    lam = ws.client("lambda")
    existing = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    apis = [a for a in ws.client("apigateway").get_rest_apis(limit=500)["items"] if a["name"] == names["api"]]
    if names["function"] not in existing or refresh:
        deploy_function(
            ws,
            names["function"],
            "db_time_v1",
            role_arn=role,
            env=database_env(ws, db["SecretArn"]),
            layers=[layer],
            subnet_ids=net["SubnetIds"],
            security_group_ids=[net["LambdaSecurityGroupId"]],
        )
    if not apis or refresh:
        api = ensure_rest_api(ws, names["api"], names["function"])
    else:  # later modules may have moved the function or the API on: reuse them as they are
        from .api import api_url

        api = {"url": api_url(ws, apis[0]["id"], "dev")}
    return Module2(
        function=names["function"],
        api_url=api["url"],
        role_name=names["role"],
        db_instance=names["db"],
        db_class=db["DBInstanceClass"],
        master_secret_arn=db["SecretArn"],
        subnet_ids=net["SubnetIds"],
        lambda_security_group_ids=[net["LambdaSecurityGroupId"]],
        db_security_group_ids=[net["DatabaseSecurityGroupId"]],
        layer_arns=[layer],
        vpc_id=net["VpcId"],
    )


def database_env(ws: Any, secret_arn: str) -> dict[str, str]:
    """Module 2's way: copy the credentials into environment variables at deploy time (module 3 fixes this)."""
    secret = read_secret(ws.client("secretsmanager"), secret_arn)
    return {
        "DB_HOST": secret["host"],
        "DB_PORT": str(secret["port"]),
        "DB_USER": secret["username"],
        "DB_PASSWORD": secret["password"],
        "DB_NAME": secret["dbname"],
    }
