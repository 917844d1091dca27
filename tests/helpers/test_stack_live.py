"""helpers.modules end to end on pocketcloud: module 2 built with plain boto3 (as a learner would), then
modules 3-4 on top of it: secret, capped app user, proxy, v2/v3 on the API, provisioned alias, clean-up."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

import pocketcloud
from helpers import aws, views
from helpers.aws import secrets
from helpers.aws.iam import VPC_EXECUTION
from helpers.measure import invocations
from helpers.modules import m3_secrets_and_proxy as m3
from helpers.modules import m4_optimize_and_load_test as m4
from helpers.modules.m2_rest_api import Module2
from helpers.session import Workshop

from ..waiting import wait_until
from .conftest import BASIC_EXECUTION, lambda_role, vpc_for_functions, workshop_on

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
M2_HANDLER = "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({'v': 1})}\n"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def built(cloud: pocketcloud.Cloud) -> Iterator[tuple[Workshop, Module2]]:
    with workshop_on(cloud, f"t{uuid.uuid4().hex[:5]}-") as ws:
        yield from _build_module2(ws)


def _build_module2(ws: Workshop) -> Iterator[tuple[Workshop, Module2]]:
    ec2, rds, lam, apigw = (ws.client(s) for s in ("ec2", "rds", "lambda", "apigateway"))
    # Functions, proxy, database and the Secrets Manager endpoint (made by module 3) in one VPC, as on AWS.
    net = vpc_for_functions(ec2, "10.43", ws.prefix)
    vpc, subnets, lambda_sg, db_sg = net["vpc"], net["subnets"], net["lambda_sg"], net["db_sg"]
    rds.create_db_subnet_group(
        DBSubnetGroupName=f"{ws.prefix}db-subnets", DBSubnetGroupDescription="db", SubnetIds=subnets
    )
    db_id = f"{ws.prefix}db"
    password = secrets.generate_password(ws)
    rds.create_db_instance(
        DBInstanceIdentifier=db_id, Engine="mysql", DBInstanceClass="db.t3.micro", MasterUsername="admin",
        MasterUserPassword=password, DBName="workshop", AllocatedStorage=20,
        DBSubnetGroupName=f"{ws.prefix}db-subnets", VpcSecurityGroupIds=[db_sg],
    )  # fmt: skip
    db = wait_until(
        lambda: next(
            (d for d in rds.describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"]
             if d["DBInstanceStatus"] == "available"),
            None,
        ),
        300,
        f"{db_id} to be available",
    )  # fmt: skip
    master = secrets.rds_secret(
        "admin", password, db["Endpoint"]["Address"], db["Endpoint"]["Port"], "workshop", instance_id=db_id
    )
    master_arn = secrets.put_secret(ws, f"{ws.prefix}db-master", master)
    role = f"{ws.prefix}fn-role"
    # Logs and network interfaces in the VPC; module 3 adds the read access to its secret.
    role_arn = lambda_role(ws.pocketcloud(), role, TRUST, (BASIC_EXECUTION, VPC_EXECUTION))
    package = Path(pymysql.__file__).parent
    layer = _zip({f"python/pymysql/{p.relative_to(package)}": p.read_bytes() for p in package.rglob("*.py")})
    layer_arn = lam.publish_layer_version(LayerName=f"{ws.prefix}pymysql", Content={"ZipFile": layer})[
        "LayerVersionArn"
    ]
    function = f"{ws.prefix}db-time"
    lam.create_function(
        FunctionName=function, Runtime="python3.12", Role=role_arn, Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": M2_HANDLER.encode()})}, Layers=[layer_arn],
        VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [lambda_sg]},
    )  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=function)  # a new function is Pending at first
    fn_arn = lam.get_function_configuration(FunctionName=function)["FunctionArn"]
    api = apigw.create_rest_api(name=f"{ws.prefix}api")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api, resourceId=root, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{ws.region}:lambda:path/2015-03-31/functions/{fn_arn}/invocations",
    )  # fmt: skip
    lam.add_permission(
        FunctionName=function, StatementId="apigw", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com", SourceArn=f"arn:aws:execute-api:{ws.region}:123456789012:{api}/*",
    )  # fmt: skip
    apigw.create_deployment(restApiId=api, stageName="dev")
    m2 = Module2(
        function=function, api_url=aws.api.api_url(ws, api, "dev"), role_name=role, db_instance=db_id,
        db_class="db.t3.micro",
        master_secret_arn=master_arn, subnet_ids=subnets, lambda_security_group_ids=[lambda_sg],
        db_security_group_ids=[db_sg], layer_arns=[layer_arn], vpc_id=vpc,
        proxy_security_group_ids=[net["proxy_sg"]], endpoint_security_group_ids=[net["endpoint_sg"]],
    )  # fmt: skip
    yield ws, m2
    rds.delete_db_instance(DBInstanceIdentifier=db_id, SkipFinalSnapshot=True)


def test_secure_db_moves_the_api_to_the_secret_and_the_proxy(built: tuple[Workshop, Module2]) -> None:
    ws, m2 = built
    assert json.loads(_get(m2.api_url)[1]) == {"v": 1}  # module 2's code before
    db = m3.ensure(ws, m2, user_limit=4)
    assert db.user_limit == 4 and db.max_connections >= 10
    status, body = _get(db.api_url)
    assert status == 200 and json.loads(body)["version"] == "v2"
    env = ws.client("lambda").get_function_configuration(FunctionName=db.function)["Environment"]["Variables"]
    assert env["SECRET_ARN"] == db.app_secret_arn and env["DB_HOST"] == db.proxy_endpoint
    iam = ws.client("iam")
    policy = iam.get_role_policy(RoleName=m2.role_name, PolicyName="read-db-app-secret")
    assert policy["PolicyDocument"]["Statement"][0]["Resource"] == db.app_secret_arn
    assert iam.list_role_policies(RoleName=m2.role_name)["PolicyNames"] == ["read-db-app-secret"]  # no master secret
    endpoints = ws.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [m2.vpc_id]}])
    assert [e["ServiceName"] for e in endpoints["VpcEndpoints"]] == ["com.amazonaws.us-east-1.secretsmanager"]

    again = m3.ensure(ws, m2, user_limit=4)  # idempotent: same secret, same proxy, same password
    assert again.app_secret_arn == db.app_secret_arn and again.proxy_endpoint == db.proxy_endpoint
    assert _get(db.api_url)[0] == 200
    table = db.describe()
    assert "RDS Proxy" in set(table["resource"])
    fig = m4.architecture_figure(ws, db, client="Locust")
    assert any("RDS Proxy" in t for t in fig.data[0].text) and any("Secrets Manager" in t for t in fig.data[0].text)


def _secrets_endpoint_states(ws: Workshop, vpc_id: str) -> list[str]:
    found = ws.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    return [e["State"].lower() for e in found if e["ServiceName"].endswith(".secretsmanager")]


def test_a_half_finished_module_3_recovers_when_ensured_again(built: tuple[Workshop, Module2]) -> None:
    """Issue 19's first finding, rerun: a set-up stopped with the database, the secrets and the functions made but
    no Secrets Manager endpoint. A VPC function then cannot read its secret; m3.ensure run again makes the endpoint
    available before its own VPC set-up function reads one, and the API's function answers again."""
    ws, m2 = built
    db = m3.ensure(ws, m2, user_limit=4)
    lam = ws.client("lambda")
    assert aws.network.delete_secrets_endpoint(ws, m2.vpc_id)
    wait_until(lambda: all(s == "deleted" for s in _secrets_endpoint_states(ws, m2.vpc_id)) or None, 60,
               "the Secrets Manager endpoint to be deleted")  # fmt: skip

    aws.lambdas.recycle_environments(ws, db.function)  # a new environment reads the secret at its start
    failed = lam.invoke(FunctionName=db.function, Payload=b"{}")
    assert failed.get("FunctionError"), "without the endpoint a VPC function cannot reach Secrets Manager"

    again = m3.ensure(ws, m2, user_limit=4)
    assert "available" in _secrets_endpoint_states(ws, m2.vpc_id)
    answered = lam.invoke(FunctionName=again.function, Payload=b"{}")
    assert not answered.get("FunctionError"), answered["Payload"].read()
    status, body = _get(again.api_url)
    assert status == 200 and json.loads(body)["version"] in ("v2", "v3")


