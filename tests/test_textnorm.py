"""Folding and the full-text index form."""

from __future__ import annotations

import sqlite3

from newsarchive import textnorm


def test_fold_makes_big5_copy_equal_to_original() -> None:
    assert textnorm.fold("貴州省政協機關 加強思想政治建設") == textnorm.fold(
        "贵州省政协机关加强思想政治建设"
    )
    assert textnorm.fold("ＡＢＣ１２３") == "abc123"


def test_fts_text_is_bigrams() -> None:
    assert textnorm.fts_text("贵州省 GDP 增长") == "贵州 州省 gdp 增长"
    assert textnorm.fts_phrase("貴州省") == '"贵州 州省"'
    assert textnorm.fts_phrase("州") == '"州"*'
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
