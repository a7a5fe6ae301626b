"""Header fields of a page of no known template: publication time, credits, source.

The page is read as a stream of text in document order, split in three zones around the
body element the density pass chose (:func:`zones`): *before* it (the headline block, the
info line), *inside* it, and *after* it (the info line some CMSs print under the text).
Labels decide, never position alone:

* time: machine-readable sources first (:data:`META_TIMES`: ``article:published_time``,
  ``itemprop=datePublished`` on ``meta`` or ``time``, JSON-LD ``datePublished``, the
  ``enpproperty`` comment of founder CMSs), then a date after a publication label
  (:data:`_TIME_LABEL_RE`: ``发布时间：``, ``发布日期：``, ``时间：``, ``发表于``, a
  ``<!-- 发布日期 -->`` comment) before the body, then after it, then a short header line
  inside it. A date in the body's sentences is an event date and is never taken; nor is
  ``成文日期`` (the day a document was signed) or a header clock (``今天是…``).
* a time that carries its own offset keeps it (``2018-04-03T21:00:00-05:00`` stays on the 3rd);
  times without one are Beijing time (:mod:`.dates`).
* credits: ``meta name=author``, JSON-LD and microdata authors, then short labelled lines
  outside the body (``作者：``, ``编辑：``, ``记者 某某``, ``原作者:``), read by the credits
  grammar (:mod:`.credits`).
* source: the first ``来源：`` (``文章来源：``, ``本文来源：``, ``来自:``) outside the body,
  else an element classed as a source beside the headline, else ``meta`` source names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from newsarchive.extract import dates
from newsarchive.extract.credits import ROLES, credit_line, is_credit_only, line_credits
from newsarchive.extract.dom import HtmlElement, clean, meta_content
from newsarchive.records import Credit

__all__ = [
    "META_TIMES",
    "Header",
    "Machine",
    "Zones",
    "credits",
    "header",
    "machine",
    "meta_time",
    "printed_time",
    "source",
    "zones",
]

#: Machine-readable publication times, most specific first (``name``, ``property`` or
#: ``itemprop`` of a ``<meta>``; ``itemprop`` of a ``<time>`` as well).
META_TIMES: tuple[str, ...] = (
    "article:published_time",
    "datePublished",
    "og:release_date",
    "publishdate",
    "PubDate",
    "pubdate",
    "publish_date",
    "publishtime",
    "weibo:article:create_at",
    "dateUpdate",
)
#: ``<meta>`` names that carry the source outlet (TRS government CMS, portals).
META_SOURCES: tuple[str, ...] = ("ContentSource", "source", "mediaid")
#: Class or id words of an element printing the outlet beside the headline.
_SOURCE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:source|src|media|from|laiyuan|ly)(?:$|[\s_-])", re.I)

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "td", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
     "dl", "dd", "dt", "section", "article", "header", "footer", "center", "blockquote", "hr"}
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "textarea"})
_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*T?\s*\d{1,2}\s*[:：时時]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?)?"
)
#: A publication label: a publish word before 时间/日期, or a bare 时间/日期 that is not the
#: tail of another word (``成文日期``, ``会议时间``); ``发表于``/``发布于``.
_TIME_LABEL_RE = re.compile(
    r"(?:(?:发布|發佈|发表|發表|发稿|發稿|刊发|刊發|首发|首發|出版|上传|上傳|录入|錄入)"
    r"\s*(?:时间|時間|日期)|(?<![\u4e00-\u9fff])(?:时间|時間|日期))\s*[:：]?"
    r"|(?:发表|發表|发布|發佈)(?:于|於)|Posted\s+on|Published",
    re.I,
)
#: An update label: the publication time on some CMSs, a site clock on others; read only
#: when no publication label is printed.
_UPDATE_LABEL_RE = re.compile(r"(?:更新|修改)\s*(?:时间|時間|日期)\s*[:：]?")
#: How far after a label its date may start (cells and spaces in between).
_LABEL_REACH = 40
_COMMENT_LABEL_RE = re.compile(r"发布日期|发布时间|發佈日期|發佈時間|pubdate|publishdate", re.I)
_SOURCE_RE = re.compile(r"(?:来源|來源|稿源|来自|來自)\s*[:：]\s*([^\s|｜　:：]{2,30})")
_SOURCE_STOP_RE = re.compile(
    r"(?:作者|编辑|編輯|责任编辑|責任編輯|记者|記者|时间|時間|(?:发布|發佈)(?:时间|時間|日期|于|於)|"
    r"浏览|瀏覽|点击|點擊|"
    r"阅读|閱讀|字号|字號|分享|打印|\d{4}[-年/.]).*$"
)
_OUTLET_RE = re.compile(
    r"(?:报|報|网|網|台|社|中心|新闻|新聞|发布|發佈|办公室|辦公室|局|委|会|會|厅|廳)$"
)
_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,12}$")
_CELL_LABEL_RE = re.compile(
    r"^(?:作者|编辑|編輯|责任编辑|責任編輯|记者|記者|来源|來源|发布时间|發佈時間|发布日期|發佈日期|"
    r"发布机构|發佈機構)\s*[:：]?$"
)
_ROLE_WORDS = (*ROLES, "原作者")
_ISO_OFFSET_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$"
)
_ENP_RE = re.compile(r"<(date|author)>([^<]*)</\1>")


@dataclass(frozen=True, slots=True)
class Machine:
    """What the page states for machines (``<meta>``, JSON-LD, microdata, CMS comments):
    read before the density pass strips scripts and noise blocks."""

    published: tuple[str | None, str | None]
    authors: tuple[str, ...]
    source: str | None


@dataclass(frozen=True, slots=True)
class Header:
    """The header fields of a generic page."""

    published: tuple[str | None, str | None]
    """``(ISO 8601, as printed)``."""
    source: str | None
    credits: list[Credit]


def machine(root: HtmlElement) -> Machine:
    """The machine-readable fields of the untouched page."""
    authors: list[str] = []
    ld = _json_ld(root)
    for name in (meta_content(root, "author"), ld.get("author"), _itemprop_author(root),
                 _enp(root).get("author")):  # fmt: skip
        if (person := _person(name)) is not None and person not in authors:
            authors.append(person)
    meta_source = None
    for name in META_SOURCES:
        value = meta_content(root, name)
        if value and len(value) <= 30 and (meta_source := _clean_source(value)) is not None:
            break
    return Machine(published=meta_time(root), authors=tuple(authors), source=meta_source)


def header(
    pre: Machine, root: HtmlElement, body: HtmlElement | None, anchor: HtmlElement | None
) -> Header:
    """Header fields from the machine fields ``pre`` and the page's printed labels (``root``
    after the density pass, ``body`` the element it chose, ``anchor`` the headline element)."""
    z = zones(root, body)
    published = pre.published
    printed = printed_time(z, _under_headline(z, anchor))
    if (
        printed[0] is not None
        and (
            published[0] is None
            # the machine time gives only the day: the time printed on that day is better
            or (":" not in (published[1] or "") and printed[0][:10] == published[0][:10])
        )
    ):
        published = printed
    found = [Credit(role="作者", name=name) for name in pre.authors]
    found.extend(credits(z))
    return Header(
        published=published,
        source=source(z, anchor) or pre.source,
        credits=found,
    )


@dataclass(slots=True)
class Zones:
    """The page's text in document order, cut around the body element; block boundaries
    are newlines, inline boundaries spaces."""

    before: str = ""
    inside: str = ""
    after: str = ""
    lines_before: list[str] = field(default_factory=list)
    lines_after: list[str] = field(default_factory=list)


def zones(root: HtmlElement, body: HtmlElement | None) -> Zones:
    """Cut the text of ``root`` around ``body`` (``None``: everything is *before*)."""
    parts: dict[str, list[str]] = {"before": [], "inside": [], "after": []}
    state = ["before"]

    def walk(el: etree._Element) -> None:
        if el is body:
            state[0] = "inside"
        out = parts[state[0]]
        if isinstance(el, etree._Comment):
            if _COMMENT_LABEL_RE.search(el.text or ""):
                out.append(" 发布日期：")
        elif isinstance(el.tag, str) and el.tag not in _SKIP_TAGS:
            block = el.tag in _BLOCK_TAGS
            if block:
                out.append("\n")
            out.append(el.text or "")
            for child in el:
                walk(child)
            out.append("\n" if block else " ")
        if el is body:
            state[0] = "after"
        parts[state[0]].append(el.tail or "")

    walk(root)
    texts = {k: "".join(v) for k, v in parts.items()}
    inside = _lines(texts["inside"])
    head = _info_lines(inside)
    tail = _info_lines(inside[len(head) :][::-1])[::-1]
    return Zones(
        before="\n".join([texts["before"], *head]),
        inside=texts["inside"],
        after="\n".join([*tail, texts["after"]]),
        lines_before=_lines(texts["before"]) + head,
        lines_after=tail + _lines(texts["after"]),
    )


def _info_lines(lines: list[str]) -> list[str]:
    """The leading lines that are a header, not text: the headline and info lines a body
    element wider than the text holds (short, no sentence end)."""
    head: list[str] = []
    for line in lines:
        if len(line) > 90 or line.endswith(("。", "！", "？", "”", "…")):
            break
        head.append(line)
    return head


def _lines(text: str) -> list[str]:
    """Non-empty lines; a label alone in its cell joins the value in the next one
    (``<td>作者</td><td>张三</td>`` → ``作者：张三``)."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = clean(raw)
        if not line:
            continue
        if out and _CELL_LABEL_RE.match(out[-1]):
            out[-1] = f"{out[-1].rstrip(':：')}：{line}"
        else:
            out.append(line)
    return out


