"""RDS deletions take time: a deleted DB instance or RDS Proxy is described as `deleting` for a while, refuses
changes meanwhile, and a DB subnet group cannot go while an instance (deleting or not) still uses it.

The rules, from the RDS API Reference:

- DBInstance.DBInstanceStatus and DBProxy.Status include ``deleting``; DeleteDBInstance and DeleteDBProxy
  answer at once with that status, and the resource is listed until RDS has removed it (AWS: minutes; here
  ``db_instance_delete_seconds`` and ``db_proxy_delete_seconds``).
- Meanwhile ModifyDBInstance, RebootDBInstance and another DeleteDBInstance answer ``InvalidDBInstanceState``
  ("The DB instance isn't in a valid state", HTTP 400); DeleteDBProxy, RegisterDBProxyTargets,
  DeregisterDBProxyTargets and ModifyDBProxyTargetGroup answer ``InvalidDBProxyStateFault`` ("The requested
  operation can't be performed while the proxy is in this state", HTTP 400).
- DeleteDBSubnetGroup: "The specified database subnet group must not be associated with any DB instances";
  otherwise ``InvalidDBSubnetGroupStateFault`` ("The DB subnet group cannot be deleted because it's in use",
  HTTP 400).

moto removes both at once; the hooks in ``moto_hooks.py`` put the model back as ``deleting`` and
:func:`forget_later` removes it when its time is up.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import RdsService

DELETING = "deleting"


def _error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


def refuse_deleting_instance(instance: Any) -> None:
    """What RDS answers for a change to an instance that is being deleted."""
    if instance is not None and instance.status == DELETING:
        raise _error("InvalidDBInstanceState", f"Instance {instance.db_instance_identifier} is already being deleted.")


def refuse_deleting_proxy(proxy: Any) -> None:
    """What RDS answers for a change to a proxy that is being deleted."""
    if proxy is not None and proxy.status == DELETING:
        raise _error(
            "InvalidDBProxyStateFault",
            f"DB proxy {proxy.db_proxy_name} is in the {DELETING} state and can't be modified or deleted.",
        )


def refuse_subnet_group_in_use(databases: dict[str, Any], name: str) -> None:
    """DeleteDBSubnetGroup while a DB instance (even one being deleted) is in the group."""
    using = sorted(i.db_instance_identifier for i in databases.values() if _subnet_group_of(i) == name)
    if using:
        raise _error(
            "InvalidDBSubnetGroupStateFault",
            f"Cannot delete the subnet group '{name}' because at least one database instance: {using[0]} is "
            "still using it.",
        )


def _subnet_group_of(instance: Any) -> str | None:
    group = getattr(instance, "db_subnet_group", None)
    return getattr(group, "name", None) or getattr(instance, "_db_subnet_group_name", None)


def keep_deleting(service: RdsService, table: dict[str, Any], key: str, model: Any, seconds: float) -> None:
    """Put ``model``, which moto just removed from ``table``, back as `deleting` for ``seconds``.

    Called on moto's worker thread under the moto lock; the removal runs on the service's loop.
    """
    model.status = DELETING
    loop = service.instances.loop
    if seconds <= 0 or loop is None:
        return
    table[key] = model
    asyncio.run_coroutine_threadsafe(forget_later(service, table, key, model, seconds), loop)


async def forget_later(service: RdsService, table: dict[str, Any], key: str, model: Any, seconds: float) -> None:
    """After ``seconds``, remove ``model`` from ``table`` unless something else took its key meanwhile."""
    await asyncio.sleep(seconds)

    def remove() -> None:
        if table.get(key) is model:
            del table[key]

    await service.server.moto.run(remove)
