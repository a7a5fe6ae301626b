"""Golden pages: every page in tests/golden/ must produce exactly its reviewed JSON record.

The pages are ours (our own text in real Xinhua markup structure); ``manifest.toml`` gives
each page's URL and HTTP charset. One parametrised test walks them all and compares every
field, so a failure names the field that changed.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from newsarchive.extract import extract_article, join_pages
from newsarchive.records import Article

GOLDEN = Path(__file__).resolve().parent / "golden"
MANIFEST = tomllib.loads((GOLDEN / "manifest.toml").read_text(encoding="utf-8"))
PAGES = {entry["file"]: entry for entry in MANIFEST["page"]}


def _extract(file: str) -> Any:
    entry = PAGES[file]
    return extract_article((GOLDEN / file).read_bytes(), entry["url"], encoding=entry.get("hint"))


def _cases() -> list[Any]:
    cases = [
        pytest.param([entry["file"]], entry["file"].rsplit(".", 1)[0] + ".json", id=entry["file"])
        for entry in MANIFEST["page"]
    ]
    cases += [
        pytest.param(entry["files"], entry["expected"], id=entry["expected"])
        for entry in MANIFEST.get("joined", [])
    ]
    return cases


@pytest.mark.parametrize(("files", "expected_file"), _cases())
def test_golden_page(files: list[str], expected_file: str) -> None:
    results = [_extract(f) for f in files]
    if len(results) > 1:
        assert all(isinstance(r, Article) for r in results)
        result = join_pages(results[0], results[1:])
    else:
        result = results[0]
    expected = json.loads((GOLDEN / expected_file).read_text(encoding="utf-8"))
    actual = result.to_dict()
    assert type(result).__name__ == ("Article" if "headline" in expected else "NotAnArticle")
    # Field by field, so a failure says which field changed.
    mismatched = {
        name: (actual.get(name), expected.get(name))
        for name in {*expected, *actual}
        if actual.get(name) != expected.get(name)
    }
    assert not mismatched, json.dumps(mismatched, ensure_ascii=False, indent=1)


def test_golden_set_covers_the_issue() -> None:
    """The golden set holds every template family, both scripts and the special pages."""
    records = {f: _extract(f) for f in PAGES}
    articles = [r for r in records.values() if isinstance(r, Article)]
    templates = {a.template for a in articles}
    assert {"newpage2020", "provincial_chtml", "xl2019", "provincial_old", "generic"} <= templates
    assert {a.script for a in articles} == {"zh-Hans", "zh-Hant"}
    assert {a.encoding for a in articles} >= {"utf-8", "gb18030", "big5"}
    assert any(a.pages > 1 for a in articles)  # c.html page breaks
    assert any(a.page_urls for a in articles)  # old-era pagination
    assert any(s.heading for a in articles for s in a.sections)
    assert any(i.caption for a in articles for i in a.images)
    kinds = {r.kind for r in records.values() if not isinstance(r, Article)}
    assert {"list", "error"} <= kinds
    assert len(PAGES) >= 12
    # Every record field is exercised with a non-empty value somewhere.
    for field in dataclasses.fields(Article):
        if field.name in ("subtitle",):
            continue
        assert any(getattr(a, field.name) for a in articles), field.name


def _article(file: str) -> Article:
    result = _extract(file)
    assert isinstance(result, Article), result
    return result


def test_golden_old_table_layout_2011() -> None:
    """Issue 17: date, time and source in one unclassed cell; the editor in the header; a
    byline paragraph of its own; a caption split by <br>; a pager inside the body."""
    a = _article("old_table_2011_pager.html")
    assert (a.published_at, a.source) == ("2011-06-03T08:41:12+08:00", "吉林日报")
    assert a.editors == ("郑晓丽",)
    assert a.reporters == ("韩立群", "孟雪松")
    assert not any("记者" in p for s in a.sections for p in s.paragraphs)  # the byline line
    assert [i.caption for i in a.images] == ["6月2日，游客在新建的步道上休息。记者 孟雪松 摄"]
    assert len(a.images) == 1  # the next-page button is not an image
    assert a.page_urls == tuple(
        f"http://www.jl.xinhuanet.com/2011-06/03/c_13910001_{n}.htm" for n in range(2, 7)
    )
    assert "[2]" not in a.body_text and "[1]" not in a.body_text
    assert "字号" not in a.body_text


def test_golden_old_table_layout_2006() -> None:
    """A centred div with date and source; 作者：/编辑： cells."""
    a = _article("old_table_2006_cells.html")
    assert (a.published_at_raw, a.source) == ("2006年03月02日", "新华网")
    assert (a.reporters, a.editors) == (("王嘉林",), ("刘秀芬",))


def test_golden_national_chtml_video_credits() -> None:
    """The wire dateline with its place; a bare closing name as the author; the credit block
    of a video page as credits, not paragraphs."""
    a = _article("newpage2020_chtml_video_credits.html")
    assert a.dateline is not None
    assert (a.dateline.agency, a.dateline.place, a.dateline.date_text) == (
        "新华社",
        "拉萨",
        "3月2日",
    )
    roles = {(c.role, c.name) for c in a.credits}
    assert ("作者", "白玛次仁") in roles
    assert {("策划", "陈晓光"), ("监制", "黄伟"), ("制片", "杨帆"), ("配音", "吴凯")} <= roles
    assert ("出品", "新华社音视频部") in roles
    for word in ("策划", "监制", "制片", "编导", "配音", "出品"):
        assert word not in a.body_text
    assert a.published_at == "2024-03-02T21:05:47+08:00"
