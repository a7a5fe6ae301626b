"""``newsarchive export``: RFC 4180 CSV that round-trips, Excel BOM only on request, formula
cells neutralised, people per role and long formats, JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import research_archive
from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.store.export import export_query, neutralise
from newsarchive.store.queries import Filters


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return research_archive.built(tmp_path_factory)


def export_bytes(db: Path, *args: str) -> bytes:
    result = CliRunner().invoke(main, ["-q", "export", "--db", str(db), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_round_trips_with_chinese_intact_and_no_bom(db: Path) -> None:
    data = export_bytes(db, "--format", "csv")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\r\n") == data.count(b"\n")  # RFC 4180 line ends
    rows = csv_rows(data)
    conn = sqlite3.connect(db)
    stored = conn.execute(
        "SELECT id, headline, source, published_at FROM articles"
        " WHERE duplicate_of IS NULL ORDER BY published_at, id"
    ).fetchall()
    assert [int(r["id"]) for r in rows] == [s[0] for s in stored]
    by_id = {int(r["id"]): r for r in rows}
    ids = research_archive.ids()
    assert by_id[ids["digital"]]["headline"] == "貴州數字經濟加快發展"
    assert by_id[ids["digital"]]["source"] == "新華網"
    assert by_id[ids["yunnan"]]["headline"] == "云南推进乡村振兴 高原特色农业带动增收"
    # People as a column per role, in page order; every credit in "credits".
    assert by_id[ids["tea"]]["reporters"] == "张三; 李四"
    assert by_id[ids["tea"]]["editors"] == "王五"
    assert by_id[ids["yunnan"]]["photographers"] == "孙七"
    assert by_id[ids["metro"]]["authors"] == "钱九"
    assert by_id[ids["yunnan"]]["credits"] == "记者:赵六; 摄影:孙七; 责任编辑:周八"
    assert by_id[ids["yunnan"]]["section_headings"] == "特色产业带动增收"
    assert by_id[ids["tea"]]["keywords"] == "茶产业; 贵州"
    assert by_id[ids["gone"]]["status"] == "taken_down"
    assert by_id[ids["metro"]]["revision"] == "2"
    assert "body_text" not in rows[0]


def test_excel_adds_the_bom_and_formula_cells_are_neutralised(db: Path) -> None:
    data = export_bytes(db, "--format", "csv", "--excel")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    formula = next(r for r in rows if int(r["id"]) == research_archive.ids()["formula"])
    assert formula["headline"] == '\'=HYPERLINK("http://example.com") 表格安全提示'
    assert formula["source"] == "'@新华网"
    assert formula["reporters"] == "'+张三"
    # Without --excel the cells are neutralised too (any spreadsheet may open the file).
    plain = csv_rows(export_bytes(db, "--format", "csv"))
    assert {r["headline"] for r in plain} >= {'\'=HYPERLINK("http://example.com") 表格安全提示'}


@pytest.mark.parametrize("value", ["=1+1", "+86", "-10", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_each_formula_start(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("贵州" + value) == "贵州" + value
    assert neutralise(-10) == -10


def test_body_columns_filters_and_file_output(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "gz.csv"
    export_bytes(
        db, "--out", str(out), "--channel", "gz", "--since", "2024",
        "--columns", "id,headline,body_text", "--include-body",
    )  # fmt: skip
    rows = csv_rows(out.read_bytes())
    ids = research_archive.ids()
    assert [int(r["id"]) for r in rows] == [ids["metro"], ids["digital"], ids["formula"]]
    assert list(rows[0]) == ["id", "headline", "body_text"]
    assert "三号线日均客流预计超过二十万人次" in rows[0]["body_text"]
    assert "\n" in rows[0]["body_text"]  # multi-line cells survive quoting
    assert not list(tmp_path.glob(".*.part"))  # the temporary file was renamed into place


def test_long_format_credits_and_sections(db: Path) -> None:
    ids = research_archive.ids()
    credits = csv_rows(export_bytes(db, "--table", "credits", "--channel", "yn"))
    assert [(r["article_id"], r["role"], r["name"]) for r in credits] == [
        (str(ids["yunnan"]), "记者", "赵六"),
        (str(ids["yunnan"]), "摄影", "孙七"),
        (str(ids["yunnan"]), "责任编辑", "周八"),
    ]
    sections = csv_rows(export_bytes(db, "--table", "sections", "--channel", "yn"))
    assert [r["heading"] for r in sections] == ["", "特色产业带动增收"]
    assert (
        sections[1]["text"]
        == "花卉、咖啡和坚果三大产业去年综合产值突破千亿元，带动数十万农户增收。"
    )


def test_jsonl_has_arrays_for_people(db: Path) -> None:
    lines = export_bytes(db, "--format", "jsonl", "--reporter", "張三").decode().splitlines()
    (record,) = [json.loads(line) for line in lines]
    assert record["id"] == research_archive.ids()["tea"]
    assert record["reporters"] == ["张三", "李四"]
    assert record["photographers"] == []
    assert record["headline"] == "贵州茶产业今年实现量价齐升"


def test_export_query_is_plain_sql_the_sqlite3_cli_can_run() -> None:
    query = export_query(Filters(channels=("gz",)), columns=["id", "reporters"])
    assert query.columns == ("id", "reporters")
    assert query.params == ("gz",)
    assert "?" in query.sql and "gz" not in query.sql  # user values are bound, never inlined


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "id,nope"], "unknown column(s) nope"),
        (["--format", "jsonl", "--excel"], "--excel applies to"),
        (["--table", "credits", "--columns", "id"], "--columns applies"),
        (["--until", "soon"], "not a date"),
    ],
)
def test_bad_export_options_exit_2(db: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["export", "--db", str(db), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_packed_people_columns_equal_the_plain_sql(db: Path) -> None:
    # The export unpacks every credit from one column; the plain SQL (what the sqlite3 shell
    # runs in bench/query.py) has one subquery per role. Both give the same rows.
    import dataclasses  # noqa: PLC0415 (only this test)

    from newsarchive.store.export import ARTICLE_COLUMNS, _rows  # noqa: PLC0415

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for filters in (Filters(), Filters(include_duplicates=True, channels=("gz", "sc"))):
        query = export_query(filters, columns=list(ARTICLE_COLUMNS))
        assert query.fast_sql is not None
        plain = dataclasses.replace(query, fast_sql=None)
        assert [list(r) for r in _rows(conn, query)] == [list(r) for r in _rows(conn, plain)]


def test_out_writes_through_a_symlink_and_into_a_fifo(db: Path, tmp_path: Path) -> None:
    expected = export_bytes(db)
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = CliRunner().invoke(main, ["-q", "export", "--db", str(db), "--out", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()  # the link is kept; the file it points at has the export
    assert real.read_bytes() == expected
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = CliRunner().invoke(main, ["-q", "export", "--db", str(db), "--out", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert got == [expected]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a FIFO, not replaced by a file


CLI = (sys.executable, "-c", "from newsarchive.cli import main; main()")


def test_a_reader_that_stops_early_ends_the_export_quietly(db: Path) -> None:
    # A pipe whose reader is gone before the first row (``export | head -0``): every write
    # fails with EPIPE, whatever the size of the export.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [*CLI, "-q", "export", "--db", str(db)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr.decode() == ""  # no traceback, no "Broken pipe" error line


COLUMNS = "id,published_at,published_date,month,reporters,editors,credits,keywords"


def test_dates_and_lists_exported_byte_for_byte(db: Path) -> None:
    data = export_bytes(db, "--channel", "gz", "--until", "2023", "--columns", COLUMNS)
    assert (
        data
        == (
            "id,published_at,published_date,month,reporters,editors,credits,keywords\r\n"
            "1,2023-11-27T10:46:00+08:00,2023-11-27,2023-11,张三; 李四,王五,"
            "记者:张三; 记者:李四; 责任编辑:王五,茶产业; 贵州\r\n"
        ).encode()
    )


def test_excel_gets_a_date_it_parses_and_a_month_that_stays_text(db: Path) -> None:
    """Excel reads ``2023-11-27`` as a date and would read ``2023-11`` as 1 November 2023:
    with --excel the month is the text formula ``="2023-11"``; published_at stays as it is."""
    data = export_bytes(
        db, "--channel", "gz", "--until", "2023", "--excel",
        "--columns", "id,published_at,published_date,month",
    )  # fmt: skip
    assert (
        data
        == (
            "\ufeffid,published_at,published_date,month\r\n"
            '1,2023-11-27T10:46:00+08:00,2023-11-27,"=""2023-11"""\r\n'
        ).encode()
    )
    plain = export_bytes(db, "--channel", "gz", "--until", "2023", "--columns", "month")
    assert plain == b"month\r\n2023-11\r\n"
    default = csv_rows(export_bytes(db))
    assert list(default[0])[:3] == ["id", "published_at", "published_date"]


