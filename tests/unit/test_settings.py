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


def test_a_relative_state_dir_is_made_absolute_where_settings_are_read(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().state_dir == tmp_path.resolve() / ".pocketcloud"
    relative = Settings.from_env({"POCKETCLOUD_STATE_DIR": "state/here"})
    assert relative.state_dir == tmp_path.resolve() / "state" / "here"
    monkeypatch.chdir("/")
    assert relative.state_dir.is_absolute(), "moving elsewhere afterwards does not change what was resolved"
    assert relative.pid_file == tmp_path.resolve() / "state" / "here" / "pocketcloud.pid"


def test_a_home_relative_state_dir_is_expanded(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings.from_env({"POCKETCLOUD_STATE_DIR": "~/pc"}).state_dir == tmp_path.resolve() / "pc"
    assert Settings.from_env({}, state_dir="~").state_dir == tmp_path.resolve()


def test_a_symlinked_state_dir_resolves_to_the_folder_it_points_at(tmp_path, monkeypatch) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert Settings.from_env({}, state_dir=tmp_path / "link" / "cloud").state_dir == real.resolve() / "cloud"
    monkeypatch.chdir(tmp_path / "link")
    assert Settings().state_dir == Settings(state_dir=real / ".pocketcloud").state_dir, (
        "started through a symlink or through the real path, it is the same cloud"
    )


def test_a_db_server_path_is_resolved_but_a_bare_name_is_left_to_the_search_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings(db_server="bin/mariadbd").db_server == str(tmp_path.resolve() / "bin" / "mariadbd")
    assert Settings(db_server="mariadbd").db_server == "mariadbd"
    assert Settings().db_server == ""
