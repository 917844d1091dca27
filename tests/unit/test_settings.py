from pathlib import Path

from pocketcloud import Settings


def test_defaults_fit_a_small_machine() -> None:
    settings = Settings()
    assert settings.endpoint_url == "http://127.0.0.1:4566"
    assert settings.lambda_concurrency_limit <= 100


def test_environment_overrides_are_typed() -> None:
    settings = Settings.from_env(
        {
            "POCKETCLOUD_PORT": "4999",
            "POCKETCLOUD_XRAY_SAMPLE_ALL": "yes",
            "POCKETCLOUD_LAMBDA_IDLE_SECONDS": "2.5",
            "POCKETCLOUD_STATE_DIR": "/tmp/pc-state",
        }
    )
    assert settings.port == 4999
    assert settings.xray_sample_all is True
    assert settings.lambda_idle_seconds == 2.5
    assert settings.state_dir == Path("/tmp/pc-state")


def test_settings_round_trip_through_the_environment() -> None:
    original = Settings.from_env({}, port=1234, xray_sample_all=True, state_dir="/tmp/x")
    assert Settings.from_env(original.to_env()) == original


def test_explicit_overrides_win_over_environment() -> None:
    settings = Settings.from_env({"POCKETCLOUD_PORT": "4999"}, port=5000)
    assert settings.port == 5000
