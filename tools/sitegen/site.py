"""Render a plan into files (``<host>/<path>`` → bytes) and the manifest that describes them."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsarchive import urls
from newsarchive.textnorm import to_traditional
from tools.sitegen import lists, plan, stories
from tools.sitegen import textbank as tb
from tools.sitegen.lists import Item
from tools.sitegen.plan import HOSTS, Column, Plan
from tools.sitegen.stories import Story
from tools.sitegen.templates import Context, render_article

MANIFEST_FORMAT = 1
#: OpenCC's traditional forms that Big5 lacks, mapped to the forms the big5 gateway prints
#: (each folds back to the same simplified character).
GATEWAY_VARIANTS = str.maketrans("爲羣衆裏嫺", "為群眾裡嫻")
BIG5_GATEWAY = "big5.news.cn"
#: A 1×1 grey baseline JPEG, written for every body image.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b"
    "0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e3334"
    "32ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708"
    "090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114"
    "328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748"
    "494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2"
    "a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9"
    "eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class State:
    """Everything a generated site is a function of (stored in the manifest)."""

    channels: tuple[str, ...]
    n_articles: int
    seed: int
    added: int = 0
    edited: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        return cls(
            channels=tuple(data["channels"]),
            n_articles=int(data["n_articles"]),
            seed=int(data["seed"]),
            added=int(data.get("added", 0)),
            edited=tuple(data.get("edited", ())),
            removed=tuple(data.get("removed", ())),
        )


def page_urls(story: Story) -> list[str]:
    """Every page URL of ``story`` (old-era multi-page articles have ``c_<id>_N.htm`` files)."""
    if story.multipage != "old_pages":
        return [story.url]
    base = story.url[: -len(".htm")]
    return [story.url] + [f"{base}_{n}.htm" for n in range(2, story.pages + 1)]


def rel(url: str) -> str:
    """``https://gz.news.cn/a/b.htm`` → ``gz.news.cn/a/b.htm`` (the mirror path)."""
    return url.split("://", 1)[1]


def _navs(p: Plan) -> dict[tuple[str, str], tuple[str, list[tuple[str, str]]]]:
    """(channel, era) → (home URL, nav links)."""
    out = {}
    for ch in p.channels:
        h = HOSTS[ch]
        old_home = f"http://{h.old}/{'pc.htm' if ch == 'gz' else 'index.htm'}"
        new_home = f"https://{h.new}/"
        cols = [c for c in p.columns.values() if c.channel == ch]
        out[(ch, "old")] = (
            old_home,
            [(c.name, c.url) for c in cols if c.era == "old"] + [("新版", new_home)],
        )
        out[(ch, "new")] = (
            new_home,
            [(c.name, c.url) for c in cols if c.era == "new"] + [("旧版", old_home)],
        )
    return out


def _era(story: Story) -> str:
    return "old" if story.family in ("provincial_old", "xl2019") else "new"


def _related(
    story: Story, column_v1: list[Story], aliased: bool
) -> tuple[tuple[str, str, str], ...]:
    """The (up to) three stories published before ``story`` in its column."""
    idx = column_v1.index(story) if story in column_v1 else _position(column_v1, story.key)
    out = []
    for other in reversed(column_v1[max(0, idx - 3) : idx]):
        href = other.url
        same_family = story.family == "provincial_chtml" == other.family
        if same_family and not aliased and other.host == story.host:
            href = "../.." + other.path
        out.append((other.headline, href, other.published.strftime("%Y-%m-%d")))
    return tuple(out)


def _position(stories_: list[Story], key: str) -> int:
    return next(i for i, s in enumerate(stories_) if s.key == key)


def _encode(html: str, encoding: str) -> bytes:
    return html.encode(encoding, errors="xmlcharrefreplace")


