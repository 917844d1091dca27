"""Remove everything the workshop created, on either target; ``python -m helpers.cleanup`` runs :func:`main`.

Only what is the workshop's (its tag AND its name prefix, see ``helpers.aws.inventory``) is listed, with an
estimated hourly cost, and deleted only when the caller confirms: the notebook's ``CONFIRM_DELETE`` cell, or
``--yes`` (or a typed "yes") on the command line. After deleting, everything is listed again, so what is
left is what the cloud says, not what the deletion believed. Running it twice is harmless.

Example::

    found = inventory(ws)                          # what a deletion would remove
    result = delete_everything(ws, confirm=True)
    result.left.empty                              # True: nothing of ours is left
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

import pandas as pd

from ..aws.inventory import Resource, find_resources
from ..aws.teardown import Waits, delete_resources
from ..measure.prices import hourly_cost, price_book
from ..session import Workshop, connect
from ..text import say
from ..views.tables import readable, resources_table


@dataclasses.dataclass
class Cleanup:
    """What one cleanup run deleted, and what the inventory lists afterwards."""

    deleted: pd.DataFrame
    left: pd.DataFrame


def inventory(ws: Workshop) -> pd.DataFrame:
    """Everything the workshop created that still exists, with its estimated hourly cost (at the prices the
    module's price tables show: the Korean edition's are Seoul's on pocketcloud)."""
    return resources_table(find_resources(ws.client, ws.prefix), price_book(ws))


def waits(ws: Workshop) -> Waits:
    """How long deleting may take here: seconds on a laptop; on AWS a database and a proxy take minutes, and
    Lambda's network interfaces up to ~40 minutes after their functions are deleted."""
    return Waits(
        timeout_s=ws.default(local=300, aws=1800),
        network_timeout_s=ws.default(local=300, aws=2700),
        usual_s=ws.default(local=3, aws=180),
        usual_network_s=ws.default(local=5, aws=1200),
    )


def delete_everything(ws: Workshop, *, confirm: bool, echo: bool = True) -> Cleanup:
    """Delete every workshop resource when ``confirm`` is True (otherwise delete nothing and say how to);
    then list again: ``left`` is what still exists."""
    found = find_resources(ws.client, ws.prefix)
    book = price_book(ws)
    if not confirm:
        if echo and found:
            print(say("m99.not_confirmed", count=len(found), usd=hourly_cost(found, book)))
        return Cleanup(resources_table([]), resources_table(found, book))

    def report(resource: Resource) -> None:
        if echo:
            print(say("m99.deleted_one", kind=resource.kind, name=resource.name))

    deleted = delete_resources(ws.client, found, waits=waits(ws), on_deleted=report)
    left = find_resources(ws.client, ws.prefix)
    if echo:
        print(say("m99.deleted_summary", deleted=len(deleted), found=len(found), left=len(left)))
    return Cleanup(resources_table(deleted, book), resources_table(left, book))


def _asked(count: int) -> bool:
    """Whether the person at the terminal typed yes to deleting ``count`` resources (never without one)."""
    if not sys.stdin.isatty():
        return False
    return input(say("m99.ask", count=count)).strip().lower() == "yes"


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, with its "usage: " in the session's language."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, say("m99.cli.usage") if prefix is None else prefix)


def _parser() -> argparse.ArgumentParser:
    """The command line's options, their help and its headings in the session's language.

    >>> "--dry-run" in _parser().format_help()
    True
    """
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cleanup", description=say("m99.cli.description"), formatter_class=_HelpFormatter,
        add_help=False,
    )  # fmt: skip
    options = parser.add_argument_group(say("m99.cli.options"))  # argparse's own group would say "options"
    options.add_argument("-h", "--help", action="help", help=say("m99.cli.help"))
    options.add_argument("--dry-run", action="store_true", help=say("m99.cli.dry_run"))
    options.add_argument("--yes", action="store_true", help=say("m99.cli.yes"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.cleanup [--dry-run] [--yes]``: list, then delete when confirmed.

    Exit status 0 when nothing of the workshop's is left (or with ``--dry-run``), 1 otherwise.
    """
    args = _parser().parse_args(argv)
    ws = connect()
    found = inventory(ws)
    print(say("m99.found", count=len(found), usd=found["usd_per_hour"].sum()))
    print(readable(found, decimals=4).to_string(index=False) if len(found) else say("m99.none"))
    if args.dry_run or found.empty:
        return 0
    confirmed = args.yes or _asked(len(found))
    if not confirmed:
        print(say("m99.answer_yes"))
        return 1
    return 0 if delete_everything(ws, confirm=True).left.empty else 1
