"""The scheduler examples in ``deploy/``: systemd units, the Scrapyd egg."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
UNITS = DEPLOY / "systemd"
EXAMPLE_BIN = "/opt/newsarchive/venv/bin/newsarchive"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def test_service_runs_the_crawl_as_cron_does() -> None:
    service = _unit("newsarchive-crawl.service")
    exec_start = service["Service"]["ExecStart"]
    assert exec_start.startswith(f"{EXAMPLE_BIN} --quiet crawl")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["SuccessExitStatus"] == "3"  # partial: retried by the next run
    timer = _unit("newsarchive-crawl.timer")
    assert timer["Timer"]["Unit"] == "newsarchive-crawl.service"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """``systemd-analyze verify`` checks keys, values and that ExecStart is executable: the
    example path is replaced by the installed ``newsarchive`` (nothing else changes)."""
    executable = shutil.which("newsarchive")
    assert executable is not None, "the project is installed (pip install -e .)"
    for unit in ("newsarchive-crawl.service", "newsarchive-crawl.timer"):
        text = (UNITS / unit).read_text("utf-8")
        (tmp_path / unit).write_text(text.replace(EXAMPLE_BIN, executable), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(p) for p in sorted(tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    ours = [line for line in result.stderr.splitlines() if "newsarchive-crawl" in line]
    assert result.returncode == 0, result.stderr
    assert ours == [], "systemd warns about our units:\n" + "\n".join(ours)


@pytest.mark.slow
def test_scrapyd_egg_carries_the_project_and_its_settings(tmp_path: Path) -> None:
    """The egg built by deploy/build_egg.py works the way Scrapyd loads it: activate the egg,
    read the ``scrapy`` entry point for the settings module, load the spiders."""
    built = subprocess.run(
        [sys.executable, str(DEPLOY / "build_egg.py"), "--out", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    egg = Path(built.stdout.strip())
    assert egg.is_file() and egg.suffix == ".egg"
    with zipfile.ZipFile(egg) as z:
        names = set(z.namelist())
        entry_points = z.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = newsarchive.settings" in entry_points
    for data in ("newsarchive/channels.toml", "newsarchive/store/schema.sql"):
        assert data in names
    assert "spiders/channel.py" in names
    assert "pipelines/store.py" in names
    assert not any(n.startswith("tests/") for n in names)
    probe = textwrap.dedent(
        """
        import os, sys
        egg = sys.argv[1]
        sys.path.insert(0, egg)
        import pkg_resources  # scrapyd.eggutils.activate_egg, step by step
        dist = next(pkg_resources.find_distributions(egg))
        dist.activate()
        module = dist.get_entry_info("scrapy", "settings").module_name
        os.environ["SCRAPY_SETTINGS_MODULE"] = module
        from scrapy.spiderloader import SpiderLoader
        from scrapy.utils.project import get_project_settings
        import newsarchive, newsarchive.channels, newsarchive.store.migrations
        assert newsarchive.__file__.startswith(egg), newsarchive.__file__
        settings = get_project_settings()
        print(module)
        print(",".join(SpiderLoader.from_settings(settings).list()))
        print(len(newsarchive.channels.registry()))
        print(settings.get("BOT_NAME"))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    result = subprocess.run(
        [sys.executable, "-c", probe, str(egg)],
        cwd=tmp_path,  # no scrapy.cfg, no checkout on sys.path
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    module, spiders, channels, _bot = result.stdout.splitlines()[-4:]
    assert module == "newsarchive.settings"
    assert "channel" in spiders.split(",")
    assert channels == "31"
