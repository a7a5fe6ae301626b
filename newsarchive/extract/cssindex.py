"""Fast answers to the template tables' CSS selectors.

Evaluating a compiled selector (cssselect → XPath) walks the whole document in libxml2; for a
real Xinhua page each walk costs about 15 % of the parse itself, and the tables hold dozens
of selectors. Nearly all of them name an id or a class. So each document gets one index —
two C-level XPath passes collecting the ``id`` and ``class`` attribute strings — and a
selector is answered top-down from it: its first compound with an id/class comes from the
index, later steps check ancestry or walk small subtrees. Selectors naming an id or class
the page lacks cost a dictionary look-up.

Supported syntax (what the tables use): type, ``#id``, ``.class``, ``[attr]``,
``[attr=v]``, ``[attr^=v]``, ``[attr$=v]``, ``[attr*=v]``, the descendant (space) and child
(``>``) combinators, and comma groups. Anything else falls back to cssselect.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import lxml.html
from lxml import etree

HtmlElement = lxml.html.HtmlElement

__all__ = ["Index", "forget", "index_of", "query"]

_COMPOUND_RE = re.compile(
    r"^(?P<tag>[a-zA-Z][a-zA-Z0-9]*|\*)?(?P<rest>(?:#[\w-]+|\.[\w-]+|\[[^\]]+\])*)$"
)
_PART_RE = re.compile(
    r"#([\w-]+)|\.([\w-]+)|\[([\w-]+)\s*(?:([\^$*]?=)\s*[\"']?([^\"'\]]*)[\"']?)?\]"
)
# ``/descendant::*`` visits elements only (``//`` also steps through every text node).
_ID_ATTRS = etree.XPath("/descendant::*/@id")
_CLASS_ATTRS = etree.XPath("/descendant::*/@class")


@dataclass(frozen=True, slots=True)
class Compound:
    tag: str | None
    id: str | None
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str, str], ...]
    key: tuple[bool, str] | None
    """Where candidates come from in the index: ``(True, id)``, else ``(False, first class)``."""

    def matches(self, el: HtmlElement) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.id is not None and el.get("id") != self.id:
            return False
        if self.classes:
            have = (el.get("class") or "").split()
            if any(c not in have for c in self.classes):
                return False
        for name, op, value in self.attrs:
            got = el.get(name)
            if got is None:
                return False
            if (
                (op == "=" and got != value)
                or (op == "^=" and not got.startswith(value))
                or (op == "$=" and not got.endswith(value))
                or (op == "*=" and value not in got)
            ):
                return False
        return True


Step = tuple[str, Compound]  # (combinator: "" first, " " descendant, ">" child; compound)
#: One alternative: its steps and every id and class it needs (all must occur in the page).
Alternative = tuple[tuple[Step, ...], frozenset[str], frozenset[str]]


def _compound(text: str) -> Compound | None:
    m = _COMPOUND_RE.match(text)
    if m is None or not text:
        return None
    tag = m.group("tag")
    ident: str | None = None
    classes: list[str] = []
    attrs: list[tuple[str, str, str]] = []
    for part in _PART_RE.finditer(m.group("rest")):
        if part.group(1):
            ident = part.group(1)
        elif part.group(2):
            classes.append(part.group(2))
        else:
            attrs.append((part.group(3).lower(), part.group(4) or "", part.group(5) or ""))
    return Compound(
        tag=None if tag in (None, "*") else tag.lower(),
        id=ident,
        classes=tuple(classes),
        attrs=tuple(attrs),
        key=(True, ident) if ident else ((False, classes[0]) if classes else None),
    )


@cache
def parse(selector: str) -> tuple[Alternative, ...] | None:
    """The selector's alternatives as steps, or ``None`` if it uses unsupported syntax."""
    alternatives: list[Alternative] = []
    for alt in selector.split(","):
        tokens = alt.replace(">", " > ").split()
        steps: list[Step] = []
        combinator = ""
        for token in tokens:
            if token == ">":
                if not steps or combinator == ">":
                    return None
                combinator = ">"
                continue
            compound = _compound(token)
            if compound is None:
                return None
            steps.append((combinator if steps else "", compound))
            combinator = " "
        if not steps or combinator == ">":
            return None
        ids = frozenset(c.id for _comb, c in steps if c.id)
        classes = frozenset(cls for _comb, c in steps for cls in c.classes)
        alternatives.append((tuple(steps), ids, classes))
    return tuple(alternatives)


