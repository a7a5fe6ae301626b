"""The search query parser: words, phrases, OR, exclusion; hostile input is refused, never run."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.searchsyntax import MAX_QUERY_CHARS, QueryError, parse_query
from newsarchive.textnorm import fts_text


def test_words_become_bigram_phrases_anded() -> None:
    parsed = parse_query("乡村振兴 貴州")
    assert parsed.fts == '"乡村 村振 振兴" AND "贵州"'
    assert parsed.terms == ("乡村振兴", "贵州")
    assert parsed.excluded == ()


def test_traditional_and_simplified_give_the_same_expression() -> None:
    assert parse_query("鄉村振興").fts == parse_query("乡村振兴").fts == '"乡村 村振 振兴"'


def test_quoted_phrase_or_and_exclusion() -> None:
    assert parse_query('"数字 经济"').fts == '"数字 字经 经济"'
    assert parse_query("贵州 OR 云南 -旅游").fts == '(("贵州" OR "云南")) NOT "旅游"'
    assert parse_query("经济 NOT 旅游").fts == '("经济") NOT "旅游"'
    assert parse_query("a | b AND c").fts == '("a" OR "b") AND "c"'
    assert parse_query("贵").fts == '"贵"*'  # one character: the first half of a bigram
    assert parse_query("COVID-19").fts == '"covid 19"'


@pytest.mark.parametrize(
    ("typed", "ascii"),
    [
        ("乡村 －学校", "乡村 -学校"),  # full-width minus
        ("乡村 −学校", "乡村 -学校"),  # minus sign
        ("“乡村 学校”", '"乡村 学校"'),  # curly quotes
        ("＂乡村 学校＂", '"乡村 学校"'),  # full-width quotes
        ("「乡村 学校」", '"乡村 学校"'),  # corner brackets
        ("乡村 ｜ 学校", "乡村 | 学校"),  # full-width bar
        ("乡村\u3000ＯＲ\u3000学校", "乡村 OR 学校"),  # what a Chinese input method types
    ],
)
def test_operators_typed_full_width_mean_the_same(typed: str, ascii: str) -> None:
    assert parse_query(typed).fts == parse_query(ascii).fts


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ('"乡村振兴', "unbalanced quote"),
        ('乡村 "振兴" "', "unbalanced quote"),
        ("贵州 OR", "OR needs a word"),
        ("OR 贵州", "OR needs a word"),
        ("-旅游", "only excludes"),
        ("AND", "only operators"),
        ("AND OR NOT", "NOT at the end"),
        ("NOT", "NOT at the end"),
        ("(贵州 OR 云南)", "search syntax"),
        ("贵州*", "search syntax"),
        ("headline:贵州", "search syntax"),
        ("NEAR(贵州 云南)", "search syntax"),
        ("'; DROP TABLE articles; --", "remove ' ; from the query"),
        ("x' OR 1=1 --", "search syntax"),
        ("^贵州", "search syntax"),
        ("，。", "no searchable"),
        ("贵" * (MAX_QUERY_CHARS + 1), "too long"),
        (" ".join(f"w{i}" for i in range(30)), "too many words"),
    ],
)
def test_malformed_or_hostile_queries_are_refused_with_a_reason(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(headline, body)")
    conn.execute(
        "INSERT INTO articles_fts(rowid, headline, body) VALUES (1, ?, ?)",
        (fts_text("贵州数字经济"), fts_text("乡村振兴 (test) * 'quote'")),
    )
    return conn


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("贵州乡村振興 \"()*^:-OR|NOTAND'=;ab1，")), max_size=30)
)
def test_any_input_is_a_valid_fts_expression_or_a_query_error(
    fts: sqlite3.Connection, text: str
) -> None:
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    # FTS5 accepts every expression the parser produces: no syntax errors reach SQLite.
    fts.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (parsed.fts,))
