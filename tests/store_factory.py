"""Small factories for archive tests: Article, Capture and PageItem records built by hand
(not by the extractor), with our own Chinese text."""

from __future__ import annotations

import dataclasses
from typing import Any

from newsarchive import textnorm, urls
from newsarchive.records import (
    Article,
    Capture,
    Credit,
    Dateline,
    Image,
    Link,
    NotAnArticle,
    PageItem,
    Section,
)

URL = "http://www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm"

LEAD = (
    "新华社贵阳11月27日电（记者张三、李四）记者从省农业农村厅获悉，今年以来，全省茶园面积稳定在七百万亩以上，"
    "春茶产量同比增长百分之六点二，茶叶出口额创历史新高。"
)
PARAGRAPHS = (
    "在湄潭县的一处茶园里，茶农正忙着修剪茶树、施加有机肥，为来年春茶打下基础。当地合作社负责人介绍，"
    "合作社今年新建了两条清洁化生产线，鲜叶收购价格比去年提高了一成。",
    "省农业农村厅有关负责人表示，下一步将继续推进茶园绿色防控，加快培育龙头企业，"
    "推动茶产业与旅游、文化深度融合，让更多农民在产业链上增收。",
)
SUB_PARAGRAPHS = (
    "数据显示，全省已建成标准化茶叶加工厂三百余家，带动近百万茶农就业。",
    "业内人士认为，品牌建设仍是贵州茶走向全国市场的关键一环。",
)


def body_of(sections: tuple[Section, ...]) -> str:
    blocks = []
    for s in sections:
        lines = ([s.heading] if s.heading else []) + list(s.paragraphs)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def make_article(url: str = URL, **overrides: Any) -> Article:
    """A complete, valid article at ``url``; keyword overrides replace fields. Passing
    ``sections`` without ``body_text`` recomputes the body."""
    sections = overrides.pop(
        "sections",
        (
            Section(heading=None, paragraphs=(LEAD, *PARAGRAPHS)),
            Section(heading="品牌建设提速", paragraphs=SUB_PARAGRAPHS),
        ),
    )
    info = urls.parse(url)
    fields: dict[str, Any] = {
        "url": url,
        "canonical_url": urls.canonical_url(url),
        "channel": info.channel,
        "xinhua_id": info.article_id,
        "headline": "贵州茶产业今年实现量价齐升",
        "subtitle": None,
        "published_at": "2023-11-27T10:46:00+08:00",
        "published_at_raw": "2023-11-27 10:46:00",
        "source": "新华网",
        "dateline": Dateline(
            agency="新华社", place="贵阳", date_text="11月27日", raw="新华社贵阳11月27日电"
        ),
        "reporters": ("张三", "李四"),
        "credits": (
            Credit(role="记者", name="张三"),
            Credit(role="记者", name="李四"),
            Credit(role="责任编辑", name="王五"),
        ),
        "editors": ("王五",),
        "sections": sections,
        "images": (
            Image(src="http://www.gz.xinhuanet.com/2023-11/27/1.jpg", caption="图为茶园。"),
        ),
        "related": (
            Link(title="贵州茶叶出口创新高", url="http://www.gz.xinhuanet.com/2023-11/20/c_1.htm"),
        ),
        "body_text": body_of(sections),
        "script": "zh-Hans",
        "template": "provincial_old",
        "pages": 1,
        "encoding": "utf-8",
        "keywords": ("茶产业", "贵州"),
    }
    fields.update(overrides)
    if "sections" in overrides and "body_text" not in overrides:
        fields["body_text"] = body_of(fields["sections"])
    return Article(**fields)


def traditional(article: Article, url: str) -> Article:
    """The big5 mirror copy of ``article``: every text field in traditional script."""
    t = textnorm.to_traditional
    sections = tuple(
        Section(
            heading=t(s.heading) if s.heading else None,
            paragraphs=tuple(t(p) for p in s.paragraphs),
        )
        for s in article.sections
    )
    return dataclasses.replace(
        article,
        url=url,
        headline=t(article.headline),
        source=t(article.source) if article.source else None,
        dateline=dataclasses.replace(article.dateline, raw=t(article.dateline.raw))
        if article.dateline
        else None,
        reporters=tuple(t(r) for r in article.reporters),
        credits=tuple(Credit(role=c.role, name=t(c.name)) for c in article.credits),
        editors=tuple(t(e) for e in article.editors),
        sections=sections,
        body_text=body_of(sections),
        images=tuple(
            Image(src=urls.big5_url(i.src), caption=t(i.caption) if i.caption else None)
            for i in article.images
        ),
        related=tuple(Link(title=t(r.title), url=urls.big5_url(r.url)) for r in article.related),
        keywords=tuple(t(k) for k in article.keywords),
        script="zh-Hant",
        encoding="big5",
    )


def make_capture(
    url: str,
    *,
    body: bytes | None = None,
    status: int = 200,
    fetched_at: str = "2026-11-25T01:00:00+00:00",
    final_url: str | None = None,
    redirect_urls: tuple[str, ...] = (),
) -> Capture:
    return Capture(
        url=url,
        final_url=final_url or url,
        status=status,
        headers=(("content-type", "text/html; charset=utf-8"), ("server", "nginx")),
        body=body if body is not None else f"<html><body>{url}</body></html>".encode(),
        fetched_at=fetched_at,
        encoding="utf-8",
        redirect_urls=redirect_urls,
    )


def article_item(article: Article, *, fetched_at: str = "2026-11-25T01:00:00+00:00") -> PageItem:
    """A PageItem for ``article`` whose capture body depends on the article's content."""
    body = ("<html><h1>" + article.headline + "</h1>" + article.body_text + "</html>").encode()
    return PageItem(
        captures=(make_capture(article.url, body=body, fetched_at=fetched_at),),
        result=article,
    )


def error_item(
    url: str,
    error: str,
    *,
    status: int = 404,
    fetched_at: str = "2026-11-26T01:00:00+00:00",
    final_url: str | None = None,
) -> PageItem:
    return PageItem(
        captures=(
            make_capture(
                url,
                body=b"<html>not found</html>",
                status=status,
                fetched_at=fetched_at,
                final_url=final_url,
            ),
        ),
        result=None,
        error=error,
    )


def list_item(url: str, fetched_at: str = "2026-11-25T01:00:00+00:00") -> PageItem:
    return PageItem(
        captures=(make_capture(url, fetched_at=fetched_at),),
        result=NotAnArticle(url=url, kind="list", reason="a list of links", links=(URL,)),
    )
