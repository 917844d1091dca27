"""What a VPC function may reach, as on AWS: DB instances and RDS Proxies through security group rules, AWS
APIs through a NAT gateway or an interface endpoint. What is not admitted is dropped, not refused: the client
waits for its own timeout. The notebook's host (these tests' process) reaches everything."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pymysql
import pytest

import pocketcloud

from .conftest import Deploy, invoke_json, role_arn, site_packages_layer, zip_files

PASSWORD = "Vpc-Test-Pass-1"
# What these tests' functions do: write logs, sit in a VPC, read secrets, invoke functions.
POLICIES = (
    "service-role/AWSLambdaBasicExecutionRole",
    "service-role/AWSLambdaVPCAccessExecutionRole",
    "SecretsManagerReadWrite",
    "service-role/AWSLambdaRole",  # lambda:InvokeFunction
)

# Connects with small client timeouts (pymysql's connect and read timeouts, 2 s; the function's own, 5 s) and
# says how the attempt ended.
DB_CLIENT = """
import time, pymysql
def handler(event, context):
    started = time.monotonic()
    try:
        conn = pymysql.connect(host=event["host"], port=event["port"], user="admin", password=event["password"],
                               connect_timeout=2, read_timeout=2)
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        conn.close()
        return {"connected": True}
    except pymysql.err.OperationalError as exc:
        return {"connected": False, "code": exc.args[0], "message": str(exc.args[1]),
                "waited": time.monotonic() - started}
"""

# Calls Secrets Manager with botocore's timeouts at 2 s and no retries.
API_CLIENT = """
import time, boto3, botocore.exceptions
from botocore.config import Config
def handler(event, context):
    client = boto3.client("secretsmanager", config=Config(connect_timeout=2, read_timeout=2,
                                                          retries={"total_max_attempts": 1}))
    started = time.monotonic()
    try:
        client.list_secrets()
        return {"answered": True}
    except (botocore.exceptions.ConnectTimeoutError, botocore.exceptions.ReadTimeoutError) as exc:
        return {"answered": False, "error": type(exc).__name__, "waited": time.monotonic() - started}
"""


@dataclass
class Vpc:
    cloud: pocketcloud.Cloud
    vpc: str
    subnets: list[str]
    db_group: str
    endpoint: dict
    layer: str
    role: str

    def group(self, name: str) -> str:
        ec2 = self.cloud.client("ec2")
        return str(
            ec2.create_security_group(GroupName=f"{name}-{uuid.uuid4().hex[:6]}", Description=name, VpcId=self.vpc)[
                "GroupId"
            ]
        )

    def allow(self, group: str, port: int, **source: object) -> dict:
        """An inbound rule on ``group`` for TCP ``port`` from ``source`` (GroupId=... or CidrIp=...)."""
        pair = {"UserIdGroupPairs": [{"GroupId": source["GroupId"]}]} if "GroupId" in source else {}
        ranges = {"IpRanges": [{"CidrIp": source["CidrIp"]}]} if "CidrIp" in source else {}
        permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **pair, **ranges}
        self.cloud.client("ec2").authorize_security_group_ingress(GroupId=group, IpPermissions=[permission])
        return permission

    def revoke(self, group: str, permission: dict) -> None:
        self.cloud.client("ec2").revoke_security_group_ingress(GroupId=group, IpPermissions=[permission])

    def db_function(self, deploy: Deploy, group: str | None, **config: object) -> str:
        vpc = {"VpcConfig": {"SubnetIds": self.subnets, "SecurityGroupIds": [group]}} if group else {}
        return deploy(DB_CLIENT, Timeout=5, Layers=[self.layer], Role=self.role, **vpc, **config)

    def connect_from(self, name: str, host: str | None = None, port: int | None = None) -> dict:
        payload = {"host": host or self.endpoint["Address"], "port": port or self.endpoint["Port"]}
        response, body = invoke_json(self.cloud, name, {**payload, "password": PASSWORD})
        assert "FunctionError" not in response, body
        return dict(body)


@pytest.fixture
def deploy(cloud: pocketcloud.Cloud) -> Deploy:
    """Create a function from handler source with the given settings (a Role among them) and wait until it is
    Active, as a learner's code must; returns its name."""

    def _deploy(source: str, *, target: pocketcloud.Cloud | None = None, **config: object) -> str:
        lam = (target or cloud).client("lambda")
        name = f"vpc-{uuid.uuid4().hex[:10]}"
        code = {"ZipFile": zip_files({"app.py": source})}
        lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Code=code, **config)
        lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
        return name

    return _deploy


