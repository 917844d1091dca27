"""The VPC rules on moto's EC2 and RDS models: security groups, routes to NAT gateways, endpoints, who reaches what."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.rds.models import rds_backends

from pocketcloud.vpc.rules import ADMITTED, HTTPS, MYSQL, Network, Placement, Verdict

REGION = "us-east-1"


class Lab:
    """A region of moto's EC2 (and RDS), built through boto3 as a learner would, read through Network."""

    def __init__(self) -> None:
        self.ec2, self.rds = _clients()
        self.public_subnets = 0
        self.backend = ec2_backends[DEFAULT_ACCOUNT_ID][REGION]
        self.network = Network(self.backend, REGION)
        self.vpc = self.new_vpc()
        self.subnet = self.new_subnet("10.0.1.0/24")
        self.fn_group = self.new_group("fn")
        self.db_group = self.new_group("db")

    def new_vpc(self, cidr: str = "10.0.0.0/16") -> str:
        return str(self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])

    def new_subnet(self, cidr: str, vpc: str | None = None) -> str:
        return str(self.ec2.create_subnet(VpcId=vpc or self.vpc, CidrBlock=cidr)["Subnet"]["SubnetId"])

    def new_group(self, name: str, vpc: str | None = None) -> str:
        return str(self.ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc or self.vpc)["GroupId"])

    def allow_in(self, group: str, port: int, *, source: str = "", cidr: str = "", protocol: str = "tcp") -> None:
        self.ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[_permission(port, source, cidr, protocol)]
        )

    def allow_out(self, group: str, port: int, *, target: str = "", cidr: str = "") -> None:
        self.ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[_permission(port, target, cidr, "tcp")])

    def no_egress(self, group: str) -> None:
        self.ec2.revoke_security_group_egress(
            GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )

    def place(self, subnets: list[str] | None = None, groups: list[str] | None = None) -> Placement:
        placement = self.network.function_placement(
            {"SubnetIds": subnets or [self.subnet], "SecurityGroupIds": groups or [self.fn_group]}
        )
        assert placement is not None
        return placement

    def route(self, subnet: str, **target: str) -> str:
        table = self.ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **target)
        self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        return str(table)

    def nat_gateway(self, public: bool = True) -> str:
        """A NAT gateway in a new subnet, which routes 0.0.0.0/0 to an internet gateway when ``public``."""
        self.public_subnets += 1
        subnet = self.new_subnet(f"10.0.{200 + self.public_subnets}.0/24")
        if public:
            igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.vpc)
            self.route(subnet, GatewayId=igw)
        allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        return str(self.ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"])

    def endpoint(self, service: str = "secretsmanager", **extra: Any) -> Any:
        created = self.ec2.create_vpc_endpoint(
            VpcId=extra.pop("VpcId", self.vpc), ServiceName=f"com.amazonaws.{REGION}.{service}", **extra
        )
        return self.backend.vpc_end_points[created["VpcEndpoint"]["VpcEndpointId"]]

    def db_instance(self, name: str = "db", **extra: Any) -> Any:
        self.rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="mysql",
            MasterUsername="admin",
            MasterUserPassword="password1",
            AllocatedStorage=20,
            **extra,
        )
        return rds_backends[DEFAULT_ACCOUNT_ID][REGION].databases[name]

    def subnet_group(self, subnets: list[str]) -> str:
        self.rds.create_db_subnet_group(
            DBSubnetGroupName="private", DBSubnetGroupDescription="private", SubnetIds=subnets
        )
        return "private"

    def db_proxy(self, subnets: list[str], groups: list[str]) -> Any:
        self.rds.create_db_proxy(
            DBProxyName="proxy",
            EngineFamily="MYSQL",
            Auth=[{"SecretArn": f"arn:aws:secretsmanager:{REGION}:{DEFAULT_ACCOUNT_ID}:secret:db"}],
            RoleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/proxy",
            VpcSubnetIds=subnets,
            VpcSecurityGroupIds=groups,
        )
        return rds_backends[DEFAULT_ACCOUNT_ID][REGION].db_proxies["proxy"]


