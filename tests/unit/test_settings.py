"""Settings: defaults, then the config file, then environment, then flags; a bad file is reported, not fatal."""

from __future__ import annotations

from cdc_tutor.settings import Settings


def test_config_file_environment_and_flag_in_that_order(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('bootstrap_servers = "file:9092"\nconnect_url = "http://file:8083"\nuser = "ann"\n')
    for variable in (
        "CDC_TUTOR_BOOTSTRAP_SERVERS",
        "CDC_TUTOR_CONNECT_URL",
        "CDC_TUTOR_USER",
        "CDC_TUTOR_POSTGRES_DSN",
    ):
        monkeypatch.delenv(variable, raising=False)

    from_file = Settings.load(config_path=config)
    assert (from_file.bootstrap_servers, from_file.connect_url, from_file.user) == (
        "file:9092",
        "http://file:8083",
        "ann",
    )
    assert not from_file.embedded

    monkeypatch.setenv("CDC_TUTOR_BOOTSTRAP_SERVERS", "env:9092")
    assert Settings.load(config_path=config).bootstrap_servers == "env:9092"
    assert Settings.load(config_path=config, bootstrap_servers="flag:9092").bootstrap_servers == "flag:9092"


def test_no_config_means_the_embedded_lab_and_a_user_namespace(tmp_path, monkeypatch):
    monkeypatch.delenv("CDC_TUTOR_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("CDC_TUTOR_USER", raising=False)
    settings = Settings.load(config_path=tmp_path / "missing.toml")
    assert settings.embedded and settings.config_problem is None
    assert settings.user and all(ch.isalnum() or ch in "-_" for ch in settings.user)


def test_a_broken_config_file_is_reported_and_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("CDC_TUTOR_BOOTSTRAP_SERVERS", raising=False)
    broken = tmp_path / "config.toml"
    broken.write_text("bootstrap_servers = \n")
    settings = Settings.load(config_path=broken)
    assert settings.embedded and str(broken) in settings.config_problem

    wrong_type = tmp_path / "typed.toml"
    wrong_type.write_text("bootstrap_servers = 9092\n")
    settings = Settings.load(config_path=wrong_type)
    assert settings.embedded and "non-empty string" in settings.config_problem
