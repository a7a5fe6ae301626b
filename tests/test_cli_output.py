"""What an operator sees (issue 18): a plain run prints the project's own lines, ``-v`` Scrapy's
log too, ``--quiet`` warnings and errors one line each and one closing line when the run did
not end well; one set of counters in progress, summary, ``runs`` and ``crawl_runs``; a page
budget that stopped a run is said so."""

from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive import crawlhistory, logfile
from tools.mirror import CountingMirror

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=240, check=False, cwd=REPO)


def dead_port() -> int:
    """A port on 127.0.0.1 nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the console's lines ---------------------------------------------------------------------


def test_quiet_crawl_against_a_dead_server_prints_a_few_lines_and_one_conclusion(
    tmp_path: Path,
) -> None:
    mirror = f"http://127.0.0.1:{dead_port()}"
    db = tmp_path / "q.db"
    done = run([*CLI, "--quiet", "crawl", "gz", "--mirror", mirror, "--no-politeness",
                "--db", str(db)])  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stderr
    # One warning per host (gz has two: gz.news.cn, www.gz.xinhuanet.com), then the conclusion.
    assert len(lines) <= 4, done.stderr
    assert all(" WARNING " in line or " ERROR " in line for line in lines[:-1]), done.stderr
    assert lines[-1].startswith(
        "crawl failed: pages fetched 0, errors 2 (robots_unavailable 2); check the network"
    ), lines[-1]
    assert "newsarchive runs" in lines[-1]
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT pages_fetched, errors, exit_status FROM crawl_runs").fetchone()
    assert row == (0, 2, "failed")


def test_a_plain_demo_prints_its_summary_only_and_v_adds_the_log(tmp_path: Path) -> None:
    plain = run([*CLI, "demo", "--db", str(tmp_path / "plain.db")])
    assert plain.returncode == 0, plain.stderr
    output = plain.stdout + plain.stderr
    assert "scrapy" not in output.lower().replace("(channel)", ""), output
    assert "Dumping Scrapy stats" not in output
    assert plain.stderr == ""  # the sample site's dead link is counted, not warned about
    assert plain.stdout.startswith("run 1 (channel) partial in ")
    # two summaries (the site, then its later version), each a heading, 9 counters, archive
    assert len(plain.stdout.splitlines()) == 22
    assert "\nrun 2 (channel) " in plain.stdout
    verbose = run([*CLI, "-v", "demo", "--db", str(tmp_path / "verbose.db")])
    assert verbose.returncode == 0
    assert "INFO scrapy.core.engine: Spider opened" in verbose.stderr
    assert "Dumping Scrapy stats" in verbose.stderr
    assert "INFO newsarchive.crawling.crawlrun: crawl run 1 started" in verbose.stderr
    assert " DEBUG " not in verbose.stderr

    def timeless(out: str) -> str:
        return re.sub(r"in \S+s", "in <s>", out).replace("verbose.db", "plain.db")

    assert timeless(verbose.stdout) == timeless(plain.stdout)


def test_console_records_are_one_line_and_tracebacks_wait_for_vv() -> None:
    try:
        raise ValueError("bad value\nsecond line")
    except ValueError:
        record = logging.LogRecord(
            "spiders.channel", logging.ERROR, __file__, 1, "storing %s failed", ("x",),
            sys.exc_info(),
        )  # fmt: skip
    line = logfile.ConsoleFormatter().format(record)
    assert "\n" not in line
    assert line.endswith(
        "ERROR spiders.channel: storing x failed (ValueError: bad value second line)"
    )
    full = logfile.ConsoleFormatter(tracebacks=True).format(record)
    assert "Traceback (most recent call last)" in full
    assert record.exc_info is not None  # the file handler still gets the traceback
    twisted = (
        "Unhandled error in Deferred:\nTraceback (most recent call last):\n  File x\n"
        "builtins.OSError: gone"
    )
    assert logfile.one_line(twisted) == "Unhandled error in Deferred: builtins.OSError: gone"


_WARNINGS = """
import logging, sys, warnings
from newsarchive import logfile
logging.captureWarnings(True)
logfile.configure(quiet=False, verbose=int(sys.argv[1]))
warnings.warn("an old API", DeprecationWarning)
logging.getLogger("spiders.channel").warning("a page failed")
"""


def test_python_warnings_reach_the_console_only_with_v() -> None:
    plain = run([sys.executable, "-W", "always", "-c", _WARNINGS, "0"]).stderr
    assert "a page failed" in plain and "an old API" not in plain
    verbose = run([sys.executable, "-W", "always", "-c", _WARNINGS, "1"]).stderr
    assert "an old API" in verbose


@pytest.mark.parametrize(
    ("quiet", "verbose", "level"),
    [(False, 0, logging.WARNING), (True, 0, logging.WARNING), (False, 1, logging.INFO),
     (False, 2, logging.DEBUG)],
)  # fmt: skip
def test_console_levels(quiet: bool, verbose: int, level: int) -> None:
    assert logfile.console_level(quiet=quiet, verbose=verbose) == level


# -- one set of counters ---------------------------------------------------------------------

_DEMO_WITH_PROGRESS = """
import json, sys
from pathlib import Path
from newsarchive.cli.crawl import progress_line
from newsarchive.crawling import jobs
seen = []
reports = jobs.demo(db=Path(sys.argv[1]), on_progress=seen.append)
last = next(p for p in seen if p.finished)  # the first visit's final count
report = reports[0]
print(json.dumps({"pages": last.pages, "articles": last.articles,
                  "not_articles": last.not_articles, "errors": last.errors,
                  "errors_by_kind": last.errors_by_kind, "finished": last.finished,
                  "line": progress_line(last), "run": report.run}, default=str))
