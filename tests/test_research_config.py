"""Every research command takes ``--config``: the settings file names the archive (relative
to the file), ``--db`` still wins, and a broken settings file is a usage error (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import research_archive
from click.testing import CliRunner

from newsarchive.cli import main


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return research_archive.built(tmp_path_factory)


def settings_file(tmp_path: Path, archive: Path) -> Path:
    """A settings file beside ``archive`` naming it by a relative path."""
    link_dir = tmp_path / "conf"
    link_dir.mkdir()
    (link_dir / "archive.db").symlink_to(archive)
    config = link_dir / "newsarchive.toml"
    config.write_text('[crawl]\narchive = "archive.db"\n', encoding="utf-8")
    return config


@pytest.mark.parametrize(
    "args",
    [
        ["search", "贵州", "--format", "json"],
        ["export", "--format", "jsonl"],
        ["stats", "--format", "json"],
        ["show", "1", "--format", "json"],
    ],
)
def test_the_settings_file_names_the_archive(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.delenv("NEWSARCHIVE_DB", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./newsarchive.toml, no data/archive.db here
    config = settings_file(tmp_path, db)
    result = CliRunner().invoke(main, ["-q", *args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    if args[0] == "search":
        assert len(json.loads(result.stdout)) == 3
    # --db wins over the file: an archive that does not exist is named in the error.
    missing = tmp_path / "missing.db"
    result = CliRunner().invoke(main, ["-q", *args, "--config", str(config), "--db", str(missing)])
    assert result.exit_code == 1
    assert str(missing) in result.stderr


@pytest.mark.parametrize("command", ["search", "export", "stats", "show", "serve"])
def test_a_broken_settings_file_is_a_usage_error(tmp_path: Path, command: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[crawl]\narchive = [1, 2]\n", encoding="utf-8")
    extra = {"search": ["贵州"], "show": ["1"]}.get(command, [])
    result = CliRunner().invoke(main, ["-q", command, *extra, "--config", str(config)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "archive" in line
    assert "Traceback" not in result.output
