"""One credits → people rule (records.PEOPLE_ROLES): the record's reporters and editors, the
``articles_flat`` view and the export's people columns all draw the same names from the
credits; the golden records follow it."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from store_factory import URL, article_item, make_article

from newsarchive.records import Credit, article_from_dict, people
from newsarchive.store import Store, codec
from newsarchive.store.export import export, export_query

GOLDEN = Path(__file__).parent / "golden"

BOTH = (
    Credit(role="记者", name="张三"),
    Credit(role="编辑", name="钱九"),
    Credit(role="责任编辑", name="王五"),
    Credit(role="记者", name="张三"),
    Credit(role="摄影记者", name="孙七"),
    Credit(role="摄影", name="周八"),
)
ONLY_EDITOR = (Credit(role="记者", name="李四"), Credit(role="编辑", name="赵六"))


def test_the_rule() -> None:
    assert people(BOTH, "reporters") == ("张三",)  # each name once
    assert people(BOTH, "editors") == ("王五",)  # 责任编辑 first: 编辑 is someone else here
    assert people(ONLY_EDITOR, "editors") == ("赵六",)  # the page's only editor credit
    assert people(BOTH, "photographers") == ("孙七", "周八")  # one tier: every role in it
    assert people((), "editors") == ()
    with pytest.raises(KeyError):
        people(BOTH, "nobody")


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.name)
def test_golden_records_follow_the_rule(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if "credits" not in data:
        pytest.skip("not an article")
    article = article_from_dict(data)
    assert article.reporters == people(article.credits, "reporters")
    assert article.editors == people(article.credits, "editors")


def test_record_view_and_export_agree(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    articles = [
        make_article(credits=BOTH, reporters=("张三",), editors=("王五",)),
        make_article(
            URL.replace("c_1129999001", "c_1129999002"),
            headline="另一篇：旧版表格页只印编辑",
            body_text="新华社贵阳电 旧版表格页只印编辑一人。" * 8,
            credits=ONLY_EDITOR,
            reporters=("李四",),
            editors=("赵六",),
        ),
    ]
    with Store(db) as store:
        ids = [store.store_item(article_item(a)).article for a in articles]
    assert all(r is not None and r.outcome == "new" for r in ids)
    conn = sqlite3.connect(db)
    flat = conn.execute("SELECT reporters, editors FROM articles_flat ORDER BY id").fetchall()
    assert flat == [("张三", "王五"), ("李四", "赵六")]
    for article_id in (1, 2):
        record = codec.load(conn, article_id)
        assert record is not None and record.editors == articles[article_id - 1].editors
    query = export_query(columns=["editors", "photographers", "reporters"])
    plain = conn.execute(query.sql, query.params).fetchall()  # what the sqlite3 CLI would run
    assert plain == [("王五", "孙七; 周八", "张三"), ("赵六", None, "李四")]
    out = io.StringIO(newline="")
    export(conn, out, columns=["photographers", "reporters"])
    assert out.getvalue() == "photographers,reporters\r\n孙七; 周八,张三\r\n,李四\r\n"
