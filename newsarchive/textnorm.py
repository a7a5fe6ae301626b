"""Text folding shared by deduplication and full-text search.

* :func:`fold` maps text to one comparable form: Unicode NFKC (full-width Latin and digits to
  ASCII), traditional characters to simplified (OpenCC ``t2s``), whitespace removed between
  CJK characters and collapsed elsewhere. The big5 mirror copy of an article and the original
  fold to the same string.
* :func:`fts_text` turns folded text into the form stored in the ``articles_fts`` index:
  every run of CJK characters becomes its overlapping character bigrams followed by its last
  character alone (``贵州省`` → ``贵州 州省 省``), other words stay words. FTS5's ``unicode61``
  tokenizer then indexes these tokens, so a query of any length finds Chinese words (see
  :func:`fts_phrase`): every character starts a token, the last of a run included, so a
  one-character word (``茶``) is found wherever it stands.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import cache

import opencc

# CJK Unified Ideographs (+ extension A, compatibility ideographs) and the iteration mark.
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007]+")
_SPACE_RE = re.compile(r"\s+")
_SPACE_BETWEEN_CJK_RE = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])"
)


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC ``t2s``); simplified text is unchanged."""
    return str(_t2s().convert(text))


def to_traditional(text: str) -> str:
    """Simplified characters to traditional (OpenCC ``s2t``)."""
    return str(_s2t().convert(text))


def fold(text: str) -> str:
    """The comparable form of ``text`` (see module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).lower()
    text = _SPACE_BETWEEN_CJK_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip()


_CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007"
# One pass over folded text: group 1 a CJK run, group 2 a Latin/digit word.
_SPLIT_RE = re.compile(f"([{_CJK_CLASS}]+)|([0-9a-z]+)")


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return list(map(operator.add, run[:-1], run[1:]))


def folded_fts_tokens(folded: str) -> list[str]:
    """The search tokens of text already passed through :func:`fold`: CJK bigrams and
    lower-case Latin/digit words."""
    tokens: list[str] = []
    for cjk, word in _SPLIT_RE.findall(folded):
        if cjk:
            tokens += _bigrams(cjk)
            if len(cjk) > 1:
                tokens.append(cjk[-1])  # the run's last character starts a token too
        else:
            tokens.append(word)
    return tokens


def fts_text(text: str) -> str:
    """The indexed form of ``text`` for the ``articles_fts`` table (space-separated tokens)."""
    return folded_fts_text(fold(text))


def folded_fts_text(folded: str) -> str:
    """:func:`fts_text` of text already passed through :func:`fold` (no second fold)."""
    return " ".join(folded_fts_tokens(folded))


def fts_phrase(term: str) -> str:
    """An FTS5 expression that matches ``term`` as a contiguous phrase in indexed text.

    ``贵州省`` → ``"贵州 州省"`` (no last-character token: in the text the run may go on,
    ``贵州省委``); a run followed by a Latin word or number in the term ends there in the text
    too, so its last character is part of the phrase (``达到4`` → ``"达到 到 4"``). A term that
    ends in a single CJK character ends in a prefix token (``茶`` → ``"茶"*``, ``4万`` →
    ``"4 万"*``), which matches both that character's own token and the bigrams it starts.
    Returns ``""`` for a term with no tokens.
    """
    parts = _SPLIT_RE.findall(fold(term))
    if not parts:
        return ""
    tokens: list[str] = []
    last = len(parts) - 1
    for i, (cjk, word) in enumerate(parts):
        if not cjk:
            tokens.append(word)
            continue
        tokens += _bigrams(cjk)
        if len(cjk) > 1 and i < last:
            tokens.append(cjk[-1])
    final = parts[-1][0]
    return '"' + " ".join(tokens) + '"' + ("*" if len(final) == 1 else "")