# ------------------------------------------------------------------------------- time


def _iso(raw: str) -> str | None:
    """ISO 8601 for a machine or printed time: an explicit offset is kept, anything else is
    Beijing time."""
    text = raw.strip()
    m = re.match(
        r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$", text
    )
    if m is not None:
        zone = m.group(3).replace("Z", "+00:00")
        if ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        try:
            return datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}").isoformat()
        except ValueError:
            return None
    return dates.parse_datetime(text)


def meta_time(root: HtmlElement) -> tuple[str | None, str | None]:
    """``(ISO, raw)`` of the page's machine-readable publication time."""
    for name in META_TIMES:
        raw = meta_content(root, name)
        if raw is None and name in ("datePublished", "dateUpdate"):
            raw = _itemprop_time(root, name)
        if raw is None and name == "datePublished":
            raw = _json_ld(root).get("datePublished")
        if raw and (iso := _iso(raw)) is not None:
            return iso, raw
    enp = _enp(root).get("date")
    if enp and (iso := _iso(enp.split(".")[0])) is not None:
        return iso, enp
    return None, None


def _itemprop_time(root: HtmlElement, name: str) -> str | None:
    for el in root.iter("time", "span", "div", "em"):
        if el.get("itemprop") == name:
            value = el.get("datetime") or el.get("content") or clean(el.text_content())
            if value:
                return value
    return None


