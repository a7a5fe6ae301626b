"""The research commands on an archive built from the golden pages by the real extractor and
Store: every article is found by a word of its own headline typed in either script, ``show``
resolves its URL, and the export holds every article with its reviewed headline."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.extract import extract_article
from newsarchive.records import Article, Capture, PageItem
from newsarchive.store import Store
from newsarchive.textnorm import to_simplified, to_traditional

GOLDEN = Path(__file__).resolve().parent / "golden"
MANIFEST = tomllib.loads((GOLDEN / "manifest.toml").read_text("utf-8"))
WORD_RE = re.compile(r"[\u4e00-\u9fff]{4,}")


def _single_pages() -> list[dict[str, str]]:
    joined = {f for entry in MANIFEST.get("joined", []) for f in entry["files"]}
    return [entry for entry in MANIFEST["page"] if entry["file"] not in joined]


@pytest.fixture(scope="module")
def golden_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Article]]:
    db = tmp_path_factory.mktemp("golden") / "archive.db"
    stored: dict[int, Article] = {}
    with Store(db) as store:
        for entry in _single_pages():
            body = (GOLDEN / entry["file"]).read_bytes()
            result = extract_article(body, entry["url"], encoding=entry.get("hint"))
            capture = Capture(
                url=entry["url"], final_url=entry["url"], status=200,
                headers=(("content-type", "text/html"),), body=body,
                fetched_at="2026-11-25T02:00:00+00:00",
            )  # fmt: skip
            item = store.store_item(PageItem(captures=(capture,), result=result))
            if isinstance(result, Article) and item.article is not None:
                stored.setdefault(item.article.article_id, result)
    return db, stored


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-q", *args])
    return result.exit_code, result.stdout, result.stderr


def test_golden_archive_has_articles(golden_archive: tuple[Path, dict[int, Article]]) -> None:
    _, stored = golden_archive
    assert len(stored) >= 8
    assert {a.script for a in stored.values()} == {"zh-Hans", "zh-Hant"}


def test_each_article_is_found_by_a_headline_word_in_both_scripts(
    golden_archive: tuple[Path, dict[int, Article]],
) -> None:
    db, stored = golden_archive
    checked = 0
    for article_id, article in stored.items():
        m = WORD_RE.search(article.headline)
        if m is None:
            continue
        word = m.group(0)[:4]
        for query in (to_simplified(word), to_traditional(word)):
            code, out, err = _cli("search", query, "--db", str(db), "--format", "json",
                                  "--limit", "100", "--include-duplicates")  # fmt: skip
            assert code == 0, err
            hits = {h["id"]: h for h in json.loads(out)}
            assert article_id in hits, (query, article.headline)
            assert hits[article_id]["url"] == article.canonical_url
        checked += 1
    assert checked >= 5


def test_show_resolves_each_page_url(golden_archive: tuple[Path, dict[int, Article]]) -> None:
    db, stored = golden_archive
    for article_id, article in stored.items():
        code, out, err = _cli("show", article.url, "--db", str(db), "--format", "json")
        assert code == 0, err
        view = json.loads(out)
        assert view["id"] == article_id
        assert view["article"]["headline"] == article.headline


def test_export_has_every_golden_article(golden_archive: tuple[Path, dict[int, Article]]) -> None:
    db, stored = golden_archive
    code, out, err = _cli("export", "--db", str(db), "--include-duplicates",
                          "--columns", "id,headline,reporters,editors")  # fmt: skip
    assert code == 0, err
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(out))}
    assert set(rows) == set(stored)
    for article_id, article in stored.items():
        expected = article.headline
        if expected.startswith(("=", "+", "-", "@")):
            expected = "'" + expected
        assert rows[article_id]["headline"] == expected
