"""Values a data plane derives from moto's state, kept until the next control-plane change."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")


class Generations(Protocol):
    """What counts control-plane requests that may change state (the edge)."""

    generation: int


class StateCache(Generic[V]):
    """Values a data plane derives from moto's state, kept until the next control-plane request
    that may change it (the edge counts them in ``generation``), so hot paths do not ask moto.

    Example::

        specs: StateCache[FunctionSpec] = StateCache(server.edge)
        spec = specs.get(("hello", None), lambda: load_spec(backend, "hello", None)[0])
    """

    def __init__(self, edge: Generations, max_entries: int | None = None) -> None:
        self._edge = edge
        self._values: dict[Hashable, V] = {}
        self._generation = -1
        self._max_entries = max_entries  # past it, start over rather than grow without bound

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The cached value for ``key``, or ``load()``'s (not cached when it raises)."""
        if self._edge.generation != self._generation:
            self._values.clear()
            self._generation = self._edge.generation
        try:
            return self._values[key]
        except KeyError:
            pass
        if self._max_entries is not None and len(self._values) >= self._max_entries:
            self._values.clear()
        value = self._values[key] = load()
        return value
