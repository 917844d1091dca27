"""Shared fixtures: real pocketcloud servers on free loopback ports."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import pocketcloud


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: without xdist there is nothing to schedule
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` (make test-unit) spreads whole test files over the workers, and runs the tests that
    share the learner's default port and the repo's paths on one worker (tests/parallel.py says which)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.parallel import FileGroupScheduling

    return FileGroupScheduling(config, log)


@pytest.fixture(scope="session")
def cloud() -> Iterator[pocketcloud.Cloud]:
    """One pocketcloud for the whole session, default settings but free ports (and idle environments
    reaped after 20 s, since every test deploys functions of its own)."""
    with pocketcloud.running(lambda_idle_seconds=20) as running_cloud:
        yield running_cloud


@pytest.fixture
def make_cloud() -> Iterator[Callable[..., pocketcloud.Cloud]]:
    """Start a private pocketcloud with setting overrides, e.g. ``make_cloud(lambda_concurrency_limit=2)``."""
    with contextlib.ExitStack() as stack:

        def factory(**overrides: Any) -> pocketcloud.Cloud:
            return stack.enter_context(pocketcloud.running(**overrides))

        yield factory


@pytest.fixture(autouse=True)
def _environment_as_before() -> Iterator[None]:
    """Each test leaves the environment as it found it: ``helpers.connect()`` points boto3 at a pocketcloud
    through ``os.environ``, and a later test's in-process moto then called that (stopped) cloud instead."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)
