"""Hooks into moto's RDS backend so that its DB instances and proxies follow real servers and listeners."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..moto_hooks import Target, moto_hook, registry
from .deleting import keep_deleting, refuse_deleting_instance, refuse_deleting_proxy, refuse_subnet_group_in_use
from .engine_versions import creation_refusal, known_engine, resolve_version
from .errors import invalid_combination

if TYPE_CHECKING:
    from .instances import InstanceManager
    from .service import RdsService

RDS: Target[RdsService] = Target("rds")


# -- DB instances ---------------------------------------------------------------------------------
@moto_hook("moto.rds.models", "DBInstance", "address", ("self",))
def report_the_server_address(original: property, models: ModuleType) -> object:
    """The endpoint address is the loopback address the DB server listens on."""

    moto_address = original.fget
    assert moto_address is not None

    def address(self: Any) -> str:
        return str(getattr(self, "pocketcloud_address", None) or moto_address(self))

    return property(address)


@moto_hook("moto.rds.models", "DBInstance", "endpoint", ("self",))
def hide_the_endpoint_while_creating(original: property, models: ModuleType) -> object:
    """No Endpoint while `creating`: "The endpoint might not be shown for instances with the status of
    creating" (DBInstance, RDS API Reference), so a client must wait for `available`."""

    moto_endpoint = original.fget
    assert moto_endpoint is not None

    def endpoint(self: Any) -> Any:
        return None if self.status == "creating" else moto_endpoint(self)

    return property(endpoint)


@moto_hook("moto.rds.models", "RDSBackend", "create_db_instance", ("self", "db_kwargs"))
def start_db_servers(original: Any, models: ModuleType) -> object:
    """A new DB instance gets a real server; if it cannot have one, moto forgets the instance again. Before
    moto sees it, its engine version is checked against RDS's list and an omitted or major-only version
    becomes the default minor RDS would run (see ``engine_versions``)."""

    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        engine = str(db_kwargs.get("engine") or "")
        if RDS.current is not None and known_engine(engine) and not db_kwargs.get("db_cluster_identifier"):
            asked = db_kwargs.get("engine_version")
            refusal = creation_refusal(
                engine, asked, db_kwargs.get("engine_lifecycle_support"), dt.datetime.now(dt.UTC)
            )
            if refusal is not None:
                raise invalid_combination(refusal)
            db_kwargs = {**db_kwargs, "engine_version": resolve_version(engine, asked)}
        instance = original(self, db_kwargs)
        service = RDS.current
        if service is not None and not instance.db_cluster_identifier:
            instance.pocketcloud_created_at = time.monotonic()  # `creating` a while, see InstanceManager
            try:
                service.instances.on_create(instance, db_kwargs.get("master_user_password"))
            except Exception:
                self.databases.pop(instance.db_instance_identifier, None)
                raise
        return instance

    return create_db_instance


@moto_hook(
    "moto.rds.models",
    "RDSBackend",
    "delete_db_instance",
    (
        "self",
        "db_instance_identifier",
        "final_db_snapshot_identifier",
        "skip_final_snapshot",
        "delete_automated_backups",
    ),
)
def remove_deleted_db_servers(original: Any, models: ModuleType) -> object:
    """Deleting an instance stops its server and removes its data at once; the instance is described as
    `deleting` for a while (see ``deleting.py``), and a second DeleteDBInstance meanwhile is refused."""

    def delete_db_instance(self: Any, db_instance_identifier: str, *args: Any, **kwargs: Any) -> Any:
        service = RDS.current
        if service is not None:
            refuse_deleting_instance(self.databases.get(db_instance_identifier))
        instance = original(self, db_instance_identifier, *args, **kwargs)
        if service is not None:
            ident = instance.db_instance_identifier
            service.instances.on_delete(ident)
            seconds = service.server.settings.db_instance_delete_seconds
            keep_deleting(service, self.databases, ident, instance, seconds)
        return instance

    return delete_db_instance


@moto_hook("moto.rds.models", "RDSBackend", "delete_subnet_group", ("self", "subnet_name"))
def keep_subnet_groups_in_use(original: Any, models: ModuleType) -> object:
    """DeleteDBSubnetGroup is refused while a DB instance, even one being deleted, is in the group."""

    def delete_subnet_group(self: Any, subnet_name: str) -> Any:
        if RDS.current is not None:
            refuse_subnet_group_in_use(self.databases, subnet_name)
        return original(self, subnet_name)

    return delete_subnet_group