def _specials_items(p: Plan) -> tuple[dict[str, list[Item]], list[dict[str, Any]], dict[str, str]]:
    """Extra list items (topic pages, a dead link, an off-site link), manifest page entries,
    and the topic pages' files."""
    extra: dict[str, list[Item]] = defaultdict(list)
    pages: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    by_col: dict[str, list[Story]] = defaultdict(list)
    for s in p.stories:
        by_col[s.column].append(s)
    navs = _navs(p)
    if "gz" in p.channels:
        topic = "http://www.gz.xinhuanet.com/zt/2018stlt/index.htm"
        title, slogan = tb.TOPIC_TITLES["gz"]
        extra["gz-old-1"].append(Item(title=title, url=topic, published="2018-07-06 09:30:00"))
        picks = [lists.story_item(s) for s in by_col["gz-old-1"][-3:]]
        files[rel(topic)] = lists.topic_page(
            title=title, slogan=slogan, nav=navs[("gz", "old")][1], items=picks
        )
        pages.append({"url": topic, "kind": "topic", "expected": "non-article"})
        dead = "http://www.gz.xinhuanet.com/2019-03/15/c_1124238891.htm"
        extra["gz-old-2"].append(
            Item(title="贵州：春季植树造林活动全面展开", url=dead, published="2019-03-15 10:12:00")
        )
        pages.append({"url": dead, "kind": "broken_link", "expected": "broken", "status": 404})
        offsite = "https://www.news.cn/politics/2024-03/05/c_1130086652.htm"
        extra["gz-new-1"].append(
            Item(
                title="新华社评论：奋力谱写新篇章",
                url=offsite,
                published="2024-03-05 18:00:00",
                kind="link",
            )
        )
        pages.append({"url": offsite, "kind": "offsite_link", "expected": "offsite"})
    if "he" in p.channels:
        topic = "https://he.news.cn/zt/2023wlfzdh/index.htm"
        title, slogan = tb.TOPIC_TITLES["he"]
        extra["he-new-1"].append(
            Item(
                title=title,
                url=topic,
                published="2023-09-10 08:00:00",
                kind="link",
                content_id="20230910" + "0" * 32,
            )
        )
        picks = [lists.story_item(s) for s in by_col["he-new-1"][:3]]
        files[rel(topic)] = lists.topic_page(
            title=title, slogan=slogan, nav=navs[("he", "new")][1], items=picks
        )
        pages.append({"url": topic, "kind": "topic", "expected": "non-article"})
    return extra, pages, files


