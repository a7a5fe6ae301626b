"""``newsarchive crawl``, ``demo`` and ``reextract`` as a user runs them, and
``scrapy crawl channel`` from the repository root."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from tools.mirror import CountingMirror

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]


def run(args: list[str], *, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=240, check=False, cwd=cwd)


def counter(output: str, name: str) -> int:
    m = re.search(rf"^\s+{name}\s+(\d+)", output, re.M)
    assert m, output
    return int(m.group(1))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "xx"], "unknown channel 'xx'"),
        (["crawl", "gz", "--since", "2020-13-01"], "not a date"),
        (["crawl", "gz", "--since", "2021-01-01", "--until", "2020-01-01"], "after"),
        (["crawl", "gz", "--start", "https://he.news.cn/"], "not a page of channel"),
        (["crawl", "gz", "--mirror", "localhost:8000"], "not an http"),
        (["crawl", "--since", "2024-13"], "--since: not a date: '2024-13' (use YYYY, YYYY-MM"),
        (
            ["crawl", "--start", "https://www.example.com/x.htm"],
            "error: --start https://www.example.com/x.htm is outside every channel",
        ),
    ],
)
def test_bad_crawl_options_exit_2_before_anything_runs(
    args: list[str], message: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.splitlines()) == 1, result.output  # one line, no Scrapy syntax
    assert "-a " not in result.output
    assert not (tmp_path / "a.db").exists()


def test_reextract_without_an_archive_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["reextract", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no archive at" in result.output


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    db = tmp_path_factory.mktemp("demo") / "data" / "archive.db"
    db.parent.mkdir()
    first = run([*CLI, "demo", "--db", str(db)])
    second = run([*CLI, "demo", "--db", str(db)])
    # A finished crawl leaves the archive, its lock file and SQLite's -wal (emptied) and -shm
    # (kept: deleting them takes a lock readers run into; docs/schema.md); no job state.
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "archive.db",
        "archive.db-shm",
        "archive.db-wal",
        "archive.db.lock",
    ]
    assert (db.parent / "archive.db-wal").stat().st_size == 0
    yield db, [first.stdout + first.stderr, second.stdout + second.stderr]
    assert first.returncode == second.returncode == 0


@pytest.mark.e2e
def test_demo_crawls_the_sample_site_and_summarises(demo_db: tuple[Path, list[str]]) -> None:
    db, (first, _) = demo_db
    assert "run 1 (channel)" in first
    assert counter(first, "articles new") == 72
    assert counter(first, "errors") == 1  # the sample site's dead link
    assert counter(first, "duplicates") >= 4
    assert re.search(r"archive: 72 articles, 1 near copies", first)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 73
        channels = {r[0] for r in conn.execute("SELECT DISTINCT channel FROM articles")}
    assert channels == {"gz", "he"}


@pytest.mark.e2e
def test_the_demo_visits_the_site_again_later_and_finds_an_edit_and_a_takedown(
    demo_db: tuple[Path, list[str]],
) -> None:
    db, (first, _) = demo_db
    later = first[first.index("run 2 (channel)") :]
    assert counter(later, "articles new") == 0
    assert counter(later, "articles updated") == 1
    assert counter(later, "takedowns") == 1
    assert re.search(r"archive: 72 articles, 1 near copies, \d+ URLs, 1 revisions", later)
    v2 = json.loads((SITE.parent / "sample_site_v2" / "V2.json").read_text("utf-8"))
    with sqlite3.connect(db) as conn:
        revised = conn.execute(
            "SELECT a.headline, a.canonical_url FROM revisions r JOIN articles a"
            " ON a.id = r.article_id"
        ).fetchall()
        down = conn.execute(
            "SELECT a.canonical_url, a.status FROM events e JOIN articles a"
            " ON a.id = e.article_id WHERE e.kind = 'taken_down'"
        ).fetchall()
    assert revised == [(v2["article"]["headline"], v2["article"]["canonical_url"])]
    assert down == [(v2["taken_down"]["canonical_url"], "taken_down")]


@pytest.mark.e2e
def test_running_the_demo_twice_stores_nothing_twice(demo_db: tuple[Path, list[str]]) -> None:
    db, (_, second) = demo_db
    assert "run 3 (channel)" in second
    assert "run 4 (channel)" in second  # the later visit again
    assert counter(second, "articles new") == 0
    assert counter(second[second.index("run 4") :], "articles updated") == 0
    assert counter(second[second.index("run 4") :], "takedowns") == 0
    assert re.search(r"archive: 72 articles, 1 near copies, \d+ URLs, 1 revisions", second)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert runs == 4
    assert events == 1


@pytest.mark.e2e
def test_reextract_rederives_the_demo_archive_without_fetching(
    demo_db: tuple[Path, list[str]],
) -> None:
    db, _ = demo_db
    with sqlite3.connect(db) as conn:
        captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
    proc = run([*CLI, "reextract", "--db", str(db)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "(reextract) ok" in out
    assert counter(out, "articles new") == 0
    assert counter(out, "articles unchanged") >= 70
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == captures
        spider = conn.execute("SELECT spider FROM crawl_runs ORDER BY id DESC").fetchone()[0]
        changed = conn.execute("SELECT count(*) FROM revisions").fetchone()[0] - revisions
    assert spider == "reextract"
    assert changed == counter(out, "articles updated")


@pytest.mark.e2e
def test_reextract_with_the_same_extractor_revises_nothing(
    demo_db: tuple[Path, list[str]],
) -> None:
    db, _ = demo_db
    proc = run([*CLI, "reextract", "--db", str(db)])
    assert proc.returncode == 0
    assert counter(proc.stdout, "articles updated") == 0


@pytest.mark.e2e
def test_scrapy_crawl_channel_does_the_same_with_a_window_and_a_budget(tmp_path: Path) -> None:
    db = tmp_path / "scrapy.db"
    with CountingMirror(SITE) as server:
        proc = run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "channel",
                "-a",
                "channels=gz",
                "-a",
                f"mirror={server.url}",
                "-a",
                f"db={db}",
                "-a",
                "polite=0",
                "-a",
                "since=2024-01-01",
                "-a",
                "max_pages=25",
                "-s",
                "LOG_LEVEL=INFO",
            ]
        )
        hosts = {key.split("/", 1)[0] for key in server.requests}
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "he.news.cn" not in hosts and "www.he.xinhuanet.com" not in hosts
    with sqlite3.connect(db) as conn:
        pages, status = conn.execute("SELECT pages_fetched, exit_status FROM crawl_runs").fetchone()
        rows = conn.execute("SELECT channel, canonical_url FROM articles").fetchall()
    assert 0 < pages <= 25 + 3  # the budget (and the last pages of a started multi-page article)
    # The statuses of `newsarchive crawl` (README's `runs`): this one stopped at its budget.
    assert status == "budget"
    assert rows and {channel for channel, _ in rows} == {"gz"}
    for _, url in rows:
        m = re.search(r"/(\d{4})(?:-\d\d/\d\d/c_|\d{4}/)", url)
        assert m and int(m.group(1)) >= 2024, url


@pytest.mark.parametrize("command", [["crawl", "gz", "--mirror", "http://127.0.0.1:9/"], ["demo"]])
def test_an_archive_in_a_missing_folder_is_an_error_not_a_new_tree(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "no" / "such" / "folder" / "a.db"
    done = run([*CLI, *command, "--db", str(db)])
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (
        f"error: no folder {db.parent} for the archive {db}: create it first"
    )
    assert not (tmp_path / "no").exists()


def test_the_default_archive_folder_is_created(tmp_path: Path) -> None:
    env_free = [*CLI, "-q", "demo"]
    done = subprocess.run(
        env_free, capture_output=True, text=True, timeout=240, check=False, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "archive.db").is_file()
    # -q: a run that went well prints nothing (cron mails any output).
    assert done.stdout == ""


@pytest.mark.e2e
def test_the_demo_visits_again_only_after_a_first_visit_that_finished(tmp_path: Path) -> None:
    """A site whose start page is missing: the first visit fetches nothing and fails, and
    the later visit is not started (one run row, one report)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "MANIFEST.json").write_text('{"start_pages": {"gz": ["https://gz.news.cn/"]}}')
    (tmp_path / "later").mkdir()
    code = (
        "from pathlib import Path; from newsarchive.crawling import jobs; "
        "r = jobs.demo(db=Path('a.db'), site=Path('site'), later=Path('later')); "
        "print(len(r), r[0].run['exit_status'], int(r[0].exit_code))"
    )
    proc = run([sys.executable, "-c", code], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["1", "failed", "1"]
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 1