def test_the_view_and_the_export_flatten_lists_the_same_way(db: Path) -> None:
    columns = ["published_date", "month", "reporters", "editors", "credits", "keywords"]
    exported = {
        int(r["id"]): [r[c] or None for c in columns]
        for r in csv_rows(export_bytes(db, "--columns", "id," + ",".join(columns)))
    }
    conn = sqlite3.connect(db)
    viewed = {  # the export neutralises formula-like cells ("+张三" → "'+张三")
        row[0]: [neutralise(v) for v in row[1:]]
        for row in conn.execute(
            f"SELECT id, {', '.join(columns)} FROM articles_flat WHERE duplicate_of IS NULL"
        )
    }
    assert exported == viewed
    assert viewed[research_archive.ids()["yunnan"]][4] == "记者:赵六; 摄影:孙七; 责任编辑:周八"


def test_long_format_paragraphs(db: Path) -> None:
    rows = csv_rows(export_bytes(db, "--table", "paragraphs", "--channel", "yn"))
    assert list(rows[0]) == [
        "article_id", "published_at", "channel", "headline", "section", "position", "text",
    ]  # fmt: skip
    assert [(r["section"], r["position"]) for r in rows][-1] == ("1", "0")
    assert rows[-1]["text"] == (
        "花卉、咖啡和坚果三大产业去年综合产值突破千亿元，带动数十万农户增收。"
    )
    sections = csv_rows(export_bytes(db, "--table", "sections", "--channel", "yn"))
    for section in sections:
        texts = [r["text"] for r in rows if r["section"] == section["position"]]
        assert section["text"] == "\n".join(texts)
        assert section["paragraphs"] == str(len(texts))
