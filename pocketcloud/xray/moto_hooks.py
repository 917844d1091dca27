"""X-Ray's changes to moto: none; moto keeps groups and sampling rules, and pocketcloud answers the
trace APIs before moto sees them (``handlers.py``)."""

from __future__ import annotations

from ..moto_hooks import MotoHook, registry

HOOKS: tuple[MotoHook, ...] = ()


def install() -> None:
    registry.register(HOOKS)
