"""Hooks into moto's RDS backend so its instances follow real DB servers."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..moto_hooks import when_loaded

if TYPE_CHECKING:
    from .instances import InstanceManager
    from .proxies import ProxyManager

_manager: InstanceManager | None = None
_proxies: ProxyManager | None = None


def install(manager: InstanceManager, proxies: ProxyManager) -> None:
    """Route moto's RDS changes to ``manager`` and ``proxies``; the latest server's win."""
    global _manager, _proxies
    _manager, _proxies = manager, proxies
    when_loaded("moto.rds.models", _patch_models)


def _patch_models(models: ModuleType) -> None:
    _patch_instances(models)
    _patch_proxies(models)


def _patch_instances(models: ModuleType) -> None:
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


def _patch_proxies(models: ModuleType) -> None:
    original_create = models.RDSBackend.create_db_proxy

    def create_db_proxy(self: Any, *args: Any, **kwargs: Any) -> Any:
        proxy = original_create(self, *args, **kwargs)
        if _proxies is not None:
            try:
                _proxies.on_create(proxy)
            except Exception:
                self.db_proxies.pop(proxy.db_proxy_name, None)
                raise
        return proxy

    original_delete = models.RDSBackend.delete_db_proxy

    def delete_db_proxy(self: Any, proxy_name: str) -> Any:
        proxy = original_delete(self, proxy_name)
        if _proxies is not None:
            _proxies.on_delete(proxy_name)
        return proxy

    original_register = models.RDSBackend.register_db_proxy_targets

    def register_db_proxy_targets(self: Any, db_proxy_name: str, *args: Any, **kwargs: Any) -> Any:
        targets = original_register(self, db_proxy_name, *args, **kwargs)
        if _proxies is not None:
            _proxies.on_register(db_proxy_name, targets)
        return targets

    original_modify = models.RDSBackend.modify_db_proxy_target_group

    def modify_db_proxy_target_group(self: Any, proxy_name: str, config: dict[str, Any]) -> Any:
        group = original_modify(self, proxy_name, config)
        if _proxies is not None:
            _proxies.on_modify(proxy_name, group, config)
        return group

    def target_health(self: Any) -> dict[str, str]:
        db_server = getattr(self, "pocketcloud_server", None)
        if db_server is None or db_server.running:
            return {"State": "AVAILABLE"}
        return {"State": "UNAVAILABLE", "Reason": "CONNECTION_FAILED", "Description": "The DB server is not running"}

    models.RDSBackend.create_db_proxy = create_db_proxy
    models.RDSBackend.delete_db_proxy = delete_db_proxy
    models.RDSBackend.register_db_proxy_targets = register_db_proxy_targets
    models.RDSBackend.modify_db_proxy_target_group = modify_db_proxy_target_group
    models.DBProxyTarget.target_health = property(target_health)
