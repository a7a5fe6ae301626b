"""Load the labelled near-duplicate pairs: ``stories.json`` (our own texts) and ``pairs.json``
(story ``a`` as is against story ``b`` with ``edit`` applied, labelled ``dup`` or not)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive import textnorm

HERE = Path(__file__).resolve().parent
_LEAD_RE = re.compile(r"^新华社.*?电（记者[^）]*）")


@dataclass(frozen=True, kw_only=True, slots=True)
class Text:
    headline: str
    body: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Pair:
    a: Text
    b: Text
    dup: bool
    note: str


def _apply(story: dict[str, Any], edit: dict[str, Any]) -> Text:
    headline = edit.get("headline", story["headline"])
    paragraphs = [p for i, p in enumerate(story["paragraphs"]) if i not in edit.get("drop", ())]
    if "lead" in edit:
        paragraphs[0] = _LEAD_RE.sub(edit["lead"], paragraphs[0])
    if "replace" in edit:
        old, new = edit["replace"]
        paragraphs = [p.replace(old, new) for p in paragraphs]
    if "append" in edit:
        paragraphs.append(edit["append"])
    if edit.get("script") == "traditional":
        headline = textnorm.to_traditional(headline)
        paragraphs = [textnorm.to_traditional(p) for p in paragraphs]
    return Text(headline=headline, body="\n".join(paragraphs))


def load() -> list[Pair]:
    stories = json.loads((HERE / "stories.json").read_text(encoding="utf-8"))
    pairs = json.loads((HERE / "pairs.json").read_text(encoding="utf-8"))
    return [
        Pair(
            a=_apply(stories[p["a"]], {}),
            b=_apply(stories[p["b"]], p["edit"]),
            dup=bool(p["dup"]),
            note=p["note"],
        )
        for p in pairs
    ]
