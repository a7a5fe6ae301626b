"""Folding and the full-text index form."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive import textnorm


def test_fold_makes_big5_copy_equal_to_original() -> None:
    assert textnorm.fold("貴州省政協機關 加強思想政治建設") == textnorm.fold(
        "贵州省政协机关加强思想政治建设"
    )
    assert textnorm.fold("ＡＢＣ１２３") == "abc123"


def test_fts_text_is_bigrams_and_each_run_s_last_character() -> None:
    assert textnorm.fts_text("贵州省 GDP 增长") == "贵州 州省 省 gdp 增长 长"
    assert textnorm.fts_text("茶") == "茶"
    assert textnorm.fts_phrase("貴州省") == '"贵州 州省"'
    assert textnorm.fts_phrase("州") == '"州"*'
    assert textnorm.fts_phrase("达到4") == '"达到 到 4"'
    assert textnorm.fts_phrase("4万") == '"4 万"*'
    assert textnorm.fts_phrase("！！") == ""


def test_bigram_index_finds_words_of_any_length_in_either_script() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61')")
    con.execute("INSERT INTO f(rowid, body) VALUES (1, ?)", (textnorm.fts_text("貴州省政協機關"),))
    con.execute(
        "INSERT INTO f(rowid, body) VALUES (2, ?)", (textnorm.fts_text("河北遵化数字农机"),)
    )

    def hits(q: str) -> list[int]:
        rows = con.execute("SELECT rowid FROM f WHERE f MATCH ?", (textnorm.fts_phrase(q),))
        return [r[0] for r in rows]

    assert hits("贵州") == [1]
    assert hits("政协机关") == [1]
    assert hits("農機") == [2]
    assert hits("省政") == [1]
    assert hits("州政") == []
    assert hits("贵州农机") == []


def test_one_character_and_mixed_words_are_found_wherever_they_stand() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61')")
    texts = {
        1: "亩产达到4千元，贵州的茶。",
        2: "全省新增茶园4万亩，A股茶企上涨。",
        3: "茶叶",
    }
    for rowid, text in texts.items():
        con.execute("INSERT INTO f(rowid, body) VALUES (?, ?)", (rowid, textnorm.fts_text(text)))

    def hits(q: str) -> list[int]:
        rows = con.execute("SELECT rowid FROM f WHERE f MATCH ?", (textnorm.fts_phrase(q),))
        return sorted(r[0] for r in rows)

    # Each of these is what a LIKE '%…%' over the folded text finds.
    for query in ("到", "茶", "元", "4万", "4千", "达到4", "a股", "A股", "万亩", "贵州的茶", "叶"):
        want = sorted(i for i, t in texts.items() if textnorm.fold(query) in textnorm.fold(t))
        assert hits(query) == want, query
    assert hits("到") == [1] and hits("茶") == [1, 2, 3]


_ALPHABET = "贵州省茶叶园万千元到达的a1 ，。"


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=24), min_size=1, max_size=6),
    pick=st.data(),
)
def test_a_chinese_query_finds_exactly_the_texts_that_contain_it(
    texts: list[str], pick: st.DataObject
) -> None:
    """For any run of Chinese characters taken from the texts, the index finds exactly the
    texts in whose folded form it appears within one run (what a reader calls containing
    the word): no miss at a run's end, no match across punctuation."""
    runs = [r for t in texts for r in textnorm.CJK_RE.findall(textnorm.fold(t))]
    if not runs:
        return
    run = pick.draw(st.sampled_from(runs))
    start = pick.draw(st.integers(0, len(run) - 1))
    query = run[start : pick.draw(st.integers(start + 1, min(len(run), start + 4)))]
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61')")
    for rowid, text in enumerate(texts, 1):
        con.execute("INSERT INTO f(rowid, body) VALUES (?, ?)", (rowid, textnorm.fts_text(text)))
    found = sorted(
        r[0]
        for r in con.execute("SELECT rowid FROM f WHERE f MATCH ?", (textnorm.fts_phrase(query),))
    )
    want = [
        i
        for i, t in enumerate(texts, 1)
        if any(query in r for r in textnorm.CJK_RE.findall(textnorm.fold(t)))
    ]
    assert found == want, (query, texts)