@moto_hook(
    "moto.rds.models", "RDSBackend", "stop_db_instance", ("self", "db_instance_identifier", "db_snapshot_identifier")
)
def stop_db_servers(original: Any, models: ModuleType) -> object:
    """Stopping an instance stops its server."""
    return _then_tell_instances(original, lambda instances, instance: instances.on_stop(instance))


@moto_hook("moto.rds.models", "RDSBackend", "start_db_instance", ("self", "db_instance_identifier"))
def restart_stopped_db_servers(original: Any, models: ModuleType) -> object:
    """Starting a stopped instance starts its server again."""
    return _then_tell_instances(original, lambda instances, instance: instances.on_start(instance))


@moto_hook("moto.rds.models", "RDSBackend", "reboot_db_instance", ("self", "db_instance_identifier"))
def reboot_db_servers(original: Any, models: ModuleType) -> object:
    """Rebooting an instance restarts its server; one being deleted is refused (InvalidDBInstanceState)."""

    def reboot_db_instance(self: Any, db_instance_identifier: str) -> Any:
        service = RDS.current
        if service is not None:
            refuse_deleting_instance(self.databases.get(db_instance_identifier))
        instance = original(self, db_instance_identifier)
        if service is not None:
            service.instances.on_reboot(instance)
        return instance

    return reboot_db_instance


@moto_hook("moto.rds.models", "RDSBackend", "modify_db_instance", ("self", "db_instance_identifier", "db_kwargs"))
def change_master_passwords(original: Any, models: ModuleType) -> object:
    """A new MasterUserPassword is set in the running server; an instance being deleted refuses any change
    (InvalidDBInstanceState)."""

    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
        service = RDS.current
        if service is not None:
            refuse_deleting_instance(self.databases.get(db_instance_identifier))
        instance = original(self, db_instance_identifier, db_kwargs)
        password = db_kwargs.get("MasterUserPassword") or db_kwargs.get("master_user_password")
        if service is not None and password:
            service.instances.on_password(instance, password)
        return instance

    return modify_db_instance


def _then_tell_instances(original: Any, tell: Callable[[InstanceManager, Any], None]) -> object:
    """``original``, then ``tell(instances, the instance it returned)`` when a service is installed."""

    def changed(self: Any, *args: Any, **kwargs: Any) -> Any:
        instance = original(self, *args, **kwargs)
        service = RDS.current
        if service is not None:
            tell(service.instances, instance)
        return instance

    return changed


# -- DB proxies -------------------------------------------------------------------------------------
@moto_hook(
    "moto.rds.models",
    "RDSBackend",
    "create_db_proxy",
    (
        "self",
        "db_proxy_name",
        "engine_family",
        "auth",
        "role_arn",
        "vpc_subnet_ids",
        "vpc_security_group_ids",
        "require_tls",
        "idle_client_timeout",
        "debug_logging",
        "tags",
    ),
)
def start_proxy_listeners(original: Any, models: ModuleType) -> object:
    """A new DB proxy gets a listener; if it cannot have one, moto forgets the proxy again."""

    def create_db_proxy(self: Any, *args: Any, **kwargs: Any) -> Any:
        proxy = original(self, *args, **kwargs)
        service = RDS.current
        if service is not None:
            try:
                service.proxies.on_create(proxy)
            except Exception:
                self.db_proxies.pop(proxy.db_proxy_name, None)
                raise
        return proxy

    return create_db_proxy


@moto_hook("moto.rds.models", "RDSBackend", "delete_db_proxy", ("self", "proxy_name"))
def stop_proxy_listeners(original: Any, models: ModuleType) -> object:
    """Deleting a proxy closes its listener and its pools at once; the proxy is described as `deleting` for a
    while (see ``deleting.py``), and a second DeleteDBProxy meanwhile is refused."""

    def delete_db_proxy(self: Any, proxy_name: str) -> Any:
        service = RDS.current
        if service is not None:
            refuse_deleting_proxy(self.db_proxies.get(proxy_name))
        proxy = original(self, proxy_name)
        if service is not None:
            service.proxies.on_delete(proxy_name)
            keep_deleting(service, self.db_proxies, proxy_name, proxy, service.server.settings.db_proxy_delete_seconds)
        return proxy

    return delete_db_proxy


