"""Incremental crawls end to end: real ``newsarchive crawl`` processes against the sample site
on 127.0.0.1, requests counted at the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_support import Site, canonical_urls, crawl, crawl_env, runs, served_site, snapshot

from newsarchive.exitcodes import ExitCode
from newsarchive.urls import is_article_url
from tools import sitegen

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DONE = (ExitCode.OK, ExitCode.PARTIAL)  # the sample site has a broken link (a 404)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with served_site(tmp_path_factory.mktemp("incremental")) as site:
        yield site


def test_second_run_is_cheap_and_added_articles_are_stored_exactly(
    site: Site, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    first = crawl(site, db)
    assert first.returncode in DONE, first.stderr
    full_requests = site.server.total()
    before = snapshot(db)
    known = canonical_urls(db)
    assert len(known) >= 60

    # A second run: nothing new, and a fraction of the requests.
    site.server.reset()
    second = crawl(site, db)
    assert second.returncode in DONE, second.stderr
    again = site.server.total()
    assert again * 3 < full_requests, (again, full_requests)
    after = snapshot(db)
    assert after["articles"] == before["articles"]
    assert after["urls"] == before["urls"]
    assert after["revisions"] == before["revisions"]
    ledger = runs(db)
    assert ledger[1]["articles_new"] == 0
    assert ledger[1]["pages_fetched"] < ledger[0]["pages_fetched"] / 3
    # No article page already archived was requested again.
    archived = {url for _, url in before["urls"] if is_article_url(url)}
    fetched_again = {key for key, n in site.server.requests.items() if n}
    assert not {u.split("://", 1)[1] for u in archived} & fetched_again

    # New articles on the site: the next run stores exactly those.
    site.server.reset()
    added = sitegen.add_articles(site.root, 3)
    manifest = sitegen.load_manifest(site.root)
    expected = {a["canonical_url"] for a in manifest["articles"] if a["key"] in added}
    assert len(expected) == 3
    third = crawl(site, db)
    assert third.returncode in DONE, third.stderr
    assert canonical_urls(db) - known == expected
    assert runs(db)[2]["articles_new"] == 3
    assert site.server.total() < full_requests / 2

    # A revisit window reaching back over the whole site: every archived article is fetched
    # again (and found unchanged); the window decides what is re-checked.
    env = crawl_env(NEWSARCHIVE_REVISIT_DAYS="36500", NEWSARCHIVE_REVISIT_AFTER_HOURS="0")
    result = crawl(site, db, env=env)
    assert result.returncode in DONE, result.stderr
    last = runs(db)[-1]
    assert last["articles_new"] == 0
    assert last["articles_unchanged"] + last["duplicates"] >= len(known) * 0.9
