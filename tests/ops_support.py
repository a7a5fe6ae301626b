"""Helpers for the scheduled-crawling tests: a private copy of the sample site served on
127.0.0.1 with request counts, ``newsarchive crawl`` run as its own process (one reactor per
process), and a snapshot of an archive's rows for comparing two archives."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive.urls import canonical_url
from tools.mirror import CountingMirror

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SITE = REPO / "newsarchive" / "sample_site"
CHANNELS = ("gz", "he")
CLI = ("-c", "from newsarchive.cli import main; main()")


def as_in_a_terminal() -> None:
    """``preexec_fn`` for a process a test stops with Ctrl-C (SIGINT): SIGINT handled as a
    terminal's foreground job has it. A shell without job control (``cmd &`` in a script, as
    some CI runners start jobs) starts its background jobs with SIGINT ignored, the child
    inherits that, and Python then installs no ``KeyboardInterrupt`` handler: the Ctrl-C
    would be lost and the test would wait for a process that never stops."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Site:
    """A writable copy of the sample site and the server answering for it."""

    root: Path
    server: CountingMirror

    @property
    def url(self) -> str:
        return self.server.url


@contextmanager
def served_site(tmp: Path) -> Iterator[Site]:
    root = tmp / "site"
    shutil.copytree(SAMPLE_SITE, root)
    with CountingMirror(root) as server:
        yield Site(root=root, server=server)


def crawl_env(**extra: str) -> dict[str, str]:
    """The environment of a crawl process: no settings file or variables from the caller,
    no revisit window (the sample site's dates are fixed; tests of the window set it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSARCHIVE_", "SCRAPY_"))}
    env["NEWSARCHIVE_REVISIT_DAYS"] = "0"
    env.update(extra)
    return env


def crawl_command(site: Site, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        *CLI,
        "--quiet",
        "crawl",
        *CHANNELS,
        "--db",
        str(db),
        "--mirror",
        site.url,
        "--no-politeness",
        "--no-progress",
        *extra,
    ]


def crawl(
    site: Site, db: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one crawl to its end."""
    return subprocess.run(
        crawl_command(site, db, *extra),
        env=env or crawl_env(),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=db.parent,
    )


def start_crawl(site: Site, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(site, db, *extra),
        env=crawl_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=db.parent,
    )


def wait_for(proc: subprocess.Popen[str], site: Site, requests: int) -> bool:
    """Poll until the server has answered ``requests`` requests (True) or the crawl ended
    first (False)."""
    while site.server.total() < requests:
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    return True


def snapshot(db: Path) -> dict[str, Any]:
    """The archive's content, without ids, times or fetch order: what two equivalent crawls
    agree on. An article is named by the smallest canonical form of all its URLs (which of
    two copies of a story becomes the article row depends on which was fetched first), and
    near-copy pairs are unordered for the same reason."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sql).fetchall()]

        names: dict[int, set[str]] = {}
        for article_id, url in rows("SELECT id, canonical_url FROM articles") + rows(
            "SELECT article_id, url FROM article_urls"
        ):
            names.setdefault(article_id, set()).add(canonical_url(url))
        key = {article_id: min(urls) for article_id, urls in names.items()}

        def keyed(sql: str) -> list[tuple[Any, ...]]:
            return sorted((key[r[0]], *r[1:]) for r in rows(sql))

        return {
            "articles": keyed("SELECT id, channel, status FROM articles"),
            "current": keyed("SELECT id, content_hash, headline, revision FROM articles"),
            "urls": keyed("SELECT article_id, url FROM article_urls"),
            "revisions": keyed("SELECT article_id, revision, content_hash FROM revisions"),
            "near_copies": sorted(
                tuple(sorted((key[a], key[b])))
                for a, b in rows("SELECT id, duplicate_of FROM articles WHERE duplicate_of")
            ),
            "sections": keyed(
                "SELECT article_id, section, group_concat(text, char(10)) FROM"
                " (SELECT * FROM paragraphs ORDER BY article_id, section, position)"
                " GROUP BY article_id, section"
            ),
            "credits": keyed("SELECT article_id, position, role, name FROM credits"),
            "events": keyed("SELECT article_id, kind FROM events"),
            "captured_urls": sorted(rows("SELECT DISTINCT url FROM captures")),
        }
    finally:
        conn.close()


def runs(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM crawl_runs ORDER BY id")]
    finally:
        conn.close()


def canonical_urls(db: Path) -> set[str]:
    """The ``canonical_url`` of every article row."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT canonical_url FROM articles")}
    finally:
        conn.close()


def lines(text: str, needles: Sequence[str]) -> list[str]:
    return [line for line in text.splitlines() if any(n in line for n in needles)]


def differences(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """Per table, the rows only one of two snapshots has (empty when they agree)."""
    out: dict[str, Any] = {}
    for key, wanted in want.items():
        extra = sorted(set(got[key]) - set(wanted))
        missing = sorted(set(wanted) - set(got[key]))
        if extra or missing:
            out[key] = {"extra": extra[:5], "missing": missing[:5]}
    return out
