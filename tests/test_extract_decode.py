"""Encodings: the declared charset is verified, never trusted into mojibake."""

from __future__ import annotations

import random

import pytest

from newsarchive.extract import UndecodablePage, decode_page, extract_article
from newsarchive.records import Article, NotAnArticle

SIMPLIFIED = (
    "新华社贵阳11月27日电（记者鲁毅）贵州省政协机关加强思想政治建设，促进履职工作取得新成效。" * 3
)
TRADITIONAL = (
    "新華社貴陽11月27日電（記者魯毅）貴州省政協機關加強思想政治建設，促進履職工作取得新成效。" * 3
)


def page(charset: str, text: str) -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if charset
        else ""
    )
    return f"<html><head>{meta}<title>{text[:6]}</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("codec", "meta", "hint", "text", "name"),
    [
        ("utf-8", "utf-8", None, SIMPLIFIED, "utf-8"),
        ("gbk", "gb2312", None, SIMPLIFIED, "gb18030"),
        ("gbk", "gbk", "gbk", SIMPLIFIED, "gb18030"),
        ("gbk", "utf-8", "utf-8", SIMPLIFIED, "gb18030"),  # GBK served as UTF-8
        ("gbk", "", None, SIMPLIFIED, "gb18030"),  # no charset anywhere
        ("gb18030", "gb18030", None, SIMPLIFIED, "gb18030"),
        ("big5", "big5", None, TRADITIONAL, "big5"),
        ("big5", "gb2312", "gb2312", TRADITIONAL, "big5"),  # Big5 labelled GB2312
        ("big5", "utf-8", None, TRADITIONAL, "big5"),
        ("big5", "", None, TRADITIONAL, "big5"),
        ("utf-8", "gbk", "gbk", SIMPLIFIED, "utf-8"),  # UTF-8 labelled GBK
        ("utf-8", "big5", "big5", TRADITIONAL, "utf-8"),
    ],
    ids=lambda v: v[:8] if isinstance(v, str) else str(v),
)
def test_declared_charsets_are_verified(
    codec: str, meta: str, hint: str | None, text: str, name: str
) -> None:
    body = page(meta, text).encode(codec)
    decoded, used = decode_page(body, hint)
    assert used == name
    assert text in decoded  # the exact characters: no mojibake


def test_utf8_with_a_broken_byte_stays_utf8() -> None:
    body = page("utf-8", SIMPLIFIED * 10).encode("utf-8")
    body = body[:200] + b"\xff" + body[200:]
    decoded, used = decode_page(body, None)
    assert used == "utf-8"
    assert "贵州省政协机关" in decoded


def test_byte_order_marks() -> None:
    assert decode_page(b"\xef\xbb\xbf" + page("", SIMPLIFIED).encode(), "gbk")[1] == "utf-8"
    utf16 = b"\xff\xfe" + page("", SIMPLIFIED).encode("utf-16-le")
    assert SIMPLIFIED in decode_page(utf16, None)[0]


def test_ascii_and_latin_pages() -> None:
    assert decode_page(b"<html><body><p>hello</p></body></html>", None) == (
        "<html><body><p>hello</p></body></html>",
        "utf-8",
    )
    english = page("windows-1252", "Caf\u00e9 cr\u00e8me, na\u00efve r\u00e9sum\u00e9 " * 3)
    decoded, used = decode_page(english.encode("cp1252"), "windows-1252")
    assert "Café crème" in decoded and used == "cp1252"


def test_random_bytes_are_undecodable() -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(128, 256) for _ in range(4000))
    with pytest.raises(UndecodablePage):
        decode_page(noise, "utf-8")
    result = extract_article(noise, "http://www.gz.xinhuanet.com/2020-01/01/c_1.htm")
    assert isinstance(result, NotAnArticle) and result.kind == "undecodable"


@pytest.mark.parametrize(
    "body",
    [b"\x89PNG\r\n\x1a\n\x00\x00", b"%PDF-1.4 ...", b'{"datasource": []}', b"plain text, no tags"],
)
def test_non_html_is_unsupported(body: bytes) -> None:
    result = extract_article(body, "http://www.news.cn/x.json")
    assert isinstance(result, NotAnArticle) and result.kind == "unsupported"
    assert result.reason.startswith("not HTML")


def test_text_input_has_no_encoding() -> None:
    html = (
        '<html><head><title>标题-新华网</title></head><body><div class="h-title">标题</div>'
        f'<div id="p-detail"><p>{SIMPLIFIED}</p><p>{SIMPLIFIED}</p></div></body></html>'
    )
    result = extract_article(html, "http://www.xinhuanet.com/a/2019-01/01/c_1.htm")
    assert not isinstance(result, NotAnArticle)
    assert result.encoding is None
    assert extract_article(html.encode("gbk"), result.url).encoding == "gb18030"  # type: ignore[union-attr]


def test_decoded_text_records_the_encoding_it_was_decoded_with() -> None:
    """Text handed over with the encoding it was decoded from (a crawl's, a re-extraction's)
    keeps it in the record, named as the bytes' detection names it; bytes record the
    detected one."""
    html = page("gbk", SIMPLIFIED * 3)
    url = "http://www.gz.xinhuanet.com/2016-11/28/c_1119954709.htm"

    def encoding_of(page: bytes | str, hint: str | None = None) -> str | None:
        result = extract_article(page, url, encoding=hint)
        assert isinstance(result, Article), result
        return result.encoding

    assert encoding_of(html.encode("gbk")) == "gb18030"
    assert encoding_of(html, "gb18030") == "gb18030"
    assert encoding_of(html, "GBK") == "gb18030"
    assert encoding_of(html, "big5") == "big5"
    assert encoding_of(html, "x-unknown") is None
    assert encoding_of(html) is None
