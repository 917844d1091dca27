"""A bounded pool of database connections, lent out per transaction."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from .backend import Backend


class BorrowTimeout(Exception):
    pass


class BackendPool:
    """At most ``max_size`` connections; ``borrow`` waits up to ``borrow_timeout`` for one to free up."""

    def __init__(self, connect: Callable[[], Awaitable[Backend]], max_size: int, borrow_timeout: float) -> None:
        self._connect = connect
        self.max_size = max(1, max_size)
        self.borrow_timeout = borrow_timeout
        self.idle: list[Backend] = []
        self.lent: set[Backend] = set()
        self._opening = 0
        self._freed = asyncio.Condition()
        self.init_query: str | None = None

    @property
    def size(self) -> int:
        return len(self.idle) + len(self.lent) + self._opening

    async def borrow(self) -> Backend:
        deadline = time.monotonic() + self.borrow_timeout
        async with self._freed:
            while True:
                while self.idle:
                    backend = self.idle.pop()
                    if not backend.broken:
                        self.lent.add(backend)
                        return backend
                if self.size < self.max_size:
                    self._opening += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BorrowTimeout()
                try:
                    await asyncio.wait_for(self._freed.wait(), remaining)
                except TimeoutError as exc:
                    raise BorrowTimeout() from exc
        opened: Backend | None = None
        try:
            opened = await self._connect()
            if self.init_query:
                for statement in filter(None, (s.strip() for s in self.init_query.split(";"))):
                    await opened.run(statement)
        except BaseException:
            if opened is not None:  # opened, but its init query failed: not lent, so not left open either
                opened.close()
            async with self._freed:
                self._opening -= 1
                self._freed.notify()
            raise
        async with self._freed:
            self._opening -= 1
            self.lent.add(opened)
        return opened

    async def give_back(self, backend: Backend, reusable: bool = True) -> None:
        async with self._freed:
            self.lent.discard(backend)
            if reusable and not backend.broken and not backend.in_transaction:
                self.idle.append(backend)
            else:
                backend.close()
            self._freed.notify()

    def trim_idle(self, keep: int) -> int:
        """Close idle connections beyond ``keep``; returns how many were closed."""
        closed = 0
        self.idle.sort(key=lambda b: b.last_used)
        while len(self.idle) > keep:
            self.idle.pop(0).close()
            closed += 1
        return closed

    def close_all(self) -> None:
        for backend in [*self.idle, *self.lent]:
            backend.close()
        self.idle.clear()
        self.lent.clear()
