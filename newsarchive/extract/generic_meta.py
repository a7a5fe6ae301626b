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
    itemprop,
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
_ROLE_WORD_RE = re.compile(
    "|".join(map(re.escape, sorted({*ROLES, "原作者"}, key=len, reverse=True)))
)
_CLOSING_NAME_RE = re.compile(r"[。！？”][（(]([\u4e00-\u9fff]{2,4})[）)]$")
#: Common Chinese surnames: a bracketed closing word is a name only when it opens with one
#: (``（完）``, ``（图文）``, ``（待续）`` are not people).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳"
    "甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_NOT_A_NAME_RE = re.compile(r"[图圖摄攝完续續稿讯訊供编編译譯]")
#: A date (and time) and then one outlet-shaped word on the line under the headline.
_DATED_OUTLET_RE = re.compile(
    r"^(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?)?\s+([\u4e00-\u9fff]{2,15})$"
)


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
    near = under_headline(z, anchor)
    published = pre.published
    printed = printed_time(z, near)
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
    if (closing := _closing_name(z)) is not None:
        found.append(closing)
    return Header(
        published=published,
        source=_source(z, anchor) or _dated_outlet(near) or pre.source,
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
        if len(line) > 150 or not _ROLE_WORD_RE.search(line):
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
    for el in itemprop(root, "author"):
        names = itemprop(el, "name")
        return clean((names[0] if names else el).text_content()) or el.get("content")
    return None


# ----------------------------------------------------------------------------- source


def _clean_source(value: str) -> str | None:
    value = _SOURCE_STOP_RE.sub("", clean(value)).strip(" ：:|｜_-")
    return value or None


def _closing_name(z: Zones) -> Credit | None:
    """A bare name in brackets closing the text (``…正式投入运营。（张某某）``): the
    author's credit, when it reads as a name (a common surname, two to four characters)."""
    text = z.inside.rstrip()
    m = _CLOSING_NAME_RE.search(text[-24:])
    if m is None or m.group(1)[0] not in _SURNAMES or _NOT_A_NAME_RE.search(m.group(1)):
        return None
    if _person(m.group(1)) is None:
        return None
    return Credit(role="作者", name=m.group(1))


def _dated_outlet(near: str) -> str | None:
    """An outlet printed beside the date under the headline (``2018-04-03 10:22　新京报``)."""
    first = next((line for raw in near.split("\n") if (line := clean(raw))), "")
    m = _DATED_OUTLET_RE.match(first)
    if m is None or not _OUTLET_RE.search(m.group(1)):
        return None
    return m.group(1)


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
