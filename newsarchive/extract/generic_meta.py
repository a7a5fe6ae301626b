"""Header fields of a page of no known template: publication time (:mod:`.generic_time`),
credits and source, read from machine fields and from the printed labels around the body
element (:mod:`.generic_zones`). Labels decide, never position alone.

* credits: ``meta name=author``, JSON-LD and microdata authors, the ``enpproperty`` author,
  then short labelled lines outside the body (``作者：``, ``编辑：``, ``记者 某某``,
  ``原作者:``, label cells), read by the credits grammar (:mod:`.credits`); outlet names
  (``某某日报``) are not people.
* source: the first ``来源：`` (``文章来源：``, ``本文来源：``, ``来自:``) outside the body,
  else an element classed as a source beside the headline, else ``meta`` source names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsarchive.extract.credits import ROLES, credit_line, is_credit_only, line_credits
from newsarchive.extract.dom import HtmlElement, clean, meta_content
from newsarchive.extract.generic_time import (
    enp_fields,
    json_ld,
    meta_time,
    printed_time,
    under_headline,
)
from newsarchive.extract.generic_zones import Zones, zones
from newsarchive.records import Credit

__all__ = ["Header", "Machine", "header", "machine"]

#: ``<meta>`` names that carry the source outlet (TRS government CMS, portals).
META_SOURCES: tuple[str, ...] = ("ContentSource", "source", "mediaid")
#: Class or id words of an element printing the outlet beside the headline.
_SOURCE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:source|src|media|from|laiyuan|ly)(?:$|[\s_-])", re.I)

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
_ROLE_WORDS = (*ROLES, "原作者")


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
    ld = json_ld(root)
    for name in (meta_content(root, "author"), ld.get("author"), _itemprop_author(root),
                 enp_fields(root).get("author")):  # fmt: skip
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
    printed = printed_time(z, under_headline(z, anchor))
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
    found.extend(_credits(z))
    return Header(
        published=published,
        source=_source(z, anchor) or pre.source,
        credits=found,
    )


def _person(name: str | None) -> str | None:
    """``name`` when it reads as one person's name (not an outlet, not a sentence)."""
    if not name:
        return None
    name = clean(name).replace(" ", "")
    if _NAME_RE.match(name) and not _OUTLET_RE.search(name):
        return name
    return None


def _credits(z: Zones) -> list[Credit]:
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


def _source(z: Zones, anchor: HtmlElement | None) -> str | None:
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
