"""The one registry of pocketcloud's changes to moto: declared, checked against moto, applied on moto's first import.

moto's service modules are slow to import (API Gateway alone pulls in jsonschema and builds grammars
for a second or more), so pocketcloud does not import them at start. Each change is declared as a
:class:`MotoHook` naming the moto attribute it replaces and the parameters it expects the original to
have; a service registers its hooks, and the registry applies each one the moment moto loads that
module for the first request that needs it. moto's private names move between releases, so before
replacing anything the registry checks that the original exists with the declared parameters, and
otherwise raises :class:`MotoHookMismatch` naming the hook, the attribute and the installed moto.
Example::

    @moto_hook("moto.awslambda.models", "LambdaFunction", "update_configuration", ("self", "config_updates"))
    def apply_tracing_config(original: Any, models: ModuleType) -> object:
        def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
            ...
            return original(self, config_updates)

        return update_configuration

    registry.register([apply_tracing_config])
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import inspect
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, Generic, TypeVar

import wrapt

log = logging.getLogger("pocketcloud.moto")

T = TypeVar("T")

# Given moto's original attribute and the module holding it, the object that replaces it.
Replacement = Callable[[Any, ModuleType], object]


class MotoHookMismatch(RuntimeError):
    """moto's attribute is missing or has other parameters than the hook was written against."""


@dataclasses.dataclass(frozen=True)
class MotoHook:
    """One change to moto: ``module.owner.attribute`` (``owner`` None for a module-level function) is
    replaced by what ``replace(original, module)`` returns, if the original has ``parameters``.

    Parameters are the names ``inspect.signature`` gives, with ``*`` and ``**`` before variadic ones;
    for a property, those of its getter.
    """

    module: str
    owner: str | None
    attribute: str
    parameters: tuple[str, ...]
    replace: Replacement

    @property
    def name(self) -> str:
        """The function that makes the replacement, e.g. ``rds.moto_hooks.start_db_servers``."""
        return f"{self.replace.__module__.removeprefix('pocketcloud.')}.{self.replace.__qualname__}"

    @property
    def target(self) -> str:
        """What it replaces, e.g. ``moto.rds.models.RDSBackend.create_db_instance``."""
        return ".".join(part for part in (self.module, self.owner, self.attribute) if part)


def moto_hook(
    module: str, owner: str | None, attribute: str, parameters: tuple[str, ...]
) -> Callable[[Replacement], MotoHook]:
    """Declare the decorated replacement factory as a :class:`MotoHook` on ``module.owner.attribute``."""

    def declare(replace: Replacement) -> MotoHook:
        return MotoHook(module, owner, attribute, parameters, replace)

    return declare