class Index:
    """Where each id and class occurs in one document.

    Built from XPath passes over the ``id``/``class`` attribute *strings* (no element
    proxies, which cost more than the strings); the elements behind an id or class are
    materialised on first use and remembered."""

    __slots__ = ("__weakref__", "_classes", "_elements", "_ids", "answers")

    def __init__(self, root: HtmlElement) -> None:
        self.answers: dict[str, tuple[HtmlElement, ...]] = {}
        """Answers to whole-document queries, by selector (the tables ask some twice)."""
        self._ids: defaultdict[str, list[Any]] = defaultdict(list)
        self._classes: defaultdict[str, list[Any]] = defaultdict(list)
        self._elements: dict[tuple[bool, str], list[HtmlElement]] = {}
        found = _ID_ATTRS(root)
        if isinstance(found, list):
            ids = self._ids
            for attr in found:
                ids[attr.strip()].append(attr)
        found = _CLASS_ATTRS(root)
        if isinstance(found, list):
            classes = self._classes
            for attr in found:
                for cls in attr.split():
                    classes[cls].append(attr)

    def _get(self, key: tuple[bool, str]) -> list[HtmlElement]:
        elements = self._elements.get(key)
        if elements is None:
            attrs = (self._ids if key[0] else self._classes).get(key[1], ())
            elements = [el for a in attrs if isinstance(el := a.getparent(), HtmlElement)]
            self._elements[key] = elements
        return elements

    def has(self, ids: frozenset[str], classes: frozenset[str]) -> bool:
        """Whether every id and class occurs in the document."""
        return ids <= self._ids.keys() and classes <= self._classes.keys()

    def candidates(self, compound: Compound) -> list[HtmlElement] | None:
        """Elements that may match ``compound`` (``None``: it names no id or class)."""
        return None if compound.key is None else self._get(compound.key)


_INDEXES: weakref.WeakKeyDictionary[HtmlElement, Index] = weakref.WeakKeyDictionary()


def index_of(el: HtmlElement) -> Index:
    """The index of ``el``'s document, built on first use."""
    root = el.getroottree().getroot()
    index = _INDEXES.get(root)
    if index is None:
        index = Index(root)
        _INDEXES[root] = index
    return index


def _within(el: HtmlElement, scope: HtmlElement) -> bool:
    return el is scope or any(a is scope for a in el.iterancestors())


def _first(index: Index, scope: HtmlElement, compound: Compound) -> list[HtmlElement]:
    pool = index.candidates(compound)
    if pool is None:
        return [
            el
            for el in scope.iter(compound.tag or "*")
            if isinstance(el, HtmlElement) and compound.matches(el)
        ]
    is_root = scope.getparent() is None
    return [el for el in pool if compound.matches(el) and (is_root or _within(el, scope))]


def _next(index: Index, current: list[HtmlElement], step: Step) -> list[HtmlElement]:
    combinator, compound = step
    pool = index.candidates(compound)
    if pool is not None:
        chosen = set(current)
        if combinator == ">":
            return [el for el in pool if compound.matches(el) and el.getparent() in chosen]
        return [
            el
            for el in pool
            if compound.matches(el) and any(a in chosen for a in el.iterancestors())
        ]
    out: list[HtmlElement] = []
    for parent in current:
        children: Iterable[HtmlElement] = (
            parent.iterchildren(compound.tag or "*")
            if combinator == ">"
            else parent.iterdescendants(compound.tag or "*")
        )
        out.extend(el for el in children if isinstance(el, HtmlElement) and compound.matches(el))
    return out


def query(scope: HtmlElement, selector: str) -> list[HtmlElement] | None:
    """Elements under ``scope`` (itself included) matching ``selector``: each alternative's
    matches in document order, alternatives in the order written. ``None`` when the selector
    needs the cssselect fallback."""
    alternatives = parse(selector)
    if alternatives is None:
        return None
    root = scope.getroottree().getroot()
    index = _INDEXES.get(root)
    if index is None:
        index = _INDEXES[root] = Index(root)
    memo = scope is root
    if memo and (known := index.answers.get(selector)) is not None:
        return list(known)
    results: list[HtmlElement] = []
    steps: tuple[Step, ...] = ()
    for steps, ids, classes in alternatives:
        if (ids or classes) and not index.has(ids, classes):
            continue
        current = _first(index, scope, steps[0][1])
        for step in steps[1:]:
            if not current:
                break
            current = _next(index, current, step)
        results.extend(current)
    if len(alternatives) > 1 or len(steps) > 1:
        results = list(dict.fromkeys(results))
    if memo:
        index.answers[selector] = tuple(results)
    return results


def forget(el: HtmlElement) -> None:
    """Drop the index of ``el``'s document (call after removing elements from it)."""
    _INDEXES.pop(el.getroottree().getroot(), None)
