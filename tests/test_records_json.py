"""Article JSON (``Article.to_dict`` / ``article_from_dict``) round-trips, older JSON included."""

from __future__ import annotations

import json
from pathlib import Path

from newsarchive.records import article_from_dict

GOLDEN = Path(__file__).parent / "golden"


def test_json_from_before_the_rename_is_read() -> None:
    data = json.loads((GOLDEN / "old_gz_table_gbk.json").read_text(encoding="utf-8"))
    old = {("article_id" if k == "xinhua_id" else k): v for k, v in data.items()}
    assert "xinhua_id" not in old
    article = article_from_dict(old)
    assert article.xinhua_id == "115790010"
    assert article.to_dict() == data
