"""Crawl options: what ``newsarchive crawl`` flags and ``scrapy crawl channel -a …`` arguments mean.

Both commands end in the same place: the channel spider receives its arguments as strings
(:meth:`CrawlOptions.from_args`) and applies the ones that are Scrapy settings to the crawler
(:meth:`CrawlOptions.apply`) before the crawl starts. The CLI turns its options into those
strings with :meth:`CrawlOptions.to_args`, so there is one code path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from newsarchive import channels, periods, urls
from newsarchive.crawling.links import Scope, Window

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class OptionError(ValueError):
    """A crawl option is malformed (unknown channel, bad date, start page outside the crawl)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CrawlOptions:
    """Everything that selects what a crawl fetches and where it writes."""

    channels: tuple[str, ...]
    """Channel codes to crawl (registry order not required; unique)."""
    since: date | None = None
    """Skip articles dated before this day (URL date, or list date when the list prints one)."""
    until: date | None = None
    """Skip articles dated after this day."""
    max_pages: int | None = None
    """Page budget: the spider schedules at most this many pages (robots.txt not counted; the
    remaining pages of a multi-page article already started may exceed it)."""
    start: tuple[str, ...] = ()
    """Start pages replacing the registry's (crawl one column)."""
    mirror: str | None = None
    """Base URL of a ``<host>/<path>`` site copy to fetch from instead of the real hosts."""
    big5: bool = True
    """Follow the traditional-script big5 gateway copies of the channels' pages."""
    db: str | None = None
    """Archive path (``NEWSARCHIVE_DB``); ``None`` keeps the setting's value."""
    polite: bool = True
    """``False`` switches off AutoThrottle, download delay and retry backoff and raises
    concurrency: for local mirrors and benchmarks only."""

    @property
    def scope(self) -> Scope:
        return Scope(channels=frozenset(self.channels), big5=self.big5)

    @property
    def window(self) -> Window:
        return Window(since=self.since, until=self.until)

    def start_urls(self) -> list[str]:
        """The start pages: ``start`` if given, else each channel's registry start pages."""
        if self.start:
            return list(self.start)
        return [url for code in self.channels for url in channels.get(code).start]

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> CrawlOptions:
        """Options from spider arguments (strings as ``-a name=value`` gives them).

        ``channels`` is a comma-separated list of codes or ``all``; ``start`` a comma- or
        whitespace-separated list of URLs; ``since``/``until`` dates as search takes them
        (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``: :mod:`newsarchive.periods`; ``since`` is the
        period's first day, ``until`` its last); ``max_pages`` an
        integer; ``big5``/``polite`` booleans (``0``/``1``, ``true``/``false``).
        """
        unknown = set(args) - {f for f in cls.__slots__ if not f.startswith("_")}
        if unknown:
            raise OptionError(f"unknown spider argument(s): {', '.join(sorted(unknown))}")
        start = tuple(_split(args.get("start")))
        for url in start:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise OptionError(f"--start {url!r} is not an absolute http(s) URL")
        for url in start:
            if urls.channel_of(url) is None:
                raise OptionError(
                    f"--start {url} is outside every channel: give a page of a channel's site "
                    "(e.g. https://gz.news.cn/...) or leave --start out"
                )
        codes = _channels(args.get("channels"), start)
        # A switch not given keeps the field's default (written once, on the class).
        switches = {
            name: value
            for name in ("big5", "polite")
            if (value := _bool(args.get(name), name)) is not None
        }
        options = cls(
            channels=codes,
            since=_date(args.get("since"), "since", end=False),
            until=_date(args.get("until"), "until", end=True),
            max_pages=_positive(args.get("max_pages")),
            start=start,
            mirror=_mirror(args.get("mirror")),
            db=str(args["db"]) if args.get("db") else None,
            **switches,
        )
        if options.since and options.until and options.since > options.until:
            raise OptionError(f"--since {options.since} is after --until {options.until}")
        scope = options.scope
        for url in start:
            if not scope.allows(url):
                raise OptionError(f"--start {url} is not a page of channel(s) {', '.join(codes)}")
        return options

    def to_args(self) -> dict[str, str]:
        """The spider arguments that :meth:`from_args` turns back into these options."""
        args: dict[str, str] = {"channels": ",".join(self.channels)}
        if self.since:
            args["since"] = self.since.isoformat()
        if self.until:
            args["until"] = self.until.isoformat()
        if self.max_pages is not None:
            args["max_pages"] = str(self.max_pages)
        if self.start:
            args["start"] = " ".join(self.start)
        if self.mirror:
            args["mirror"] = self.mirror
        if not self.big5:
            args["big5"] = "0"
        if self.db:
            args["db"] = self.db
        if not self.polite:
            args["polite"] = "0"
        return args

    def apply(self, settings: Any) -> None:
        """Set the Scrapy settings these options imply (priority ``spider``; ``-s`` wins)."""
        if self.db:
            settings.set("NEWSARCHIVE_DB", self.db, priority="spider")
        if self.mirror:
            settings.set("NEWSARCHIVE_MIRROR", self.mirror, priority="spider")
        settings.set("NEWSARCHIVE_CHANNELS", list(self.channels), priority="spider")
        if not self.polite:
            for name, value in IMPOLITE_SETTINGS.items():
                settings.set(name, value, priority="spider")


#: What "politeness off" means (demo, tests and benchmarks on a loopback mirror).
IMPOLITE_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "NEWSARCHIVE_RETRY_BACKOFF": 0.0,
}


def _split(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in str(value).replace(",", " ").split() if part]


def _channels(value: object, start: tuple[str, ...]) -> tuple[str, ...]:
    codes = [c.lower() for c in _split(value)]
    if codes == ["all"]:
        return tuple(channels.registry())
    if not codes:
        inferred = [urls.channel_of(url) for url in start]
        codes = [c for c in inferred if c is not None]
        if not codes:
            raise OptionError("no channel given (name one, e.g. gz, or give a --start page)")
    result: list[str] = []
    for code in codes:
        try:
            channels.get(code)
        except KeyError as exc:
            raise OptionError(str(exc.args[0])) from None
        if code not in result:
            result.append(code)
    return tuple(result)


def _date(value: object, name: str, *, end: bool) -> date | None:
    """A ``since``/``until`` bound in any form :func:`newsarchive.periods.parse` takes (the
    parser of search and export): the period's first day, or its last for ``end``."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        period = periods.parse(str(value))
    except ValueError as exc:
        raise OptionError(f"--{name}: {exc}") from None
    return period.last_day if end else period.first_day


def _positive(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise OptionError(f"--max-pages {value!r} is not a whole number") from None
    if number < 1:
        raise OptionError(f"--max-pages must be at least 1, got {number}")
    return number


def _bool(value: object, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OptionError(f"{name}={value!r} is not a boolean (0/1)")


def _mirror(value: object) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OptionError(f"--mirror {text!r} is not an http(s) URL")
    return text.rstrip("/")
