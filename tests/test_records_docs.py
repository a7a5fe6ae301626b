"""docs/records.md documents every field of every record type, and nothing else."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from newsarchive import records

DOC = Path(__file__).resolve().parent.parent / "docs" / "records.md"
TYPES = (
    records.Article,
    records.Dateline,
    records.Credit,
    records.Section,
    records.Image,
    records.Link,
    records.NotAnArticle,
)


def documented() -> dict[str, list[str]]:
    """Section title → the field names in the first column of its table."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            found[current] = []
        elif current and (m := re.match(r"^\| `([a-z_]+)` \|", line)):
            found[current].append(m.group(1))
    return found


@pytest.mark.parametrize("record", TYPES, ids=lambda t: t.__name__)
def test_every_field_is_documented_in_order(record: type) -> None:
    fields = [f.name for f in dataclasses.fields(record)]
    assert documented().get(record.__name__) == fields


def test_no_undocumented_sections() -> None:
    names = {t.__name__ for t in TYPES}
    assert {title for title, rows in documented().items() if rows} == names


def test_every_row_says_type_and_meaning() -> None:
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            assert len(cells) >= 3 and all(cells[:3]), line
