"""Remove what the workshop created: one module's resources, or everything.

``python -m helpers.cleanup [--dry-run]`` finds every workshop resource (by tag and name prefix)
across the services the workshop uses, lists it with an estimated hourly cost, deletes it in
dependency order and lists again to show nothing is left. Running it twice is harmless.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from .inventory import Resource, delete_resources, find_resources, hourly_cost
from .modules import module1_names, module2_names


def _table(resources: list[Resource]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"kind": r.kind, "name": r.name, "detail": r.detail, "usd_per_hour": r.hourly_usd} for r in resources],
        columns=["kind", "name", "detail", "usd_per_hour"],
    )


def _only(found: list[Resource], names: set[str]) -> list[Resource]:
    return [r for r in found if r.name in names or r.detail in names or r.name.split(":")[-1] in names]


def cleanup_module1(ws: Any) -> pd.DataFrame:
    """Delete module 1's topic, bucket, function, its log group and role; returns what was deleted."""
    names = set(module1_names(ws).values()) | {f"/aws/lambda/{module1_names(ws)['function']}"}
    deleted = delete_resources(ws.client, _only(find_resources(ws.client, ws.prefix), names))
    return _table(deleted)


def cleanup_module2(ws: Any) -> pd.DataFrame:
    """Delete module 2's API, function, layer, database, subnet group, secret, VPC stack and role."""
    names = set(module2_names(ws).values()) | {f"/aws/lambda/{module2_names(ws)['function']}"}
    deleted = delete_resources(ws.client, _only(find_resources(ws.client, ws.prefix), names))
    return _table(deleted)


def inventory(ws: Any) -> pd.DataFrame:
    """Everything the workshop created that still exists, with its estimated hourly cost."""
    return _table(find_resources(ws.client, ws.prefix))


def cleanup_everything(ws: Any, *, dry_run: bool = False, echo: bool = True) -> pd.DataFrame:
    """Delete every workshop resource (or only list them with ``dry_run``); returns what is left."""
    found = find_resources(ws.client, ws.prefix)
    if echo:
        print(f"Found {len(found)} workshop resources, about ${hourly_cost(found):.3f} per hour:")
        print(_table(found).to_string(index=False) if found else "  (none)")
    if dry_run:
        return _table(found)

    def report(resource: Resource) -> None:
        if echo:
            print(f"  deleted {resource.kind} {resource.name}")

    delete_resources(ws.client, found, on_deleted=report)
    left = find_resources(ws.client, ws.prefix)
    if echo:
        print(f"Left after cleanup: {len(left)} resources")
    return _table(left)


def main(argv: list[str] | None = None) -> int:
    from .session import connect

    parser = argparse.ArgumentParser(prog="python -m helpers.cleanup", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    left = cleanup_everything(connect(), dry_run=args.dry_run)
    return 0 if args.dry_run or left.empty else 1


if __name__ == "__main__":
    sys.exit(main())