def render(state: State) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every file of the site (mirror path → bytes) and its manifest."""
    p = plan.build_plan(
        channels=state.channels, n_articles=state.n_articles, seed=state.seed, added=state.added
    )
    v1 = {s.key: s for s in p.stories}
    current = {k: stories.revised(s) if k in state.edited else s for k, s in v1.items()}
    by_col: dict[str, list[Story]] = defaultdict(list)
    for s in sorted(p.stories, key=lambda s: s.published):
        by_col[s.column].append(s)
    navs = _navs(p)
    files: dict[str, bytes] = {}
    content_types: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    for s in current.values():
        home, nav = navs[(s.channel, _era(s))]
        col = p.columns[s.column]
        aliases = p.roles.aliases.get(s.key, ())
        big5_enc = p.roles.big5.get(s.key)
        big5 = urls.big5_url(s.url) if big5_enc else None
        ctx = Context(
            channel_name=HOSTS[s.channel].name,
            home=home,
            nav=tuple(nav),
            column=(col.name, col.url),
            big5=big5,
            related=_related(s, by_col[s.column], bool(aliases)),
        )
        removed = s.key in state.removed
        htmls = render_article(s, ctx)
        pages_ = page_urls(s)
        if not removed:
            for url, html in zip(pages_, htmls, strict=True):
                data = _encode(html, s.encoding)
                for host in (s.host, *aliases):
                    files[f"{host}{url.split(s.host, 1)[1]}"] = data
                if s.encoding == "gbk":
                    content_types[rel(url)] = "text/html"
            for b in s.blocks:
                if b.kind == "img":
                    for host in (s.host, *aliases):
                        files[f"{host}{s.path.rsplit('/', 1)[0]}/{b.text}"] = TINY_JPEG
            if big5 is not None:
                html = render_article(s, dataclasses.replace(ctx, big5=None, simplified=s.url))[0]
                html = to_traditional(html).translate(GATEWAY_VARIANTS)
                if big5_enc == "big5":
                    html = html.replace("charset=utf-8", "charset=big5")
                files[rel(big5)] = _encode(html, big5_enc or "utf-8")
        entries.append(
            _entry(
                s=s,
                v1=v1[s.key],
                col=col,
                aliases=aliases,
                big5=big5,
                big5_enc=big5_enc,
                removed=removed,
            )
        )
    extra, pages, topic_files = _specials_items(p)
    files |= {k: v.encode() for k, v in topic_files.items()}
    pages += _lists(p=p, by_col=by_col, current=current, extra=extra, navs=navs, files=files)
    manifest = _manifest(
        state=state, p=p, entries=entries, pages=pages, files=files, content_types=content_types
    )
    return files, manifest


def _entry(
    *,
    s: Story,
    v1: Story,
    col: Column,
    aliases: tuple[str, ...],
    big5: str | None,
    big5_enc: str | None,
    removed: bool,
) -> dict[str, Any]:
    pages_ = page_urls(s)
    text = "\n".join([s.headline, *s.paragraphs()])
    return {
        "key": s.key,
        "kind": s.kind,
        "of": s.of,
        "channel": s.channel,
        "template": s.family,
        "url_era": "c_html" if s.family == "provincial_chtml" else "c_htm",
        "url": s.url,
        "canonical_url": urls.canonical_url(s.url),
        "article_id": s.article_id,
        "alias_urls": [s.url.replace(f"//{s.host}/", f"//{h}/") for h in aliases],
        "page_urls": pages_[1:],
        "pages": s.pages,
        "multipage": s.multipage,
        "big5_url": big5,
        "big5_encoding": big5_enc,
        "encoding": s.encoding,
        "headline": s.headline,
        "published_at": s.published.isoformat() + "+08:00",
        "source": s.source,
        "dateline": s.dateline,
        "reporters": list(s.reporters),
        "authors": list(s.authors),
        "photographers": list(s.photographers),
        "editors": list(s.editors),
        "credits": [list(c) for c in s.credits],
        "keywords": list(s.keywords),
        "headings": [b.text for b in s.blocks if b.kind == "h"],
        "paragraphs": s.body_paragraphs(),
        "images": sum(1 for b in s.blocks if b.kind == "img"),
        "search_terms": [t for t in tb.SEARCH_TERMS if t in text],
        "column": col.cid,
        "column_url": col.url,
        "revision": s.revision,
        "v1_headline": v1.headline if s.revision > 1 else None,
        "expected": "broken" if removed else "article",
    }


def _lists(
    *,
    p: Plan,
    by_col: dict[str, list[Story]],
    current: dict[str, Story],
    extra: dict[str, list[Item]],
    navs: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]],
    files: dict[str, bytes],
) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    for col in p.columns.values():
        items = [lists.story_item(current[s.key]) for s in by_col[col.cid]] + extra[col.cid]
        items.sort(key=lambda it: it.published, reverse=True)
        name = HOSTS[col.channel].name
        nav = navs[(col.channel, col.era)][1]
        if col.era == "old":
            out = lists.static_column_pages(
                col, items, name, [(name, navs[(col.channel, "old")][0]), *nav]
            )
            for path in out:
                pages.append({"url": "http://" + path, "kind": "column", "expected": "non-article"})
        else:
            out = lists.datasource_column(
                col, items, name, [(name, navs[(col.channel, "new")][0]), *nav]
            )
            pages.append({"url": col.url, "kind": "column", "expected": "non-article"})
            pages.append({"url": col.ds_url, "kind": "datasource", "expected": "non-article"})
        files |= {k: v.encode() for k, v in out.items()}
    for ch in p.channels:
        pages += _indexes(p=p, ch=ch, current=current, navs=navs, files=files)
    return pages


def _indexes(
    *,
    p: Plan,
    ch: str,
    current: dict[str, Story],
    navs: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]],
    files: dict[str, bytes],
) -> list[dict[str, Any]]:
    h = HOSTS[ch]
    mine = [current[s.key] for s in sorted(p.stories, key=lambda s: s.published) if s.channel == ch]
    old = [s for s in mine if _era(s) == "old"]
    new = [s for s in mine if _era(s) == "new"]
    alias_items = [
        Item(title=s.headline, url=s.url.replace(f"//{s.host}/", f"//{host}/"), published="")
        for s in mine
        for host in p.roles.aliases.get(s.key, ())
    ]
    old_home, old_nav = navs[(ch, "old")]
    new_home, new_nav = navs[(ch, "new")]
    old_index = lists.index_page(
        title=f"{h.name}",
        nav=old_nav,
        blocks=[
            ("头条", [lists.story_item(s) for s in reversed(old[-6:])]),
            ("往期回顾", [i for i in alias_items if h.old in i.url]),
        ],
    )
    blocks = [
        ("焦点", [lists.story_item(s) for s in reversed(new[-6:])]),
        ("往期回顾", [i for i in alias_items if h.old not in i.url]),
    ]
    out_pages = [
        {"url": old_home, "kind": "index", "expected": "non-article"},
        {"url": new_home, "kind": "index", "expected": "non-article"},
    ]
    robots_off: dict[str, tuple[str, ...]] = {}
    if ch == "gz":
        preview = plan.make_story(
            key="gz-preview",
            channel="gz",
            family="provincial_chtml",
            when=datetime(2025, 3, 1, 9, 0),
            seed=p.seed,
            index=0,
            column="gz-new-1",
        )
        preview = dataclasses.replace(preview, path="/preview" + preview.path)
        ctx = Context(
            channel_name=h.name, home=new_home, nav=tuple(new_nav), column=("要闻", new_home)
        )
        files[rel(preview.url)] = render_article(preview, ctx)[0].encode()
        blocks.append(("预览", [lists.story_item(preview)]))
        out_pages.append({"url": preview.url, "kind": "preview", "expected": "disallowed"})
        robots_off[h.new] = ("/preview/",)
    new_index = lists.index_page(
        title=f"{h.name}-新华网",
        nav=new_nav,
        blocks=blocks,
        datasources=[c for c in p.columns.values() if c.channel == ch and c.era == "new"],
    )
    files[rel(old_home)] = old_index.encode()
    files[rel(new_home) + "index.html"] = new_index.encode()
    hosts = {h.old, h.new, h.chtml, BIG5_GATEWAY} | {
        a.split("/", 1)[0] for s in mine for a in p.roles.aliases.get(s.key, ())
    }
    for host in sorted(hosts):
        files[f"{host}/robots.txt"] = lists.robots(robots_off.get(host, ())).encode()
        out_pages.append(
            {"url": f"http://{host}/robots.txt", "kind": "robots", "expected": "non-article"}
        )
    return out_pages


def _manifest(
    *,
    state: State,
    p: Plan,
    entries: list[dict[str, Any]],
    pages: list[dict[str, Any]],
    files: dict[str, bytes],
    content_types: dict[str, str],
) -> dict[str, Any]:
    originals = [e for e in entries if e["kind"] == "original"]
    terms = {t: [e["key"] for e in entries if t in e["search_terms"]] for t in tb.SEARCH_TERMS}
    seen: set[str] = set()
    unique_pages = []
    for page in pages:
        if page["url"] not in seen:
            seen.add(page["url"])
            unique_pages.append(page)
    return {
        "format": MANIFEST_FORMAT,
        "generator": state.to_dict(),
        "regenerate": (
            "python -m tools.sitegen newsarchive/sample_site --v2 newsarchive/sample_site_v2"
        ),
        "layout": "mirror tree: <host>/<path>; a URL's scheme is dropped",
        "start_pages": {
            ch: [
                f"https://{HOSTS[ch].new}/",
                f"http://{HOSTS[ch].old}/" + ("pc.htm" if ch == "gz" else "index.htm"),
            ]
            for ch in p.channels
        },
        "columns": [
            {
                "id": c.cid,
                "channel": c.channel,
                "name": c.name,
                "kind": "static" if c.era == "old" else "datasource",
                "url": c.url,
                "datasource": c.ds_url if c.era == "new" else None,
                "publish_url_style": c.publish_url if c.era == "new" else None,
            }
            for c in p.columns.values()
        ],
        "counts": {
            "distinct_articles": sum(1 for e in originals if e["expected"] == "article"),
            "reprints": sum(1 for e in entries if e["kind"] == "reprint"),
            "duplicates": sum(1 for e in entries if e["kind"] == "duplicate"),
            "big5_copies": sum(1 for e in entries if e["big5_url"]),
            "files": len(files),
        },
        "edited_later": p.roles.edited,
        "search_terms": terms,
        "content_types": dict(sorted(content_types.items())),
        "articles": entries,
        "pages": unique_pages,
        "files": sorted(files),
    }
