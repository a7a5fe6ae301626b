"""The command line starts without the heavy libraries: `--help`, `--version` and every
command's option parsing import only click and newsarchive's light modules (issue 18); a
crawl does not import Scrapy's unused components. Checked in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = (
    "scrapy",
    "twisted",
    "sqlite_utils",
    "numpy",
    "pandas",
    "matplotlib",
    "datasette",
    "redis",
    "rich",
    "lxml",
    "bs4",
)


def _modules(code: str) -> set[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nimport json, sys\n"
            "print(json.dumps(sorted(m for m, v in sys.modules.items() if v is not None)))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _modules("import newsarchive.cli")
    assert "click" in loaded and "newsarchive.cli.crawl" in loaded
    assert sorted(m for m in HEAVY if m in loaded) == []


def test_help_and_version_load_no_heavy_library() -> None:
    for argv in (["--help"], ["--version"], ["crawl", "--help"], ["search", "--help"]):
        loaded = _modules(
            "from newsarchive.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass"
        )
        assert sorted(m for m in HEAVY if m in loaded) == [], argv


def test_the_project_settings_leave_out_unused_scrapy_components() -> None:
    from newsarchive.crawling.runner import build_settings  # noqa: PLC0415

    settings = build_settings()
    extensions = settings.getwithbase("EXTENSIONS")
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert "scrapy.extensions.remote_control.RemoteControl" not in extensions
    assert "scrapy.extensions.telnet.TelnetConsole" not in extensions
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" not in middlewares
    # Everything else of Scrapy's base lists is still there.
    assert "scrapy.extensions.corestats.CoreStats" in extensions
    assert "scrapy.downloadermiddlewares.redirect.RedirectMiddleware" in middlewares


def test_each_project_spider_is_found_in_its_module() -> None:
    from scrapy.spiderloader import SpiderLoader  # noqa: PLC0415

    from newsarchive.crawling.runner import build_settings, spider_module  # noqa: PLC0415

    loader = SpiderLoader.from_settings(build_settings())
    names = loader.list()
    assert {"channel", "import", "ingest", "backfill", "reextract"} <= set(names)
    for name in names:
        assert spider_module(name) == loader.load(name).__module__


def test_a_crawl_loads_neither_the_fleet_nor_the_web_archive_nor_pandas(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    argv = ["crawl", "gz", "--db", str(db), "--mirror", "http://127.0.0.1:9", "--max-pages", "1"]
    loaded = _modules(
        f"from newsarchive.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    )
    assert "scrapy" in loaded and "spiders.channel" in loaded  # the crawl ran
    unused = ("redis", "warcio", "pandas", "spiders.ingest", "spiders.warcimport")
    assert sorted(m for m in unused if m in loaded) == []
