"""The generic fallback: find an article on a page of no known template.

Body: a text-density method in the spirit of GNE (Wang et al., "text density + symbol
density") and CETD, computed over the whole DOM in one bottom-up pass:

* for every element: ``T`` characters of text (whitespace excluded), ``LT`` characters inside
  links, ``TG`` descendant tags, ``LTG`` descendant links, ``S`` Chinese/Latin punctuation
  marks, ``P`` paragraph marks (``<p>`` and ``<br>``);
* text density ``TD = (T − LT) / (TG − LTG + 1)``: body text is long runs with few tags,
  navigation is many short links;
* score ``TD × ln(1 + S) × log10(P + 2) × (1 − LT/T)²``: real sentences carry punctuation
  (menus and link lists do not), articles have paragraphs, and link-heavy nodes lose.

Every element can be a candidate (``div``, ``td``, ``article``, ``section``, ``span``,
``font``…), not only ``<p>`` parents, so old table layouts with ``<br>``-separated text score
as well as modern ``<p>`` markup. The best node is then cleaned of link-heavy sub-blocks and
split like any template body (:mod:`.body`).

The body element may wrap the headline block and the info lines too: they are trimmed from
its top and end (:func:`without_header_lines`).

Headline: an ``<h1>``/``<h2>`` whose text is part of ``<title>``, else ``og:title`` (or the
TRS ``ArticleTitle``), else ``<title>`` minus its site suffix (``-新华网…``) or the longest
part of it the page prints. Time, credits and source: :mod:`.generic_meta`. Not-an-article
verdicts (list pages, error pages): :mod:`.generic_kind`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from newsarchive.extract.body import Body
from newsarchive.extract.credits import is_credit_only
from newsarchive.extract.dom import HtmlElement, absolute, clean, drop_tree, meta_content, text_of
from newsarchive.extract.fields import strip_site_suffix, title_headline
from newsarchive.extract.generic_kind import Candidate, article_links, page_kind, title_links
from newsarchive.records import Link, Section

__all__ = [
    "Candidate",
    "article_links",
    "best_body",
    "generic_headline",
    "page_kind",
    "related_block_links",
    "without_header_lines",
]

_WS_RE = re.compile(r"[\s\u3000\xa0]+")
_PUNCT = frozenset("，。！？；：、“”‘’（）《》「」『』…—,.;:!?\"'()")
_CANDIDATE_TAGS = frozenset(
    {"div", "td", "article", "section", "main", "span", "font", "body", "center", "blockquote"}
)
_NOISE_TAGS = (
    "script", "style", "noscript", "iframe", "form", "nav", "footer", "aside", "select",
    "button", "input", "textarea", "object", "embed", "svg", "canvas", "template", "audio",
    "video", "head",
)  # fmt: skip
_NOISE_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|copyright|share|comment|comments|sidebar|"
    r"breadcrumb|crumbs|advert|ads?|banner|login|toolbar|hot|rank|recommend|tags?)(?:$|[\s_-])",
    re.I,
)
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(slots=True)
class _Stats:
    text: int = 0
    link_text: int = 0
    tags: int = 0
    link_tags: int = 0
    punct: int = 0
    paras: int = 0


def _strip_noise(root: HtmlElement) -> None:
    doomed: list[HtmlElement] = []
    for el in root.iter(*_NOISE_TAGS):
        doomed.append(el)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if _HIDDEN_RE.search(el.get("style") or ""):
            doomed.append(el)
            continue
        marker = f"{el.get('class') or ''} {el.get('id') or ''}"
        if el.tag not in ("body", "html") and _NOISE_CLASS_RE.search(marker):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            drop_tree(el)


def _own_text(el: HtmlElement) -> str:
    parts = [el.text or ""]
    parts.extend(child.tail or "" for child in el)
    return _WS_RE.sub("", "".join(parts))


def _stats(root: HtmlElement) -> dict[HtmlElement, _Stats]:
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    table: dict[HtmlElement, _Stats] = {}
    for el in reversed(elements):
        own = _own_text(el)
        st = _Stats(text=len(own), punct=sum(1 for c in own if c in _PUNCT))
        for child in el:
            cs = table.get(child)
            if cs is None:
                # A comment: its tail was counted in _own_text.
                continue
            st.text += cs.text
            st.link_text += cs.link_text
            st.tags += cs.tags + 1
            st.link_tags += cs.link_tags
            st.punct += cs.punct
            st.paras += cs.paras
        tag = el.tag
        if tag == "a":
            st.link_text = st.text
            st.link_tags += 1
        elif tag in ("p", "br"):
            st.paras += 1
        table[el] = st
    return table


def _score(st: _Stats) -> float:
    if st.text == 0:
        return 0.0
    nonlink = st.text - st.link_text
    density = nonlink / (st.tags - st.link_tags + 1)
    link_density = st.link_text / st.text
    return (
        density
        * math.log1p(st.punct)
        * math.log10(st.paras + 2)
        * (1.0 - link_density) ** 2
        * math.log1p(nonlink)
    )


def best_body(root: HtmlElement, base_url: str) -> Candidate | None:
    """The element that holds the article text, or ``None`` when no node has any.

    Mutates ``root``: noise (scripts, navigation, hidden and footer blocks) is removed first.
    """
    body = root.find("body")
    scope = body if body is not None else root
    _strip_noise(scope)
    table = _stats(scope)
    best: tuple[float, HtmlElement] | None = None
    for el, st in table.items():
        if el.tag not in _CANDIDATE_TAGS:
            continue
        score = _score(st)
        if best is None or score > best[0]:
            # A dense little info line (``发布时间：2019-06-10``) is not the text, even when
            # the text is one short sentence.
            if st.text <= 120 and _is_info_only(text_of(el)):
                continue
            best = (score, el)
    if best is None or best[0] <= 0:
        return None
    score, element = best
    element = _widen(element, table)
    st = table[element]
    inner_article_links = title_links(element, base_url)
    _prune_link_blocks(element, table)
    return Candidate(
        element=element,
        score=score,
        text_chars=st.text - st.link_text,
        link_density=st.link_text / st.text if st.text else 1.0,
        article_links=inner_article_links,
    )


def _widen(element: HtmlElement, table: dict[HtmlElement, _Stats]) -> HtmlElement:
    """Climb to a parent that adds paragraphs of real text (a body split in two columns or
    an image wrapper around the text node) but little else."""
    st = table[element]
    parent = element.getparent()
    while parent is not None and parent.tag in _CANDIDATE_TAGS and parent.tag != "body":
        ps = table.get(parent)
        if ps is None:
            break
        extra_text = (ps.text - ps.link_text) - (st.text - st.link_text)
        extra_links = ps.link_text - st.link_text
        if extra_text <= 0 or extra_links > extra_text * 0.2:
            break
        extra_punct = ps.punct - st.punct
        if extra_text > 0.5 * (st.text - st.link_text) or extra_punct < extra_text / 40:
            break
        element, st = parent, ps
        parent = element.getparent()
    return element


def _prune_link_blocks(element: HtmlElement, table: dict[HtmlElement, _Stats]) -> None:
    doomed: list[HtmlElement] = []
    for el in element.iter("div", "ul", "ol", "table", "dl", "section"):
        if el is element:
            continue
        st = table.get(el)
        if st is None or st.text == 0:
            continue
        text = text_of(el)
        if st.link_text / st.text > 0.6 and not re.search(r"相关|相關|延伸", text[:20]):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            drop_tree(el)


_HEADER_LINE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|来源|來源|发布|發佈|浏览|瀏覽|点击|點擊"
)
#: A line that only states who wrote or edited the text, or where it comes from.
_INFO_LINE_RE = re.compile(
    r"(?:来源|來源|稿源|发布|發佈|浏览|瀏覽|点击|點擊|作者|编辑|編輯|责编|責編|记者|記者|审核|審核|"
    r"校对|校對|通讯员|通訊員)\s*[:：]"
)
#: Site furniture: copyright, licence and report-line boilerplate of page footers.
_BOILERPLATE_RE = re.compile(
    r"版权所有|版權所有|Copyright|©|ICP备|ICP證|ICP证|公网安备|公網安備|举报电话|舉報電話|"
    r"违法和不良信息|違法和不良信息",
    re.I,
)
#: The heading of a comments block (``网友评论``, ``热门评论（12）``).
_COMMENTS_HEADING_RE = re.compile(
    r"^(?:网友评论|網友評論|热门评论|熱門評論|最新评论|最新評論|全部评论|全部評論|发表评论|"
    r"發表評論|我要评论|我要評論|评论|評論|网友留言|網友留言|留言板?)\s*(?:[(（]?\d*[)）]?)$"
)
_SENTENCE_END = ("。", "！", "？", "”", "…", "」")


def _is_header_line(line: str) -> bool:
    return (
        len(line) <= 120
        and not line.endswith(_SENTENCE_END)
        and bool(_HEADER_LINE_RE.search(line) or _INFO_LINE_RE.search(line) or is_credit_only(line))
    )


def _is_info_only(text: str) -> bool:
    """A header line with no sentence in it (``发布时间：2019-06-10 来源：某某日报``)."""
    return _is_header_line(text) and not re.search(r"[。！？!?]", text)


def _is_footer_line(line: str) -> bool:
    if len(line) > 160 or line.endswith(_SENTENCE_END):
        return False
    return bool(_BOILERPLATE_RE.search(line) or _INFO_LINE_RE.search(line) or is_credit_only(line))


def without_header_lines(body: Body, headline: str | None) -> Body:
    """The body without the page's header and footer lines: a density winner that wraps the
    headline block as well as the text prints the headline (and a kicker above it, a
    subtitle and a byline under it) and the date/source line at its top, and the
    source/author/editor line at its end."""
    lines: list[tuple[bool, str]] = []  # (is a heading, text)
    for section in body.sections:
        if section.heading is not None:
            lines.append((True, section.heading))
        lines.extend((False, p) for p in section.paragraphs)
    start = 0
    wanted = clean(headline) if headline else ""
    for i, (_heading, text) in enumerate(lines[:4]):
        if wanted and clean(text) == wanted:
            start = i + 1  # the headline and a kicker above it
            if start < len(lines) and lines[start][0]:
                start += 1  # a subtitle heading right under the headline
            break
    # The date/source/byline lines under the headline, and a subtitle printed before them.
    for i in range(start, min(start + 3, len(lines))):
        if _is_header_line(lines[i][1]):
            start = i + 1
        elif len(lines[i][1]) > 40 or re.search(r"[。，！？；：,;:]", lines[i][1]):
            break  # a sentence: the text has begun
    while start < len(lines) and _is_header_line(lines[start][1]):
        start += 1
    end = next(
        (i for i in range(start, len(lines)) if _COMMENTS_HEADING_RE.match(lines[i][1])),
        len(lines),
    )  # the comments under the text, when their block's markup did not give them away
    while end > start and _is_footer_line(lines[end - 1][1]):
        end -= 1
    if start == 0 and end == len(lines):
        return body
    return dataclasses.replace(body, sections=_sections(lines[start:end]))


def _sections(lines: list[tuple[bool, str]]) -> tuple[Section, ...]:
    """Sections again from ``(is a heading, text)`` lines."""
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for is_heading, text in lines:
        if is_heading:
            if heading is not None or paragraphs:
                sections.append(Section(heading=heading, paragraphs=tuple(paragraphs)))
            heading, paragraphs = text, []
        else:
            paragraphs.append(text)
    if heading is not None or paragraphs:
        sections.append(Section(heading=heading, paragraphs=tuple(paragraphs)))
    return tuple(sections)


_TITLE_SPLIT_RE = re.compile(r"\s*(?:[-_|｜]{1,2}|——)\s*")


_RELATED_HEADING_RE = re.compile(
    r"^[【\[]?(?:相关|相關|延伸)(?:新闻|新聞|阅读|閱讀|文章|链接|鏈接|报道|報道)[】\]]?[:：]?$"
)


def related_block_links(root: HtmlElement, base_url: str) -> tuple[Link, ...]:
    """Links of a ``相关新闻/相关阅读/相关文章`` block: the links in the block around the first
    element printing such a heading (at most 20, else it is a link farm, not a block)."""
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        own = el.text
        if not own or not isinstance(el.tag, str) or ("相" not in own and "延" not in own):
            continue
        if not _RELATED_HEADING_RE.match(clean(own)):
            continue
        block = el.getparent()
        anchors = list(block.iter("a")) if block is not None else []
        if not anchors or len(anchors) > 20:
            continue
        links: dict[str, Link] = {}
        for a in anchors:
            href = (a.get("href") or "").strip()
            title = text_of(a)
            if href and title and not href.lower().startswith(("javascript:", "#")):
                url = absolute(base_url, href)
                links.setdefault(url, Link(title=title, url=url))
        return tuple(links.values())
    return ()


def generic_headline(root: HtmlElement) -> tuple[str | None, HtmlElement | None]:
    """The headline and the element printing it (``None`` when it came from meta/title)."""
    title = title_headline(root)
    full_title = clean(root.findtext(".//title") or "")
    for tag in ("h1", "h2"):
        for el in root.iter(tag):
            text = text_of(el)
            if 4 <= len(text) <= 120 and (
                not full_title or text in full_title or (title is not None and title in text)
            ):
                return text, el
    og = meta_content(root, "og:title", "twitter:title", "ArticleTitle", "headline")
    if og:
        headline = strip_site_suffix(og)
        return headline, _printed(root, headline)
    for el in root.iter("h1"):
        text = text_of(el)
        if 4 <= len(text) <= 120:
            return text, el
    # <title> minus its site suffix, or its first segment when the suffix is not a site name
    # ("标题_政务动态_某某县人民政府"): whichever the page prints in an element.
    first = _TITLE_SPLIT_RE.split(full_title, maxsplit=1)[0].strip()
    for candidate in (title, first):
        printed = _printed(root, candidate) if candidate and len(candidate) >= 4 else None
        if printed is not None:
            return candidate, printed
    inside = _longest_printed_part(root, full_title)
    if inside is not None:
        return clean(inside.text), inside
    return title, None


def _longest_printed_part(root: HtmlElement, full_title: str) -> HtmlElement | None:
    """The element printing the longest part of ``<title>`` (four characters or more, not
    the whole title): a title of the page's own order (``县政府 部门动态 标题``)."""
    if len(full_title) < 5:
        return None
    body = root.find("body")
    best: HtmlElement | None = None
    size = 3
    for el in (body if body is not None else root).iter():
        own = clean(el.text) if isinstance(el.tag, str) else ""
        if size < len(own) < len(full_title) and own in full_title:
            best, size = el, len(own)
    return best


def _printed(root: HtmlElement, text: str | None) -> HtmlElement | None:
    """The first element whose own text is exactly ``text`` (an old page's ``<b>`` headline,
    a ``<div>`` title of an unknown template)."""
    if not text:
        return None
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        own = el.text
        if own and text[0] in own and isinstance(el.tag, str) and clean(own) == text:
            return el
    return None
