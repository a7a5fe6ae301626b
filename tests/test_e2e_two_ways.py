"""``scrapy crawl channel …`` and ``newsarchive crawl …`` keep the same books: the same local
site crawled both ways (real Scrapy against a 127.0.0.1 server) gives the same archive and the
same ``crawl_runs`` row (the run row, progress and stop-on-unwritable belong to a Scrapy
extension, not to the CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops_support import (
    CHANNELS,
    REPO,
    Site,
    crawl,
    crawl_env,
    differences,
    runs,
    served_site,
    snapshot,
)

from newsarchive.exitcodes import ExitCode
from newsarchive.store.runs import COUNTERS

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with served_site(tmp_path_factory.mktemp("twoways")) as site:
        yield site


@pytest.fixture(scope="module")
def both(site: Site, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("archives")
    cli_db, scrapy_db = tmp / "cli.db", tmp / "scrapy.db"
    proc = crawl(site, cli_db)
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr[-3000:]  # the site's broken link
    scrapy = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "channel",
            "-a",
            f"channels={','.join(CHANNELS)}",
            "-a",
            f"mirror={site.url}",
            "-a",
            f"db={scrapy_db}",
            "-a",
            "polite=0",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        env=crawl_env(),
        cwd=REPO,  # scrapy.cfg
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert scrapy.returncode == 0, scrapy.stderr[-3000:]
    return cli_db, scrapy_db


def _row(db: Path) -> dict[str, Any]:
    (row,) = runs(db)
    options = json.loads(row["options"])
    options.pop("db")  # the two archives' paths
    return {**row, "options": options}


def test_both_ways_make_the_same_archive(both: tuple[Path, Path]) -> None:
    cli_db, scrapy_db = both
    got = snapshot(scrapy_db)
    assert differences(got, snapshot(cli_db)) == {}
    assert len(got["articles"]) > 50


def test_both_ways_keep_the_same_run_row(both: tuple[Path, Path]) -> None:
    cli, scrapy = (_row(db) for db in both)
    # Which of two copies of a page is "unchanged" and which a "duplicate" depends on fetch
    # order, which varies from run to run; their sum does not.
    mixed = ("articles_unchanged", "duplicates")
    same = (
        "spider",
        "channels",
        "options",
        "exit_status",
        "errors",
        "errors_by_kind",
        *(c for c in COUNTERS if c not in mixed),
    )
    assert {k: scrapy[k] for k in same} == {k: cli[k] for k in same}
    assert sum(scrapy[k] for k in mixed) == sum(cli[k] for k in mixed)
    assert scrapy["exit_status"] == "partial"  # a ledger status, not Scrapy's "finished"
    assert json.loads(scrapy["errors_by_kind"]) == {"http_404": 1}
    assert scrapy["finished_at"] and cli["finished_at"]
    assert scrapy["articles_new"] > 50