def _json_ld(root: HtmlElement) -> dict[str, str]:
    """``datePublished``, ``author`` and ``publisher`` names of the first JSON-LD article."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        items = (
            data
            if isinstance(data, list)
            else data.get("@graph", [data])
            if isinstance(data, dict)
            else []
        )
        for item in items:
            if not isinstance(item, dict) or ("datePublished" not in item and "author" not in item):
                continue
            found: dict[str, str] = {}
            if isinstance(item.get("datePublished"), str):
                found["datePublished"] = item["datePublished"]
            for key in ("author", "publisher"):
                value = item.get(key)
                value = value[0] if isinstance(value, list) and value else value
                name = value.get("name") if isinstance(value, dict) else value
                if isinstance(name, str) and name.strip():
                    found[key] = name.strip()
            return found
    return {}


def _enp(root: HtmlElement) -> dict[str, str]:
    """Fields of the ``<!--enpproperty …-->`` comment of founder CMS pages (人民网, 光明网)."""
    for comment in root.iter(etree.Comment):
        text = comment.text or ""
        if "enpproperty" in text:
            return {
                m.group(1): clean(m.group(2)) for m in _ENP_RE.finditer(text) if clean(m.group(2))
            }
    return {}


def _labelled(text: str, labels: re.Pattern[str] = _TIME_LABEL_RE) -> tuple[str, str] | None:
    """The first date printed right after a publication label in ``text``."""
    for label in labels.finditer(text):
        window = text[label.end() : label.end() + _LABEL_REACH]
        m = _DATE_RE.search(window)
        if m is not None and (iso := dates.parse_datetime(m.group(0))) is not None:
            return iso, clean(m.group(0))
    return None


def _under_headline(z: Zones, anchor: HtmlElement | None, limit: int = 300) -> str:
    """The text printed between the headline and the body (the date/source line): never the
    body's own text, whose dates are events, nor a header clock above the headline."""
    if anchor is None:
        return ""
    headline = clean(anchor.text_content())
    at = z.before.rfind(headline) if headline else -1
    if at < 0:
        return ""
    return z.before[at + len(headline) : at + len(headline) + limit]


