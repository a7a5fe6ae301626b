"""Crawl settings that keep a scheduled crawl on a shared machine safe."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.extensions.telnet import TelnetConsole
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from newsarchive.crawling.runner import build_settings

# The remote-control extension is new in Scrapy 2.19; older Scrapy (allowed by the lower
# bound, run by .ci/lowest) has no such server to keep off.
remote_control = pytest.importorskip(
    "scrapy.extensions.remote_control", reason="Scrapy before 2.19 has no remote control"
)
RemoteControl = remote_control.RemoteControl


def test_remote_control_and_telnet_are_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    # Refused because it is off, not because of the reactor an earlier test installed.
    monkeypatch.setattr(remote_control, "is_asyncio_available", lambda: True)
    settings = build_settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    names = ("REMOTE_CONTROL_ENABLED", "TELNETCONSOLE_ENABLED")
    crawler = get_crawler(Spider, {name: settings[name] for name in names})
    # Both refuse to start (NotConfigured), so no server listens and no token file is written.
    with pytest.raises(NotConfigured):
        RemoteControl.from_crawler(crawler)
    with pytest.raises(NotConfigured):
        TelnetConsole.from_crawler(crawler)


def test_remote_control_starts_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    # An earlier test may have installed a non-asyncio reactor, which the extension would
    # refuse for that reason instead: only the setting is under test here.
    monkeypatch.setattr(remote_control, "is_asyncio_available", lambda: True)
    asked = build_settings({"REMOTE_CONTROL_ENABLED": True})
    crawler = get_crawler(Spider, {"REMOTE_CONTROL_ENABLED": asked["REMOTE_CONTROL_ENABLED"]})
    assert isinstance(RemoteControl.from_crawler(crawler), RemoteControl)
