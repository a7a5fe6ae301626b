"""The scheduler examples in ``deploy/``: systemd units, the Scrapyd egg."""

from __future__ import annotations

import configparser
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from ops_support import crawl_env, runs, served_site

from newsarchive import logfile

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
    # The script installed beside this interpreter (the README's .venv), else on PATH.
    beside = Path(sys.executable).with_name("newsarchive")
    executable = str(beside) if beside.is_file() else shutil.which("newsarchive")
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
        # scrapyd.eggutils.activate_egg, step by step (with importlib.metadata: today's
        # setuptools no longer ships pkg_resources)
        from importlib.metadata import distributions
        dist = next(iter(distributions(path=[egg])))
        (entry,) = (e for e in dist.entry_points if (e.group, e.name) == ("scrapy", "settings"))
        module = entry.value
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


def _crontab() -> tuple[dict[str, str], list[str]]:
    """The example crontab's environment lines and its job lines."""
    env: dict[str, str] = {}
    jobs: list[str] = []
    for raw in (DEPLOY / "crontab.example").read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, _, value = line.partition("=")
            env[name] = value
        else:
            jobs.append(line)
    return env, jobs


@pytest.mark.e2e
@pytest.mark.slow
def test_the_cron_line_runs_a_quiet_incremental_crawl(tmp_path: Path) -> None:
    """Run the exact command of deploy/crontab.example, as cron would (``sh -c``), with the
    variables it uses pointed at a temporary settings file, archive and log."""
    env_lines, jobs = _crontab()
    (job,) = jobs
    fields = job.split(None, 5)
    assert len(fields) == 6, "five schedule fields and a command"
    minute, hour, *_ = fields[:5]
    assert minute.isdigit() and hour == "*"  # hourly
    command = fields[5]
    used = set(re.findall(r"\$\{?([A-Z_]+)\}?", command))
    assert used <= set(env_lines), f"the crontab defines every variable its line uses: {used}"
    assert "%" not in command  # cron would cut the command there

    with served_site(tmp_path) as site:
        settings = tmp_path / "etc" / "newsarchive.toml"
        settings.parent.mkdir()
        settings.write_text(
            textwrap.dedent(
                f"""
                [crawl]
                channels = ["gz", "he"]
                archive = "{tmp_path}/var/archive.db"
                mirror = "{site.url}"
                revisit_days = 0

                [politeness]
                delay = 0
                concurrency = 16
                autothrottle = false

                [log]
                file = "{tmp_path}/log/crawl.log"
                """
            ),
            "utf-8",
        )
        env = crawl_env(
            PATH=os.environ["PATH"],  # where this Python's newsarchive script is
            NEWSARCHIVE_CONFIG=str(settings),
            NEWSARCHIVE_CRON_LOG=str(tmp_path / "log" / "cron.log"),
        )
        (tmp_path / "log").mkdir()
        (tmp_path / "var").mkdir()  # the archive's folder: the operator makes it (deploy/)
        for run in (1, 2):
            result = subprocess.run(
                ["/bin/sh", "-c", command], env=env, cwd=tmp_path, timeout=300, check=False
            )
            assert result.returncode in (0, 3), f"run {run}: exit {result.returncode}"
    archive = tmp_path / "var" / "archive.db"
    first, second = runs(archive)
    assert first["articles_new"] >= 60
    assert second["articles_new"] == 0
    assert second["pages_fetched"] < first["pages_fetched"] / 3
    cron_log = (tmp_path / "log" / "cron.log").read_text("utf-8")
    assert " INFO " not in cron_log and " DEBUG " not in cron_log  # --quiet
    assert "  pages fetched" not in cron_log  # no summary
    # A run that did not end ok (the first: the sample site's dead link makes it partial, exit
    # 3) ends with one closing line saying so; the log has nothing else but warnings.
    partial = [r for r in (first, second) if r["exit_status"] == "partial"]
    assert first in partial
    closing = [line for line in cron_log.splitlines() if line.startswith("crawl partial: ")]
    assert len(closing) == len(partial), cron_log
    assert "errors 1 (http_404 1)" in closing[0] and "newsarchive runs" in closing[0]
    full_log = (tmp_path / "log" / "crawl.log").read_text("utf-8")
    assert " INFO " in full_log
    assert "writer lock on" in full_log


def test_log_file_rotates(tmp_path: Path) -> None:
    root = logging.getLogger()
    levels = {h: h.level for h in root.handlers}
    root_level = root.level
    handler = logfile.configure(
        quiet=True, verbose=0, log_file=tmp_path / "crawl.log", max_bytes=2000, backups=2
    )
    try:
        assert handler is not None
        log = logging.getLogger("newsarchive.test_rotation")
        for n in range(100):
            log.info("line %03d of a log that is longer than one file may hold", n)
        handler.flush()
    finally:
        if handler is not None:
            root.removeHandler(handler)
            handler.close()
        for h, level in levels.items():  # pytest's own handlers
            h.setLevel(level)
        root.setLevel(root_level)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["crawl.log", "crawl.log.1", "crawl.log.2"]
    assert "line 099" in (tmp_path / "crawl.log").read_text("utf-8")
    assert all((tmp_path / f).stat().st_size <= 2000 for f in files)
