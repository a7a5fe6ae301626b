"""``newsarchive runs``: the crawl ledger, and the exit-code rule of a crawl."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive import crawlhistory
from newsarchive.cli import main
from newsarchive.exitcodes import ExitCode
from newsarchive.lock import writer_lock
from newsarchive.store import Store


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    with Store(db) as store:
        first = store.start_run("channel", channels=["gz"], started_at="2026-01-01T00:00:00+00:00")
        store.finish_run(
            first,
            exit_status="ok",
            counters={"pages_fetched": 40, "articles_new": 30},
            finished_at="2026-01-01T00:02:05+00:00",
        )
        second = store.start_run(
            "channel", channels=["gz", "sh"], started_at="2026-01-02T00:00:00+00:00"
        )
        store.finish_run(
            second,
            exit_status="partial",
            counters={"pages_fetched": 7, "articles_new": 2, "articles_unchanged": 3},
            errors_by_kind={"http_500": 2, "timeout": 1},
            finished_at="2026-01-02T00:00:09+00:00",
        )
        store.start_run("channel", channels=["gz"], started_at="2026-01-03T00:00:00+00:00")
    return db


def test_list_runs_reads_every_column(archive: Path) -> None:
    runs = crawlhistory.list_runs(archive)
    assert [r.id for r in runs] == [3, 2, 1]
    killed, partial, ok = runs
    assert killed.status == "unfinished"
    assert killed.seconds is None
    assert partial.channels == ("gz", "sh")
    assert partial.pages_fetched == 7
    assert partial.articles_new == 2
    assert partial.articles_unchanged == 3
    assert partial.errors == 3
    assert partial.errors_by_kind == {"http_500": 2, "timeout": 1}
    assert partial.status == "partial"
    assert partial.seconds == 9.0
    assert ok.seconds == 125.0
    assert [r.id for r in crawlhistory.list_runs(archive, limit=1)] == [3]


def test_runs_table(archive: Path) -> None:
    result = CliRunner().invoke(main, ["runs", "--db", str(archive)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The counters under their crawl_runs names (as the crawl summary and --format json).
    assert lines[0].split() == [
        "id", "started_at", "seconds", "channels", "pages_fetched", "articles_new",
        "articles_updated", "articles_unchanged", "duplicates", "errors", "status",
    ]  # fmt: skip
    # started_at with its offset (runs are recorded in UTC; articles in Beijing time).
    assert lines[1].split() == ["3", "2026-01-03T00:00:00+00:00", "gz", "0", "0", "0", "0", "0",
                                "0", "unfinished"]  # fmt: skip
    # Error kinds as the crawl summary writes them (most first).
    assert lines[2].split() == [
        "2", "2026-01-02T00:00:00+00:00", "9", "gz,sh", "7", "2", "0", "3", "0", "3",
        "(http_500", "2,", "timeout", "1)", "partial",
    ]  # fmt: skip
    assert lines[3].split()[-1] == "ok"


def test_runs_json_and_csv(archive: Path) -> None:
    out = CliRunner().invoke(
        main, ["runs", "--db", str(archive), "--format", "json", "--limit", "2"]
    )
    data = json.loads(out.output)
    assert [r["id"] for r in data] == [3, 2]
    assert data[1]["errors_by_kind"] == {"http_500": 2, "timeout": 1}
    assert data[1]["exit_status"] == "partial"
    assert data[0]["finished_at"] is None
    out = CliRunner().invoke(
        main, ["runs", "--db", str(archive), "--format", "csv", "--limit", "0"]
    )
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["id"] for r in rows] == ["3", "2", "1"]
    assert json.loads(rows[1]["channels"]) == ["gz", "sh"]
    assert rows[2]["pages_fetched"] == "40"


def test_runs_db_from_environment(archive: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(
        main, ["runs", "--format", "json"], env={"NEWSARCHIVE_DB": str(archive)}
    )
    assert out.exit_code == 0
    assert len(json.loads(out.output)) == 3


def test_runs_without_archive_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["runs", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == ExitCode.FAILURE
    assert "no archive at" in result.output
    not_sqlite = tmp_path / "text.db"
    not_sqlite.write_text("hello", "utf-8")
    result = CliRunner().invoke(main, ["runs", "--db", str(not_sqlite)])
    assert result.exit_code == ExitCode.FAILURE
    assert "cannot read the crawl ledger" in result.output


@pytest.mark.parametrize(
    ("reason", "pages", "errors", "code", "stored"),
    [
        ("finished", 10, 0, ExitCode.OK, None),
        ("finished", 10, 2, ExitCode.PARTIAL, None),
        ("finished", 0, 0, ExitCode.FAILURE, None),
        ("finished", 0, 5, ExitCode.FAILURE, None),
        ("finished", 4, 4, ExitCode.FAILURE, None),  # every page failed: a dead server
        ("finished", 5, 4, ExitCode.PARTIAL, None),
        # with the pages stored as something else than an error: failed downloads (no
        # response) are errors but not pages fetched, so 3 errors beside 2 good pages is partial
        ("finished", 2, 3, ExitCode.PARTIAL, 2),
        ("finished", 3, 3, ExitCode.FAILURE, 0),  # every answered page an error (a 503 site)
        ("closespider_pagecount", 5, 0, ExitCode.OK, None),
        ("shutdown", 3, 0, ExitCode.INTERRUPTED, None),
        ("cancelled", 3, 0, ExitCode.FAILURE, None),
    ],
)
def test_exit_code_rule(
    reason: str, pages: int, errors: int, code: ExitCode, stored: int | None
) -> None:
    assert crawlhistory.exit_code(reason, pages_fetched=pages, errors=errors, stored=stored) is code
    assert code in crawlhistory.EXIT_STATUS


def test_the_newest_unfinished_run_is_running_while_its_writer_lives(archive: Path) -> None:
    with writer_lock(archive):  # this process is the writer
        statuses = [r.status for r in crawlhistory.list_runs(archive)]
        assert statuses == ["running", "partial", "ok"]
        result = CliRunner().invoke(main, ["runs", "--db", str(archive)])
        assert result.output.splitlines()[1].split()[-1] == "running"
    assert crawlhistory.list_runs(archive)[0].status == "unfinished"