@functools.cache
def _clients() -> tuple[Any, Any]:
    """boto3 clients made once (making one takes longer than a test here); moto answers them while mocking."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
    return boto3.client("ec2", **keys), boto3.client("rds", **keys)


def _permission(port: int, group: str, cidr: str, protocol: str) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": protocol, "FromPort": port, "ToPort": port}
    if group:
        permission["UserIdGroupPairs"] = [{"GroupId": group}]
    if cidr:
        permission["IpRanges"] = [{"CidrIp": cidr}]
    return permission


@pytest.fixture
def lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # no AMI is used here; loading them is most of the time
    with mock_aws():
        yield Lab()


# -- placements ------------------------------------------------------------------------------------------------


def test_a_function_without_subnets_is_in_no_vpc(lab: Lab) -> None:
    assert lab.network.function_placement(None) is None
    assert lab.network.function_placement({"SubnetIds": [], "SecurityGroupIds": [lab.fn_group]}) is None
    placement = lab.network.function_placement({"SubnetIds": [lab.subnet]})
    assert placement == Placement(lab.vpc, (lab.subnet,), ())


def test_a_db_instance_sits_in_its_subnet_group_or_the_default_vpc(lab: Lab) -> None:
    other = lab.new_subnet("10.0.2.0/24")
    placed = lab.network.db_instance_placement(
        lab.db_instance(DBSubnetGroupName=lab.subnet_group([lab.subnet, other]), VpcSecurityGroupIds=[lab.db_group])
    )
    assert placed == Placement(lab.vpc, (lab.subnet, other), (lab.db_group,))
    foreign = lab.new_group("foreign", lab.new_vpc("10.4.0.0/16"))
    mixed = lab.network.db_instance_placement(
        lab.db_instance("mixed", DBSubnetGroupName="private", VpcSecurityGroupIds=[foreign])
    )
    assert mixed.security_group_ids == (lab.backend.get_default_security_group(lab.vpc).id,)
    default = lab.network.db_instance_placement(lab.db_instance("plain"))
    default_vpc = str(lab.backend.default_vpc.id)
    expected = {s.id for s in lab.backend.describe_subnets() if s.vpc_id == default_vpc and s.default_for_az}
    assert default.vpc_id == default_vpc and set(default.subnet_ids) == expected and expected
    assert default.security_group_ids == (lab.backend.get_default_security_group(default_vpc).id,)


def test_a_resource_without_a_group_of_its_vpc_gets_that_vpcs_default_group(lab: Lab) -> None:
    elsewhere = lab.new_group("elsewhere", lab.new_vpc("10.9.0.0/16"))
    proxy = lab.db_proxy([lab.subnet], [elsewhere])
    assert lab.network.proxy_placement(proxy) == Placement(
        lab.vpc, (lab.subnet,), (lab.backend.get_default_security_group(lab.vpc).id,)
    )
    endpoint = lab.endpoint(VpcEndpointType="Interface", SubnetIds=[lab.subnet], SecurityGroupIds=[lab.fn_group])
    assert lab.network.endpoint_placement(endpoint) == Placement(lab.vpc, (lab.subnet,), (lab.fn_group,))


def test_subnets_that_do_not_exist_belong_to_no_vpc(lab: Lab) -> None:
    assert lab.network.function_placement({"SubnetIds": ["subnet-gone"]}) == Placement("", ("subnet-gone",), ())


# -- security groups -------------------------------------------------------------------------------------------


def test_an_inbound_rule_admits_a_source_group_on_its_port_and_protocol(lab: Lab) -> None:
    target = lab.place(groups=[lab.db_group])
    assert not lab.network.admits(target, MYSQL, lab.place())
    lab.allow_in(lab.db_group, MYSQL, source=lab.fn_group)
    assert lab.network.admits(target, MYSQL, lab.place())
    assert not lab.network.admits(target, MYSQL + 1, lab.place())
    assert not lab.network.admits(target, MYSQL, lab.place(groups=[lab.db_group]))
    lab.allow_in(lab.db_group, 53, source=lab.db_group, protocol="udp")
    assert not lab.network.admits(target, 53, lab.place(groups=[lab.db_group]))


def test_a_port_range_and_all_traffic(lab: Lab) -> None:
    lab.ec2.authorize_security_group_ingress(
        GroupId=lab.db_group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3300, "ToPort": 3310, "UserIdGroupPairs": [{"GroupId": lab.fn_group}]}
        ],
    )
    target = lab.place(groups=[lab.db_group])
    assert [lab.network.admits(target, port, lab.place()) for port in (3299, 3300, 3306, 3310, 3311)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    lab.ec2.authorize_security_group_ingress(
        GroupId=lab.db_group, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": lab.db_group}]}]
    )
    assert lab.network.admits(target, 9999, lab.place(groups=[lab.db_group]))


def test_a_cidr_rule_admits_a_source_only_if_it_holds_every_subnet(lab: Lab) -> None:
    second = lab.new_subnet("10.0.2.0/24")
    target = lab.place(groups=[lab.db_group])
    lab.allow_in(lab.db_group, MYSQL, cidr="10.0.1.0/24")
    assert lab.network.admits(target, MYSQL, lab.place([lab.subnet]))
    assert not lab.network.admits(target, MYSQL, lab.place([lab.subnet, second]))
    lab.allow_in(lab.db_group, MYSQL, cidr="10.0.3.7/22")  # host bits: the range is 10.0.0.0/22
    assert lab.network.admits(target, MYSQL, lab.place([lab.subnet, second]))
    lab.ec2.delete_subnet(SubnetId=second)  # nothing can be said to hold a subnet that is gone
    assert not lab.network.admits(target, MYSQL, Placement(lab.vpc, (lab.subnet, second), (lab.fn_group,)))
    assert not lab.network.admits(target, MYSQL, Placement(lab.vpc, (), (lab.fn_group,)))


def test_outbound_rules_must_let_the_traffic_out(lab: Lab) -> None:
    source, target = lab.place(), lab.place(groups=[lab.db_group])
    assert lab.network.lets_out(source, MYSQL, target)  # a new group lets everything out
    lab.no_egress(lab.fn_group)
    assert not lab.network.lets_out(source, MYSQL, target)
    lab.allow_out(lab.fn_group, MYSQL, target=lab.db_group)
    assert lab.network.lets_out(source, MYSQL, target) and not lab.network.lets_out(source, HTTPS, target)


def test_internet_rules_need_public_addresses_on_the_port(lab: Lab) -> None:
    target = lab.place(groups=[lab.db_group])
    lab.allow_in(lab.db_group, MYSQL, cidr="10.0.0.0/8")
    assert not lab.network.admits_the_internet(target, MYSQL)
    lab.allow_in(lab.db_group, MYSQL, cidr="52.95.3.7/16")
    assert not lab.network.admits_the_internet(target, HTTPS)
    assert lab.network.admits_the_internet(target, MYSQL)
    assert not lab.network.admits_the_internet(Placement(lab.vpc, (), ("sg-gone",)), MYSQL)


def test_letting_out_to_the_internet_needs_a_rule_for_everywhere(lab: Lab) -> None:
    source = lab.place()
    assert lab.network.lets_out_to_the_internet(source, HTTPS)
    lab.no_egress(lab.fn_group)
    lab.allow_out(lab.fn_group, HTTPS, cidr="52.95.0.0/16")
    lab.allow_out(lab.fn_group, MYSQL, cidr="0.0.0.0/0")
    assert not lab.network.lets_out_to_the_internet(source, HTTPS)
    assert lab.network.lets_out_to_the_internet(source, MYSQL)
    assert not lab.network.lets_out_to_the_internet(Placement(lab.vpc, (), ("sg-gone",)), HTTPS)


# -- routes ----------------------------------------------------------------------------------------------------


def test_internet_access_needs_a_nat_gateway_in_a_public_subnet(lab: Lab) -> None:
    assert not lab.network.has_internet(lab.place())  # the main route table has no default route
    assert not lab.network.has_internet(Placement(lab.vpc, (), (lab.fn_group,)))
    lab.route(lab.subnet, NatGatewayId=lab.nat_gateway(public=True))
    assert lab.network.has_internet(lab.place())
    second = lab.new_subnet("10.0.2.0/24")
    assert not lab.network.has_internet(lab.place([lab.subnet, second]))  # every subnet must have the route


def test_a_nat_gateway_in_a_private_subnet_or_one_that_is_deleted_gives_no_internet(lab: Lab) -> None:
    private_nat = lab.nat_gateway(public=False)
    lab.route(lab.subnet, NatGatewayId=private_nat)
    assert not lab.network.has_internet(lab.place())
    private_nat_subnet = lab.backend.nat_gateways[private_nat].subnet_id
    lab.route(
        private_nat_subnet, NatGatewayId=lab.nat_gateway(public=True)
    )  # NAT behind NAT: no gateway to the internet
    assert not lab.network.has_internet(lab.place())
    other = lab.new_subnet("10.0.3.0/24")
    public_nat = lab.nat_gateway(public=True)
    lab.route(other, NatGatewayId=public_nat)
    assert lab.network.has_internet(lab.place([other]))
    lab.backend.nat_gateways[public_nat].state = "deleted"
    assert not lab.network.has_internet(lab.place([other]))


def test_a_public_subnet_alone_gives_a_function_no_internet(lab: Lab) -> None:
    igw = lab.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    lab.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=lab.vpc)
    lab.route(lab.subnet, GatewayId=igw)
    assert not lab.network.has_internet(lab.place())


def test_the_main_route_table_serves_subnets_without_their_own(lab: Lab) -> None:
    nat = lab.nat_gateway(public=True)
    main = next(
        t["RouteTableId"]
        for t in lab.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [lab.vpc]}])["RouteTables"]
        if any(a.get("Main") for a in t["Associations"])
    )
    lab.ec2.create_route(RouteTableId=main, DestinationCidrBlock="10.8.0.0/16", NatGatewayId=nat)
    assert not lab.network.has_internet(lab.place())  # a route, but not the default one
    lab.ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert lab.network.has_internet(lab.place())


# -- endpoints and API calls -----------------------------------------------------------------------------------


def _admit_https(lab: Lab, endpoint_group: str) -> None:
    lab.allow_in(endpoint_group, HTTPS, source=lab.fn_group)


def test_an_interface_endpoint_carries_api_calls_when_its_groups_admit_https(lab: Lab) -> None:
    source = lab.place()
    assert lab.network.api(source, "secretsmanager") == Verdict(
        False, "the VPC has no NAT gateway route and no secretsmanager endpoint"
    )
    endpoint_group = lab.new_group("endpoint")
    endpoint = lab.endpoint(VpcEndpointType="Interface", SubnetIds=[lab.subnet], SecurityGroupIds=[endpoint_group])
    assert lab.network.api(source, "secretsmanager") == Verdict(
        False,
        f"the security groups of its secretsmanager endpoint {endpoint.id} admit no HTTPS from the function",
    )
    _admit_https(lab, endpoint_group)
    assert lab.network.api(source, "secretsmanager") is ADMITTED
    assert not lab.network.api(source, "sqs").admitted  # an endpoint serves its own service only
    lab.no_egress(lab.fn_group)
    assert lab.network.endpoint_for(source, "secretsmanager") == Verdict(
        False, f"the function's security groups let no HTTPS out to its secretsmanager endpoint {endpoint.id}"
    )


def test_an_endpoint_that_is_pending_or_without_private_dns_carries_nothing(lab: Lab) -> None:
    endpoint_group = lab.new_group("endpoint")
    _admit_https(lab, endpoint_group)
    endpoint = lab.endpoint(VpcEndpointType="Interface", SubnetIds=[lab.subnet], SecurityGroupIds=[endpoint_group])
    endpoint.state = "pending"
    assert lab.network.endpoint_for(lab.place(), "secretsmanager") == Verdict(
        False, f"its secretsmanager endpoint {endpoint.id} is pending"
    )
    endpoint.state = "available"
    endpoint.private_dns_enabled = False
    assert lab.network.endpoint_for(lab.place(), "secretsmanager") == Verdict(
        False, f"its secretsmanager endpoint {endpoint.id} has private DNS off"
    )


def test_unusable_endpoints_are_skipped_for_a_usable_one_after_them(lab: Lab) -> None:
    other_vpc = lab.new_vpc("10.6.0.0/16")
    lab.endpoint(VpcId=other_vpc, VpcEndpointType="Interface")
    lab.endpoint(VpcEndpointType="Gateway")  # not in the function's route tables
    pending_group, dns_off_group, closed_group, open_group = (lab.new_group(n) for n in ("p", "d", "c", "o"))
    for group in (pending_group, dns_off_group, open_group):
        _admit_https(lab, group)
    lab.endpoint(VpcEndpointType="Interface", SecurityGroupIds=[pending_group]).state = "pending"
    lab.endpoint(VpcEndpointType="Interface", SecurityGroupIds=[dns_off_group]).private_dns_enabled = False
    lab.endpoint(VpcEndpointType="Interface", SecurityGroupIds=[closed_group])
    lab.no_egress(lab.fn_group)
    for group in (pending_group, dns_off_group, closed_group, open_group):
        lab.allow_out(lab.fn_group, HTTPS, target=group)
    blocked_group = lab.new_group("b")
    _admit_https(lab, blocked_group)
    lab.endpoint(VpcEndpointType="Interface", SecurityGroupIds=[blocked_group])  # HTTPS may not leave for it
    assert not lab.network.endpoint_for(lab.place(), "secretsmanager").admitted
    lab.endpoint(VpcEndpointType="Interface", SecurityGroupIds=[open_group])
    assert lab.network.endpoint_for(lab.place(), "secretsmanager") is ADMITTED


def test_an_endpoint_of_another_vpc_carries_nothing(lab: Lab) -> None:
    other_vpc = lab.new_vpc("10.7.0.0/16")
    group = lab.new_group("endpoint", other_vpc)
    lab.endpoint(VpcId=other_vpc, VpcEndpointType="Interface", SecurityGroupIds=[group])
    lab.allow_in(group, HTTPS, cidr="10.0.0.0/8")
    assert lab.network.endpoint_for(lab.place(), "secretsmanager") == Verdict(
        False, "the VPC has no NAT gateway route and no secretsmanager endpoint"
    )


def test_a_gateway_endpoint_works_through_the_functions_route_tables(lab: Lab) -> None:
    table = lab.route(lab.subnet, GatewayId=lab.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"])
    endpoint = lab.endpoint("dynamodb", VpcEndpointType="Gateway")
    assert lab.network.endpoint_for(lab.place(), "dynamodb") == Verdict(
        False, f"its dynamodb gateway endpoint {endpoint.id} is not in the function's route tables"
    )
    endpoint.route_table_ids = [table]
    assert lab.network.endpoint_for(lab.place(), "dynamodb") is ADMITTED
    second = lab.new_subnet("10.0.2.0/24")  # on the main route table, which the endpoint is not in
    assert not lab.network.endpoint_for(lab.place([lab.subnet, second]), "dynamodb").admitted


def test_api_calls_go_out_through_a_nat_gateway_when_https_may_leave(lab: Lab) -> None:
    lab.route(lab.subnet, NatGatewayId=lab.nat_gateway(public=True))
    assert lab.network.api(lab.place(), "sqs") is ADMITTED
    lab.no_egress(lab.fn_group)
    lab.allow_out(lab.fn_group, MYSQL, cidr="0.0.0.0/0")
    assert not lab.network.api(lab.place(), "sqs").admitted


# -- the questions the data planes ask -------------------------------------------------------------------------


def test_reaching_a_db_instance_in_its_vpc_takes_both_rules(lab: Lab) -> None:
    instance = lab.db_instance(DBSubnetGroupName=lab.subnet_group([lab.subnet]), VpcSecurityGroupIds=[lab.db_group])
    assert lab.network.db_instance(instance, MYSQL, lab.place()) == Verdict(
        False, "no inbound rule of DB instance db's security groups admits TCP 3306 from the caller"
    )
    lab.allow_in(lab.db_group, MYSQL, source=lab.fn_group)
    assert lab.network.db_instance(instance, MYSQL, lab.place()) is ADMITTED
    lab.no_egress(lab.fn_group)
    assert lab.network.db_instance(instance, MYSQL, lab.place()) == Verdict(
        False, "no outbound rule of the caller's security groups lets TCP 3306 out to DB instance db"
    )
    lab.allow_out(lab.fn_group, MYSQL, target=lab.db_group)
    assert lab.network.db_instance(instance, MYSQL, lab.place()) is ADMITTED


def test_a_db_instance_outside_the_callers_vpc_needs_to_be_public(lab: Lab) -> None:
    private = lab.db_instance("private", PubliclyAccessible=False)
    public = lab.db_instance("public", PubliclyAccessible=True)
    assert lab.network.db_instance(private, MYSQL, lab.place()) == Verdict(
        False, "DB instance private is in another VPC and the caller's subnets have no NAT gateway route"
    )
    assert lab.network.db_instance(private, MYSQL, None) == Verdict(
        False, "DB instance private is not publicly accessible and the caller is not in its VPC"
    )
    assert lab.network.db_instance(public, MYSQL, None) == Verdict(
        False, "no inbound rule of DB instance public's security groups admits TCP 3306 from the internet"
    )
    default_group = lab.backend.get_default_security_group(str(lab.backend.default_vpc.id)).id
    lab.allow_in(default_group, MYSQL, cidr="0.0.0.0/0")
    assert lab.network.db_instance(public, MYSQL, None) is ADMITTED
    lab.route(lab.subnet, NatGatewayId=lab.nat_gateway(public=True))
    assert lab.network.db_instance(public, MYSQL, lab.place()) is ADMITTED


def test_a_db_proxy_is_reached_only_from_inside_its_vpc(lab: Lab) -> None:
    proxy = lab.db_proxy([lab.subnet], [lab.db_group])
    assert lab.network.db_proxy(proxy, None) == Verdict(
        False, "DB proxy proxy is reachable only from inside its VPC; the function is in no VPC"
    )
    lab.allow_in(lab.db_group, MYSQL, source=lab.fn_group)
    assert lab.network.db_proxy(proxy, lab.place()) is ADMITTED
    other_vpc = lab.new_vpc("10.5.0.0/16")
    outside = lab.place([lab.new_subnet("10.5.1.0/24", other_vpc)], [lab.new_group("fn", other_vpc)])
    assert lab.network.db_proxy(proxy, outside) == Verdict(
        False, f"DB proxy proxy is in {lab.vpc}, the caller in {other_vpc}"
    )
    assert lab.network.reaches(Placement("", (), ()), lab.place(), MYSQL, "x") == Verdict(
        False, f"x is in {lab.vpc}, the caller in no VPC"
    )


def test_a_proxy_opens_connections_only_where_the_instance_admits_its_group(lab: Lab) -> None:
    proxy_group = lab.new_group("proxy")
    proxy = lab.db_proxy([lab.subnet], [proxy_group])
    instance = lab.db_instance(DBSubnetGroupName=lab.subnet_group([lab.subnet]), VpcSecurityGroupIds=[lab.db_group])
    assert lab.network.proxy_to_instance(proxy, instance, MYSQL) == Verdict(
        False, "no inbound rule of DB instance db's security groups admits TCP 3306 from the caller"
    )
    lab.allow_in(lab.db_group, MYSQL, source=proxy_group)
    assert lab.network.proxy_to_instance(proxy, instance, MYSQL) is ADMITTED


def test_an_interface_endpoint_created_without_groups_carries_its_vpcs_default_group(lab: Lab) -> None:
    # PrivateLink guide: "If you do not specify a security group, we associate the default security group for the VPC."
    endpoint = lab.endpoint(VpcEndpointType="Interface", SubnetIds=[lab.subnet])
    default = lab.backend.get_default_security_group(lab.vpc).id
    assert lab.network.endpoint_placement(endpoint) == Placement(lab.vpc, (lab.subnet,), (default,))


def test_a_security_group_deleted_while_a_resource_names_it_leaves_the_vpcs_default_group(lab: Lab) -> None:
    doomed = lab.new_group("doomed")
    proxy = lab.db_proxy([lab.subnet], [doomed])
    lab.ec2.delete_security_group(GroupId=doomed)
    default = lab.backend.get_default_security_group(lab.vpc).id
    assert lab.network.proxy_placement(proxy).security_group_ids == (default,)


def test_a_nat_gateway_whose_subnet_routes_to_a_virtual_private_gateway_gives_no_internet(lab: Lab) -> None:
    # A NAT gateway reaches the internet only through an internet gateway; a VPN's gateway leads elsewhere.
    lab.public_subnets += 1
    nat_subnet = lab.new_subnet(f"10.0.{200 + lab.public_subnets}.0/24")
    vgw = lab.ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    lab.ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=lab.vpc)
    lab.route(nat_subnet, GatewayId=vgw)
    allocation = lab.ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = lab.ec2.create_nat_gateway(SubnetId=nat_subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    lab.route(lab.subnet, NatGatewayId=nat)
    assert not lab.network.has_internet(lab.place())
