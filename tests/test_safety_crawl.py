"""A real crawl never talks to a host outside its channels, and obeys RFC 9309 when robots.txt
cannot be fetched.

The sample site is served by the fault site (the mirror transport maps every real host to it,
as in the other end-to-end tests). One article answers 302 to a second loopback server, the
"other host" (standing in for ``http://169.254.169.254/latest/meta-data/``), which counts
every request it gets; robots.txt of one host times out, of another answers 503, of a third
404. Then the same crawl runs again against the healthy site.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from reliability_helpers import crawl_command

from newsarchive.exitcodes import ExitCode
from tools.faults import FaultSite
from tools.faults.rules import Fault, Rule

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site"),
]

#: The article that redirects off the channels (an eligible single-page original).
REDIRECTED = "https://gz.news.cn/2020-08/14/c_1125812373.htm"
ROBOTS_TIMEOUT = "www.he.xinhuanet.com"
ROBOTS_503 = "www.gz.xinhuanet.com"
ROBOTS_404 = "www.he.news.cn"


class _Counter(BaseHTTPRequestHandler):
    server: _OtherHost

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.paths.append(self.path)
        body = b"<html><body><h1>metadata</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _OtherHost(ThreadingHTTPServer):
    """A loopback server outside every channel that records each path it is asked for."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Counter)
        self.lock = threading.Lock()
        self.paths: list[str] = []


@dataclass
class Runs:
    db: Path
    first: subprocess.CompletedProcess[str]
    first_keys: list[str]
    """Mirror keys the site was asked for in the first run, in order."""
    second: subprocess.CompletedProcess[str]
    second_keys: list[str]
    other_host: list[str]
    """Paths the other host was asked for, over both runs."""
    state_home: Path


def _keys(site: FaultSite) -> list[str]:
    return [key for key, _ in site.log()]


def _verbose(command: list[str]) -> list[str]:
    """``command`` with ``-v``: these checks read Scrapy's log (its extensions, its retries)."""
    at = command.index("crawl")
    return [*command[:at], "-v", *command[at:]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("safety")
    db = tmp / "archive.db"
    state_home = tmp / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state_home), "HOME": str(tmp)}
    other = _OtherHost()
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    target = f"http://127.0.0.1:{other.server_address[1]}/latest/meta-data/"
    rules = [
        Rule(REDIRECTED.split("://", 1)[1], Fault(kind="redirect_offchannel", target=target)),
        Rule(f"{ROBOTS_TIMEOUT}/robots.txt", Fault(kind="timeout", hold=60)),
        Rule(f"{ROBOTS_503}/robots.txt", Fault(kind="status", status=503)),
        Rule(f"{ROBOTS_404}/robots.txt", Fault(kind="status", status=404)),
    ]
    try:
        with FaultSite(SITE, rules) as site:
            first = subprocess.run(
                _verbose(crawl_command(db, site.url)),
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
                env=env,
            )
            first_keys = _keys(site)
        with FaultSite(SITE) as site:
            second = subprocess.run(
                _verbose(crawl_command(db, site.url)),
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
                env=env,
            )
            second_keys = _keys(site)
        with other.lock:
            paths = list(other.paths)
        yield Runs(db, first, first_keys, second, second_keys, paths, state_home)
    finally:
        other.shutdown()
        other.server_close()


def _rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _errors(db: Path, run_id: int) -> dict[str, int]:
    (row,) = _rows(db, "SELECT errors_by_kind FROM crawl_runs WHERE id = ?", (run_id,))
    return dict(json.loads(str(row[0])))


def test_an_offsite_redirect_never_reaches_the_other_host(runs: Runs) -> None:
    assert runs.other_host == []  # neither the path nor its robots.txt
    for keys in (runs.first_keys, runs.second_keys):
        assert [k for k in keys if k.startswith("127.0.0.1")] == []  # not through the mirror
    assert REDIRECTED.split("://", 1)[1] in runs.first_keys


