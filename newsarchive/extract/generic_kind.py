"""Not-an-article verdicts of the generic fallback: error pages, list pages, empty pages.

An error page is one whose title, or whose own short text (links left out: every portal's
top bar prints ``登录 注册``), says so; a status code counts only as a number of its own
(``403``, never the ``0403`` of a date like ``20180403``). A list page is one whose densest
block is a list of article links, or one with no sentence of text at all and many title
links. A short real article (a notice of two sentences) is neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsarchive.extract.dom import HtmlElement, absolute, clean, text_of
from newsarchive.extract.multipage import url_info
from newsarchive.records import NotArticleKind

__all__ = ["Candidate", "article_links", "page_kind", "title_links"]

_ERROR_RE = re.compile(
    r"(?<!\d)404(?!\d)|not\s*found|页面不存在|頁面不存在|页面没有找到|頁面沒有找到|找不到(?:该|該)?页面|"
    r"您(?:所)?访问的页面|您(?:所)?訪問的頁面|页面已删除|已被删除|无法访问|無法訪問|出错了|出錯了|"
    r"服务器错误|系统繁忙|系統繁忙|access\s*denied|forbidden|(?<!\d)403(?!\d)|500\s*internal|"
    r"验证码|驗證碼|人机验证|安全验证|安全驗證|请登录|請登錄|用户登录|用戶登錄|"
    r"访问过于频繁|訪問過於頻繁|too\s*many\s*requests",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """The chosen body node and its numbers."""

    element: HtmlElement
    score: float
    text_chars: int
    link_density: float
    """Share of the node's text inside links, before link-heavy sub-blocks were pruned."""
    article_links: int
    """Title links to other articles inside the node, before pruning (:func:`title_links`)."""


def _is_article_list(candidate: Candidate) -> bool:
    """A block of article links with a little text each (titles, summaries, dates): many
    links carrying a fair share of the text, or under 200 characters of text per link. An
    article's body links other articles rarely, and with far more text around each link."""
    links = candidate.article_links
    return (links >= 5 and candidate.link_density >= 0.2) or (
        links >= 2 and candidate.text_chars < 200 * links
    )


def page_kind(
    root: HtmlElement,
    article_links: tuple[str, ...],
    body_chars: int,
    paragraphs: int,
    candidate: Candidate | None = None,
    *,
    index_url: bool = False,
    base_url: str = "",
) -> tuple[NotArticleKind, str, tuple[str, ...]] | None:
    """``(kind, reason, links)`` when the page is not an article, else ``None``.

    ``root`` is the page after :func:`best_body` removed its noise; ``article_links`` the
    article-shaped links of the whole page (:func:`article_links`, taken before pruning);
    ``index_url``: the page is on a Xinhua host at a URL that is not an article URL (a
    column, its ``_2`` page, an index).
    """
    title = clean(root.findtext(".//title") or "")
    body = root.find("body")
    if _ERROR_RE.search(title) and body_chars < 400:
        return "error", f"error page: title {title!r}", ()
    # An error message is the page's own text, not a link in its top bar (``登录 注册``).
    visible = text_of(body, skip=body.iter("a")) if body is not None else ""
    if body_chars < 200 and len(visible) < 600 and (match := _ERROR_RE.search(visible)):
        return "error", f"error page: prints {match.group(0)!r}", ()
    reason = _list_reason(article_links, body_chars, paragraphs, candidate, index_url)
    if reason is None and (candidate is None or body_chars < 100):
        reason = _title_list_reason(body, base_url)
    if reason is not None:
        return "list", reason, article_links
    if body_chars == 0:
        return "empty", "no article text on the page", ()
    return None


def _list_reason(
    article_links: tuple[str, ...],
    body_chars: int,
    paragraphs: int,
    candidate: Candidate | None,
    index_url: bool,
) -> str | None:
    if candidate is not None and _is_article_list(candidate):
        # The densest block is itself a list of articles (titles, summaries, dates).
        return (
            f"list page: the main block links {candidate.article_links} articles "
            f"(link text {candidate.link_density:.0%})"
        )
    if candidate is not None and index_url and candidate.article_links >= 1:
        return f"list page: a Xinhua column URL whose main block links {candidate.article_links}"
    if (body_chars < 200 or paragraphs < 2) and len(article_links) >= 8:
        return f"list page: {len(article_links)} article links, {body_chars} characters of text"
    if body_chars < 200 and len(article_links) >= 15:
        return f"list page: {len(article_links)} article links"
    return None


def title_links(element: HtmlElement, base_url: str) -> int:
    """Distinct links under ``element`` to *other* articles whose text reads like a title
    (six characters or more): a page's own pagination (``c_<id>_2.htm``, ``2``, ``下一页``)
    does not count."""
    own = url_info(base_url).article_id
    found: set[str] = set()
    for a in element.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        target = absolute(base_url, href)
        info = url_info(target)
        if info.article_id is None or info.article_id == own:
            continue
        if len(clean(a.text_content())) >= 6:
            found.add(target)
    return len(found)


def article_links(root: HtmlElement, url: str) -> tuple[str, ...]:
    """Absolute URLs of every article-shaped link on the page, first occurrence order."""
    found: dict[str, None] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        target = absolute(url, href)
        if url_info(target).article_id is not None:
            found.setdefault(target, None)
    return tuple(found)


#: A link that reads like an article title to an article-shaped path (a number or a date in
#: it, or a page name ending .htm/.html/.shtml/.asp/.php…).
_ARTICLE_PATH_RE = re.compile(r"\d{3,}|\.(?:s?html?|aspx?|php|jsp)$", re.I)
_SENTENCE_END_RE = re.compile(r"[。！？!?…][”」』\"]?")


def _title_list_reason(body: HtmlElement | None, base_url: str) -> str | None:
    """A page with no sentence left outside its links and eight or more title links to
    article-shaped paths on any site: a column or search page of an unknown CMS."""
    if body is None:
        return None
    text = text_of(body, skip=body.iter("a"))
    if _SENTENCE_END_RE.search(text):
        return None
    found: set[str] = set()
    for a in body.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        target = absolute(base_url, href) if base_url else href
        if len(clean(a.text_content())) >= 6 and _ARTICLE_PATH_RE.search(urlsplit(target).path):
            found.add(target)
    if len(found) >= 8:
        return f"list page: {len(found)} title links and no sentence of text"
    return None