def _role(cloud: pocketcloud.Cloud, name: str) -> str:
    """A role for these tests' functions, usable once IAM's change has settled."""
    arn = role_arn(cloud, name)
    for policy in POLICIES:
        cloud.client("iam").attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    time.sleep(cloud.status()["services"].get("iam", {}).get("settles_in_seconds", 0))
    return arn


def _available(rds, ident: str) -> dict:
    waiter = rds.get_waiter("db_instance_available")
    waiter.wait(DBInstanceIdentifier=ident, WaiterConfig={"Delay": 1, "MaxAttempts": 90})
    return dict(rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0])


@pytest.fixture(scope="module")
def net(cloud: pocketcloud.Cloud) -> Iterator[Vpc]:
    """A VPC with two private subnets and a DB instance in them whose security group admits nothing yet."""
    ec2, rds = cloud.client("ec2"), cloud.client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.71.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    db_group = ec2.create_security_group(GroupName="vpc-test-db", Description="db", VpcId=vpc)["GroupId"]
    rds.create_db_subnet_group(DBSubnetGroupName="vpc-test", DBSubnetGroupDescription="test", SubnetIds=subnets)
    rds.create_db_instance(
        DBInstanceIdentifier="vpc-test-db", Engine="mysql", DBInstanceClass="db.t3.micro", MasterUsername="admin",
        MasterUserPassword=PASSWORD, AllocatedStorage=20, DBSubnetGroupName="vpc-test", VpcSecurityGroupIds=[db_group],
    )  # fmt: skip
    layer = cloud.client("lambda").publish_layer_version(
        LayerName="vpc-test-pymysql", Content={"ZipFile": site_packages_layer("PyMySQL")}
    )["LayerVersionArn"]
    role = _role(cloud, "pc-vpc-test-role")
    endpoint = _available(rds, "vpc-test-db")["Endpoint"]
    yield Vpc(cloud, vpc, subnets, db_group, endpoint, layer, role)


def _dropped(answer: dict) -> None:
    """The attempt ended by the client's own timeout, not by a refusal."""
    assert answer["connected"] is False
    assert "timed out" in answer["message"], answer
    assert "refused" not in answer["message"].lower()
    assert answer["waited"] >= 1.9


# -- DB instances ------------------------------------------------------------------------------------------
def test_the_notebook_host_reaches_a_private_db_instance(net: Vpc) -> None:
    conn = pymysql.connect(host=net.endpoint["Address"], port=net.endpoint["Port"], user="admin", password=PASSWORD)
    conn.close()


def test_a_vpc_function_reaches_a_db_instance_only_once_its_security_group_admits_the_functions(
    net: Vpc, deploy: Deploy
) -> None:
    functions = net.group("fn")
    name = net.db_function(deploy, functions)
    _dropped(net.connect_from(name))
    rule = net.allow(net.db_group, 3306, GroupId=functions)
    try:
        assert net.connect_from(name) == {"connected": True}
    finally:
        net.revoke(net.db_group, rule)


def test_a_rule_for_another_port_or_group_admits_nothing(net: Vpc, deploy: Deploy) -> None:
    functions, others = net.group("fn"), net.group("others")
    name = net.db_function(deploy, functions)
    rules = [net.allow(net.db_group, 5432, GroupId=functions), net.allow(net.db_group, 3306, GroupId=others)]
    try:
        _dropped(net.connect_from(name))
    finally:
        for rule in rules:
            net.revoke(net.db_group, rule)