def test_an_offsite_redirect_is_recorded_as_such_not_as_a_takedown(runs: Runs) -> None:
    assert runs.first.returncode == ExitCode.PARTIAL, runs.first.stderr[-3000:]
    assert _errors(runs.db, 1).get("offsite_redirect") == 1
    statuses = _rows(
        runs.db,
        "SELECT status, outcome, outcome_detail FROM captures WHERE url = ? ORDER BY id",
        (REDIRECTED,),
    )
    assert statuses[0] == (0, "error", "offsite_redirect")
    assert _rows(runs.db, "SELECT kind FROM events WHERE url = ?", (REDIRECTED,)) == []


def test_an_offsite_redirect_is_fetched_again_by_the_next_run(runs: Runs) -> None:
    assert REDIRECTED.split("://", 1)[1] in runs.second_keys
    stored = _rows(runs.db, "SELECT url FROM article_urls WHERE url = ?", (REDIRECTED,))
    assert stored == [(REDIRECTED,)]


@pytest.mark.parametrize("host", [ROBOTS_TIMEOUT, ROBOTS_503])
def test_an_unreachable_robots_txt_means_nothing_is_fetched_from_its_host(
    runs: Runs, host: str
) -> None:
    fetched = [k for k in runs.first_keys if k.startswith(f"{host}/")]
    assert f"{host}/robots.txt" in fetched
    assert [k for k in fetched if k != f"{host}/robots.txt"] == []
    refused = _rows(
        runs.db,
        "SELECT count(*) FROM captures WHERE url LIKE ? AND outcome_detail = 'robots_unavailable'",
        (f"%://{host}/%",),
    )[0][0]
    assert isinstance(refused, int) and refused >= 1


def test_unreachable_robots_txt_is_counted_and_logged_without_a_traceback(runs: Runs) -> None:
    errors = _errors(runs.db, 1)
    assert errors.get("robots_unavailable", 0) >= 2, errors
    log = runs.first.stderr
    assert "Traceback" not in log
    # At ERROR only the retry middleware's "gave up" (as for any page that keeps failing).
    errors_logged = [line for line in log.splitlines() if " ERROR " in line]
    assert [e for e in errors_logged if "Gave up retrying" not in e] == [], errors_logged
    warnings = [line for line in log.splitlines() if "newsarchive.crawling.robots:" in line]
    assert len([w for w in warnings if ROBOTS_TIMEOUT in w]) == 1, warnings
    assert len([w for w in warnings if ROBOTS_503 in w and "HTTP 503" in w]) == 1, warnings


def test_a_404_robots_txt_allows_everything(runs: Runs) -> None:
    pages = [k for k in runs.first_keys if k.startswith(f"{ROBOTS_404}/") and "robots" not in k]
    assert len(pages) >= 5


def test_the_next_run_fetches_the_hosts_whose_robots_txt_came_back(runs: Runs) -> None:
    for host in (ROBOTS_TIMEOUT, ROBOTS_503):
        assert [k for k in runs.second_keys if k.startswith(f"{host}/") and "robots" not in k]
    stored = _rows(
        runs.db,
        "SELECT count(DISTINCT article_id) FROM article_urls WHERE url LIKE ? OR url LIKE ?",
        (f"%://{ROBOTS_TIMEOUT}/%", f"%://{ROBOTS_503}/%"),
    )[0][0]
    assert isinstance(stored, int) and stored >= 20  # 12 + 15 articles live on them


def test_no_remote_control_server_or_token_file(runs: Runs) -> None:
    for proc in (runs.first, runs.second):
        enabled = proc.stderr.split("Enabled extensions:", 1)[1][:2000]
        assert "CoreStats" in enabled  # the list is there ...
        assert "RemoteControl" not in enabled  # ... without the remote-control server
        assert "TelnetConsole" not in enabled
    assert not list(runs.state_home.rglob("*"))  # no job files with tokens
