"""The configuration as the crawl sees it: Scrapy settings, the proxy, the User-Agent."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsarchive import config
from newsarchive.crawling.middlewares import DEFAULT_CONTACT, user_agent
from newsarchive.crawling.runner import build_settings
from newsarchive.proxy import ProxyMiddleware


def test_project_settings_enable_the_scheduled_crawling_components() -> None:
    settings = build_settings()
    assert "newsarchive.incremental.IncrementalMiddleware" in settings.getdict("SPIDER_MIDDLEWARES")
    assert "newsarchive.crawling.frontier.FrontierMiddleware" in settings.getdict(
        "SPIDER_MIDDLEWARES"
    )
    assert "newsarchive.crawling.crawlrun.CrawlRunExtension" in settings.getdict("EXTENSIONS")
    assert settings.getdict("DOWNLOADER_MIDDLEWARES")["newsarchive.proxy.ProxyMiddleware"] < 750
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
    assert config.DEFAULT_CONTACT == DEFAULT_CONTACT


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