def test_a_function_whose_security_group_lets_nothing_out_reaches_no_db_instance(net: Vpc, deploy: Deploy) -> None:
    ec2 = net.cloud.client("ec2")
    functions = net.group("fn")
    everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.revoke_security_group_egress(GroupId=functions, IpPermissions=[everything])
    name = net.db_function(deploy, functions)
    rule = net.allow(net.db_group, 3306, GroupId=functions)
    try:
        _dropped(net.connect_from(name))
        to_db = {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": net.db_group}]}
        ec2.authorize_security_group_egress(GroupId=functions, IpPermissions=[to_db])
        assert net.connect_from(name) == {"connected": True}
    finally:
        net.revoke(net.db_group, rule)


def test_a_cidr_rule_admits_a_function_only_if_it_holds_every_subnet_of_the_function(net: Vpc, deploy: Deploy) -> None:
    name = net.db_function(deploy, net.group("fn"))
    one_subnet = net.allow(net.db_group, 3306, CidrIp="10.71.1.0/24")
    try:
        _dropped(net.connect_from(name))
        whole_vpc = net.allow(net.db_group, 3306, CidrIp="10.71.0.0/16")
        try:
            assert net.connect_from(name) == {"connected": True}
        finally:
            net.revoke(net.db_group, whole_vpc)
    finally:
        net.revoke(net.db_group, one_subnet)


def test_a_function_outside_any_vpc_reaches_only_publicly_accessible_instances(net: Vpc, deploy: Deploy) -> None:
    name = net.db_function(deploy, None)
    internet = net.allow(net.db_group, 3306, CidrIp="0.0.0.0/0")
    try:
        _dropped(net.connect_from(name))  # private: not reachable from outside its VPC, whatever the rules
        rds = net.cloud.client("rds")
        rds.create_db_instance(
            DBInstanceIdentifier="vpc-test-public", Engine="mysql", DBInstanceClass="db.t3.micro",
            MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20, DBSubnetGroupName="vpc-test",
            VpcSecurityGroupIds=[net.db_group], PubliclyAccessible=True,
        )  # fmt: skip
        public = _available(rds, "vpc-test-public")["Endpoint"]
        assert net.connect_from(name, public["Address"], public["Port"]) == {"connected": True}
    finally:
        net.revoke(net.db_group, internet)
    _dropped(net.connect_from(name, public["Address"], public["Port"]))  # public, but no rule admits the internet
    net.cloud.client("rds").delete_db_instance(DBInstanceIdentifier="vpc-test-public", SkipFinalSnapshot=True)


# -- RDS Proxy ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def proxy(net: Vpc) -> Iterator[tuple[str, str]]:
    """An RDS Proxy in the VPC with a security group of its own: (its endpoint, its group)."""
    rds, sm = net.cloud.client("rds"), net.cloud.client("secretsmanager")
    group = net.group("proxy")
    secret = sm.create_secret(
        Name=f"vpc-test-{uuid.uuid4().hex[:6]}", SecretString=json.dumps({"username": "admin", "password": PASSWORD})
    )["ARN"]
    rds.create_db_proxy(
        DBProxyName="vpc-test-proxy", EngineFamily="MYSQL", Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret}],
        RoleArn=net.role, VpcSubnetIds=net.subnets, VpcSecurityGroupIds=[group],
    )  # fmt: skip
    rds.register_db_proxy_targets(DBProxyName="vpc-test-proxy", DBInstanceIdentifiers=["vpc-test-db"])
    rds.modify_db_proxy_target_group(
        DBProxyName="vpc-test-proxy", TargetGroupName="default", ConnectionPoolConfig={"ConnectionBorrowTimeout": 2}
    )
    deadline = time.monotonic() + 60
    while (described := rds.describe_db_proxies(DBProxyName="vpc-test-proxy")["DBProxies"][0])["Status"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    yield described["Endpoint"], group


def _target_health(net: Vpc) -> dict:
    [target] = net.cloud.client("rds").describe_db_proxy_targets(DBProxyName="vpc-test-proxy")["Targets"]
    return dict(target["TargetHealth"])


def test_a_proxy_reaches_its_target_only_once_the_db_security_group_admits_the_proxy(
    net: Vpc, proxy: tuple[str, str]
) -> None:
    endpoint, group = proxy
    health = _target_health(net)
    assert health["State"] == "UNAVAILABLE" and health["Reason"] == "CONNECTION_FAILED", health
    assert health["Description"]
    with pytest.raises(pymysql.err.OperationalError) as failed:
        pymysql.connect(host=endpoint, user="admin", password=PASSWORD, database="mysql", connect_timeout=10)
    assert failed.value.args == (9501, "Timed-out waiting to acquire database connection")

    rule = net.allow(net.db_group, 3306, GroupId=group)
    try:
        deadline = time.monotonic() + 10
        while _target_health(net)["State"] != "AVAILABLE":
            assert time.monotonic() < deadline, "the target never turned AVAILABLE"
            time.sleep(0.2)
        conn = pymysql.connect(host=endpoint, user="admin", password=PASSWORD, database="mysql")
        conn.close()
    finally:
        net.revoke(net.db_group, rule)


def test_a_vpc_function_reaches_a_proxy_only_through_the_proxys_security_group(
    net: Vpc, proxy: tuple[str, str], deploy: Deploy
) -> None:
    endpoint, group = proxy
    functions = net.group("fn")
    name = net.db_function(deploy, functions)
    outside = net.db_function(deploy, None)
    target = net.allow(net.db_group, 3306, GroupId=group)
    try:
        _dropped(net.connect_from(name, endpoint, 3306))
        rule = net.allow(group, 3306, GroupId=functions)
        try:
            assert net.connect_from(name, endpoint, 3306) == {"connected": True}
            _dropped(net.connect_from(outside, endpoint, 3306))  # a proxy is reachable only from inside its VPC
        finally:
            net.revoke(group, rule)
    finally:
        net.revoke(net.db_group, target)


# -- AWS APIs ----------------------------------------------------------------------------------------------
def _call_api(net: Vpc, name: str) -> dict:
    response, body = invoke_json(net.cloud, name)
    assert "FunctionError" not in response, body
    return dict(body)


def test_a_vpc_function_calls_an_aws_api_only_through_an_available_endpoint_its_groups_reach(
    net: Vpc, deploy: Deploy
) -> None:
    ec2 = net.cloud.client("ec2")
    functions, endpoint_group = net.group("fn"), net.group("endpoint")
    name = deploy(
        API_CLIENT, Timeout=5, Role=net.role, VpcConfig={"SubnetIds": net.subnets, "SecurityGroupIds": [functions]}
    )
    outside = deploy(API_CLIENT, Timeout=5, Role=net.role)
    assert _call_api(net, outside) == {"answered": True}, "outside a VPC a function has internet access"
    dropped = _call_api(net, name)
    assert dropped["answered"] is False and dropped["error"] == "ReadTimeoutError" and dropped["waited"] >= 1.9

    endpoint = ec2.create_vpc_endpoint(
        VpcEndpointType="Interface", VpcId=net.vpc, ServiceName=f"com.amazonaws.{net.cloud.region}.secretsmanager",
        SubnetIds=net.subnets, SecurityGroupIds=[endpoint_group], PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"].lower() != "available":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert _call_api(net, name)["answered"] is False, "the endpoint's group admits no HTTPS from the function"
        net.allow(endpoint_group, 443, GroupId=functions)
        assert _call_api(net, name) == {"answered": True}
    finally:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    assert _call_api(net, name)["answered"] is False


def test_a_vpc_function_calls_aws_apis_through_a_nat_gateway_in_a_public_subnet(net: Vpc, deploy: Deploy) -> None:
    ec2 = net.cloud.client("ec2")
    public = ec2.create_subnet(VpcId=net.vpc, CidrBlock="10.71.9.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    private = ec2.create_subnet(VpcId=net.vpc, CidrBlock="10.71.10.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=net.vpc)
    public_routes = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_routes, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=public_routes, SubnetId=public["SubnetId"])
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public["SubnetId"], AllocationId=address)["NatGateway"]["NatGatewayId"]
    private_routes = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_routes, SubnetId=private["SubnetId"])
    name = deploy(
        API_CLIENT,
        Timeout=5,
        Role=net.role,
        VpcConfig={"SubnetIds": [private["SubnetId"]], "SecurityGroupIds": [net.group("fn")]},
    )
    assert _call_api(net, name)["answered"] is False, "a private subnet without a route to the NAT gateway"
    ec2.create_route(RouteTableId=private_routes, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert _call_api(net, name) == {"answered": True}


INVOKER = """
import time, boto3, botocore.exceptions
from botocore.config import Config
def handler(event, context):
    client = boto3.client("lambda", config=Config(connect_timeout=2, read_timeout=2, retries={"total_max_attempts": 1}))
    started = time.monotonic()
    try:
        client.invoke(FunctionName=event["target"], Payload=b"{}")
        return {"answered": True}
    except (botocore.exceptions.ConnectTimeoutError, botocore.exceptions.ReadTimeoutError) as exc:
        return {"answered": False, "error": type(exc).__name__, "waited": time.monotonic() - started}
"""


def test_invoking_another_function_from_a_vpc_function_without_egress_is_dropped_too(net: Vpc, deploy: Deploy) -> None:
    target = deploy("def handler(event, context):\n    return 1\n", Role=net.role)
    vpc_config = {"SubnetIds": net.subnets, "SecurityGroupIds": [net.group("fn")]}
    inside = deploy(INVOKER, Timeout=5, Role=net.role, VpcConfig=vpc_config)
    outside = deploy(INVOKER, Timeout=5, Role=net.role)
    _, answer = invoke_json(net.cloud, outside, {"target": target})
    assert answer == {"answered": True}
    _, answer = invoke_json(net.cloud, inside, {"target": target})
    assert answer["answered"] is False and answer["error"] == "ReadTimeoutError" and answer["waited"] >= 1.9


XRAY_CLIENT = """
import json, os, socket, time
def handler(event, context):
    host, port = os.environ["AWS_XRAY_DAEMON_ADDRESS"].split(":")
    segment = {"name": "from-vpc", "id": "1234567890abcdef", "trace_id": event["trace_id"],
               "start_time": time.time() - 0.01, "end_time": time.time()}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b'{"format": "json", "version": 1}\\n' + json.dumps(segment).encode(), (host, int(port)))
    return "sent"
"""


def test_the_xray_daemon_is_reachable_from_a_vpc_function_without_egress(net: Vpc, deploy: Deploy) -> None:
    vpc_config = {"SubnetIds": net.subnets, "SecurityGroupIds": [net.group("fn")]}
    name = deploy(XRAY_CLIENT, Timeout=5, Role=net.role, VpcConfig=vpc_config)
    trace_id = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    invoke_json(net.cloud, name, {"trace_id": trace_id})
    deadline = time.monotonic() + 10
    while not net.cloud.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]:
        assert time.monotonic() < deadline, "the segment never arrived"
        time.sleep(0.2)


