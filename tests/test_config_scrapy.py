"""The configuration as the crawl sees it: Scrapy settings, the proxy, the User-Agent."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsarchive import config
from newsarchive import settings as project_settings
from newsarchive.config import user_agent
from newsarchive.crawling.incremental import IncrementalMiddleware
from newsarchive.crawling.proxy import ProxyMiddleware
from newsarchive.crawling.runner import build_settings
from newsarchive.store import Store


def test_project_settings_enable_the_scheduled_crawling_components() -> None:
    settings = build_settings()
    assert "newsarchive.crawling.incremental.IncrementalMiddleware" in settings.getdict(
        "SPIDER_MIDDLEWARES"
    )
    assert "newsarchive.crawling.frontier.FrontierMiddleware" in settings.getdict(
        "SPIDER_MIDDLEWARES"
    )
    assert "newsarchive.crawling.crawlrun.CrawlRunExtension" in settings.getdict("EXTENSIONS")
    assert (
        settings.getdict("DOWNLOADER_MIDDLEWARES")["newsarchive.crawling.proxy.ProxyMiddleware"]
        < 750
    )
    assert settings.getbool("NEWSARCHIVE_INCREMENTAL") is True


def test_config_overrides_win_over_the_project_settings() -> None:
    cfg = config.Config(
        delay=4.5,
        concurrency=1,
        autothrottle=False,
        revisit_days=9,
        proxy="http://proxy.example.org:3128",
        contact="mailto:a@example.org",
    )
    settings = build_settings(config.scrapy_settings(cfg))
    assert settings.getfloat("DOWNLOAD_DELAY") == 4.5
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getfloat("NEWSARCHIVE_REVISIT_DAYS") == 9
    assert settings.get("NEWSARCHIVE_PROXY") == "http://proxy.example.org:3128"
    # The crawler's User-Agent middleware makes the same header the config describes.
    sent = user_agent(settings.get("USER_AGENT"), settings.get("NEWSARCHIVE_CONTACT"))
    assert sent == cfg.full_user_agent
    assert sent.endswith("+mailto:a@example.org)")


def test_the_project_settings_and_the_operator_config_share_their_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without a settings file, environment variables or options, `newsarchive crawl` (the
    # config's overrides) and `scrapy crawl channel` (the project settings) crawl alike.
    for name in ("NEWSARCHIVE_DB", "NEWSARCHIVE_CONTACT"):
        monkeypatch.delenv(name, raising=False)
    try:
        importlib.reload(project_settings)  # it reads those two variables on import
        project = build_settings()
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)
    overrides = config.scrapy_settings(config.DEFAULTS)
    assert sorted(overrides) == sorted(
        [
            "DOWNLOAD_DELAY",
            "CONCURRENT_REQUESTS_PER_DOMAIN",
            "AUTOTHROTTLE_ENABLED",
            "USER_AGENT",
            "NEWSARCHIVE_CONTACT",
            "NEWSARCHIVE_PROXY",
            "NEWSARCHIVE_REVISIT_DAYS",
            "NEWSARCHIVE_REVISIT_AFTER_HOURS",
            "NEWSARCHIVE_DB",
        ]
    )
    for name, value in overrides.items():
        assert project[name] == value, name
    assert project["DOWNLOAD_DELAY"] == 1.0
    assert project["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert project["NEWSARCHIVE_REVISIT_DAYS"] == 3.0
    assert project["NEWSARCHIVE_DB"] == "data/archive.db"
    assert project["NEWSARCHIVE_MIRROR"] == config.DEFAULTS.mirror == ""


def test_the_incremental_middleware_falls_back_to_the_project_defaults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "archive.db"
    Store(db).close()
    caplog.set_level(logging.INFO, logger="newsarchive.crawling.incremental")
    IncrementalMiddleware.from_crawler(get_crawler(Spider, {"NEWSARCHIVE_DB": str(db)}))
    IncrementalMiddleware.from_crawler(
        get_crawler(Spider, {"NEWSARCHIVE_DB": str(db), "NEWSARCHIVE_REVISIT_DAYS": 5})
    )
    windows = [r.getMessage() for r in caplog.records if "revisit window" in r.getMessage()]
    assert len(windows) == 2
    assert "in the 3-day revisit window" in windows[0]
    assert "in the 5-day revisit window" in windows[1]


def test_proxy_middleware() -> None:
    with pytest.raises(NotConfigured):
        ProxyMiddleware.from_crawler(get_crawler(Spider, {"NEWSARCHIVE_PROXY": ""}))
    with pytest.raises(ValueError, match="not an http"):
        ProxyMiddleware.from_crawler(get_crawler(Spider, {"NEWSARCHIVE_PROXY": "proxy:3128"}))
    mw = ProxyMiddleware.from_crawler(
        get_crawler(Spider, {"NEWSARCHIVE_PROXY": "http://user:pw@proxy.example.org:3128"})
    )
    request = Request("https://gz.news.cn/")
    mw.process_request(request)
    assert request.meta["proxy"] == "http://user:pw@proxy.example.org:3128"
    own = Request("https://gz.news.cn/", meta={"proxy": "http://other:8080"})
    mw.process_request(own)
    assert own.meta["proxy"] == "http://other:8080"
