"""The extractor process (:mod:`newsarchive.extract.process`): the same records as extracting
in the crawl process, pages answered in any number and order, and nothing lost when the child
dies."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tomllib
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from newsarchive.crawling.pages import read_page, read_page_async
from newsarchive.extract import extract_article
from newsarchive.extract.decode import decode_page
from newsarchive.extract.process import ExtractorDied, ExtractorProcess, extract_bytes
from newsarchive.records import Article, NotAnArticle

GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "xinhua"
SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"


def _pages() -> list[tuple[bytes, str, str | None]]:
    """Golden pages (every template family, both scripts, GBK and Big5 bytes, a non-article),
    sample-site pages with a charset in the HTTP header, and the real pages beside us."""
    pages: list[tuple[bytes, str, str | None]] = []
    manifest = tomllib.loads((GOLDEN / "manifest.toml").read_text(encoding="utf-8"))
    for entry in manifest["page"]:
        pages.append(((GOLDEN / entry["file"]).read_bytes(), entry["url"], entry.get("hint")))
    for path in sorted(SITE.rglob("c_*.htm"))[:12]:
        url = "http://" + path.relative_to(SITE).as_posix()
        pages.append((path.read_bytes(), url, "utf-8"))
    for path in sorted(SHARED.glob("*.html")):
        pages.append((path.read_bytes(), "http://www.news.cn/2023-11/17/c_1129981476.htm", None))
    return pages


def _in_process(body: bytes, url: str, hint: str | None) -> Article | NotAnArticle:
    text, encoding = decode_page(body, hint)
    return extract_article(text, url, encoding=encoding)


def test_extract_bytes_is_what_the_crawl_process_computes() -> None:
    pages = _pages()
    assert len(pages) >= 28
    for body, url, hint in pages:
        assert extract_bytes(body, url, hint) == _in_process(body, url, hint), url


def test_the_child_answers_every_page_with_the_in_process_record() -> None:
    pages = _pages()

    async def run(extractor: ExtractorProcess) -> list[Article | NotAnArticle]:
        return list(await asyncio.gather(*(extractor.extract(*page) for page in pages)))

    extractor = ExtractorProcess(max_in_flight=8)  # fewer slots than pages: back-pressure
    extractor.start()
    try:
        got = asyncio.run(run(extractor))
    finally:
        extractor.close()
    assert got == [_in_process(*page) for page in pages]
    assert sum(isinstance(r, Article) for r in got) >= 20
    assert any(isinstance(r, NotAnArticle) for r in got)
    assert extractor.replies >= 1 and extractor.died is None


def _response(body: bytes, url: str) -> HtmlResponse:
    return HtmlResponse(
        url,
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request(url),
    )


def test_a_dead_child_leaves_the_pages_to_the_crawl_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A killed child: the page awaiting it and every later page are read in this process,
    with the records reading them here gives; the death is logged once, as an error."""
    path = next(iter(sorted(SITE.rglob("c_*.htm"))))
    url = "http://" + path.relative_to(SITE).as_posix()
    response = _response(path.read_bytes(), url)
    expected = read_page(response)
    assert isinstance(expected.result, Article)

    extractor = ExtractorProcess()
    extractor.start()
    assert extractor.pid is not None

    async def run() -> list[object]:
        first = await read_page_async(response, extractor=extractor)
        os.kill(extractor.pid or 0, signal.SIGKILL)
        while extractor.died is None:  # the receiver thread sees the pipe end
            await asyncio.sleep(0.01)
        second = await read_page_async(response, extractor=extractor)
        return [first.result, second.result]

    with caplog.at_level(logging.ERROR, logger="newsarchive.childproc"):
        try:
            results = asyncio.run(run())
        finally:
            extractor.close()
    assert results == [expected.result, expected.result]
    assert isinstance(extractor.died, ExtractorDied)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "extractor process" in errors[0] and "extracted in the crawl process" in errors[0]


def test_a_page_in_flight_when_the_child_dies_is_read_in_this_process() -> None:
    """The child is killed while pages wait for it: each waiting page still gets its record."""
    pages = [p for p in _pages() if p[2] == "utf-8"][:6]
    responses = [_response(body, url) for body, url, _ in pages]
    extractor = ExtractorProcess()
    extractor.start()

    async def run() -> list[object]:
        waiting = [
            asyncio.ensure_future(read_page_async(r, extractor=extractor)) for r in responses
        ]
        await asyncio.sleep(0)  # the requests are handed over ...
        os.kill(extractor.pid or 0, signal.SIGKILL)  # ... and the child dies
        return [page.result for page in await asyncio.gather(*waiting)]

    try:
        got = asyncio.run(run())
    finally:
        extractor.close()
    assert got == [read_page(r).result for r in responses]


def test_an_extractor_that_could_not_start_leaves_the_pages_to_this_process() -> None:
    path = next(iter(sorted(SITE.rglob("c_*.htm"))))
    response = _response(path.read_bytes(), "http://" + path.relative_to(SITE).as_posix())
    extractor = ExtractorProcess()
    extractor.unavailable("the extractor process could not start: no processes left")
    assert isinstance(extractor.died, ExtractorDied)
    page = asyncio.run(read_page_async(response, extractor=extractor))
    assert page.result == read_page(response).result
    assert isinstance(page.result, Article)