# -- the switch --------------------------------------------------------------------------------------------
def test_with_the_rules_off_a_vpc_function_reaches_everything_and_interfaces_still_hold_subnets(
    make_cloud, deploy: Deploy
) -> None:
    cloud = make_cloud(enforce_rules=False)
    ec2, rds = cloud.client("ec2"), cloud.client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.72.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    groups = [ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc)["GroupId"] for n in ("fn", "db")]
    rds.create_db_subnet_group(DBSubnetGroupName="off", DBSubnetGroupDescription="off", SubnetIds=subnets)
    rds.create_db_instance(
        DBInstanceIdentifier="off-db", Engine="mysql", DBInstanceClass="db.t3.micro", MasterUsername="admin",
        MasterUserPassword=PASSWORD, AllocatedStorage=20, DBSubnetGroupName="off", VpcSecurityGroupIds=[groups[1]],
    )  # fmt: skip
    layer = cloud.client("lambda").publish_layer_version(
        LayerName="off-pymysql", Content={"ZipFile": site_packages_layer("PyMySQL")}
    )["LayerVersionArn"]
    role = _role(cloud, "pc-vpc-off-role")
    vpc_config = {"SubnetIds": subnets, "SecurityGroupIds": [groups[0]]}
    db_client = deploy(DB_CLIENT, target=cloud, Timeout=5, Layers=[layer], Role=role, VpcConfig=vpc_config)
    api_client = deploy(API_CLIENT, target=cloud, Timeout=5, Role=role, VpcConfig=vpc_config)
    endpoint = _available(rds, "off-db")["Endpoint"]
    _, answer = invoke_json(cloud, db_client, {**endpoint_payload(endpoint), "password": PASSWORD})
    assert answer == {"connected": True}
    _, answer = invoke_json(cloud, api_client)
    assert answer == {"answered": True}
    with pytest.raises(cloud.client("ec2").exceptions.ClientError) as refused:
        ec2.delete_subnet(SubnetId=subnets[0])
    assert refused.value.response["Error"]["Code"] == "DependencyViolation"


def endpoint_payload(endpoint: dict) -> dict:
    return {"host": endpoint["Address"], "port": endpoint["Port"]}
