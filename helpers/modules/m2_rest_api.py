"""Module 2, a REST API backed by a database: VPC, RDS MySQL, a pymysql layer, a function in the VPC, an API.

The notebook builds it step by step with ``helpers.aws``; :func:`deploy` builds (or reuses) the same in
one call, which is how modules 3-5 make sure it exists.

Example::

    m2 = deploy(ws)          # VPC, database, layer, function, API
    m2.api_url
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..aws.api import api_url, ensure_rest_api, find_rest_apis
from ..aws.database import ensure_database, ensure_subnet_group
from ..aws.iam import VPC_EXECUTION, ensure_lambda_role
from ..aws.inventory import delete_resources, find_resources, only_named
from ..aws.lambdas import deploy_function, function_exists
from ..aws.layers import MYSQL_DRIVER, build_layer
from ..aws.network import deploy_vpc
from ..aws.secrets import read_secret
from ..session import Workshop
from ..views.tables import resources_table


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
    # Each with its own group: the DB admits the functions and the proxy, the proxy and the Secrets
    # Manager endpoint admit the functions (a security group admits nothing it does not name).
    proxy_security_group_ids: list[str] = dataclasses.field(default_factory=list)
    endpoint_security_group_ids: list[str] = dataclasses.field(default_factory=list)


def names(ws: Workshop) -> dict[str, str]:
    """Module 2's resource names, under the workshop prefix.

    >>> names(Workshop("local", "us-east-1", "123456789012"))["function"]
    'sas-db-time'
    """
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


def database_env(ws: Workshop, secret_arn: str) -> dict[str, str]:
    """Module 2's way: copy the credentials into environment variables at deploy time (module 3 fixes this)."""
    secret = read_secret(ws, secret_arn)
    return {
        "DB_HOST": secret["host"],
        "DB_PORT": str(secret["port"]),
        "DB_USER": secret["username"],
        "DB_PASSWORD": secret["password"],
        "DB_NAME": secret["dbname"],
    }


def deploy(ws: Workshop, *, progress: bool = True, refresh: bool = False) -> Module2:
    """Everything module 2 builds, created when missing and reused otherwise.

    An existing function and API are left as later modules made them, unless ``refresh`` asks to put
    module 2's code and integration back.
    """
    n = names(ws)
    net = deploy_vpc(ws, n["network"])
    group = ensure_subnet_group(ws, n["subnet_group"], net["SubnetIds"])
    db = ensure_database(
        ws,
        n["db"],
        subnet_group=group,
        security_group_ids=[net["DatabaseSecurityGroupId"]],
        secret_name=n["db_secret"],
        progress=progress,
    )
    layer = build_layer(ws, n["layer"], MYSQL_DRIVER)
    role = ensure_lambda_role(ws, n["role"], managed=[VPC_EXECUTION])
    apis = find_rest_apis(ws, n["api"])
    if refresh or not function_exists(ws, n["function"]):
        deploy_function(
            ws,
            n["function"],
            "db_time_v1",
            role_arn=role,
            env=database_env(ws, db["SecretArn"]),
            layers=[layer],
            subnet_ids=net["SubnetIds"],
            security_group_ids=[net["LambdaSecurityGroupId"]],
        )
    if not apis or refresh:
        url = ensure_rest_api(ws, n["api"], n["function"])["url"]
    else:  # later modules may have moved the function or the API on: reuse them as they are
        url = api_url(ws, apis[0]["id"], "dev")
    return Module2(
        function=n["function"],
        api_url=url,
        role_name=n["role"],
        db_instance=n["db"],
        db_class=db["DBInstanceClass"],
        master_secret_arn=db["SecretArn"],
        subnet_ids=net["SubnetIds"],
        lambda_security_group_ids=[net["LambdaSecurityGroupId"]],
        db_security_group_ids=[net["DatabaseSecurityGroupId"]],
        layer_arns=[layer],
        vpc_id=net["VpcId"],
        proxy_security_group_ids=[net["ProxySecurityGroupId"]],
        endpoint_security_group_ids=[net["EndpointSecurityGroupId"]],
    )


def cleanup(ws: Workshop) -> pd.DataFrame:
    """Delete module 2's API, function, layer, database, subnet group, secret, VPC stack and role."""
    n = names(ws)
    wanted = set(n.values()) | {f"/aws/lambda/{n['function']}"}
    return resources_table(delete_resources(ws.client, only_named(find_resources(ws.client, ws.prefix), wanted)))
