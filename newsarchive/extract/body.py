"""The article body: blocks, subheadings, captions, credits lines and related links.

The body container (found by a template table or the text-density fallback in the lxml tree
of the whole page) is pruned of widgets in lxml (:func:`~.container.prune`), then
BeautifulSoup, over the lxml parser, builds the tree of that container alone
(:func:`~.container.soup_of`) and the walker splits
the soup into *blocks*: each block-level element without block-level children, or a run of
inline content between block elements, split again at ``<br>``. Comments and hidden elements
contribute nothing but the text after them; the walk is iterative (a page nested thousands
deep is walked whole). (Building a BeautifulSoup tree of the whole page would cost about 12
times its lxml parse; the container alone costs about one parse.)

A block remembers whether all its text is bold, whether it is centred, whether it is set in
楷体 (Xinhua's caption face) and which images it holds. Classification then decides, in this
order:

1. a ``相关新闻/相关阅读`` heading switches to *related mode*: later links are related links;
2. an image block adds images; text beside an image in the same block is its caption;
3. a caption: a block right after an image that is centred, in 楷体, starts with ``图为`` /
   ``圖為`` or ends with a photo credit (``新华网 卢志佳 摄``) → ``Image.caption``;
4. a credits-only line (``（记者 鲁毅）``, ``[责任编辑: 曾鹏]``, ``新华社发（刘满仓摄）``,
   ``新华网吉林频道 记者 王某``, a video page's ``制片：…`` / ``…出品`` block) → credits; a photo
   credit right after a caption (``…沉思。记者`` ⏎ ``周晓东 摄``) completes the caption;
5. a subheading: short (≤ 40 characters), no sentence-final punctuation, not a ``——`` list
   item, and either all bold or centred without images → starts a new section;
6. anything else with text is a paragraph.

A photo story whose only text is captions gets the captions as its body paragraphs too.

Inline bylines stay in the paragraph text as printed; their names go to the credits, as does
a bare name in brackets closing the last paragraph (``…投入运营。（张某某）``, role 作者).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from bs4 import Tag
from bs4.element import NavigableString, PreformattedString

from newsarchive.extract import credits as credit_grammar
from newsarchive.extract import dates
from newsarchive.extract.container import BLOCK_TAGS, RAW_URL, soup_of
from newsarchive.extract.dom import HtmlElement, absolute, clean
from newsarchive.records import Credit, Image, Link, Section

__all__ = ["Body", "body_text", "split_body"]

_BOLD_TAGS = frozenset({"strong", "b"})
#: ``font-weight: bold``/``bolder`` or a numeric weight of 600 and up.
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)\b", re.I)
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CENTER_RE = re.compile(r"text-align\s*:\s*center", re.I)
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CAPTION_CLASS_RE = re.compile(r"caption|pic-?desc|img-?desc|pictext|photo-?desc", re.I)
_KAITI_RE = re.compile(r"楷体|楷體|kaiti", re.I)
_SENTENCE_END = tuple("。！？；：，,;:!?…")
_CAPTION_START_RE = re.compile(
    r"^(?:图为|圖為|图片|圖片|上图|下图|左图|右图|图[：:]|圖[：:]|图\d|圖\d)"
)
_PHOTO_END_RE = re.compile(r"(?:摄|攝|摄影|攝影|供图|供圖)[)）]?[。.]?$")
_RELATED_RE = re.compile(
    r"^[【\[]?(?:相关新闻|相關新聞|相关阅读|相關閱讀|相关链接|相關鏈接|相关报道|相關報道|延伸阅读|延伸閱讀)"
    r"[】\]]?[:：]?$"
)
_WIDGET_RE = re.compile(
    r"^(?:【纠错】|【糾錯】|纠错|糾錯|分享到[:：]?.*|打印|关闭窗口|關閉窗口|字体[:：]?.*|字體[:：]?.*|"
    r"上一页|下一页|上一頁|下一頁|首页|尾页|\d{1,3}|(?:\[\d{1,3}\]\s*)+|返回顶部|返回頂部|\+1|"
    r"图集|圖集|阅读下一篇[:：]?.*|閱讀下一篇[:：]?.*|[上下]一篇[:：].*|[上下]一篇|"
    r"点击进入专题.*|[(（]?完[)）]?|【打印】|【关闭】|【關閉】)$"
)
#: A line of bracketed widget buttons: 【打印本页】【关闭窗口】, 【字体：大 中 小】, 【我要纠错】.
_WIDGET_BUTTONS_RE = re.compile(
    r"^(?:[【\[][^】\]]{0,10}(?:打印|关闭|關閉|字体|字體|纠错|糾錯|收藏|返回|顶部|頂部|推荐|推薦|"
    r"分享|大|中|小)[^】\]]{0,10}[】\]]\s*)+$"
)
#: Widget words that share a line with real content (``【纠错】 【责任编辑:…】``).
_INLINE_WIDGET_RE = re.compile(r"【(?:纠错|糾錯|打印|关闭|關閉)】|\[(?:纠错|糾錯|打印|关闭)\]")
_SKIP_IMG_RE = re.compile(
    r"(?:space\.gif|spacer|blank\.gif|/syicon/|^data:|ewm|qrcode|logo|xinhuabreak)", re.I
)


#: What an item of the walker's stack asks for (:meth:`_Walker.run`).
_VISIT, _END_BLOCK, _RESTORE = 0, 1, 2


@dataclass(slots=True)
class _Block:
    text: str = ""
    images: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    bold_chars: int = 0
    centred: bool = False
    kaiti: bool = False
    heading_tag: bool = False
    caption_tag: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """What the body container yielded."""

    sections: tuple[Section, ...]
    images: tuple[Image, ...]
    related: tuple[Link, ...]
    credits: tuple[Credit, ...]
    """Credits from credits-only lines, bylines in paragraphs and photo credits."""


class _Walker:
    """Collects blocks from a BeautifulSoup tree, depth first, in document order."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[_Block] = []
        self.current = _Block()
        self.parts: list[str] = []
        self.raw_urls: list[str] = []
        """Values of ``src``/``href`` attributes the soup could not carry
        (:func:`~.container.soup_of`)."""

    def url(self, attrs: dict[str, Any], name: str) -> str:
        """``attrs[name]`` (``src`` or ``href``) as the page wrote it."""
        marker = _attr(attrs, RAW_URL)
        if marker:
            return self.raw_urls[int(marker)]
        return _attr(attrs, name)

    def flush(self) -> None:
        parts = self.parts
        text = clean("".join(parts)) if parts else ""
        block = self.current
        if text or block.images:
            block.text = text
            self.blocks.append(block)
            self.current = _Block(centred=block.centred, kaiti=block.kaiti)
        else:  # nothing to keep (whitespace between blocks): start afresh in the same object
            block.bold_chars = 0
            block.heading_tag = block.caption_tag = False
            if block.links:
                block.links = []
        if parts:
            self.parts = []

    def text(self, value: str, *, bold: bool) -> None:
        if value:
            self.parts.append(value)
            if bold:
                self.current.bold_chars += len(clean(value))

    def run(self, root: Tag) -> None:
        """Walk ``root``'s contents depth first, in document order: strings are text,
        comments (and other non-text nodes) contribute nothing, elements are walked.

        Iterative (an explicit stack, not recursion): a page may nest elements thousands
        deep, and it is parsed whole (``huge_tree``), so it is walked whole too."""
        # Items: (_VISIT, node, bold, centred, kaiti, top) with the state of the node's
        # parent; (_END_BLOCK, …) after a block's contents; (_RESTORE, None, _, centred,
        # kaiti, _) after a block child of a non-root element: its parent's state again.
        stack: list[tuple[int, Any, bool, bool, bool, bool]] = [
            (_VISIT, child, False, False, False, True) for child in reversed(root.contents)
        ]
        while stack:
            action, node, bold, centred, kaiti, top = stack.pop()
            if action == _END_BLOCK:
                self.flush()
                self.current.centred = False
                self.current.kaiti = False
                continue
            if action == _RESTORE:
                self.current.centred = centred
                self.current.kaiti = kaiti
                continue
            kind = type(node)
            if kind is NavigableString:
                self.text(cast(str, node), bold=bold)
            elif kind is Tag:
                element = cast(Tag, node)
                if not top and element.name in BLOCK_TAGS:
                    stack.append((_RESTORE, None, False, centred, kaiti, False))
                self.enter(element, stack, bold=bold, centred=centred, kaiti=kaiti)
            elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
                self.text(node, bold=bold)

    def enter(
        self,
        el: Tag,
        stack: list[tuple[int, Any, bool, bool, bool, bool]],
        *,
        bold: bool,
        centred: bool,
        kaiti: bool,
    ) -> None:
        """Open ``el``: its own style, block boundary and image or link; its contents (and
        the block's end) go on ``stack``."""
        tag = el.name
        attrs = el.attrs
        style = align = face = ""
        if attrs:
            style = _attr(attrs, "style")
            if style and _HIDDEN_RE.search(style):  # hidden: only the text after it counts
                return
            align = _attr(attrs, "align")
            face = _attr(attrs, "face")
        centred = (
            centred
            or tag == "center"
            or bool(style and _CENTER_RE.search(style))
            or align.lower() == "center"
        )
        kaiti = kaiti or bool((face or style) and _KAITI_RE.search(face + style))
        bold = bold or tag in _BOLD_TAGS or bool(style and _BOLD_STYLE_RE.search(style))
        if tag == "img":
            self.image(attrs)
            return
        block = tag in BLOCK_TAGS
        if block or tag == "br":
            self.flush()
            current = self.current
            current.centred = centred
            current.kaiti = kaiti
            current.heading_tag = tag in _HEADING_TAGS
            cls = _attr(attrs, "class") if attrs else ""
            current.caption_tag = tag == "figcaption" or bool(cls and _CAPTION_CLASS_RE.search(cls))
            if tag == "br":
                return
        else:
            self.current.kaiti = self.current.kaiti or kaiti
        if tag == "a":
            self.link(el)
        if block:
            stack.append((_END_BLOCK, None, False, False, False, False))
        stack.extend(
            (_VISIT, child, bold, centred, kaiti, False) for child in reversed(el.contents)
        )

    def image(self, attrs: dict[str, Any]) -> None:
        src = (_attr(attrs, "data-src") or _attr(attrs, "oldsrc") or self.url(attrs, "src")).strip()
        if src and not _SKIP_IMG_RE.search(src):
            self.current.images.append(absolute(self.base_url, src))

    def link(self, el: Tag) -> None:
        href = self.url(el.attrs, "href").strip()
        if href and not href.lower().startswith(("javascript:", "#", "mailto:")):
            title = clean(_string_value(el))
            if title:
                self.current.links.append((title, absolute(self.base_url, href)))


