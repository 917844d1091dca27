"""Hooks into moto's RDS backend so its instances follow real DB servers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .instances import InstanceManager

_manager: InstanceManager | None = None


def install(manager: InstanceManager) -> None:
    global _manager
    first = _manager is None
    _manager = manager
    if not first:
        return
    from moto.rds import models

    original_address = models.DBInstance.address

    def address(self: Any) -> str:
        return getattr(self, "pocketcloud_address", None) or original_address.fget(self)

    models.DBInstance.address = property(address)

    def wrap(name: str, after: Any) -> None:
        original = getattr(models.RDSBackend, name)

        def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            if _manager is not None:
                after(_manager, result, *args, **kwargs)
            return result

        setattr(models.RDSBackend, name, patched)

    original_create = models.RDSBackend.create_db_instance

    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        instance = original_create(self, db_kwargs)
        if _manager is not None and not instance.db_cluster_identifier:
            try:
                _manager.on_create(instance, db_kwargs.get("master_user_password"))
            except Exception:
                self.databases.pop(instance.db_instance_identifier, None)
                raise
        return instance

    models.RDSBackend.create_db_instance = create_db_instance
    wrap("delete_db_instance", lambda m, inst, *a, **k: m.on_delete(inst.db_instance_identifier))
    wrap("stop_db_instance", lambda m, inst, *a, **k: m.on_stop(inst))
    wrap("start_db_instance", lambda m, inst, *a, **k: m.on_start(inst))
    wrap("reboot_db_instance", lambda m, inst, *a, **k: m.on_reboot(inst))

    def after_modify(m: InstanceManager, inst: Any, ident: str, db_kwargs: dict[str, Any]) -> None:
        password = db_kwargs.get("MasterUserPassword") or db_kwargs.get("master_user_password")
        if password:
            m.on_password(inst, password)

    wrap("modify_db_instance", after_modify)
