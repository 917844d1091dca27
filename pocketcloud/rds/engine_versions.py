"""RDS for MySQL engine versions: which exist, which is the default, where standard support ends, and the
CreateDBInstance check that refuses a version RDS no longer offers.

moto knows no engine versions (it answers any, and defaults MySQL to 5.6.21). The list below is a
realistic RDS for MySQL list for late 2026 (some 8.0 and 8.4 minors; retired minors only with
``IncludeAll``), not a copy of any region's live list. The support dates are the RDS for MySQL release
calendar's: 8.0's standard support ended 2026-07-31 (RDS Extended Support, charged, until 2029-07-31),
8.4's ends 2029-07-31.

>>> default_version("mysql")
'8.4.7'
>>> resolve_version("mysql", "8.0")
'8.0.44'
>>> resolve_version("mysql", "8.0.40") is None
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

STANDARD = "open-source-rds-standard-support"
EXTENDED = "open-source-rds-extended-support"
EXTENDED_DISABLED = "open-source-rds-extended-support-disabled"


@dataclasses.dataclass(frozen=True)
class EngineVersion:
    engine: str
    version: str
    status: str = "available"  # "deprecated": listed only with IncludeAll, and no longer creatable

    @property
    def major(self) -> str:
        return ".".join(self.version.split(".")[:2])


@dataclasses.dataclass(frozen=True)
class MajorVersion:
    engine: str
    major: str
    default: str  # the minor RDS picks when only the major (or nothing) is asked for
    standard_start: dt.datetime
    standard_end: dt.datetime
    extended_end: dt.datetime


def _day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


VERSIONS = tuple(
    [EngineVersion("mysql", f"8.0.{minor}", "deprecated") for minor in range(35, 41)]
    + [EngineVersion("mysql", f"8.0.{minor}") for minor in range(41, 45)]
    + [EngineVersion("mysql", f"8.4.{minor}") for minor in range(5, 8)]
)
MAJORS = (
    MajorVersion("mysql", "8.0", "8.0.44", _day("2018-10-23"), _day("2026-07-31"), _day("2029-07-31")),
    MajorVersion("mysql", "8.4", "8.4.7", _day("2024-10-21"), _day("2029-07-31"), _day("2032-07-31")),
)
# The version RDS picks when CreateDBInstance names none: the default of the newest major.
ENGINE_DEFAULT = {"mysql": "8.4.7"}


def known_engine(engine: str) -> bool:
    """Whether this table speaks for ``engine`` (other engines keep moto's behaviour)."""
    return engine.lower() in ENGINE_DEFAULT


def default_version(engine: str, major: str | None = None) -> str | None:
    """The default minor of ``engine`` (or of one of its majors)."""
    if major is None:
        return ENGINE_DEFAULT.get(engine.lower())
    return next((m.default for m in MAJORS if m.engine == engine.lower() and m.major == major), None)


def resolve_version(engine: str, asked: str | None) -> str | None:
    """The available version CreateDBInstance would run for ``asked`` (a full version, a major, or None);
    None when RDS cannot find it."""
    engine = engine.lower()
    if not asked:
        return default_version(engine)
    if any(v.engine == engine and v.version == asked and v.status == "available" for v in VERSIONS):
        return asked
    return default_version(engine, asked)


def major_of(engine: str, version: str) -> MajorVersion | None:
    major = ".".join(version.split(".")[:2])
    return next((m for m in MAJORS if m.engine == engine.lower() and m.major == major), None)


def creation_refusal(engine: str, asked: str | None, lifecycle: str | None, now: dt.datetime) -> str | None:
    """Why CreateDBInstance refuses this engine version (InvalidParameterCombination's message), or None.

    RDS answers a version it does not offer (retired or never released) with "Cannot find version ...
    for mysql"; with ``EngineLifecycleSupport=open-source-rds-extended-support-disabled`` it refuses a
    major past its end of standard support ("creating the DB instance will fail", CreateDBInstance,
    RDS API Reference; the error code is not documented, this uses the code of the other version refusals).
    """
    version = resolve_version(engine, asked)
    if version is None:
        return f"Cannot find version {asked} for {engine.lower()}"
    major = major_of(engine, version)
    if lifecycle == EXTENDED_DISABLED and major is not None and now >= major.standard_end:
        return (
            f"Cannot create a DB instance with engine version {version}: RDS standard support for {engine.lower()} "
            f"{major.major} ended on {major.standard_end.date()} and EngineLifecycleSupport is {EXTENDED_DISABLED}"
        )
    return None


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true"


def describe_versions(params: Mapping[str, Any]) -> list[dict[str, str]]:
    """DescribeDBEngineVersions: the versions matching ``Engine``, ``EngineVersion`` (a full version or a
    major), ``DBParameterGroupFamily``, ``DefaultOnly`` and ``IncludeAll``, oldest first as RDS lists them."""
    engine = str(params.get("Engine") or "").lower()
    asked = str(params.get("EngineVersion") or "")
    family = str(params.get("DBParameterGroupFamily") or "")
    found = [
        v
        for v in VERSIONS
        if (not engine or v.engine == engine)
        and (not asked or asked in (v.version, v.major))
        and (not family or family == f"{v.engine}{v.major}")
        and (v.status == "available" or _truthy(params.get("IncludeAll")))
    ]
    if _truthy(params.get("DefaultOnly")):
        if asked and "." in asked and asked.count(".") == 1:  # a major: its default
            found = [v for v in found if v.version == default_version(v.engine, asked)]
        elif not asked:  # per engine: the engine's default
            found = [v for v in found if v.version == default_version(v.engine)]
    return [
        {
            "Engine": v.engine,
            "EngineVersion": v.version,
            "MajorEngineVersion": v.major,
            "DBParameterGroupFamily": f"{v.engine}{v.major}",
            "DBEngineDescription": "MySQL Community Edition",
            "DBEngineVersionDescription": f"MySQL {v.version}",
            "Status": v.status,
        }
        for v in found
    ]


def describe_majors(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """DescribeDBMajorEngineVersions: each major with its standard and Extended Support dates."""
    engine = str(params.get("Engine") or "").lower()
    asked = str(params.get("MajorEngineVersion") or "")
    return [
        {
            "Engine": m.engine,
            "MajorEngineVersion": m.major,
            "SupportedEngineLifecycles": [
                {
                    "LifecycleSupportName": STANDARD,
                    "LifecycleSupportStartDate": m.standard_start,
                    "LifecycleSupportEndDate": m.standard_end,
                },
                {
                    "LifecycleSupportName": EXTENDED,
                    "LifecycleSupportStartDate": m.standard_end,
                    "LifecycleSupportEndDate": m.extended_end,
                },
            ],
        }
        for m in MAJORS
        if (not engine or m.engine == engine) and (not asked or m.major == asked)
    ]


# The classes RDS for MySQL offers that the workshop may ask for (RDS offers more).
INSTANCE_CLASSES = ("db.t3.micro", "db.t3.small", "db.t3.medium", "db.t4g.micro", "db.t4g.small", "db.m5.large")


def describe_orderable(params: Mapping[str, Any], zone_names: list[str]) -> list[dict[str, Any]]:
    """DescribeOrderableDBInstanceOptions for MySQL: each available version and class, in the region's zones
    (``AvailabilityZones`` is where RDS can place an instance of that class, RDS API Reference)."""
    engine = str(params.get("Engine") or "").lower()
    asked_version = str(params.get("EngineVersion") or "")
    asked_class = str(params.get("DBInstanceClass") or "")
    return [
        {
            "Engine": v.engine,
            "EngineVersion": v.version,
            "DBInstanceClass": instance_class,
            "LicenseModel": "general-public-license",
            "AvailabilityZones": [{"Name": name} for name in zone_names],
            "MultiAZCapable": "true",
            "Vpc": "true",
            "StorageType": "gp3",
        }
        for v in VERSIONS
        if v.status == "available" and v.engine == engine and asked_version in ("", v.version)
        for instance_class in INSTANCE_CLASSES
        if asked_class in ("", instance_class)
    ]