def _attr(attrs: dict[str, Any], name: str) -> str:
    """An attribute's value as one string (``""`` when absent)."""
    value = attrs.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _string_value(el: Tag) -> str:
    """All text under ``el``, hidden elements included, comments excluded (the XPath string
    value, which lxml's ``text_content`` gave)."""
    return "".join(
        s
        for s in el.descendants
        if isinstance(s, NavigableString) and not isinstance(s, PreformattedString)
    )


def _blocks(container: HtmlElement, base_url: str) -> list[_Block]:
    walker = _Walker(base_url)
    root, walker.raw_urls = soup_of(container)
    if root is not None:
        walker.run(root)
    walker.flush()
    return walker.blocks


def _is_bold_only(block: _Block) -> bool:
    plain = block.text.replace(" ", "")
    return bool(plain) and block.bold_chars >= len(plain)


def _is_heading(block: _Block) -> bool:
    text = block.text
    if not text or block.images or len(text) > 40 or text.endswith(_SENTENCE_END):
        return False
    if text.startswith(("——", "--", "－－")) or _CAPTION_START_RE.match(text):
        return False
    if block.heading_tag or _is_bold_only(block):
        return True
    return block.centred and not block.kaiti and len(text) <= 30


def _is_caption(block: _Block, after_image: bool) -> bool:
    text = block.text
    if not text or block.images:
        return False
    if block.caption_tag or (block.kaiti and (after_image or block.centred)):
        return True
    if not after_image:
        return False
    return (
        block.centred
        or bool(_CAPTION_START_RE.match(text))
        or (bool(_PHOTO_END_RE.search(text)) and len(text) <= 300)
    )


