"""Real crawls through the fault site: nothing wrong enters the archive, nothing is lost.

Three crawls of the sample site with the production command (``newsarchive crawl gz he
--mirror URL``; only the download timeout is shortened, see ``CRAWL_WRAPPER``):

1. a clean crawl: the reference archive;
2. the same crawl with one fault on each of ~17 article pages;
3. a re-run of (2) against the healthy site.

Every article row of (2) must equal the reference row; every page that failed must be an
error of its kind in ``crawl_runs`` and the exit code PARTIAL; (3) must hold every article of
the reference. The sample site's ``MANIFEST.json`` is the ground truth for headlines.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_helpers import clean_reference, crawl_command, integrity

from newsarchive.exitcodes import ExitCode
from newsarchive.urls import canonical_url
from tools.faults import FaultSite
from tools.faults.plan import (
    PLAN,
    Planned,
    assign,
    eligible_targets,
    listed_beyond_first_page,
    mirror_key,
)

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
MANIFEST = json.loads((SITE / "MANIFEST.json").read_text("utf-8")) if SITE.is_dir() else {}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not MANIFEST, reason="the sample site is not generated"),
]


def _key(url: str) -> str:
    return mirror_key(url)


@dataclass
class Crawls:
    clean: Path
    faulted: Path
    faulted_exit: int
    faulted_output: str
    clean_exit: int
    rerun_exit: int
    hits: dict[str, int]
    rerun_hits: dict[str, int]
    targets: dict[str, dict[str, object]]
    """Plan name → the manifest article it was applied to."""
    snapshot: Path
    """A copy of the faulted archive before the re-run."""


def _exit_status(db: Path) -> int:
    """The exit code the archive's first run ended with (from ``crawl_runs.exit_status``)."""
    status = _query(db, "SELECT exit_status FROM crawl_runs ORDER BY id LIMIT 1")[0][0]
    return {"ok": ExitCode.OK, "partial": ExitCode.PARTIAL}.get(str(status), ExitCode.FAILURE)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Crawls:
    tmp = tmp_path_factory.mktemp("faultcrawl")
    # One non-transient failure on a page only a paginating run reaches, in a column whose
    # first page is otherwise stored whole: the next run must still come back for it.
    deep = [a for a in eligible_targets(MANIFEST) if listed_beyond_first_page(SITE, MANIFEST, a)]
    targets, rules = assign(
        MANIFEST,
        pinned={"garbage": deep[0]["url"]} if deep else None,
        spare_columns={deep[0]["column"]} if deep else (),
    )
    clean, faulted = clean_reference(SITE), tmp / "faulted.db"
    with FaultSite(SITE, rules) as site:
        second = subprocess.run(
            crawl_command(faulted, site.url), capture_output=True, text=True, check=False
        )
        hits = {p.name: site.hits(_key(str(targets[p.name]["url"]))) for p in PLAN}
    snapshot = tmp / "after-faults.db"
    source, copy = sqlite3.connect(str(faulted)), sqlite3.connect(str(snapshot))
    source.backup(copy)
    source.close()
    copy.close()
    with FaultSite(SITE) as site:
        third = subprocess.run(
            crawl_command(faulted, site.url), capture_output=True, text=True, check=False
        )
        rerun_hits = {p.name: site.hits(_key(str(targets[p.name]["url"]))) for p in PLAN}
    return Crawls(
        clean=clean,
        faulted=faulted,
        clean_exit=_exit_status(clean),
        faulted_exit=second.returncode,
        faulted_output=second.stdout + second.stderr,
        rerun_exit=third.returncode,
        hits=hits,
        rerun_hits=rerun_hits,
        targets=targets,
        snapshot=snapshot,
    )


#: Article content compared across archives: everything but the identity URL, the revision
#: counter and the near-copy link, which depend on the order pages arrive in (of two copies
#: of one story, the first fetched gives the row its canonical URL).
CONTENT_SQL = """SELECT content_hash, channel, headline, subtitle, published_at, source,
    dateline_raw, body_text, script, template, pages FROM articles"""
