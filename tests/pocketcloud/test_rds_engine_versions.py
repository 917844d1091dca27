"""RDS engine versions as RDS for MySQL lists them, and CreateDBInstance refusing the ones it no longer offers."""

from __future__ import annotations

import botocore.exceptions
import pytest

import pocketcloud


def test_the_engine_versions_list_has_8_0_and_8_4_minors_and_one_default(cloud: pocketcloud.Cloud) -> None:
    rds = cloud.client("rds")
    listed = rds.describe_db_engine_versions(Engine="mysql")["DBEngineVersions"]
    majors = {v["MajorEngineVersion"] for v in listed}
    assert {"8.0", "8.4"} <= majors
    assert all(v["Status"] == "available" for v in listed), "retired minors only with IncludeAll"
    every = rds.describe_db_engine_versions(Engine="mysql", IncludeAll=True)["DBEngineVersions"]
    assert {"8.0.40"} <= {v["EngineVersion"] for v in every if v["Status"] == "deprecated"}
    default = rds.describe_db_engine_versions(Engine="mysql", DefaultOnly=True)["DBEngineVersions"]
    assert [v["MajorEngineVersion"] for v in default] == ["8.4"], "the engine's default is the newest major's"
    of_8_0 = rds.describe_db_engine_versions(Engine="mysql", EngineVersion="8.0", DefaultOnly=True)["DBEngineVersions"]
    assert len(of_8_0) == 1 and of_8_0[0]["EngineVersion"].startswith("8.0.")


def test_major_versions_carry_their_standard_and_extended_support_dates(cloud: pocketcloud.Cloud) -> None:
    majors = cloud.client("rds").describe_db_major_engine_versions(Engine="mysql")["DBMajorEngineVersions"]
    lifecycles = {
        m["MajorEngineVersion"]: {c["LifecycleSupportName"]: c for c in m["SupportedEngineLifecycles"]} for m in majors
    }
    standard_end_8_0 = lifecycles["8.0"]["open-source-rds-standard-support"]["LifecycleSupportEndDate"]
    assert standard_end_8_0.date().isoformat() == "2026-07-31"
    assert lifecycles["8.4"]["open-source-rds-standard-support"]["LifecycleSupportEndDate"] > standard_end_8_0, (
        "8.4 is supported longer than 8.0"
    )


@pytest.mark.parametrize("version", ["8.0.40", "5.7.44", "8.4.99"])
def test_a_retired_or_unknown_version_is_refused_and_nothing_is_created(cloud: pocketcloud.Cloud, version: str) -> None:
    rds = cloud.client("rds")
    ident = f"old-version-{version.replace('.', '-')}"
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        rds.create_db_instance(
            DBInstanceIdentifier=ident, Engine="mysql", EngineVersion=version, DBInstanceClass="db.t3.micro",
            MasterUsername="admin", MasterUserPassword="Initial-Pass-123", AllocatedStorage=20,
        )  # fmt: skip
    error = refused.value.response
    assert error["Error"]["Code"] == "InvalidParameterCombination"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == f"Cannot find version {version} for mysql"
    assert ident not in {i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]}


def test_8_0_with_extended_support_disabled_is_refused_after_standard_support_ended(cloud: pocketcloud.Cloud) -> None:
    rds = cloud.client("rds")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        rds.create_db_instance(
            DBInstanceIdentifier="no-extended-support", Engine="mysql", EngineVersion="8.0.44",
            DBInstanceClass="db.t3.micro", MasterUsername="admin", MasterUserPassword="Initial-Pass-123",
            AllocatedStorage=20, EngineLifecycleSupport="open-source-rds-extended-support-disabled",
        )  # fmt: skip
    assert refused.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "standard support" in refused.value.response["Error"]["Message"]


def test_a_major_only_version_runs_that_majors_default_minor(cloud: pocketcloud.Cloud) -> None:
    rds = cloud.client("rds")
    default = rds.describe_db_engine_versions(Engine="mysql", EngineVersion="8.4", DefaultOnly=True)[
        "DBEngineVersions"
    ][0]["EngineVersion"]
    created = rds.create_db_instance(
        DBInstanceIdentifier="major-only", Engine="mysql", EngineVersion="8.4", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="Initial-Pass-123", AllocatedStorage=20,
        EngineLifecycleSupport="open-source-rds-extended-support-disabled",
    )["DBInstance"]  # fmt: skip
    try:
        assert created["EngineVersion"] == default
    finally:
        rds.delete_db_instance(DBInstanceIdentifier="major-only", SkipFinalSnapshot=True)


def test_orderable_options_name_the_zones_an_instance_class_can_be_placed_in(cloud: pocketcloud.Cloud) -> None:
    options = cloud.client("rds").describe_orderable_db_instance_options(
        Engine="mysql", EngineVersion="8.4.7", DBInstanceClass="db.t3.micro"
    )["OrderableDBInstanceOptions"]
    zones = {z["Name"] for option in options for z in option["AvailabilityZones"]}
    region_zones = {z["ZoneName"] for z in cloud.client("ec2").describe_availability_zones()["AvailabilityZones"]}
    assert options and zones and zones <= region_zones
