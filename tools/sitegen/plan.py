"""The site plan: which stories exist, where each is published, and its special roles.

:func:`build_plan` is a pure function of ``(channels, n_articles, seed, added, edited)``. The
sample site and the benchmark site come from the same plan; special roles (multi-page, GBK,
big5 copy, host alias, reprint, duplicate, edited-later) sit at fixed positions of each
template family's date-ordered group, so every site with enough articles has all of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from newsarchive import channels as registry
from tools.sitegen import stories as st
from tools.sitegen import textbank as tb
from tools.sitegen.stories import Family, Story

SUPPORTED_CHANNELS = ("gz", "he")
ADDED_START = datetime(2026, 7, 1, 8, 0, 0)


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelHosts:
    old: str
    """Host of the ≤2019 site (static lists, ``c_<id>.htm``)."""
    new: str
    """Host of the 2020+ index and datasource columns."""
    chtml: str
    """Host c.html articles are published on."""
    old_prefix: str
    """Path prefix of old-era article URLs (``/xinwen`` on Hebei)."""
    name: str


HOSTS = {
    "gz": ChannelHosts(
        old="www.gz.xinhuanet.com",
        new="gz.news.cn",
        chtml="gz.news.cn",
        old_prefix="",
        name="新华网贵州频道",
    ),
    "he": ChannelHosts(
        old="www.he.xinhuanet.com",
        new="he.news.cn",
        chtml="www.he.news.cn",
        old_prefix="/xinwen",
        name="新华网河北频道",
    ),
}

#: (family, share of the channel's stories, first date, last date, key code).
FAMILIES: dict[str, tuple[tuple[Family, float, datetime, datetime, str], ...]] = {
    "gz": (
        ("provincial_old", 0.36, datetime(2015, 3, 2), datetime(2019, 12, 20), "old"),
        ("newpage2020", 0.30, datetime(2020, 7, 6), datetime(2023, 12, 18), "np"),
        ("provincial_chtml", 0.34, datetime(2024, 1, 8), datetime(2026, 6, 20), "c"),
    ),
    "he": (
        ("xl2019", 0.40, datetime(2017, 6, 5), datetime(2020, 6, 22), "xl"),
        ("provincial_chtml", 0.60, datetime(2023, 9, 4), datetime(2026, 6, 24), "c"),
    ),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Column:
    """One column (list) of a channel."""

    cid: str
    """``gz-old-1``: channel, era, number."""
    channel: str
    era: str
    host: str
    stem: str
    """``xwzx/gzyw`` (old: ``/xwzx/gzyw.htm``, ``/xwzx/gzyw_2.htm``) or ``gzyw`` (new:
    ``/gzyw/index.htm`` + ``/gzyw/ds_<hex>.json``)."""
    name: str
    ds_id: str = ""
    publish_url: str = "absolute"
    """How datasource rows write ``publishUrl``: ``absolute``, ``root`` (``/2021-05/…``) or
    ``column`` (``../20240524/<hex>/c.html``: relative to the column page and its datasource,
    as the Hebei page template's ``'../' + publishUrl`` implies)."""

    @property
    def url(self) -> str:
        if self.era == "old":
            return f"http://{self.host}/{self.stem}.htm"
        return f"https://{self.host}/{self.stem}/index.htm"

    def page_url(self, page: int) -> str:
        return self.url if page == 1 else f"http://{self.host}/{self.stem}_{page}.htm"

    @property
    def ds_url(self) -> str:
        return f"https://{self.host}/{self.stem}/ds_{self.ds_id}.json"


@dataclass(kw_only=True, slots=True)
class Roles:
    """Special roles of stories, by key."""

    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Other places serving the same file: a host, or the shared mobile host with the
    channel's path prefix (``m.xinhuanet.com/gz``, see :func:`mobile_place`)."""
    big5: dict[str, str] = field(default_factory=dict)
    """Story key → encoding of its big5 gateway copy (``big5`` or ``utf-8``)."""
    edited: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    seed: int
    channels: tuple[str, ...]
    stories: tuple[Story, ...]
    """Originals (base, then added), then reprints and duplicates; version 1 text."""
    columns: dict[str, Column]
    roles: Roles


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def old_id(when: datetime, rng: random.Random) -> str:
    """A plausible ``c_<id>`` number for ``when`` (Xinhua ids grow ~4,300 a day)."""
    days = (when - datetime(2016, 11, 21)).days
    return str(1119954709 + days * 4300 + rng.randint(0, 3999))


def _columns(channel: str, seed: int) -> dict[str, Column]:
    rng = random.Random(f"{seed}:columns:{channel}")
    hosts = HOSTS[channel]
    styles = {"gz": ("root", "column"), "he": ("absolute", "absolute")}[channel]
    out = {}
    for era in ("old", "new"):
        for n in (1, 2):
            cid = f"{channel}-{era}-{n}"
            stem, name = tb.COLUMN_NAMES[cid]
            out[cid] = Column(
                cid=cid,
                channel=channel,
                era=era,
                host=hosts.old if era == "old" else hosts.new,
                stem=stem,
                name=name,
                ds_id=_hex(rng) if era == "new" else "",
                publish_url=styles[n - 1],
            )
    return out


def _place(
    *, channel: str, family: Family, key: str, when: datetime, seed: int
) -> tuple[str, str, str, object]:
    """(host, path, article id, image namer) for a story."""
    rng = random.Random(f"{seed}:id:{key}")
    hosts = HOSTS[channel]
    if family == "provincial_chtml":
        hexid = _hex(rng)
        cid = f"{when:%Y%m%d}{hexid}"
        return (
            hosts.chtml,
            f"/{when:%Y%m%d}/{hexid}/c.html",
            cid,
            lambda k: f"{cid}_{_hex(rng)}.jpg",
        )
    aid = old_id(when, rng)
    host = hosts.new if family == "newpage2020" else hosts.old
    prefix = hosts.old_prefix if family == "xl2019" else ""
    stamp = int(when.timestamp() * 1000)
    return (
        host,
        f"{prefix}/{when:%Y-%m}/{when:%d}/c_{aid}.htm",
        aid,
        lambda k: f"{aid}_{stamp}{k}1n.jpg",
    )


def _terms(channel: str, index: int) -> tuple[str, ...]:
    terms = []
    if channel == "gz" and index % 7 == 3:
        terms.append("刺梨")
    if channel == "gz" and index % 10 == 4:
        terms.append("石漠化")
    if index % 12 == 5:
        terms.append("数字乡村")
    return tuple(terms)


def make_story(
    *, key: str, channel: str, family: Family, when: datetime, seed: int, index: int, column: str
) -> Story:
    """One original story, published in ``column``."""
    host, path, aid, namer = _place(channel=channel, family=family, key=key, when=when, seed=seed)
    story = st.build_story(
        key=key,
        channel=channel,
        family=family,
        host=host,
        path=path,
        article_id=aid,
        published=when,
        seed=seed,
        terms=_terms(channel, index),
        image_name=namer,  # type: ignore[arg-type]
    )
    return replace(story, column=column)


def _dates(n: int, first: datetime, last: datetime, rng: random.Random) -> list[datetime]:
    span = (last - first).total_seconds()
    out = []
    for i in range(n):
        day = first + timedelta(seconds=span * (i + rng.uniform(0.1, 0.9)) / max(n, 1))
        out.append(day.replace(hour=rng.randint(7, 21), minute=rng.randint(0, 59),
                               second=rng.randint(0, 59), microsecond=0))  # fmt: skip
    return out


#: (channel, family) → position in the family's date-ordered group → special role.
#: Roles: ``("pages", n, kind)`` multi-page, ``("gbk",)`` GBK bytes, ``("big5", encoding)`` a
#: big5 gateway copy, ``("alias", host)`` the same file on another host, ``("mobile",)`` the
#: same file on the shared mobile host (``http://m.xinhuanet.com/gz/2019-12/07/c_….htm``, a real
#: old-era URL shape; no mobile page of that era was saved, so the bytes are the desktop
#: page's), ``("edited",)`` the edited-later article.
SPECIAL_ROLES: dict[tuple[str, str], dict[int, tuple[object, ...]]] = {
    ("gz", "provincial_old"): {
        1: ("pages", 3, "old_pages"),
        2: ("gbk",),
        3: ("big5", "big5"),
        4: ("alias", "gz.news.cn"),
        5: ("pages", 2, "old_pages"),
        13: ("mobile",),
    },
    ("gz", "newpage2020"): {1: ("alias", "www.gz.xinhuanet.com")},
    ("gz", "provincial_chtml"): {
        1: ("pages", 3, "pagebreak"),
        2: ("big5", "utf-8"),
        3: ("edited",),
        5: ("alias", "www.gz.news.cn"),
        6: ("alias", "www.gz.xinhuanet.com"),
    },
    ("he", "xl2019"): {1: ("big5", "utf-8")},
    ("he", "provincial_chtml"): {
        1: ("pages", 4, "xinhuabreak"),
        2: ("big5", "big5"),
        3: ("alias", "he.news.cn"),
        4: ("pages", 2, "xinhuabreak"),
    },
}


def _specials(group: list[Story], family: Family, channel: str, roles: Roles) -> list[Story]:
    """Give the stories of one family group their special roles (:data:`SPECIAL_ROLES`)."""
    for pos, role in SPECIAL_ROLES.get((channel, family), {}).items():
        if pos >= len(group):
            continue
        story = group[pos]
        match role:
            case ("pages", int(n), str(kind)):
                group[pos] = replace(story, pages=n, multipage=kind)  # type: ignore[arg-type]
            case ("gbk",):
                group[pos] = replace(story, encoding="gbk")
            case ("big5", str(encoding)):
                roles.big5[story.key] = encoding
            case ("alias", str(host)):
                roles.aliases[story.key] = (host,)
            case ("mobile",):
                roles.aliases[story.key] = (mobile_place(channel),)
            case ("edited",):
                roles.edited = story.key
    return group


#: The shared mobile host of the provincial channels.
MOBILE_HOST = "m.xinhuanet.com"


def mobile_place(channel: str) -> str:
    """Where the mobile host serves ``channel``'s pages: host and path prefix, no slash at
    the end (``m.xinhuanet.com/gz``); the page's own path follows."""
    return MOBILE_HOST + registry.get(channel).mobile.rstrip("/")


def _copies(originals: list[Story], seed: int) -> list[Story]:
    """The near-copy reprint and the exact duplicate (Guizhou)."""
    out: list[Story] = []
    by_key = {s.key: s for s in originals}
    if (src := by_key.get("gz-c-0004")) is not None:
        key = "gz-c-0004-r"
        when = src.published + timedelta(days=1, hours=2)
        host, path, aid, _ = _place(
            channel="gz", family="provincial_chtml", key=key, when=when, seed=seed
        )
        out.append(replace(st.reprint_of(src, key=key, host=host, path=path, article_id=aid),
                           column="gz-new-2"))  # fmt: skip
    if (src := by_key.get("gz-np-0002")) is not None:
        key = "gz-np-0002-d"
        host, path, aid, _ = _place(
            channel="gz", family="newpage2020", key=key, when=src.published, seed=seed
        )
        out.append(replace(st.duplicate_of(src, key=key, host=host, path=path, article_id=aid),
                           column="gz-new-2"))  # fmt: skip
    return out


def build_plan(*, channels: tuple[str, ...], n_articles: int, seed: int, added: int = 0) -> Plan:
    """The plan of a site with ``n_articles`` distinct base stories plus ``added`` later ones."""
    unknown = [c for c in channels if c not in SUPPORTED_CHANNELS]
    if unknown or not channels:
        raise ValueError(f"channels must be among {SUPPORTED_CHANNELS}, got {channels!r}")
    shares = {"gz": 0.58, "he": 0.42} if len(channels) == 2 else {channels[0]: 1.0}
    roles = Roles()
    columns: dict[str, Column] = {}
    originals: list[Story] = []
    remaining = n_articles
    for ci, channel in enumerate(channels):
        columns |= _columns(channel, seed)
        n_ch = remaining if ci == len(channels) - 1 else round(n_articles * shares[channel])
        remaining -= n_ch
        fams = FAMILIES[channel]
        left = n_ch
        for fi, (family, share, first, last, code) in enumerate(fams):
            n_f = left if fi == len(fams) - 1 else round(n_ch * share)
            left -= n_f
            rng = random.Random(f"{seed}:dates:{channel}:{family}")
            era = "old" if family in ("provincial_old", "xl2019") else "new"
            group = [
                make_story(
                    key=f"{channel}-{code}-{i:04d}",
                    channel=channel,
                    family=family,
                    when=when,
                    seed=seed,
                    index=len(originals) + i,
                    column=f"{channel}-{era}-{2 if i % 3 == 2 else 1}",
                )
                for i, when in enumerate(_dates(n_f, first, last, rng))
            ]
            originals.extend(_specials(group, family, channel, roles))
    for i in range(1, added + 1):
        channel = channels[(i - 1) % len(channels)]
        when = ADDED_START + timedelta(hours=5 * i, minutes=i % 60)
        originals.append(
            make_story(
                key=f"{channel}-add-{i:04d}",
                channel=channel,
                family="provincial_chtml",
                when=when,
                seed=seed,
                index=n_articles + i,
                column=f"{channel}-new-1",
            )
        )
    return Plan(
        seed=seed,
        channels=channels,
        stories=(*originals, *_copies(originals, seed)),
        columns=columns,
        roles=roles,
    )
