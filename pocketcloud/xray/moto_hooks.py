"""X-Ray's changes to moto: none (moto keeps groups and sampling rules; handlers.py answers the trace APIs)."""

from __future__ import annotations

from ..moto_hooks import MotoHook, registry

HOOKS: tuple[MotoHook, ...] = ()


def install() -> None:
    registry.register(HOOKS)