@dataclass(slots=True)
class _Splitter:
    sections: list[Section] = field(default_factory=list)
    heading: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    related_mode: bool = False
    after_image: bool = False
    caption_open: bool = False
    """The last block was an image's caption: a photo credit line right after it (split
    off by a ``<br>`` or its own ``<p>``: ``…沉思。记者`` / ``周晓东 摄``) completes it."""

    def caption(self, text: str) -> None:
        self.images[-1] = Image(src=self.images[-1].src, caption=text)
        self.credits.extend(credit_grammar.photo_credits(text))
        self.after_image = False
        self.caption_open = True

    def completes_caption(self, text: str) -> bool:
        """Append ``text`` to the last caption when it is the caption's photo credit: a short
        line that, joined to the caption, credits a photographer the caption alone does not
        (``…沉思。记者`` + ``周晓东 摄``, a caption + ``新华社记者 张三 摄``)."""
        caption = self.images[-1].caption if self.images else None
        if not self.caption_open or caption is None or len(text) > 30:
            return False
        joined = f"{caption} {text}"
        if len(credit_grammar.photo_credits(joined)) <= len(credit_grammar.photo_credits(caption)):
            return False
        self.caption(joined)
        return True

    def close_section(self) -> None:
        if self.paragraphs or self.heading is not None:
            self.sections.append(Section(heading=self.heading, paragraphs=tuple(self.paragraphs)))

    def add(self, block: _Block) -> None:
        text = block.text
        if "【" in text or "[" in text:
            text = block.text = clean(_INLINE_WIDGET_RE.sub(" ", text))
        if self.caption_open and text and not block.images and self.completes_caption(text):
            return
        self.caption_open = False
        if self.related_mode:
            self.related.extend(Link(title=t, url=u) for t, u in block.links)
            return
        if block.images:
            self.images.extend(Image(src=src, caption=None) for src in block.images)
            if text and (block.centred or block.kaiti or len(text) <= 120):
                self.caption(text)
                return
            self.after_image = not text
            if not text:
                return
        if not text or _WIDGET_RE.match(text) or _WIDGET_BUTTONS_RE.match(text):
            return
        if _RELATED_RE.match(text):
            self.related_mode = True
        elif (
            self.images and self.images[-1].caption is None and _is_caption(block, self.after_image)
        ):
            self.caption(text)
        elif credit_grammar.is_credit_only(text) and dates.parse_dateline(text) is None:
            # (A dateline line, ``新华社巴黎12月9日电（记者唐霁）``, stays a paragraph: the
            # dateline is read from the first paragraph and the reader sees it in the body.)
            self.credits.extend(credit_grammar.line_credits(text))
        elif _is_heading(block) and dates.parse_dateline(text) is None:
            # (A dateline alone in a bold or centred line, ``新华社拉萨3月2日电``, opens the
            # story: a paragraph, where the dateline is read from.)
            self.close_section()
            self.heading, self.paragraphs = text, []
        else:
            self.paragraphs.append(text)
            self.credits.extend(credit_grammar.byline_credits(text))
        self.after_image = False


