"""Fixtures of the unit tests that drive pocketcloud's RDS Proxy against a real MariaDB (tests/unit/proxy_lab.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .proxy_lab import Bench, ProxyLab


@pytest.fixture(scope="module")
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyLab]:
    """One MariaDB server and event loop per test module (its name names the folder)."""
    running = ProxyLab(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "db")
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def bench(lab: ProxyLab) -> Iterator[Bench]:
    """Proxies, secrets and clients made by one test, closed after it."""
    made = Bench(lab)
    try:
        yield made
    finally:
        made.close()
