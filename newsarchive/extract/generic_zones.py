"""The text of a page in document order, cut in three zones around the body element the
density pass chose: *before* it (the headline block, the info line), *inside* it, and
*after* it (the info line some CMSs print under the text). Block boundaries become line
breaks, inline boundaries spaces; a label alone in a table cell joins its value
(``<td>作者</td><td>张三</td>`` → ``作者：张三``); a ``<!-- 发布日期 -->`` comment becomes the
label it stands for. A body element wider than the text (it holds the headline and the info
line too) gives its leading and trailing short lines to *before* and *after*."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from newsarchive.extract.dom import HtmlElement, clean

__all__ = ["Zones", "lines", "zones"]

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "td", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
     "dl", "dd", "dt", "section", "article", "header", "footer", "center", "blockquote", "hr"}
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "textarea"})
_COMMENT_LABEL_RE = re.compile(r"发布日期|发布时间|發佈日期|發佈時間|pubdate|publishdate", re.I)
_CELL_LABEL_RE = re.compile(
    r"^(?:作者|编辑|編輯|责任编辑|責任編輯|记者|記者|来源|來源|发布时间|發佈時間|发布日期|發佈日期|"
    r"发布机构|發佈機構)\s*[:：]?$"
)
_SENTENCE_END = ("。", "！", "？", "”", "…")


@dataclass(slots=True)
class Zones:
    """The page's text in document order, cut around the body element."""

    before: str = ""
    inside: str = ""
    after: str = ""
    lines_before: list[str] = field(default_factory=list)
    lines_after: list[str] = field(default_factory=list)


def zones(root: HtmlElement, body: HtmlElement | None) -> Zones:
    """Cut the text of ``root`` around ``body`` (``None``: everything is *before*)."""
    parts: dict[str, list[str]] = {"before": [], "inside": [], "after": []}
    zone = "before"
    # An explicit stack, not recursion: real pages nest deeper than Python's stack allows.
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if isinstance(el.tag, str) and el.tag not in _SKIP_TAGS:
                parts[zone].append("\n" if el.tag in _BLOCK_TAGS else " ")
            if el is body:
                zone = "after"
            parts[zone].append(el.tail or "")
            continue
        if el is body:
            zone = "inside"
        stack.append((el, True))
        if isinstance(el, etree._Comment):
            if _COMMENT_LABEL_RE.search(el.text or ""):
                parts[zone].append(" 发布日期：")
        elif isinstance(el.tag, str) and el.tag not in _SKIP_TAGS:
            if el.tag in _BLOCK_TAGS:
                parts[zone].append("\n")
            parts[zone].append(el.text or "")
            stack.extend((child, False) for child in reversed(el))
    texts = {k: "".join(v) for k, v in parts.items()}
    inside = lines(texts["inside"])
    head = _info_lines(inside)
    tail = _info_lines(inside[len(head) :][::-1])[::-1]
    return Zones(
        before="\n".join([texts["before"], *head]),
        inside=texts["inside"],
        after="\n".join([*tail, texts["after"]]),
        lines_before=lines(texts["before"]) + head,
        lines_after=tail + lines(texts["after"]),
    )


def _info_lines(found: list[str]) -> list[str]:
    """The leading lines that are a header, not text: the headline and info lines a body
    element wider than the text holds (short, no sentence end)."""
    head: list[str] = []
    for line in found:
        if len(line) > 90 or line.endswith(_SENTENCE_END):
            break
        head.append(line)
    return head


def lines(text: str) -> list[str]:
    """Non-empty lines of a zone's text; a label alone in its cell joins the value in the
    next one."""
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
