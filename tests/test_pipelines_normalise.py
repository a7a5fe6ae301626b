"""The normalise and validate stages as pure functions."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_factory import URL, make_article

from newsarchive.records import Credit, Section
from pipelines.normalise import block, line, normalise_article
from pipelines.validate import invalid_reason


def test_line_collapses_whitespace_and_drops_zero_width_only() -> None:
    assert line("  贵州\u200b茶产业\t 量价齐升\u3000\n") == "贵州茶产业 量价齐升"
    assert (
        line("“贵州茶”，走向全国！（记者张三）") == "“贵州茶”，走向全国！（记者张三）"
    )  # punctuation kept
    assert line("e\u0301") == "\u00e9"  # NFC composes
    assert (
        line("ＣＣＴＶ１２３") == "ＣＣＴＶ１２３"
    )  # full width is kept (folding is for comparing)


#: Characters that exercise every rule of ``line``: ASCII and Unicode whitespace of each kind
#: Python's ``str.strip`` and ``\s`` know, zero-width characters, a combining accent, a
#: precomposed letter, a CJK compatibility ideograph (NFC maps U+F900 to U+8C48).
_LINE_ALPHABET = (
    "ab 中文\u3000\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u202f\u205f"
    "\u200b\u200c\u200d\u2060\ufeffe\u0301\u00e9\uf900"
)


@given(st.text(alphabet=_LINE_ALPHABET, max_size=12) | st.text(max_size=12))
def test_line_fast_path_equals_the_full_normalisation(text: str) -> None:
    full = re.sub(
        r"[\s\u3000]+",
        " ",
        re.sub("[\u200b\u200c\u200d\u2060\ufeff]", "", unicodedata.normalize("NFC", text)),
    ).strip()
    assert line(text) == full


def test_block_keeps_paragraph_structure() -> None:
    assert block(" 第一段 \r\n第二段\n\n\n\n小标题\n 第三段") == "第一段\n第二段\n\n小标题\n第三段"


def test_normalise_article_is_idempotent_and_keeps_meaning() -> None:
    raw = make_article(
        URL,
        canonical_url=URL,
        headline=" 贵州茶产业\u00a0今年实现量价齐升 ",
        subtitle="   ",
        reporters=("张三", " 张三", "李四"),
        credits=(Credit(role="记者", name=" 张三 "), Credit(role="编辑", name=" ")),
        sections=(
            Section(heading=None, paragraphs=("\u3000\u3000第一段。", "", "第二段。")),
            Section(heading=" ", paragraphs=()),
        ),
        body_text="\u3000\u3000第一段。\n\n\n\n第二段。",
    )
    once = normalise_article(raw)
    assert normalise_article(once) == once
    assert once.canonical_url == "https://gz.news.cn/2023-11/27/c_1129999001.htm"
    assert once.headline == "贵州茶产业 今年实现量价齐升"
    assert once.subtitle is None
    assert once.reporters == ("张三", "李四")
    assert once.credits == (Credit(role="记者", name="张三"),)
    assert once.sections == (Section(heading=None, paragraphs=("第一段。", "第二段。")),)
    assert once.body_text == "第一段。\n\n第二段。"
    assert once.published_at == raw.published_at and once.source == raw.source


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, None),
        ({"headline": "\u200b"}, "no_headline"),
        ({"body_text": " \u3000 "}, "no_body"),
        ({"published_at": None}, "no_date"),
        ({"published_at": "昨天"}, "bad_date"),
        ({"published_at": "2023-11-27T10:46:00"}, "bad_date"),  # no offset
        ({"canonical_url": ""}, "no_url"),
    ],
)
def test_invalid_reason(fields: dict[str, object], reason: str | None) -> None:
    assert invalid_reason(make_article(**fields)) == reason  # type: ignore[arg-type]