def printed_time(z: Zones, near: str) -> tuple[str | None, str | None]:
    """``(ISO, raw)`` of the publication time printed on the page: after a publication label
    before the body, else the first date under the headline (``near``), else after a label
    after the body, else after an update label, else in a short header line inside it."""
    found = _labelled(z.before)
    if found is None and (m := _DATE_RE.search(near)) is not None:
        iso = dates.parse_datetime(m.group(0))
        found = (iso, clean(m.group(0))) if iso else None
    found = found or _labelled(z.after)
    found = found or _labelled(z.before, _UPDATE_LABEL_RE) or _labelled(z.after, _UPDATE_LABEL_RE)
    if found is None:
        inside = _lines(z.inside)
        for line in inside[:3] + inside[-3:]:
            if len(line) <= 80 and not line.endswith("。") and (hit := _labelled(line)):
                found = hit
                break
    return found if found is not None else (None, None)


# ---------------------------------------------------------------------------- credits


def _person(name: str | None) -> str | None:
    """``name`` when it reads as one person's name (not an outlet, not a sentence)."""
    if not name:
        return None
    name = clean(name).replace(" ", "")
    if _NAME_RE.match(name) and not _OUTLET_RE.search(name):
        return name
    return None


def credits(z: Zones) -> list[Credit]:
    """Credits printed in short labelled lines outside the body."""
    found: list[Credit] = []
    for line in (*z.lines_before, *z.lines_after):
        if len(line) > 150 or not any(word in line for word in _ROLE_WORDS):
            continue
        found.extend(_line_credits(line))
    return found


def _line_credits(line: str) -> list[Credit]:
    line = line.replace("原作者", "作者")
    got = credit_line(line)
    if not got and is_credit_only(line):
        got = line_credits(line)
    if not got:  # an info line: "… 记者 张三 …" between other fields
        m = re.search(r"(?:记者|記者)\s*[:：]?\s*([\u4e00-\u9fff]{2,4})(?![\u4e00-\u9fff])", line)
        if m is not None and (person := _person(m.group(1))):
            got = [Credit(role="记者", name=person)]
    return [c for c in got if _person(c.name) is not None]


def _itemprop_author(root: HtmlElement) -> str | None:
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("itemprop") == "author":
            names = [n for n in el.iter() if isinstance(n.tag, str) and n.get("itemprop") == "name"]
            return clean((names[0] if names else el).text_content()) or el.get("content")
    return None


# ----------------------------------------------------------------------------- source


def _clean_source(value: str) -> str | None:
    value = _SOURCE_STOP_RE.sub("", clean(value)).strip(" ：:|｜_-")
    return value or None


def source(z: Zones, anchor: HtmlElement | None) -> str | None:
    """The outlet the page prints as its source."""
    for text in ("\n".join(z.lines_before), "\n".join(z.lines_after)):
        for m in _SOURCE_RE.finditer(text):
            if (found := _clean_source(m.group(1))) is not None:
                return found
    if anchor is not None and (classed := _classed_source(anchor)) is not None:
        return classed
    return None


def _classed_source(anchor: HtmlElement) -> str | None:
    """The text of an element classed ``source``/``src``/``media`` in the headline's block."""
    block = anchor.getparent()
    for _ in range(2):
        if block is None:
            return None
        for el in block.iter():
            if not isinstance(el.tag, str):
                continue
            marker = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''}"
            if not (_SOURCE_CLASS_RE.search(marker) or "publisher" in marker):
                continue
            text = clean(el.text_content())
            if 2 <= len(text) <= 30 and not re.search(r"\d", text):
                return _clean_source(text.removeprefix("来源").lstrip(":： "))
        block = block.getparent()
    return None