@moto_hook(
    "moto.rds.models",
    "RDSBackend",
    "register_db_proxy_targets",
    ("self", "db_proxy_name", "target_group_name", "db_cluster_identifiers", "db_instance_identifiers"),
)
def point_proxies_at_db_servers(original: Any, models: ModuleType) -> object:
    """A registered target is the DB server of that instance: its port, and the proxy's pools' backend."""

    def register_db_proxy_targets(self: Any, db_proxy_name: str, *args: Any, **kwargs: Any) -> Any:
        service = RDS.current
        if service is not None:
            refuse_deleting_proxy(self.db_proxies.get(db_proxy_name))
        targets = original(self, db_proxy_name, *args, **kwargs)
        if service is not None:
            service.proxies.on_register(db_proxy_name, targets)
        return targets

    return register_db_proxy_targets


@moto_hook(
    "moto.rds.models",
    "RDSBackend",
    "deregister_db_proxy_targets",
    ("self", "db_proxy_name", "target_group_name", "db_cluster_identifiers", "db_instance_identifiers"),
)
def refuse_deregistering_from_deleting_proxies(original: Any, models: ModuleType) -> object:
    """DeregisterDBProxyTargets of a proxy being deleted: InvalidDBProxyStateFault."""

    def deregister_db_proxy_targets(self: Any, db_proxy_name: str, *args: Any, **kwargs: Any) -> Any:
        if RDS.current is not None:
            refuse_deleting_proxy(self.db_proxies.get(db_proxy_name))
        return original(self, db_proxy_name, *args, **kwargs)

    return deregister_db_proxy_targets


@moto_hook("moto.rds.models", "RDSBackend", "modify_db_proxy_target_group", ("self", "proxy_name", "config"))
def resize_proxy_pools(original: Any, models: ModuleType) -> object:
    """The target group's connection settings (and InitQuery, which moto drops) configure the pools."""

    def modify_db_proxy_target_group(self: Any, proxy_name: str, config: dict[str, Any]) -> Any:
        service = RDS.current
        if service is not None:
            refuse_deleting_proxy(self.db_proxies.get(proxy_name))
        group = original(self, proxy_name, config)
        if service is not None:
            service.proxies.on_modify(proxy_name, group, config)
        return group

    return modify_db_proxy_target_group


@moto_hook("moto.rds.models", "DBProxyTarget", "target_health", ("self",))
def report_target_health(original: property, models: ModuleType) -> object:
    """A target is healthy while its DB server runs."""

    def target_health(self: Any) -> dict[str, str]:
        db_server = getattr(self, "pocketcloud_server", None)
        down = "The DB server is not running" if db_server is not None and not db_server.running else None
        unreachable = down or _unreachable_reason(self)
        if unreachable is not None:
            return {"State": "UNAVAILABLE", "Reason": "CONNECTION_FAILED", "Description": unreachable}
        return {"State": "AVAILABLE"}

    return property(target_health)


def _unreachable_reason(target: Any) -> str | None:
    """Why the target's proxy cannot open connections to it (the DB's security groups do not admit the proxy's,
    RDS Proxy guide, "Setting up network prerequisites"), or None when it can."""
    service, proxy_name = RDS.current, getattr(target, "pocketcloud_proxy", None)
    if service is None or proxy_name is None:
        return None
    proxy = target.backend.db_proxies.get(proxy_name)
    instance = target.backend.databases.get(target.rds_resource_id)
    if proxy is None or instance is None:
        return None
    verdict = service.server.vpc.proxy_reaches(proxy, instance, int(getattr(instance, "pocketcloud_rule_port", 3306)))
    return None if verdict.admitted else f"The proxy cannot connect to the DB instance: {verdict.reason}"


HOOKS = (
    report_the_server_address,
    hide_the_endpoint_while_creating,
    start_db_servers,
    remove_deleted_db_servers,
    keep_subnet_groups_in_use,
    stop_db_servers,
    restart_stopped_db_servers,
    reboot_db_servers,
    change_master_passwords,
    start_proxy_listeners,
    stop_proxy_listeners,
    point_proxies_at_db_servers,
    refuse_deregistering_from_deleting_proxies,
    resize_proxy_pools,
    report_target_health,
)


def install(service: RdsService) -> None:
    """Route moto's RDS changes to ``service``'s instances and proxies; the latest server's win."""
    RDS.serve(service)
    registry.register(HOOKS)
