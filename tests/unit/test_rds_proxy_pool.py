"""The RDS Proxy's connection pool against a real MariaDB: its bound, reuse, what it closes, its borrow timeout."""

from __future__ import annotations

import asyncio

import pytest

from pocketcloud.rds.dbserver import free_port
from pocketcloud.rds.proxy.backend import Backend, BackendError
from pocketcloud.rds.proxy.pool import BackendPool, BorrowTimeout

from ..waiting import wait_until
from .proxy_lab import PASSWORD, PATIENCE, USER, Bench, ProxyLab, backend_of, begin


def _pool(lab: ProxyLab, max_size: int, borrow_timeout: float, port: int = 0) -> BackendPool:
    """A pool of the master user's connections to the lab's DB (or to ``port``), as a proxy makes one."""

    async def connect() -> Backend:
        return await Backend.connect("127.0.0.1", port or lab.db.port, USER, PASSWORD, timeout=5)

    return lab.on_loop(lambda: BackendPool(connect, max_size, borrow_timeout))


def test_idle_connections_beyond_the_kept_number_are_closed_oldest_first(lab: ProxyLab, bench: Bench) -> None:
    # MaxIdleConnectionsPercent: the proxy closes idle connections above it, the least recently used first.
    proxy = bench.proxy(max_connections_percent=20)
    clients = [bench.client(proxy) for _ in range(3)]
    held = [begin(client) for client in clients]
    for client in clients:
        client.commit()
    assert bench.settled(proxy) == (3, 3)
    pool = bench.pool(proxy)
    assert lab.on_loop(lambda: pool.trim_idle(5)) == 0
    assert lab.on_loop(lambda: pool.trim_idle(1)) == 2
    wait_until(lambda: lab.backend_ids() == {held[-1]}, PATIENCE, "the two older connections to close", 0.01)
    assert backend_of(clients[0]) == held[-1], "the kept connection is lent again"


def test_stopping_a_proxy_closes_its_pooled_connections(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=20)
    first, second = bench.client(proxy), bench.client(proxy)
    begin(first)
    begin(second)
    first.commit()
    lab.run(proxy.stop())
    wait_until(lambda: not lab.backend_ids(), PATIENCE, "the stopped proxy's connections to close", 0.01)
    pool = bench.pool(proxy)
    assert lab.on_loop(lambda: (pool.idle, pool.lent)) == ([], set())


def test_a_pool_lends_at_most_its_size_and_reuses_what_comes_back(lab: ProxyLab) -> None:
    pool = _pool(lab, 0, 0)  # a size below one still lends one connection

    async def exercise() -> None:
        first = await pool.borrow()
        with pytest.raises(BorrowTimeout):
            await pool.borrow()
        await pool.give_back(first)
        assert await pool.borrow() is first
        await pool.give_back(first, reusable=False)
        assert first.broken, "a connection given back as not reusable is closed"
        second = await pool.borrow()
        assert second is not first
        await second.run("START TRANSACTION")
        await pool.give_back(second)
        assert second.broken and pool.idle == [], "a connection still in a transaction is not pooled"
        third = await pool.borrow()
        await pool.give_back(third)
        third.close()  # closed while idle
        fourth = await pool.borrow()
        assert fourth is not third and pool.size == 1
        pool.close_all()
        assert fourth.broken and pool.size == 0

    lab.run(exercise())
    wait_until(lambda: not lab.backend_ids(), PATIENCE, "the pool's connections to close", 0.01)


def test_a_connection_that_cannot_be_opened_frees_its_place(lab: ProxyLab) -> None:
    pool = _pool(lab, 1, 5, port=free_port())  # nothing listens there

    async def exercise() -> None:
        for _ in range(2):  # the second attempt is not kept waiting for the first one's place
            with pytest.raises(BackendError):
                await pool.borrow()
        assert pool.size == 0

    lab.run(exercise())


def test_connections_being_opened_count_against_the_bound(lab: ProxyLab) -> None:
    pool = _pool(lab, 2, 0.3)

    async def exercise() -> list[object]:
        return list(await asyncio.gather(pool.borrow(), pool.borrow(), pool.borrow(), return_exceptions=True))

    results = lab.run(exercise())
    assert sorted(type(r).__name__ for r in results) == ["Backend", "Backend", "BorrowTimeout"]
    lab.on_loop(pool.close_all)
    wait_until(lambda: not lab.backend_ids(), PATIENCE, "the pool's connections to close", 0.01)


def test_a_waiting_borrower_gets_a_connection_given_back_within_a_short_timeout(lab: ProxyLab) -> None:
    pool = _pool(lab, 1, 0.8)  # below a second: the wait is not rounded away

    async def exercise() -> bool:
        first = await pool.borrow()
        waiting = asyncio.ensure_future(pool.borrow())
        await asyncio.sleep(0)  # the second borrower is now waiting for the only connection
        await pool.give_back(first)
        served = await waiting is first
        pool.close_all()
        return served

    assert lab.run(exercise())
