"""Parse a researcher's search query into a safe FTS5 expression.

The query language is deliberately small, the one people know from web search engines:

* ``乡村振兴 贵州`` — every word must appear (AND);
* ``"乡村振兴 战略"`` — a quoted phrase: the words next to each other, in order;
* ``贵州 OR 云南`` — either word (``OR`` in capitals, or ``|``);
* ``-旅游`` or ``NOT 旅游`` — leave out articles with the word;
* ``AND`` is accepted and changes nothing.

The full-width and typographic forms of these a Chinese input method types (``－``, ``｜``,
``＂``, ``“…”``, ``「…」``, ``ＯＲ``, the ideographic space) mean the same.

Each word or phrase becomes :func:`newsarchive.textnorm.fts_phrase` (Chinese bigram phrases, both
scripts folded to simplified), so a traditional query finds a simplified article and back. The
user's text never reaches FTS5 or SQL as syntax: anything that looks like FTS5 or SQL syntax
(parentheses, ``*``, ``^``, ``:``, ``;``, ``=``, single quotes, …) or an unbalanced quote is
refused with a :class:`QueryError` that says what to change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newsarchive.textnorm import fold, fts_phrase

#: Longest query accepted, in characters, and most words/phrases in it.
MAX_QUERY_CHARS = 400
MAX_TERMS = 24

#: Characters that are FTS5 or SQL syntax, never part of a word a researcher searches for.
_SYNTAX_CHARS = frozenset("()*^:;={}[]<>'\\`")
_TOKEN_RE = re.compile(r'"[^"]*"|[^\s"]+|"')
_OR_WORDS = frozenset({"OR", "|"})
_NOT_WORDS = frozenset({"NOT"})
_AND_WORDS = frozenset({"AND", "&"})


class QueryError(ValueError):
    """A search query that cannot be searched; the message says why and what to do."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ParsedQuery:
    """A parsed search query."""

    text: str
    """The query as the user typed it."""
    fts: str
    """The FTS5 ``MATCH`` expression (bind it as a parameter, never format it into SQL)."""
    terms: tuple[str, ...]
    """The wanted words and phrases, folded (simplified, lower-case), for highlighting."""
    excluded: tuple[str, ...]
    """The excluded words and phrases, folded."""


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    negated: bool


def _check_syntax(text: str) -> None:
    bad = sorted({c for c in text if c in _SYNTAX_CHARS})
    if bad:
        raise QueryError(
            f"remove {' '.join(bad)} from the query {text!r}: "
            f"{'it is' if len(bad) == 1 else 'they are'} "
            'search syntax, not text (search for words, "quoted phrases", OR and -word)'
        )


def _term(token: str, negated: bool) -> _Term:
    """One word or quoted phrase (``-`` and quotes still on it)."""
    text = token
    if text.startswith("-"):
        negated = True
        text = text[1:]
        if not text:
            raise QueryError("a lone '-': write -word to leave out articles with that word")
    if text.startswith('"'):
        text = text[1:-1]
        if '"' in text:
            raise QueryError('unbalanced quote: close the phrase with a second " or remove it')
    return _Term(text, negated)


def _terms(text: str) -> list[_Term | str]:
    """Split ``text`` into terms and ``"OR"`` markers (``AND`` dropped)."""
    items: list[_Term | str] = []
    negate_next = False
    for token in _TOKEN_RE.findall(text):
        if token == '"':
            raise QueryError('unbalanced quote: close the phrase with a second " or remove it')
        if token in _OR_WORDS:
            if negate_next:
                raise QueryError("NOT must be followed by a word or phrase, not OR")
            items.append("OR")
        elif token in _NOT_WORDS:
            if negate_next:
                raise QueryError("NOT NOT: say NOT once")
            negate_next = True
        elif token not in _AND_WORDS:
            items.append(_term(token, negate_next))
            negate_next = False
    if negate_next:
        raise QueryError("NOT at the end of the query: follow it with the word to leave out")
    return items


def _group(items: list[_Term | str]) -> tuple[list[list[_Term]], list[_Term]]:
    """OR groups (ANDed together) and excluded terms; OR binds tighter than the implicit AND."""
    groups: list[list[_Term]] = []
    excluded: list[_Term] = []
    pending_or = False
    for item in items:
        if isinstance(item, str):  # "OR"
            if pending_or or not groups:
                raise QueryError("OR needs a word or phrase on both sides")
            pending_or = True
        elif item.negated:
            if pending_or:
                raise QueryError("OR cannot join an excluded word; write -word on its own")
            excluded.append(item)
        elif pending_or:
            groups[-1].append(item)
            pending_or = False
        else:
            groups.append([item])
    if pending_or:
        raise QueryError("OR needs a word or phrase on both sides")
    if len(excluded) + sum(len(g) for g in groups) > MAX_TERMS:
        raise QueryError(f"too many words in the query (at most {MAX_TERMS})")
    if not groups and not excluded:
        raise QueryError("the query has only operators (AND, OR, NOT): add a word to search for")
    if not groups:
        raise QueryError("the query only excludes words: add at least one word to search for")
    return groups, excluded


#: Quotation marks a Chinese input method types, read as the ASCII ``"`` of a phrase.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟「」『』〝〞", '"'))


def _operators(text: str) -> str:
    """``text`` with the full-width and typographic forms of the query operators made ASCII,
    as Chinese input methods type them: ``－学校`` → ``-学校``, ``＂…＂``/``“…”``/``「…」`` →
    ``"…"``, ``｜`` → ``|``, ``ＯＲ`` → ``OR``, the ideographic space → a space (NFKC, which
    the search folds every word with anyway, plus the quotation marks)."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("\u2212", "-")


def parse_query(text: str) -> ParsedQuery:
    """Parse ``text`` (see the module docstring) or raise :class:`QueryError`."""
    stripped = _operators(text).strip()
    if not stripped:
        raise QueryError("empty query: give at least one word to search for")
    if len(stripped) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(stripped)} characters, at most {MAX_QUERY_CHARS})")
    _check_syntax(stripped)
    if stripped.count('"') % 2:
        raise QueryError('unbalanced quote: close the phrase with a second " or remove it')
    groups, excluded = _group(_terms(stripped))
    parts: list[str] = []
    terms: list[str] = []
    for group in groups:
        phrases = []
        for term in group:
            phrase = fts_phrase(term.text)
            if not phrase:
                raise QueryError(
                    f"{term.text!r} has no searchable letters, digits or Chinese characters"
                )
            phrases.append(phrase)
            terms.append(fold(term.text))
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    expression = " AND ".join(parts)
    excluded_phrases = [p for p in (fts_phrase(t.text) for t in excluded) if p]
    if excluded_phrases:
        expression = f"({expression})" + "".join(f" NOT {p}" for p in excluded_phrases)
    return ParsedQuery(
        text=text,
        fts=expression,
        terms=tuple(dict.fromkeys(terms)),
        excluded=tuple(fold(t.text) for t in excluded),
    )