def test_v3_then_provisioned_alias_then_cleanup(built: tuple[Workshop, Module2]) -> None:
    ws, m2 = built
    db = m3.ensure(ws, m2, user_limit=4)
    m4.deploy(ws, db, "db_time_v3")
    status, body = _get(db.api_url)
    assert status == 200 and json.loads(body)["version"] == "v3"
    config = m3.deploy_db_time(ws, db, "db_time_v3")  # unchanged code: no new upload, still works
    assert config["LastUpdateStatus"] == "Successful"

    lam = ws.client("lambda")
    alias = aws.lambdas.ensure_provisioned_alias(ws, db.function, m4.ALIAS, 2, progress=False)
    assert alias["Status"] == "READY" and alias["Alias"] == "live"
    aws.lambdas.recycle_environments(ws, db.function)
    cold = invocations.burst(lambda: invocations.timed_invoke(lam, db.function), count=2)
    warm = invocations.burst(lambda: invocations.timed_invoke(lam, db.function, qualifier="live"), count=2)
    assert cold["error"].isna().all() and warm["error"].isna().all(), list(cold["body"]) + list(warm["body"])
    assert cold["cold"].sum() >= 1
    assert warm["cold"].sum() == 0

    lam.put_function_concurrency(FunctionName=db.function, ReservedConcurrentExecutions=5)
    removed = m4.cleanup(ws, db)
    assert len(removed) == 2
    assert m4.cleanup(ws, db) == []
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_alias(FunctionName=db.function, Name="live")

    # m3.ensure removed its one-off setup function after use, and this test made none of module 3's other
    # functions: the clean-up that keeps the proxy and endpoint for modules 4-5 finds nothing to remove.
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=f"{ws.prefix}db-setup")
    assert m3.cleanup(ws, db) == []
    removed3 = m3.cleanup(ws, db, keep_for_next_modules=False)
    assert any("RDS Proxy" in r for r in removed3) and any("VPC endpoint" in r for r in removed3)
    assert m3.cleanup(ws, db, keep_for_next_modules=False) == []


def test_price_table_and_concurrency_figure() -> None:
    table = views.tables.price_table(["lambda", "rds", "rds_proxy", "provisioned", "vpc_endpoint", "secrets", "xray"])
    assert len(table) == 7 and table.attrs["as_of"]
    assert table.loc[1, "USD per hour while it exists"] == "0.017"
    rendered = table.to_html() + "".join(table.columns)
    assert "$" not in rendered, "JupyterLab would typeset the text between two dollar signs as math"
    fig = views.latency.concurrency_figure({"slow": 100.0, "fast": 10.0}, max_requests_per_s=100)
    assert fig.data[0].y[-1] == 10.0 and fig.data[1].y[-1] == 1.0
    assert fig.layout.yaxis.title.text.startswith("concurrent")
