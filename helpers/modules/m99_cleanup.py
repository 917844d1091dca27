"""Remove everything the workshop created, on either target; ``python -m helpers.cleanup`` runs :func:`main`.

Every workshop resource (by tag and name prefix) across the services the workshop uses is listed with an
estimated hourly cost, deleted in dependency order, and listed again to show nothing is left. Running it
twice is harmless.
"""

from __future__ import annotations

import argparse

import pandas as pd

from ..aws.inventory import Resource, delete_resources, find_resources
from ..measure.prices import hourly_cost
from ..session import Workshop, connect
from ..views.tables import resources_table


def inventory(ws: Workshop) -> pd.DataFrame:
    """Everything the workshop created that still exists, with its estimated hourly cost."""
    return resources_table(find_resources(ws.client, ws.prefix))


def cleanup_everything(ws: Workshop, *, dry_run: bool = False, echo: bool = True) -> pd.DataFrame:
    """Delete every workshop resource (or only list them with ``dry_run``); returns what is left."""
    found = find_resources(ws.client, ws.prefix)
    if echo:
        print(f"Found {len(found)} workshop resources, about ${hourly_cost(found):.3f} per hour:")
        print(resources_table(found).to_string(index=False) if found else "  (none)")
    if dry_run:
        return resources_table(found)

    def report(resource: Resource) -> None:
        if echo:
            print(f"  deleted {resource.kind} {resource.name}")

    delete_resources(ws.client, found, on_deleted=report)
    left = find_resources(ws.client, ws.prefix)
    if echo:
        print(f"Left after cleanup: {len(left)} resources")
    return resources_table(left)


def main(argv: list[str] | None = None) -> int:
    """The command line: ``python -m helpers.cleanup [--dry-run]``; exit status 1 when something is left."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cleanup", description="Remove everything the workshop created."
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    left = cleanup_everything(connect(), dry_run=args.dry_run)
    return 0 if args.dry_run or left.empty else 1
