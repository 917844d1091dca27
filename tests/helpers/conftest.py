"""Fixtures for the helpers' tests: a real Workshop session on the test session's pocketcloud."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

import pocketcloud
from helpers.session import Workshop


@contextlib.contextmanager
def workshop_on(cloud: pocketcloud.Cloud, prefix: str) -> Iterator[Workshop]:
    """The session ``helpers.connect()`` would make for ``cloud``, with its own name prefix; boto3 finds the
    cloud's credentials in the environment while it lasts."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in cloud.env().items():
            patch.setenv(key, value)
        patch.setenv("POCKETCLOUD_STATE_DIR", str(cloud.settings.state_dir))
        yield Workshop("local", cloud.region, cloud.settings.account_id, cloud.endpoint_url, prefix=prefix, cloud=cloud)
