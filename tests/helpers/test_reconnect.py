"""A notebook keeps working when pocketcloud restarts under it, and says what happened."""

from __future__ import annotations

import pytest

import pocketcloud
from helpers.session import connect


def test_workshop_follows_a_restarted_pocketcloud(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("POCKETCLOUD_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("POCKETCLOUD_PORT", "0")
    monkeypatch.setenv("POCKETCLOUD_XRAY_PORT", "0")
    monkeypatch.setenv("WORKSHOP_TARGET", "local")
    for key in ("AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)  # connect() sets them; monkeypatch puts the originals back
    settings = pocketcloud.Settings.from_env()
    try:
        ws = connect()
        ws.client("s3").create_bucket(Bucket="before-restart")
        first = pocketcloud.attach(settings)
        assert first is not None and ws.endpoint_url == first.endpoint_url
        pocketcloud.stop(settings)
        buckets = ws.client("s3").list_buckets()["Buckets"]
        output = capsys.readouterr().out
        assert "pocketcloud restarted" in output and "gone" in output
        assert buckets == [], "the restarted pocketcloud starts empty, and the helpers say so"
        restarted = pocketcloud.attach(settings)
        assert restarted is not None and restarted.pid != first.pid, "a new pocketcloud was started"
        assert ws.endpoint_url == restarted.endpoint_url, "the session talks to the new pocketcloud"
        ws.client("s3").create_bucket(Bucket="after-restart")
        assert [b["Name"] for b in ws.client("s3").list_buckets()["Buckets"]] == ["after-restart"]
    finally:
        pocketcloud.stop(settings)
