"""The operator's configuration: file, environment and options, in that order of strength."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive import config
from newsarchive.cli import main
from newsarchive.config import Config, ConfigError
from newsarchive.exitcodes import ExitCode

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "deploy" / "newsarchive.toml.example"

FILE = """
[crawl]
channels = ["gz", "sh"]
archive = "archive/xinhua.db"
revisit_days = 7

[politeness]
delay = 2.5
concurrency = 1
autothrottle = false
contact = "mailto:team@example.org"

[log]
file = "/var/log/newsarchive/crawl.log"
backups = 9
"""


def write(tmp_path: Path, text: str = FILE, name: str = "settings.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_defaults_without_file_env_or_options(tmp_path: Path) -> None:
    resolved = config.load(env={}, cwd=tmp_path)
    assert resolved.config == Config()
    assert resolved.file is None
    assert set(resolved.sources.values()) == {"default"}
    assert resolved.config.full_user_agent.startswith("newsarchive/")
    assert resolved.config.full_user_agent.endswith(f"+{config.DEFAULT_CONTACT})")


def test_every_field_has_a_file_key_and_env_var(tmp_path: Path) -> None:
    names = {f.name for f in dataclasses.fields(Config)}
    assert {f.name for f in config._FIELDS} == names
    rows = config.describe(config.load(env={}, cwd=tmp_path))
    env_vars = [env for _key, _value, _source, env in rows]
    assert len(set(env_vars)) == len(names)
    assert "NEWSARCHIVE_DB" in env_vars
    assert "NEWSARCHIVE_CHANNELS" in env_vars


def test_file_values_and_relative_paths(tmp_path: Path) -> None:
    path = write(tmp_path)
    resolved = config.load(config_file=path, env={}, cwd=Path("/"))
    cfg = resolved.config
    assert cfg.channels == ("gz", "sh")
    assert cfg.archive == tmp_path.resolve() / "archive" / "xinhua.db"
    assert cfg.revisit_days == 7.0
    assert cfg.delay == 2.5
    assert cfg.concurrency == 1
    assert cfg.autothrottle is False
    assert cfg.full_user_agent.endswith("; +mailto:team@example.org)")
    assert cfg.log_file == Path("/var/log/newsarchive/crawl.log")
    assert cfg.log_backups == 9
    assert cfg.log_max_bytes == Config().log_max_bytes
    assert resolved.sources["delay"] == f"file {path}"
    assert resolved.sources["proxy"] == "default"


def test_precedence_default_file_env_option(tmp_path: Path) -> None:
    path = write(tmp_path)
    env = {"NEWSARCHIVE_DELAY": "4", "NEWSARCHIVE_CONCURRENCY": "3", "NEWSARCHIVE_DB": "/x/e.db"}
    resolved = config.load(
        config_file=path, env=env, options={"delay": 0.5, "proxy": None}, cwd=tmp_path
    )
    cfg = resolved.config
    assert cfg.delay == 0.5  # option beats env beats file
    assert resolved.sources["delay"] == "option"
    assert cfg.concurrency == 3  # env beats file
    assert resolved.sources["concurrency"] == "env NEWSARCHIVE_CONCURRENCY"
    assert cfg.archive == Path("/x/e.db")
    assert cfg.channels == ("gz", "sh")  # file beats default
    assert cfg.proxy == ""  # an option not given (None) changes nothing
    assert resolved.sources["proxy"] == "default"


def test_file_lookup_order(tmp_path: Path) -> None:
    local = write(tmp_path, "[crawl]\nchannels = ['yn']\n", name="newsarchive.toml")
    other = write(tmp_path, "[crawl]\nchannels = ['xj']\n", name="other.toml")
    assert config.load(env={}, cwd=tmp_path).config.channels == ("yn",)
    env = {"NEWSARCHIVE_CONFIG": str(other)}
    assert config.load(env=env, cwd=tmp_path).file == other
    explicit = config.load(config_file=local, env=env, cwd=tmp_path)
    assert explicit.file == local
    assert explicit.config.channels == ("yn",)


def test_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--config: settings file .*missing\.toml"):
        config.load(config_file=tmp_path / "missing.toml", env={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="NEWSARCHIVE_CONFIG"):
        config.load(env={"NEWSARCHIVE_CONFIG": str(tmp_path / "gone.toml")}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[crawl]\nchanels = ['gz']\n", r"unknown setting crawl\.chanels"),
        ("[spider]\nx = 1\n", r"unknown section \[spider\]"),
        ("[crawl]\nchannels = ['zz']\n", "unknown channel 'zz'"),
        ("[politeness]\ndelay = 'soon'\n", r"\[politeness\] delay: expected a number"),
        ("[politeness]\ndelay = -1\n", "expected a number ≥ 0"),
        ("[politeness]\nconcurrency = 0\n", "whole number ≥ 1"),
        ("[politeness]\nautothrottle = 'maybe'\n", "expected true or false"),
        ("[crawl\n", "cannot read settings file"),
    ],
)
def test_bad_files_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config.load(config_file=write(tmp_path, text), env={}, cwd=tmp_path)


def test_env_values_are_parsed(tmp_path: Path) -> None:
    env = {
        "NEWSARCHIVE_CHANNELS": "gz, sh gz",
        "NEWSARCHIVE_AUTOTHROTTLE": "off",
        "NEWSARCHIVE_REVISIT_DAYS": "0",
        "NEWSARCHIVE_LOG_FILE": "",
        "NEWSARCHIVE_UNRELATED": "ignored",
    }
    cfg = config.load(env=env, cwd=tmp_path).config
    assert cfg.channels == ("gz", "sh")
    assert cfg.autothrottle is False
    assert cfg.revisit_days == 0.0
    assert cfg.log_file is None
    with pytest.raises(ConfigError, match="NEWSARCHIVE_LOCK_WAIT: expected a number"):
        config.load(env={"NEWSARCHIVE_LOCK_WAIT": "a while"}, cwd=tmp_path)


def test_scrapy_settings() -> None:
    cfg = Config(delay=0.0, concurrency=4, autothrottle=False, contact="https://example.org/c")
    settings = config.scrapy_settings(cfg)
    assert settings["DOWNLOAD_DELAY"] == 0.0
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4
    assert settings["AUTOTHROTTLE_ENABLED"] is False
    assert settings["USER_AGENT"] == cfg.full_user_agent  # filled in, never "{contact}"
    assert settings["NEWSARCHIVE_CONTACT"] == "https://example.org/c"
    assert cfg.full_user_agent.endswith("; +https://example.org/c)")
    assert "{contact}" in config.DEFAULT_USER_AGENT
    assert settings["NEWSARCHIVE_REVISIT_DAYS"] == 3.0
    assert settings["NEWSARCHIVE_PROXY"] == ""


def test_describe_and_toml_roundtrip(tmp_path: Path) -> None:
    resolved = config.load(config_file=write(tmp_path), env={}, cwd=tmp_path)
    rows = {key: (value, source) for key, value, source, _env in config.describe(resolved)}
    assert rows["crawl.channels"][0] == "gz, sh"
    assert rows["log.file"] == ("/var/log/newsarchive/crawl.log", f"file {tmp_path}/settings.toml")
    assert rows["politeness.proxy"] == ("", "default")
    dumped = config.as_toml_dict(resolved.config)
    text = "\n".join(
        f"[{section}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in table.items())
        for section, table in dumped.items()
    )
    again = config.load(config_file=write(tmp_path, text, "again.toml"), env={}, cwd=tmp_path)
    assert again.config == resolved.config


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def test_the_deploy_example_is_valid_and_complete(tmp_path: Path) -> None:
    resolved = config.load(config_file=EXAMPLE, env={}, cwd=tmp_path)
    written = {s for s in resolved.sources.values() if s.startswith("file")}
    assert written, "the example sets values"
    # Every setting appears in the example, so an operator sees them all.
    text = EXAMPLE.read_text("utf-8")
    for key, *_ in config.describe(resolved):
        section, name = key.split(".")
        assert f"[{section}]" in text
        assert f"\n{name} = " in text or f"\n# {name} = " in text, key


def test_config_command_prints_a_valid_settings_file_with_origins(tmp_path: Path) -> None:
    path = write(tmp_path)
    env = {"NEWSARCHIVE_DELAY": "7", "NEWSARCHIVE_CONFIG": ""}
    result = CliRunner().invoke(main, ["config", "--config", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# settings file: {path}")
    assert "delay = 7  # env NEWSARCHIVE_DELAY\n" in result.output
    assert 'proxy = ""  # default; env NEWSARCHIVE_PROXY\n' in result.output
    assert f'channels = ["gz", "sh"]  # file {path}' in result.output
    again = write(tmp_path, result.output, "printed.toml")
    reread = config.load(config_file=again, env={}, cwd=tmp_path).config
    assert reread == config.load(config_file=path, env=env, cwd=tmp_path).config
    data = json.loads(
        CliRunner().invoke(main, ["config", "--config", str(path), "--format", "json"]).output
    )
    assert data["file"] == str(path)
    assert data["settings"]["politeness.concurrency"] == {
        "value": 1,
        "source": f"file {path}",
        "env": "NEWSARCHIVE_CONCURRENCY",
    }


def test_config_command_rejects_a_bad_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "[politeness]\ndelay = 'soon'\n")
    result = CliRunner().invoke(main, ["config", "--config", str(bad)])
    assert result.exit_code == ExitCode.USAGE
    assert "delay: expected a number" in result.output


def test_config_command_prints_whole_numbers_as_a_person_writes_them(tmp_path: Path) -> None:
    config = tmp_path / "n.toml"
    config.write_text("[crawl]\nrevisit_days = 2.5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["config", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("revisit_days = 2.5  # file ") for line in lines)
    assert any(line.startswith("revisit_after_hours = 12  # default") for line in lines)
    assert any(line.startswith("lock_wait = 0  # default") for line in lines)
    assert any(line.startswith("delay = 1  # default") for line in lines)
