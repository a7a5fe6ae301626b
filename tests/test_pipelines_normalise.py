"""The normalise and validate stages as pure functions."""

from __future__ import annotations

import pytest
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