"""


def test_progress_summary_and_ledger_count_the_same_pages(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    done = run([sys.executable, "-c", _DEMO_WITH_PROGRESS, str(db)])
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)
    run_row = seen["run"]
    assert seen["finished"]
    with sqlite3.connect(db) as conn:
        answered = conn.execute(
            "SELECT count(*) FROM captures WHERE status > 0 AND run_id = ?", [run_row["id"]]
        ).fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    # Progress's final count == crawl_runs.pages_fetched == the captures a server answered.
    assert seen["pages"] == run_row["pages_fetched"] == answered == 107
    assert seen["errors"] == run_row["errors"] == 1
    assert seen["errors_by_kind"] == run_row["errors_by_kind"] == {"http_404": 1}
    assert seen["not_articles"] == run_row["not_articles"]
    stored = sum(run_row[k] for k in ("articles_new", "articles_updated",
                                       "articles_unchanged", "duplicates"))  # fmt: skip
    assert seen["articles"] == stored
    # A first run into an empty archive: nothing was there to be unchanged; an article reached
    # through a second URL (its canonical page after an alias page) is a duplicate.
    assert run_row["articles_unchanged"] == 0
    assert run_row["articles_new"] + run_row["duplicates"] == seen["articles"]
    assert articles == 73  # 72 new + 1 near copy (counted among the duplicates)
    assert seen["line"] == (
        "pages fetched 107 · articles 84 · not articles 19 · errors 1 (http_404 1)"
    )


def test_error_kinds_are_written_one_way() -> None:
    assert crawlhistory.errors_text(0, {}) == "0"
    assert crawlhistory.errors_text(3, {"timeout": 1, "http_404": 2}) == (
        "3 (http_404 2, timeout 1)"
    )


# -- the page budget -------------------------------------------------------------------------


def test_a_run_stopped_by_max_pages_says_so_in_the_summary_and_in_runs(tmp_path: Path) -> None:
    db = tmp_path / "budget.db"
    with CountingMirror(SITE) as server:
        done = run([*CLI, "crawl", "gz", "--mirror", server.url, "--no-politeness",
                    "--max-pages", "5", "--db", str(db)])  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("run 1 (channel) budget in "), done.stdout
    note = [line for line in lines if line.startswith("stopped at the page budget")]
    assert len(note) == 1, done.stdout
    m = re.fullmatch(r"stopped at the page budget \(--max-pages 5\): (\d+) links not requested; "
                     r"(.+)", note[0])  # fmt: skip
    assert m and int(m.group(1)) > 0, note
    assert int(re.search(r"pages fetched\s+(\d+)", done.stdout).group(1)) == 5  # type: ignore[union-attr]
    listed = run([*CLI, "runs", "--db", str(db)])
    assert listed.stdout.splitlines()[1].split()[-1] == "budget"
    assert crawlhistory.list_runs(db)[0].status == "budget"


def test_every_status_a_run_can_have_is_listed_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("### newsarchive runs") :]
    section = section[: section.index("\n### ")]
    statuses = set(crawlhistory.STATUS_CODES) | {"running", "unfinished"}
    missing = sorted(s for s in statuses if f"`{s}`" not in section)
    assert missing == []