URLS_SQL = """SELECT u.url, a.content_hash FROM article_urls u
    JOIN articles a ON a.id = u.article_id
    UNION SELECT canonical_url, content_hash FROM articles"""


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def contents(db: Path) -> dict[str, tuple[object, ...]]:
    """content_hash → the article's content row."""
    return {str(row[0]): row for row in _query(db, CONTENT_SQL)}


def url_hashes(db: Path) -> dict[str, str]:
    """Every URL the archive knows for an article (canonical or alias, the real URL as
    requested and the canonical form) → that article's content_hash."""
    out = {}
    for url, content_hash in _query(db, URLS_SQL):
        out[str(url)] = str(content_hash)
        out[canonical_url(str(url))] = str(content_hash)
    return out


def _urls_of(article: dict[str, object]) -> set[str]:
    return {str(article["url"]), str(article["canonical_url"])}


def _row_for(db: Path, article: dict[str, object]) -> tuple[object, ...] | None:
    hashes = url_hashes(db)
    for url in _urls_of(article):
        if url in hashes:
            return contents(db)[hashes[url]]
    return None


def test_the_crawl_finishes_partial(crawls: Crawls) -> None:
    assert crawls.clean_exit in (ExitCode.OK, ExitCode.PARTIAL)
    assert crawls.faulted_exit == ExitCode.PARTIAL, crawls.faulted_output[-2000:]
    assert integrity(crawls.snapshot) == "ok"
    status, finished = _query(crawls.snapshot, "SELECT exit_status, finished_at FROM crawl_runs")[0]
    assert status == "partial"
    assert finished is not None


def _reference(crawls: Crawls, name: str) -> tuple[object, ...]:
    row = _row_for(crawls.clean, crawls.targets[name])
    assert row is not None, f"{name}: not in the reference archive"
    return row


@pytest.mark.parametrize("planned", [p for p in PLAN if p.error is None], ids=lambda p: p.name)
def test_recoverable_faults_store_the_article_intact(crawls: Crawls, planned: Planned) -> None:
    stored = _row_for(crawls.snapshot, crawls.targets[planned.name])
    reference = _reference(crawls, planned.name)
    assert stored is not None, f"{planned.name}: the article was not stored"
    assert stored[2] == crawls.targets[planned.name]["headline"]  # the manifest's headline
    assert "\ufffd" not in f"{stored[2]}{stored[7]}"  # no mojibake
    if planned.name == "template_changed":
        # An unknown template falls back to generic extraction: the same story, no text lost.
        for paragraph in str(reference[7]).splitlines():
            assert paragraph in str(stored[7])
    else:
        assert stored == reference


def test_unknown_template_body_is_the_reference_body(crawls: Crawls) -> None:
    stored = _row_for(crawls.snapshot, crawls.targets["template_changed"])
    assert stored is not None
    assert stored[7] == _reference(crawls, "template_changed")[7]


@pytest.mark.parametrize("planned", PLAN, ids=lambda p: p.name)
def test_each_fault_is_retried_as_expected(crawls: Crawls, planned: Planned) -> None:
    low, high = planned.attempts
    assert low <= crawls.hits[planned.name] <= high, crawls.hits[planned.name]


#: Faults the crawl does not handle yet, each with the reason (none left: the crawler now
#: refuses off-channel redirects and truncated pages and counts captcha, empty and redirect-loop
#: pages as errors of their kind).
GAPS: dict[str, str] = {}
#: Faults whose wrong result is stored today (the gaps above); excluded from the global check
#: so that it still guards every other page.
STORES_WRONG: tuple[str, ...] = ()


def _failing(name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason=GAPS[name])] if name in GAPS else []


def _errors(db: Path, run_id: int = 1) -> tuple[dict[str, int], int]:
    row = _query(db, f"SELECT errors_by_kind, errors FROM crawl_runs WHERE id = {run_id}")[0]
    return json.loads(str(row[0])), int(str(row[1]))


@pytest.mark.parametrize(
    "planned",
    [pytest.param(p, marks=_failing(p.name), id=p.name) for p in PLAN if p.error is not None],
)
def test_unrecoverable_faults_store_nothing_and_count_an_error(
    crawls: Crawls, planned: Planned
) -> None:
    assert _row_for(crawls.snapshot, crawls.targets[planned.name]) is None, "stored"
    by_kind, _ = _errors(crawls.snapshot)
    assert planned.error in by_kind, by_kind


