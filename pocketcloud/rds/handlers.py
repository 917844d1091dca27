"""The edge routes the RDS service answers: ``GET /_pocketcloud/rds`` (its DB servers and proxies), and
DescribeDBEngineVersions / DescribeDBMajorEngineVersions / DescribeOrderableDBInstanceOptions for MySQL,
which moto lacks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from aiohttp import web

from . import engine_versions

if TYPE_CHECKING:
    from ..edge import AwsRequest
    from .service import RdsService

_NAMESPACE = "http://rds.amazonaws.com/doc/2014-10-31/"
# The element name of each list's members in RDS's query-protocol answers.
_MEMBER = {
    "DBEngineVersions": "DBEngineVersion",
    "DBMajorEngineVersions": "DBMajorEngineVersion",
    "SupportedEngineLifecycles": "SupportedEngineLifecycle",
    "OrderableDBInstanceOptions": "OrderableDBInstanceOption",
    "AvailabilityZones": "AvailabilityZone",
}


def install(service: RdsService) -> None:
    async def describe(_: web.Request) -> web.Response:
        return web.json_response(service.status())

    async def engine_versions_answer(aws: AwsRequest) -> web.Response:
        return _answer("DescribeDBEngineVersions", {"DBEngineVersions": engine_versions.describe_versions(aws.params)})

    async def major_versions_answer(aws: AwsRequest) -> web.Response:
        return _answer(
            "DescribeDBMajorEngineVersions", {"DBMajorEngineVersions": engine_versions.describe_majors(aws.params)}
        )

    async def orderable_answer(aws: AwsRequest) -> web.Response | None:
        if not engine_versions.known_engine(str(aws.params.get("Engine") or "")):
            return None  # other engines: moto's answer
        options = engine_versions.describe_orderable(aws.params, _zone_names(aws.region))
        return _answer("DescribeOrderableDBInstanceOptions", {"OrderableDBInstanceOptions": options})

    edge = service.server.edge
    edge.add_route("GET", "/_pocketcloud/rds", describe)
    edge.intercept("rds", "DescribeDBEngineVersions", engine_versions_answer)
    edge.intercept("rds", "DescribeDBMajorEngineVersions", major_versions_answer)
    edge.intercept("rds", "DescribeOrderableDBInstanceOptions", orderable_answer)


def _zone_names(region: str) -> list[str]:
    """The region's availability zones as EC2 lists them here (moto's table)."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    return [zone.name for zone in RegionsAndZonesBackend.zones.get(region, [])]


def _answer(action: str, result: dict[str, Any]) -> web.Response:
    """A query-protocol answer: ``<{action}Response><{action}Result>...``."""
    xml = (
        f'<{action}Response xmlns="{_NAMESPACE}"><{action}Result>{_xml(result)}</{action}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
    )
    return web.Response(body=xml.encode(), content_type="text/xml")


def _xml(value: Any, name: str = "") -> str:
    """``value`` as RDS writes it: dicts as elements, lists as their members, timestamps in ISO 8601.

    >>> _xml({"DBEngineVersions": [{"Engine": "mysql"}]})
    '<DBEngineVersions><DBEngineVersion><Engine>mysql</Engine></DBEngineVersion></DBEngineVersions>'
    """
    if isinstance(value, dict):
        return "".join(f"<{key}>{_xml(item, key)}</{key}>" for key, item in value.items())
    if isinstance(value, list):
        member = _MEMBER[name]
        return "".join(f"<{member}>{_xml(item, member)}</{member}>" for item in value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return escape(str(value))
