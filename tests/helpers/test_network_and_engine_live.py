"""The workshop's VPC and DB version choices on a real pocketcloud: zones where Lambda and RDS both run, each
security group admitting exactly who must reach it, and a MySQL version in standard support."""

from __future__ import annotations

import botocore.exceptions
import pytest

import pocketcloud
from helpers.aws import database, network

from .conftest import workshop_on


def _admits(ec2: object, group_id: str, port: int) -> set[str]:
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]  # type: ignore[attr-defined]
    return {
        pair["GroupId"]
        for rule in group["IpPermissions"]
        if rule.get("FromPort") == port
        for pair in rule.get("UserIdGroupPairs", [])
    }


def test_the_vpc_stack_uses_chosen_zones_and_admits_the_proxy_and_the_functions(cloud: pocketcloud.Cloud) -> None:
    with workshop_on(cloud, "netzone-") as ws:
        outputs = network.deploy_vpc(ws)
        ec2 = ws.client("ec2")
        subnets = ec2.describe_subnets(SubnetIds=outputs["SubnetIds"])["Subnets"]
        zones = ec2.describe_availability_zones()["AvailabilityZones"]
        zone_ids = {z["ZoneName"]: z["ZoneId"] for z in zones}
        used = [s["AvailabilityZone"] for s in subnets]
        assert len(set(used)) == 2, "two subnets in two different zones"
        assert not {zone_ids[z] for z in used} & network.UNSUPPORTED_ZONE_IDS
        orderable = ws.client("rds").describe_orderable_db_instance_options(
            Engine="mysql", EngineVersion=database.choose_engine_version(ws), DBInstanceClass=database.INSTANCE_CLASS
        )["OrderableDBInstanceOptions"]
        assert set(used) <= {z["Name"] for option in orderable for z in option["AvailabilityZones"]}
        db_sg, proxy_sg = outputs["DatabaseSecurityGroupId"], outputs["ProxySecurityGroupId"]
        lambda_sg, endpoint_sg = outputs["LambdaSecurityGroupId"], outputs["EndpointSecurityGroupId"]
        assert _admits(ec2, db_sg, 3306) == {lambda_sg, proxy_sg}, "the DB admits the functions and the proxy"
        assert _admits(ec2, proxy_sg, 3306) == {lambda_sg}
        assert _admits(ec2, endpoint_sg, 443) == {lambda_sg}, "the Secrets Manager endpoint admits the functions"
        ws.client("cloudformation").delete_stack(StackName=ws.name("network"))


def test_the_chosen_mysql_version_is_the_newest_standard_majors_default_and_rds_creates_it(
    cloud: pocketcloud.Cloud,
) -> None:
    with workshop_on(cloud, "dbver-") as ws:
        rds = ws.client("rds")
        chosen = database.choose_engine_version(ws)
        defaults = rds.describe_db_engine_versions(Engine="mysql", DefaultOnly=True)["DBEngineVersions"]
        assert chosen == defaults[0]["EngineVersion"], "today the newest standard-support major is the default one"
        created = rds.create_db_instance(
            DBInstanceIdentifier="dbver-check", Engine="mysql", EngineVersion=chosen, DBInstanceClass="db.t3.micro",
            MasterUsername="admin", MasterUserPassword="Initial-Pass-123", AllocatedStorage=20,
            EngineLifecycleSupport=database.NO_EXTENDED_SUPPORT,
        )["DBInstance"]  # fmt: skip
        rds.delete_db_instance(DBInstanceIdentifier="dbver-check", SkipFinalSnapshot=True)
        assert created["EngineVersion"] == chosen
        with pytest.raises(botocore.exceptions.ClientError, match=r"Cannot find version 8\.0\.40"):
            rds.create_db_instance(
                DBInstanceIdentifier="dbver-old", Engine="mysql", EngineVersion="8.0.40", DBInstanceClass="db.t3.micro",
                MasterUsername="admin", MasterUserPassword="Initial-Pass-123", AllocatedStorage=20,
            )  # fmt: skip