def test_nothing_wrong_enters_the_archive(crawls: Crawls) -> None:
    """Every article stored under faults has exactly the content of a reference article,
    whatever happened to the other pages (known gaps aside, each with its own xfail)."""
    reference = contents(crawls.clean)
    exempt = {
        url_hashes(crawls.snapshot).get(u)
        for n in (*STORES_WRONG, "template_changed")
        for u in _urls_of(crawls.targets[n])
    }
    wrong = [
        (row[2], "not a reference article")
        for content_hash, row in contents(crawls.snapshot).items()
        if content_hash not in reference and content_hash not in exempt
    ]
    assert wrong == []
    for content_hash, row in contents(crawls.snapshot).items():
        if content_hash in exempt:
            continue
        text = f"{row[2]}{row[7]}"
        assert "\ufffd" not in text
        assert "验证码" not in text  # no captcha page stored as an article


def test_no_off_channel_page_is_stored(crawls: Crawls) -> None:
    for db in (crawls.snapshot, crawls.faulted):
        for row in contents(db).values():
            assert "站外诱饵" not in f"{row[2]}{row[7]}"
        assert not [u for u in url_hashes(db) if "example.com" in u]


def test_errors_account_for_every_missing_article(crawls: Crawls) -> None:
    """Nothing is lost silently: each reference article missing after the faulted crawl has
    an error capture behind one of its URLs in that run (whether the fault was planted or a
    page merely timed out on a busy machine), and the run counted at least as many errors."""
    reference_urls = url_hashes(crawls.clean)
    missing = set(contents(crawls.clean)) - set(contents(crawls.snapshot))
    failed_urls = {
        str(url)
        for (url,) in _query(crawls.snapshot, "SELECT url FROM captures WHERE outcome = 'error'")
    }
    failed = {reference_urls[u] for u in failed_urls | {canonical_url(u) for u in failed_urls}
              if u in reference_urls}  # fmt: skip
    # The generic fallback stores template_changed with another body: "missing" by content.
    changed = {_hash_of(crawls, crawls.clean, "template_changed")}
    assert missing - changed <= failed
    _, clean_errors = _errors(crawls.clean)
    _, errors = _errors(crawls.snapshot)
    assert errors - clean_errors >= len(missing - changed)


#: Failed pages a later run does not request again, each with the reason.
NOT_REQUESTED_AGAIN: dict[str, str] = {}


@pytest.mark.parametrize(
    "planned",
    [
        pytest.param(
            p,
            id=p.name,
            marks=[pytest.mark.xfail(strict=True, reason=NOT_REQUESTED_AGAIN[p.name])]
            if p.name in NOT_REQUESTED_AGAIN
            else [],
        )
        for p in PLAN
        if p.error is not None
    ],
)
def test_the_next_run_requests_each_failed_page_again(crawls: Crawls, planned: Planned) -> None:
    assert crawls.rerun_hits[planned.name] >= 1


def _hash_of(crawls: Crawls, db: Path, name: str) -> str | None:
    hashes = url_hashes(db)
    return next((hashes[u] for u in _urls_of(crawls.targets[name]) if u in hashes), None)


def test_the_next_run_recovers_every_article(crawls: Crawls) -> None:
    """After the re-run the archive holds every reference article (the pages behind the
    known gaps aside: each has its own xfail above)."""
    assert crawls.rerun_exit in (ExitCode.OK, ExitCode.PARTIAL)
    reference, after = contents(crawls.clean), contents(crawls.faulted)
    excused = {_hash_of(crawls, crawls.clean, n) for n in NOT_REQUESTED_AGAIN}
    # A known article with a changed template is not re-fetched outside the revisit window;
    # its generically extracted text (checked above) stays.
    excused.add(_hash_of(crawls, crawls.clean, "template_changed"))
    missing = set(reference) - set(after) - excused
    assert missing == set(), [reference[h][2] for h in missing]
    assert integrity(crawls.faulted) == "ok"
