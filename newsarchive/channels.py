"""The channel registry: every Xinhua provincial channel, its hosts and start pages.

The data lives in ``channels.toml`` beside this module; this module loads it once and answers
"which channel serves this host?".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Hosts of the national site (no channel).
NATIONAL_HOSTS: frozenset[str] = frozenset(
    {"www.news.cn", "news.cn", "www.xinhuanet.com", "xinhuanet.com", "news.xinhuanet.com"}
)
#: Shared mobile hosts whose first path segment names the channel (``m.xinhuanet.com/gz/…``).
MOBILE_HOSTS: frozenset[str] = frozenset({"m.xinhuanet.com", "m.news.cn"})
#: Hosts of the traditional-script gateway (``/gate/big5/<host>/<path>``).
BIG5_HOSTS: frozenset[str] = frozenset({"big5.news.cn", "big5.xinhuanet.com"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Channel:
    """One provincial channel of Xinhua."""

    code: str
    """The channel code (``gz``), as in the archive's ``channel`` column."""
    name: str
    """The channel's name (``贵州频道``)."""
    province: str
    """The provincial-level region (``贵州省``)."""
    hosts: tuple[str, ...]
    """Every host serving the channel; the first is canonical."""
    mobile: str
    """Path prefix on the shared mobile host (``/gz/``)."""
    start: tuple[str, ...]
    """Default start pages for the channel spider."""

    @property
    def canonical_host(self) -> str:
        return self.hosts[0]


@cache
def registry() -> dict[str, Channel]:
    """All channels by code, in the order of ``channels.toml``."""
    text = resources.files("newsarchive").joinpath("channels.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {
        c["code"]: Channel(
            code=c["code"],
            name=c["name"],
            province=c["province"],
            hosts=tuple(c["hosts"]),
            mobile=c["mobile"],
            start=tuple(c["start"]),
        )
        for c in data["channel"]
    }


@cache
def _host_index() -> dict[str, str]:
    return {host: ch.code for ch in registry().values() for host in ch.hosts}


def get(code: str) -> Channel:
    """The channel with this code; :class:`KeyError` with the known codes if there is none."""
    try:
        return registry()[code]
    except KeyError:
        known = ", ".join(registry())
        raise KeyError(f"unknown channel {code!r}; known channels: {known}") from None


def channel_for_host(host: str) -> str | None:
    """The channel code served by ``host`` (lower-case, no port), or ``None``."""
    return _host_index().get(host.lower().rstrip("."))
