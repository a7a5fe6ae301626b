"""``newsarchive search`` against a real archive written by the Store: exact rows, both scripts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import research_archive
from click.testing import CliRunner

from newsarchive.cli import main


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return research_archive.built(tmp_path_factory)


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-q", "search", *args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def ids_for(db: Path, *args: str) -> list[int]:
    code, out, err = run(db, *args, "--format", "json")
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 4-character word, simplified query: the simplified Yunnan article and the article
        # only ever seen in traditional script.
        ("乡村振兴", {"yunnan", "digital"}),
        # The same word typed in traditional script finds the same two.
        ("鄉村振興", {"yunnan", "digital"}),
        # 4-character word that only the traditional article has, queried in simplified.
        ("数字经济", {"digital"}),
        ("數字經濟", {"digital"}),
        # 2-character words in both scripts.
        ("茶园", {"tea", "formula"}),
        ("茶園", {"tea", "formula"}),
        ("地铁", {"metro"}),
        ("地鐵", {"metro"}),
        ("雄安", {"gone"}),
        # Phrase, AND, OR, exclusion.
        ('"全省茶园面积"', {"tea"}),
        ("贵州 茶园", {"tea", "formula"}),
        ("雄安 OR 地铁", {"gone", "metro"}),
        ("茶园 -表格", {"tea"}),
        # Words only in the edited (current) version are found; the headline is indexed too.
        ("二十万人次", {"metro"}),
        ("量价齐升", {"tea"}),
        ("不存在的词语", set()),
    ],
)
def test_search_returns_exactly_the_matching_articles(
    db: Path, query: str, expected: set[str]
) -> None:
    names = research_archive.ids()
    assert set(ids_for(db, query)) == {names[n] for n in expected}


def test_filters_channel_dates_source_reporter(db: Path) -> None:
    names = research_archive.ids()
    assert ids_for(db, "乡村振兴", "--channel", "yn") == [names["yunnan"]]
    assert ids_for(db, "乡村振兴", "--channel", "gz") == [names["digital"]]
    assert ids_for(db, "乡村振兴", "--since", "2024-04") == [names["digital"]]
    assert ids_for(db, "乡村振兴", "--until", "2024-03-05") == [names["yunnan"]]
    assert ids_for(db, "乡村振兴", "--since", "2024", "--until", "2024-03") == [names["yunnan"]]
    # Times with an offset compare as instants (the Yunnan article: 2024-03-05 09:30 +08:00,
    # which is 01:30 UTC); a time without one is Beijing time; far bounds are bounds.
    assert ids_for(db, "乡村振兴", "--until", "2024-03-05T01:30:00Z") == [names["yunnan"]]
    assert ids_for(db, "乡村振兴", "--until", "2024-03-05T01:29:00Z") == []
    assert (
        ids_for(db, "乡村振兴", "--since", "2024-03-05T01:31:00+00:00", "--until", "2024-03") == []
    )
    assert ids_for(db, "乡村振兴", "--since", "2024-03-05T09:30", "--until", "2024-03") == [
        names["yunnan"]
    ]
    assert set(ids_for(db, "乡村振兴", "--until", "9999")) == {names["yunnan"], names["digital"]}
    assert set(ids_for(db, "乡村振兴", "--until", "9999-12-31")) == {
        names["yunnan"],
        names["digital"],
    }
    # Source and reporter match in either script (the article prints 新華網 and 魯毅).
    assert ids_for(db, "乡村振兴", "--source", "新华网") == [names["digital"]]
    assert ids_for(db, "乡村振兴", "--reporter", "鲁毅") == [names["digital"]]
    assert ids_for(db, "茶园", "--reporter", "张三") == [names["tea"]]
    assert ids_for(db, "茶园", "--limit", "1") in ([names["tea"]], [names["formula"]])


def test_near_copies_are_folded_unless_asked_for(db: Path) -> None:
    names = research_archive.ids()
    # 湄潭县 is in the tea article and in its Sichuan reprint (a near copy).
    assert ids_for(db, "湄潭县") == [names["tea"]]
    assert set(ids_for(db, "湄潭县", "--include-duplicates")) == {names["tea"], names["reprint"]}
    # Filtered searches (answered from an id set) fold copies the same way.
    assert ids_for(db, "湄潭县", "--channel", "sc") == []
    assert ids_for(db, "湄潭县", "--channel", "sc", "--include-duplicates") == [names["reprint"]]
    assert ids_for(db, "湄潭县", "--since", "2023-11", "--until", "2023-11") == [names["tea"]]
    assert ids_for(db, "湄潭县", "--source", "四川日报", "--include-duplicates") == [
        names["reprint"]
    ]
    assert ids_for(db, "湄潭县", "--reporter", "李四", "--channel", "gz") == [names["tea"]]
    assert ids_for(db, "湄潭县", "--reporter", "李四", "--channel", "yn") == []


def test_json_hits_carry_headline_date_channel_snippet_and_url(db: Path) -> None:
    code, out, _ = run(db, "鄉村振興", "--channel", "gz", "--format", "json")
    assert code == 0
    (hit,) = json.loads(out)
    assert hit["rank"] == 1
    assert hit["headline"] == "貴州數字經濟加快發展"
    assert hit["published_at"] == "2024-05-15T08:58:52+08:00"
    assert hit["channel"] == "gz"
    assert hit["url"] == research_archive.urls.canonical_url(research_archive.DIGITAL_URL)
    # The snippet is readable body text (not index bigrams) with the match marked in the
    # article's own script.
    assert "用於鄉村振興，電商平台" in hit["snippet"]
    assert "用於【鄉村振興】，電商平台" in hit["marked_snippet"]
    assert hit["relevance"] == 100 and "score" not in hit
    assert [hit["snippet"][start:end] for start, end in hit["highlights"]] == ["鄉村振興"]


def test_ranking_prefers_headline_matches(db: Path) -> None:
    names = research_archive.ids()
    # 贵州 is in two headlines (one in traditional script) and in one body only.
    ranked = ids_for(db, "贵州")
    assert set(ranked[:2]) == {names["tea"], names["digital"]}
    assert ranked[2:] == [names["formula"]]


def test_table_and_csv_formats(db: Path) -> None:
    code, out, _ = run(db, "地铁")
    assert code == 0
    assert "贵阳地铁三号线全线开通初期运营" in out
    assert "【地铁】" in out  # highlight marks when not writing to a terminal
    assert "https://gz.news.cn/20240110/00000000000000000000000000000001/c.html" in out
    code, out, _ = run(db, "地铁", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["headline"] for r in rows] == ["贵阳地铁三号线全线开通初期运营"]
    assert rows[0]["rank"] == "1"


@pytest.mark.parametrize("query", ['"乡村振兴', "(贵州)", "'; DROP TABLE articles; --", ""])
def test_malformed_query_is_a_clear_message_and_exit_2(db: Path, query: str) -> None:
    code, out, err = run(db, query)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert "Traceback" not in err


def test_bad_filter_and_missing_archive(db: Path, tmp_path: Path) -> None:
    code, _, err = run(db, "贵州", "--since", "last year")
    assert code == 2 and "not a date" in err
    code, _, err = run(db, "贵州", "--channel", "xx")
    assert code == 2 and "unknown channel 'xx'" in err
    code, _, err = run(db, "贵州", "--since", "2025", "--until", "2024")
    assert code == 2 and "--since 2025 is after --until 2024" in err
    code, _, err = run(tmp_path / "none.db", "贵州")
    assert code == 1 and "no archive at" in err


def test_articles_waiting_for_the_index_are_announced(tmp_path: Path) -> None:
    # A crawl still running has stored an article but not flushed its full-text batch.
    from store_factory import article_item, make_article  # noqa: PLC0415

    from newsarchive.store import Store  # noqa: PLC0415

    db = tmp_path / "live.db"
    store = Store(db, fts_batch=100)
    try:
        store.store_item(article_item(make_article()))
        code, out, err = run(db, "茶园", "--format", "json")
        assert code == 0 and json.loads(out) == []
        assert "1 recently stored articles are not searchable yet" in err
    finally:
        store.close()
    code, out, err = run(db, "茶园", "--format", "json")
    assert [h["headline"] for h in json.loads(out)] == ["贵州茶产业今年实现量价齐升"]
    assert "not searchable" not in err


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("茶园", {"channel": "gz"}),
        ("湄潭县", {"channel": ["gz", "sc"], "include_duplicates": True}),
        ("湄潭县", {"channel": ["gz", "sc"]}),
        ("乡村振兴", {"since": "2024-03", "until": "2024-05"}),
        ("贵州", {"source": "新华网"}),
        ("贵州", {"reporter": "张三", "since": "2023"}),
    ],
)
def test_both_search_plans_return_the_same_hits(
    db: Path, query: str, filters: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive import Archive  # noqa: PLC0415
    from newsarchive.store import search as search_module  # noqa: PLC0415

    with Archive(db) as archive:
        monkeypatch.setattr(search_module, "ID_SET_SMALL", 10**9)
        monkeypatch.setattr(search_module, "ID_SET_CAP", 10**9)
        id_set = [(h.id, h.score) for h in archive.search(query, **filters)]  # type: ignore[arg-type]
        monkeypatch.setattr(search_module, "ID_SET_SMALL", 0)
        monkeypatch.setattr(search_module, "ID_SET_CAP", 0)
        join = [(h.id, h.score) for h in archive.search(query, **filters)]  # type: ignore[arg-type]
    assert id_set == join
    assert id_set  # every case has hits


def test_output_says_how_many_matched_and_how_many_are_shown(db: Path) -> None:
    code, out, _ = run(db, "贵州")
    assert code == 0
    assert out.splitlines()[0] == "3 matching articles"
    code, out, _ = run(db, "贵州", "--limit", "2")
    assert out.splitlines()[0] == "2 of 3 matching articles (--limit shows more)"
    # CSV and JSON keep standard output to the data: the count goes to standard error.
    result = CliRunner().invoke(
        main, ["-q", "search", "贵州", "--limit", "2", "--format", "csv", "--db", str(db)]
    )
    assert result.stderr.strip() == "2 of 3 matching articles (--limit shows more)"
    assert result.stdout.startswith("rank,id,")


def test_relevance_is_a_percentage_of_the_best_and_marks_are_the_users(db: Path) -> None:
    code, out, _ = run(db, "贵州", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    relevance = [int(r["relevance"]) for r in rows]
    assert relevance[0] == 100
    assert relevance == sorted(relevance, reverse=True)
    assert all(0 <= r <= 100 for r in relevance)
    assert "score" not in rows[0]
    # snippet is plain text; marked_snippet has the default CJK brackets, or the user's marks.
    assert all("【" not in r["snippet"] and "**" not in r["snippet"] for r in rows)
    assert any("【贵州】" in r["marked_snippet"] for r in rows)
    code, out, _ = run(db, "贵州", "--format", "csv", "--mark", "<b>", "</b>")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert any("<b>贵州</b>" in r["marked_snippet"] for r in rows)
    code, out, _ = run(db, "地铁", "--mark", "[[", "]]")
    assert code == 0
    assert "[[地铁]]" in out
