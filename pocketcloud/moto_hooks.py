"""One registry of pocketcloud's changes to moto, each applied when moto first loads the module it changes.

moto's service modules are slow to import (API Gateway alone pulls in jsonschema and builds grammars
for a second or more), so pocketcloud does not import them at start: a service registers its changes
here, and they are applied the moment moto loads that module for the first request that needs it.
Example::

    def _patch(models: ModuleType) -> None:
        models.LambdaFunction.update_configuration = ...

    when_loaded("moto.awslambda.models", _patch)
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import ModuleType

import wrapt

Hook = Callable[[ModuleType], None]

_lock = threading.Lock()
_registered: set[tuple[str, Hook]] = set()


def when_loaded(module: str, hook: Hook) -> None:
    """Call ``hook(module)`` once, as soon as ``module`` is imported (now, if it already is).

    Registering the same hook for the same module again does nothing, so a second server in one
    process (tests) does not patch twice.
    """
    with _lock:
        if (module, hook) in _registered:
            return
        _registered.add((module, hook))
    wrapt.register_post_import_hook(hook, module)


def registered() -> list[str]:
    """The modules with changes registered, sorted; for ``pocketcloud status`` and tests."""
    with _lock:
        return sorted({module for module, _ in _registered})


def loaded() -> list[str]:
    """Which of the registered modules moto has loaded so far."""
    return [module for module in registered() if module in sys.modules]
