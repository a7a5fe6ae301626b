"""The selector tables' CSS compiles to attribute-axis XPath (:class:`AttributeAxisTranslator`,
for speed): every table selector must find exactly what lxml's stock HTML translation finds,
in the same order, on every golden and labelled page, from the root and from each element."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml.cssselect import CSSSelector

from newsarchive.extract import decode_page, templates
from newsarchive.extract.dom import parse_html

TESTS = Path(__file__).parent
PAGES = sorted([*(TESTS / "golden").glob("*.htm*"), *(TESTS / "generic_pages").rglob("*.htm*")])


def _table_selectors() -> list[CSSSelector]:
    found: dict[str, CSSSelector] = {}
    values: list[object] = [templates.SPLIT_TIME_PARTS, templates.TIYI]
    for template in templates.TEMPLATES:
        values.extend(getattr(template, name) for name in template.__slots__)
    for value in values:
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, CSSSelector):
                found[item.css] = item
    return list(found.values())


SELECTORS = _table_selectors()


def test_the_tables_use_the_attribute_axis() -> None:
    assert len(SELECTORS) > 60
    (detail,) = templates.css("#detail")
    assert detail.path == "descendant-or-self::*/@id[. = 'detail']/parent::*"
    with pytest.raises(ValueError, match="pseudo-classes"):
        templates.css("p:not(.x)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_same_elements_as_the_stock_translation(page: Path) -> None:
    root = parse_html(decode_page(page.read_bytes(), None)[0])
    assert root is not None
    contexts = [root, *(el for el in root.iter() if isinstance(el.tag, str) and len(el))]
    for selector in SELECTORS:
        stock = CSSSelector(selector.css, translator="html")
        for context in contexts:
            assert selector(context) == stock(context), (selector.css, context.tag)


def test_the_comparison_sees_matches() -> None:
    """(A comparison of empty results would prove nothing: a c.html page's table finds its
    header, body and credit elements.)"""
    root = parse_html(
        decode_page((TESTS / "golden" / "chtml_he_multipage.html").read_bytes(), None)[0]
    )
    assert root is not None
    found = {s.css: len(s(root)) for s in SELECTORS if s(root)}
    assert found["h1#title"] == 1
    assert found["div#detail"] == 1
    assert len(found) >= 8