def split_body(container: HtmlElement, base_url: str) -> Body:
    """Split a cleaned body container into sections, images, related links and credits."""
    splitter = _Splitter()
    for block in _blocks(container, base_url):
        splitter.add(block)
    splitter.close_section()
    if splitter.sections and splitter.sections[-1].paragraphs:
        # ``…正式投入运营。（张某某）``: a bare name closing the article is its author.
        splitter.credits.extend(
            credit_grammar.closing_credits(splitter.sections[-1].paragraphs[-1])
        )
    if not splitter.sections and any(i.caption for i in splitter.images):
        # A photo story: the captions are the only text, so they are the body too.
        captions = tuple(i.caption for i in splitter.images if i.caption)
        splitter.sections.append(Section(heading=None, paragraphs=captions))
    return Body(
        sections=tuple(splitter.sections),
        images=tuple(splitter.images),
        related=tuple(splitter.related),
        credits=tuple(splitter.credits),
    )


def body_text(sections: tuple[Section, ...]) -> str:
    """Sections as plain text: heading and paragraphs one per line, blank line between."""
    chunks: list[str] = []
    for section in sections:
        lines = ([section.heading] if section.heading else []) + list(section.paragraphs)
        if lines:
            chunks.append("\n".join(lines))
    return "\n\n".join(chunks)
