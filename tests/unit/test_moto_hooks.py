"""The moto hook registry: every hook applies to the installed moto, and a hook moto no longer fits is named."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pocketcloud.moto_hooks import HookRegistry, MotoHookMismatch, moto_hook, moto_version

# In a child process: applying the hooks changes moto for good, and other unit tests use plain moto.
_APPLY_ALL = """
import json, sys
from pathlib import Path
from pocketcloud.moto_hooks import registry
from pocketcloud.server import Server
from pocketcloud.settings import Settings
server = Server(Settings(state_dir=Path(sys.argv[1]), port=0, xray_port=0))
try:
    server.install()  # registers the hooks; nothing listens and moto loads no service yet
    registry.apply_all()
finally:
    server.moto.shutdown()
print(json.dumps(registry.status()))
"""


def test_every_hook_applies_to_the_installed_moto_without_a_server_running(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _APPLY_ALL, str(tmp_path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(rows) >= 21
    assert [row for row in rows if not row["applied"] or "error" in row] == []
    # Each service package's hooks and the bridge's own, every one on a moto attribute.
    owners = {row["hook"].split(".")[0] for row in rows}
    assert owners == {"apigateway", "events", "iam", "lambda_", "moto_bridge", "rds", "vpc"}
    assert all(row["target"].startswith("moto.") for row in rows)


class _Subscription:
    def publish(self, message: str, message_id: str) -> None:
        pass


@pytest.fixture
def fake_moto() -> Iterator[ModuleType]:
    """A module standing in for one of moto's, already imported, as moto's are once a request loaded them."""
    module = ModuleType("pocketcloud_test_fake_moto")
    module.Subscription = _Subscription  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_a_hook_whose_parameters_moto_no_longer_has_is_refused_by_name(fake_moto: ModuleType) -> None:
    @moto_hook(fake_moto.__name__, "Subscription", "publish", ("self", "message", "message_id", "subject"))
    def deliver_with_subject(original: Any, module: ModuleType) -> object:
        return lambda *args: None

    fresh = HookRegistry()
    with pytest.raises(MotoHookMismatch) as refused:
        fresh.register([deliver_with_subject])  # the module is loaded, so the hook applies at once
    message = str(refused.value)
    assert deliver_with_subject.name.endswith("<locals>.deliver_with_subject")
    assert f"hook {deliver_with_subject.name} cannot apply" in message
    assert "pocketcloud_test_fake_moto.Subscription.publish" in message
    assert f"moto {moto_version()}" in message
    assert "('self', 'message', 'message_id')" in message
    assert _Subscription.publish.__name__ == "publish"  # moto's original is left in place
    [row] = fresh.status()
    assert row["applied"] is False and "deliver_with_subject" in row["error"]


def test_a_hook_on_an_attribute_moto_no_longer_has_is_refused_by_name(fake_moto: ModuleType) -> None:
    @moto_hook(fake_moto.__name__, "Subscription", "deliver", ("self", "message"))
    def moved_away(original: Any, module: ModuleType) -> object:
        return original

    with pytest.raises(MotoHookMismatch, match=r"moved_away cannot apply to .*Subscription\.deliver.*no attribute"):
        HookRegistry().register([moved_away])


def test_every_later_import_of_a_module_a_hook_does_not_fit_fails_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python drops a module whose import raised and moto imports it again on its next request: that
    request must not run on moto unchanged."""
    (tmp_path / "pocketcloud_test_moved_moto.py").write_text(
        "class Backend:\n    def subscribe(self, topic_arn, endpoint, protocol, attributes):\n        pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    @moto_hook("pocketcloud_test_moved_moto", "Backend", "subscribe", ("self", "topic_arn", "endpoint", "protocol"))
    def confirm_subscriptions(original: Any, module: ModuleType) -> object:
        return original

    fresh = HookRegistry()
    fresh.register([confirm_subscriptions])  # not loaded yet: nothing checked
    assert fresh.status()[0]["applied"] is False and "error" not in fresh.status()[0]
    try:
        for _ in range(3):
            with pytest.raises(MotoHookMismatch, match="confirm_subscriptions cannot apply"):
                importlib.import_module("pocketcloud_test_moved_moto")
    finally:
        sys.modules.pop("pocketcloud_test_moved_moto", None)


def test_a_matching_hook_replaces_the_attribute_once(fake_moto: ModuleType) -> None:
    calls: list[str] = []

    @moto_hook(fake_moto.__name__, "Subscription", "publish", ("self", "message", "message_id"))
    def count_publishes(original: Any, module: ModuleType) -> object:
        def publish(self: Any, message: str, message_id: str) -> None:
            calls.append(message)
            original(self, message, message_id)

        return publish

    fresh = HookRegistry()
    original = _Subscription.publish
    try:
        fresh.register([count_publishes])
        fresh.register([count_publishes])  # a second server in one process: applied once still
        _Subscription().publish("hello", "1")
        assert calls == ["hello"]
        assert fresh.status()[0]["applied"] is True
    finally:
        _Subscription.publish = original  # type: ignore[method-assign]
