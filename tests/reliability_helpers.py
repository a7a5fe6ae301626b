"""Helpers for the reliability tests: synthetic articles, archive fingerprints, privilege drops."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import random
import sqlite3
from pathlib import Path

from newsarchive import urls
from newsarchive.records import Article, Capture, Credit, Dateline, PageItem, Section

#: Linux capability numbers dropped so that file modes bind root too (see drop_dac_override).
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3
_PR_CAPBSET_DROP = 24

_HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
)

#: Every table the comparison of two archives looks at, with the columns that identify a row
#: (run-specific columns — ids, fetch times, run ids — are left out).
CONTENT_QUERIES: dict[str, str] = {
    "articles": """SELECT canonical_url, channel, headline, subtitle, published_at, source,
        dateline_raw, body_text, script, template, pages, content_hash, revision, status,
        (SELECT canonical_url FROM articles d WHERE d.id = a.duplicate_of)
        FROM articles a ORDER BY canonical_url""",
    "article_urls": """SELECT u.url, a.canonical_url, u.kind FROM article_urls u
        JOIN articles a ON a.id = u.article_id ORDER BY u.url""",
    "sections": """SELECT a.canonical_url, s.position, s.heading FROM sections s
        JOIN articles a ON a.id = s.article_id ORDER BY 1, 2""",
    "paragraphs": """SELECT a.canonical_url, p.section, p.position, p.text FROM paragraphs p
        JOIN articles a ON a.id = p.article_id ORDER BY 1, 2, 3""",
    "credits": """SELECT a.canonical_url, c.position, c.role, c.name FROM credits c
        JOIN articles a ON a.id = c.article_id ORDER BY 1, 2""",
    "images": """SELECT a.canonical_url, i.position, i.src, i.caption FROM images i
        JOIN articles a ON a.id = i.article_id ORDER BY 1, 2""",
    "revisions": """SELECT a.canonical_url, r.revision, r.content_hash FROM revisions r
        JOIN articles a ON a.id = r.article_id ORDER BY 1, 2""",
    "events": """SELECT a.canonical_url, e.kind, e.url FROM events e
        JOIN articles a ON a.id = e.article_id ORDER BY 1, 2, 3""",
    "captures": "SELECT DISTINCT url, sha256, status FROM captures ORDER BY 1, 2",
}


def archive_content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """The rows that make up what an archive *holds*, comparable across runs."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in CONTENT_QUERIES.items()}
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def file_digest(path: Path) -> str:
    """sha256 of the database file plus its -wal (if any): "intact" means unchanged."""
    h = hashlib.sha256()
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def synthetic_article(n: int) -> PageItem:
    """Article number ``n``: unique URL and text, 2 sections, 3 credits (the invariant a
    reader checks: never an article without all of its sections and credits)."""
    url = f"http://www.gz.xinhuanet.com/2023-11/{1 + n % 28:02d}/c_{1129000000 + n}.htm"
    rng = random.Random(n)

    def prose(length: int) -> str:
        return "".join(rng.choice(_HANZI) for _ in range(length)) + "。"

    lead = f"新华社贵阳11月27日电（记者张三）第{n}条乡村公路建成通车，{prose(80)}"
    sections = (
        Section(heading=None, paragraphs=(lead, prose(90))),
        Section(heading="产业发展", paragraphs=(prose(70),)),
    )
    body = "\n\n".join(
        "\n".join(([s.heading] if s.heading else []) + list(s.paragraphs)) for s in sections
    )
    info = urls.parse(url)
    article = Article(
        url=url,
        canonical_url=urls.canonical_url(url),
        channel=info.channel,
        xinhua_id=info.article_id,
        headline=f"第{n}条乡村公路建成通车",
        subtitle=None,
        published_at="2023-11-27T10:46:00+08:00",
        published_at_raw="2023-11-27 10:46:00",
        source="新华网",
        dateline=Dateline(
            agency="新华社", place="贵阳", date_text="11月27日", raw="新华社贵阳11月27日电"
        ),
        reporters=("张三",),
        credits=(
            Credit(role="记者", name="张三"),
            Credit(role="编辑", name="李四"),
            Credit(role="责任编辑", name="王五"),
        ),
        editors=("王五",),
        sections=sections,
        images=(),
        related=(),
        body_text=body,
        script="zh-Hans",
        template="provincial_old",
        pages=1,
        encoding="utf-8",
    )
    capture = Capture(
        url=url,
        final_url=url,
        status=200,
        headers=(("content-type", "text/html; charset=utf-8"),),
        body=f"<html><body><h1>{article.headline}</h1>{body}</body></html>".encode(),
        fetched_at="2026-11-25T01:00:00+00:00",
        encoding="utf-8",
    )
    return PageItem(captures=(capture,), result=article)


def can_drop_dac_override() -> bool:
    """Whether :func:`drop_dac_override` can make file modes bind this process's children."""
    if os.geteuid() != 0:
        return True  # file modes already bind an ordinary user
    return ctypes.util.find_library("c") is not None


def drop_dac_override() -> None:
    """A ``preexec_fn``: as root, drop the capabilities that override file modes from the
    bounding set, so after ``exec`` a ``chmod a-w`` archive is read-only for the child too
    (a real operator's archive on a read-only share). No-op for ordinary users."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


#: A real ``newsarchive crawl`` with one test knob: the download timeout (30 s in production)
#: shortened so that a held connection costs seconds, not minutes. Everything else is the
#: production command: CLI, settings, spider, pipelines, store, exit code.
CRAWL_WRAPPER = """
import sys
import newsarchive.settings as settings
settings.DOWNLOAD_TIMEOUT = float(sys.argv[1])
from newsarchive.cli import main
main(sys.argv[2:], prog_name="newsarchive")
"""


def crawl_command(
    db: Path, mirror: str, *channels: str, timeout: float = 3.0, extra: tuple[str, ...] = ()
) -> list[str]:
    """The argv of a crawl of ``channels`` (default gz and he) from the site at ``mirror``."""
    import sys  # noqa: PLC0415  # only here

    return [
        sys.executable,
        "-c",
        CRAWL_WRAPPER,
        str(timeout),
        "crawl",
        *(channels or ("gz", "he")),
        "--db",
        str(db),
        "--mirror",
        mirror,
        "--no-politeness",
        "--no-progress",
        *extra,
    ]


def last_run(db: Path) -> dict[str, object]:
    """The newest ``crawl_runs`` row (JSON columns decoded)."""
    import json  # noqa: PLC0415

    conn = sqlite3.connect(str(db))
    conn.row_factory = sqlite3.Row
    try:
        row = dict(conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())
    finally:
        conn.close()
    row["errors_by_kind"] = json.loads(str(row["errors_by_kind"]))
    return row


_REFERENCES: dict[Path, Path] = {}


def clean_reference(site: Path) -> Path:
    """An archive of an uninterrupted, fault-free crawl of ``site`` (one per test session,
    shared by the modules that compare against it)."""
    import subprocess  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from tools.faults import FaultSite  # noqa: PLC0415

    if site not in _REFERENCES:
        db = Path(tempfile.mkdtemp(prefix="reliability-reference-")) / "reference.db"
        with FaultSite(site) as served:
            proc = subprocess.run(
                crawl_command(db, served.url), capture_output=True, text=True, check=False
            )
        assert proc.returncode in (0, 3), proc.stderr[-2000:]
        _REFERENCES[site] = db
    return _REFERENCES[site]