class Target(Generic[T]):
    """The service a package's hooks forward moto's calls to.

    moto's classes are process-wide while services belong to one server, so the latest server to
    install its services takes over (a second server in one process, as in tests); until one does,
    ``current`` is None and the hooks leave moto's behaviour as it was.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.current: T | None = None

    def serve(self, service: T) -> None:
        self.current = service


class HookRegistry:
    """Every hook registered in this process, and whether moto has loaded its module and it applied."""

    def __init__(self) -> None:
        # Re-entrant: a replacement may import another moto module whose hooks then apply in this thread.
        self._lock = threading.RLock()
        self._hooks: dict[str, MotoHook] = {}
        self._applied: set[str] = set()
        self._failed: dict[str, str] = {}

    def register(self, hooks: Iterable[MotoHook]) -> None:
        """Apply each hook when moto loads its module (now, if it already has).

        Registering a hook again does nothing, so a second server in one process does not replace
        moto's attributes twice.
        """
        for hook in hooks:
            with self._lock:
                known = self._hooks.get(hook.name)
                if known is hook:
                    continue
                if known is not None:
                    raise ValueError(f"two moto hooks are named {hook.name}: {known.target} and {hook.target}")
                self._hooks[hook.name] = hook
            wrapt.register_post_import_hook(self._applier(hook), hook.module)

    def apply_all(self) -> None:
        """Import every registered hook's moto module now, which applies the hooks; for tests."""
        for module in sorted({hook.module for hook in self.hooks()}):
            importlib.import_module(module)

    def hooks(self) -> list[MotoHook]:
        with self._lock:
            return list(self._hooks.values())

    def status(self) -> list[dict[str, Any]]:
        """Each hook, what it replaces and whether it applied; for ``pocketcloud status``."""
        with self._lock:
            rows: list[dict[str, Any]] = []
            for name, hook in sorted(self._hooks.items()):
                row: dict[str, Any] = {"hook": name, "target": hook.target, "applied": name in self._applied}
                if name in self._failed:
                    row["error"] = self._failed[name]
                rows.append(row)
            return rows

    def _applier(self, hook: MotoHook) -> Callable[[ModuleType], None]:
        return lambda module: self._apply(hook, module)

    def _apply(self, hook: MotoHook, module: ModuleType) -> None:
        with self._lock:
            if hook.name in self._applied:
                return
            try:
                owner, original = _original(hook, module)
                setattr(owner, hook.attribute, hook.replace(original, module))
            except MotoHookMismatch as exc:
                self._failed[hook.name] = str(exc)
                log.error("%s", exc)
                self._rearm(hook)
                raise
            self._applied.add(hook.name)
            self._failed.pop(hook.name, None)

    def _rearm(self, hook: MotoHook) -> None:
        """Check again when moto imports the module again, so that every later import fails too.

        Python drops a module whose import raised, and moto imports it again on its next request;
        wrapt has forgotten the hook by then, and that request would run on moto unchanged. wrapt
        defers a hook only for a module not in ``sys.modules``, so the module leaves it meanwhile.
        """
        loading = sys.modules.pop(hook.module, None)
        try:
            wrapt.register_post_import_hook(self._applier(hook), hook.module)
        finally:
            if loading is not None:
                sys.modules[hook.module] = loading


def _original(hook: MotoHook, module: ModuleType) -> tuple[object, Any]:
    """The object holding the attribute and the attribute itself, checked against the hook's declaration."""
    owner: object = module
    if hook.owner is not None:
        owner = getattr(module, hook.owner, None)
        if not isinstance(owner, type):
            raise _mismatch(hook, f"{hook.module} has no class {hook.owner}")
    try:
        raw = inspect.getattr_static(owner, hook.attribute)
    except AttributeError:
        raise _mismatch(hook, f"{hook.owner or hook.module} has no attribute {hook.attribute}") from None
    original = raw if isinstance(raw, property) else getattr(owner, hook.attribute)
    checked = original.fget if isinstance(original, property) else original
    try:
        found = _parameter_names(checked)
    except (TypeError, ValueError):  # None (a property without a getter), or no signature to read
        raise _mismatch(hook, f"{hook.attribute} is not a function or property") from None
    if found != hook.parameters:
        raise _mismatch(hook, f"expected parameters {hook.parameters}, moto's has {found}")
    return owner, original


def _parameter_names(function: Callable[..., Any] | None) -> tuple[str, ...]:
    if function is None:
        raise TypeError("no function")
    return tuple(_shown(p) for p in inspect.signature(function).parameters.values())


def _shown(parameter: inspect.Parameter) -> str:
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        return "*" + parameter.name
    if parameter.kind is inspect.Parameter.VAR_KEYWORD:
        return "**" + parameter.name
    return parameter.name


def _mismatch(hook: MotoHook, reason: str) -> MotoHookMismatch:
    return MotoHookMismatch(
        f"pocketcloud hook {hook.name} cannot apply to {hook.target} in moto {moto_version()}: {reason}. "
        "moto's private names have moved; install the moto version pyproject.toml allows or update the hook."
    )


def moto_version() -> str:
    try:
        return importlib.metadata.version("moto")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


registry = HookRegistry()
