"""Module 4, optimize and load test: the stack it measures, the handler versions it compares, its clean-up.

The notebook puts the API under Locust load with a concurrency cap, moves the handler's initialization
out of it, adds provisioned concurrency and plans capacity from what it measured.

The measuring is ``helpers.measure``'s (load tests, metrics, invocations, capacity) and the provisioned
alias ``helpers.aws.lambdas``'; this file holds the module's own steps.

Example::

    db = ensure(ws)
    deploy(ws, db, "db_time_v3")
    cleanup(ws, db)
"""

from __future__ import annotations

from typing import Any

from ..aws.lambdas import remove_provisioned_alias, remove_reserved_concurrency
from ..session import Workshop
from . import m3_secrets_and_proxy as m3
from .m3_secrets_and_proxy import DbStack

ALIAS = "live"  # the alias that gets provisioned concurrency


def ensure(ws: Workshop) -> DbStack:
    """What modules 2 and 3 built (VPC, database, API, secret, RDS Proxy), created where missing."""
    return m3.ensure(ws)


def architecture_figure(ws: Workshop, db: DbStack, *, client: str = "Locust (load generator)") -> Any:
    """The resources this module measures, read from the target; ``client`` is who sends the load."""
    return m3.architecture_figure(ws, db, client=client)


def deploy(ws: Workshop, db: DbStack, folder: str) -> dict[str, Any]:
    """Put a version of the handler (``lambda_code/<folder>``, e.g. ``db_time_v3``) behind the API."""
    return m3.deploy_db_time(ws, db, folder)


def cleanup(ws: Workshop, db: DbStack, alias: str = ALIAS) -> list[str]:
    """Remove provisioned concurrency, the alias and the reserved-concurrency cap (idempotent)."""
    removed = []
    if remove_provisioned_alias(ws, db.function, alias):
        removed.append(f"alias {alias} and its provisioned concurrency")
    if remove_reserved_concurrency(ws, db.function):
        removed.append("reserved concurrency cap")
    print("Removed:", ", ".join(removed) if removed else "nothing left to remove")
    return removed
