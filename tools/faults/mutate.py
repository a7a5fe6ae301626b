"""Mutations of real-template pages, for fuzzing the extractor (hypothesis strategies).

A mutated page is a seed page (a golden fixture, a real Xinhua file, a sample-site page) with
a few operations applied: byte flips, deletions, insertions of markup and encoding tokens,
duplications, truncation, splices of two pages, re-encoding, odd charset labels, deep nesting.
Hypothesis draws the operations, so a failure shrinks to the fewest, smallest ones.

Only tests and ``bench/fuzz_extract.py`` import this module (hypothesis is a test dependency).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hypothesis import strategies as st

#: Byte strings that stress HTML parsing, decoding and the extractor's field rules.
TOKENS: tuple[bytes, ...] = tuple(
    t.encode("utf-8", "surrogatepass") if isinstance(t, str) else t
    for t in (
        "<", ">", "</div>", "<p>", "</p>", "<div>", "<![CDATA[", "]]>", "<!--", "-->",
        "<script>", "</script>", "<style>", "</body>", "</html>", "<html>", "<br/>",
        "&#0;", "&#xD800;", "&#99999999;", "&nbsp;", "&amp", "\x00", "\ufeff", "\ud800",
        b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x80\x81\xfe", b"\xa1\xa1", b"\xe3\x80",
        '<?xml version="1.0" encoding="utf-16"?>', '<meta charset="utf-16">',
        '<meta charset="gbk">', '<meta charset="big5">', '<meta charset="x-nonsense">',
        '<meta charset="rot13">', '<meta charset="">', '<meta http-equiv="refresh" content="0">',
        "责任编辑：", "[责任编辑: ]", "【责任编辑:", "（记者", "(記者 ", "记者）",
        "新华社贵阳11月27日电",
        "新华社电", "来源：", "2024-13-45 25:61:61", "2023-11-27 10:46:00", "0000-00-00",
        "9999-99-99 99:99", "图为", '<img src="javascript:alert(1)">', '<img src="">',
        '<img src="http://[::1">', '<a href="http://[x">', '<base href="ht!tp://">',
        '<a href="c_1119954709_2.htm">2</a>', '<div id="div_currpage"><a href="_9.htm">9</a>',
        '<h1 id="title"><span>', '<div id="detail">', '<span id="detailContent">',
        '<div class="h-title">', '<div id="p-detail">', '<span class="h-time">',
        '<em id="source">', '<p><strong>', "</strong></p>", "\u3000\u3000", "\u202e", "\r\n",
        "\x0c", "\x1b[31m", "𠀀𪚥", "\U0010ffff",
    )
)  # fmt: skip

#: Encoding hints a caller might pass (HTTP header labels seen in the wild and junk).
HINTS: tuple[str | None, ...] = (
    None, "utf-8", "UTF8", "gbk", "gb2312", "GB18030", "big5", "big5-hkscs", "latin-1",
    "utf-16", "utf-7", "ascii", "", "x-unknown", "rot13", "hex", "zlib", "idna", "  utf-8 ",
)  # fmt: skip

#: Page URLs, article-shaped and not.
URLS: tuple[str, ...] = (
    "http://www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm",
    "http://www.gz.xinhuanet.com/2016-11/21/c_1119954709_2.htm",
    "https://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html",
    "http://big5.news.cn/gate/big5/gz.news.cn/2023-11/27/c_1129990000.htm",
    "http://m.xinhuanet.com/gz/2019-12/07/c_1125319425.htm",
    "https://www.news.cn/politics/",
    "http://www.example.com/x",
    "",
    "not a url",
    "http://[::1",
)

_ENCODINGS = ("gb18030", "big5", "utf-16", "utf-16-be", "utf-32", "latin-1", "shift_jis", "cp1252")


def seed_pages(folders: Iterable[Path], limit: int = 200) -> list[bytes]:
    """The bytes of every ``.htm``/``.html`` file under ``folders`` (sorted, at most ``limit``)."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found += [p for p in folder.rglob("*") if p.suffix in {".htm", ".html"} and p.is_file()]
    return [p.read_bytes() for p in sorted(found)[:limit]]


def _at(data: bytes, where: float) -> int:
    return min(len(data), int(where * len(data)))


@st.composite
def _operation(draw: st.DrawFn, pages: Sequence[bytes], data: bytes) -> bytes:  # noqa: PLR0911  # one return per operation
    op = draw(st.integers(0, 10))
    where = draw(st.floats(0, 1))
    span = draw(st.integers(1, 4096))
    i = _at(data, where)
    if op == 0:  # flip bytes
        flips = draw(st.binary(min_size=1, max_size=16))
        return data[:i] + flips + data[i + len(flips) :]
    if op == 1:  # delete a range
        return data[:i] + data[i + span :]
    if op == 2:  # insert a token, several times
        token = draw(st.sampled_from(TOKENS))
        return data[:i] + token * draw(st.integers(1, 8)) + data[i:]
    if op == 3:  # insert random bytes
        return data[:i] + draw(st.binary(max_size=64)) + data[i:]
    if op == 4:  # duplicate a range
        return data[:i] + data[i : i + span] * draw(st.integers(2, 5)) + data[i:]
    if op == 5:  # truncate
        return data[:i]
    if op == 6:  # splice with another page
        other = draw(st.sampled_from(pages))
        return data[:i] + other[_at(other, draw(st.floats(0, 1))) :]
    if op == 7:  # re-encode the whole page (the <meta> still says what it said)
        encoding = draw(st.sampled_from(_ENCODINGS))
        return data.decode("utf-8", "replace").encode(encoding, "replace")
    if op == 8:  # replace a range with random text
        text = draw(st.text(max_size=32))
        return data[:i] + text.encode("utf-8", "surrogatepass") + data[i + span :]
    if op == 9:  # deep nesting
        depth = draw(st.integers(100, 3000))
        return data[:i] + b"<div><span>" * depth + b"\xe6\xb7\xb1" + data[i:]
    # swap every occurrence of one token for another
    old, new = draw(st.sampled_from(TOKENS)), draw(st.sampled_from(TOKENS))
    return data.replace(old, new) if old else data


@st.composite
def mutated_pages(draw: st.DrawFn, pages: Sequence[bytes], max_ops: int = 4) -> bytes:
    """A seed page from ``pages`` with up to ``max_ops`` operations applied (or, rarely,
    arbitrary bytes)."""
    if not pages or draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=2048))
    data = draw(st.sampled_from(pages))
    for _ in range(draw(st.integers(0, max_ops))):
        data = draw(_operation(pages, data))
    return data


def extractor_inputs(
    pages: Sequence[bytes],
) -> st.SearchStrategy[tuple[bytes | str, str, str | None]]:
    """``(page, url, encoding hint)`` triples; a tenth of the pages are passed as text."""

    def as_given(data: bytes, as_text: int) -> bytes | str:
        return data.decode("utf-8", "replace") if as_text == 0 else data

    page = st.builds(as_given, mutated_pages(pages), st.integers(0, 9))
    return st.tuples(page, st.sampled_from(URLS), st.sampled_from(HINTS))
