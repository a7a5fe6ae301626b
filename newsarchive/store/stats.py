"""Archive statistics: what ``newsarchive stats`` prints and ``--plot`` draws.

Counts fold duplicates: the big5 copy and every other URL of one article are one row already
(``article_urls``), and near copies (``duplicate_of`` set) are counted apart from the articles
they copy, never inside the per-channel or per-month numbers.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsarchive import channels

logger = logging.getLogger(__name__)

#: How many recent crawl runs the statistics list.
RECENT_RUNS = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelStats:
    channel: str | None
    """Channel code; ``None`` for national and other pages."""
    name: str
    """The channel's name (``贵州频道``), or ``national/other``."""
    articles: int
    """Articles, near copies not counted."""
    near_copies: int
    """Near copies of other articles stored under this channel."""
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class RunStats:
    id: int
    spider: str
    started_at: str
    finished_at: str | None
    exit_status: str | None
    pages_fetched: int
    articles_new: int
    articles_updated: int
    errors: int
    errors_by_kind: dict[str, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveStats:
    """Numbers about one archive (see the module docstring for what "folded" means)."""

    articles: int
    """Articles, near copies not counted."""
    near_copies: int
    """Rows marked as near copies (``duplicate_of`` set)."""
    urls: int
    """Distinct URLs the articles were seen under (big5, mobile, aliases…)."""
    revisions: int
    """Earlier versions kept in ``revisions``."""
    revised_articles: int
    """Articles with at least one earlier version."""
    takedowns: int
    """``taken_down`` events."""
    taken_down_now: int
    """Articles whose current status is ``taken_down``."""
    captures: int
    """Fetches kept as evidence."""
    by_status: dict[str, int] = field(default_factory=dict)
    """Articles per ``status`` (near copies not counted)."""
    events_by_kind: dict[str, int] = field(default_factory=dict)
    by_channel: list[ChannelStats] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    """``(YYYY-MM, articles)`` by publication month, oldest first; undated as ``unknown``."""
    by_month_channel: list[tuple[str, str | None, int]] = field(default_factory=list)
    """``(YYYY-MM, channel, articles)``, for the plot."""
    runs: list[RunStats] = field(default_factory=list)
    """The most recent crawl runs, newest first."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _scalar(conn: sqlite3.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0] or 0)


def _channel_name(code: str | None) -> str:
    if code is None:
        return "national/other"
    known = channels.registry().get(code)
    return known.name if known else code


def archive_stats(conn: sqlite3.Connection, *, recent_runs: int = RECENT_RUNS) -> ArchiveStats:
    """Compute :class:`ArchiveStats` for the archive on ``conn``."""
    folded = "duplicate_of IS NULL"
    by_channel = [
        ChannelStats(
            channel=r[0],
            name=_channel_name(r[0]),
            articles=int(r[1]),
            near_copies=int(r[2]),
            first_published=r[3],
            last_published=r[4],
        )
        for r in conn.execute(
            f"""SELECT channel, sum({folded}), sum(duplicate_of IS NOT NULL),
                       min(CASE WHEN {folded} THEN published_at END),
                       max(CASE WHEN {folded} THEN published_at END)
                FROM articles GROUP BY channel ORDER BY sum({folded}) DESC, channel"""
        )
    ]
    month = "coalesce(substr(published_at, 1, 7), 'unknown')"
    by_month = [
        (str(r[0]), int(r[1]))
        for r in conn.execute(
            f"SELECT {month} AS m, count(*) FROM articles WHERE {folded} GROUP BY m ORDER BY m"
        )
    ]
    by_month_channel = [
        (str(r[0]), r[1], int(r[2]))
        for r in conn.execute(
            f"SELECT {month} AS m, channel, count(*) FROM articles WHERE {folded}"
            " GROUP BY m, channel ORDER BY m, channel"
        )
    ]
    runs = [
        RunStats(
            id=r[0],
            spider=r[1],
            started_at=r[2],
            finished_at=r[3],
            exit_status=r[4],
            pages_fetched=r[5],
            articles_new=r[6],
            articles_updated=r[7],
            errors=r[8],
            errors_by_kind=json.loads(r[9] or "{}"),
        )
        for r in conn.execute(
            "SELECT id, spider, started_at, finished_at, exit_status, pages_fetched,"
            " articles_new, articles_updated, errors, errors_by_kind FROM crawl_runs"
            " ORDER BY started_at DESC, id DESC LIMIT ?",
            (recent_runs,),
        )
    ]
    return ArchiveStats(
        articles=_scalar(conn, f"SELECT count(*) FROM articles WHERE {folded}"),
        near_copies=_scalar(conn, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
        urls=_scalar(conn, "SELECT count(*) FROM article_urls"),
        revisions=_scalar(conn, "SELECT count(*) FROM revisions"),
        revised_articles=_scalar(conn, "SELECT count(DISTINCT article_id) FROM revisions"),
        takedowns=_scalar(conn, "SELECT count(*) FROM events WHERE kind = 'taken_down'"),
        taken_down_now=_scalar(
            conn, f"SELECT count(*) FROM articles WHERE status = 'taken_down' AND {folded}"
        ),
        captures=_scalar(conn, "SELECT count(*) FROM captures"),
        by_status={
            str(r[0]): int(r[1])
            for r in conn.execute(
                f"SELECT status, count(*) FROM articles WHERE {folded} GROUP BY status"
            )
        },
        events_by_kind={
            str(r[0]): int(r[1])
            for r in conn.execute("SELECT kind, count(*) FROM events GROUP BY kind ORDER BY kind")
        },
        by_channel=by_channel,
        by_month=by_month,
        by_month_channel=by_month_channel,
        runs=runs,
    )


#: Font families that draw Chinese, tried in order for the plot's labels.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def cjk_font() -> str | None:
    """The first installed font family of :data:`CJK_FONTS`, or ``None``."""
    from matplotlib import font_manager  # noqa: PLC0415 (matplotlib only for --plot)

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _month_range(present: set[str]) -> list[str]:
    """Every ``YYYY-MM`` from the first to the last of ``present`` (empty months included)."""
    if not present:
        return []
    first, last = min(present), max(present)
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        out.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_series(
    stats: ArchiveStats, *, top: int = 12, chinese: bool = True
) -> tuple[list[str], dict[str, list[int]]]:
    """The plot's data: every month from the first to the last, and articles per month for
    each of the ``top`` channels (labelled ``gz 贵州频道``, or ``gz`` when not ``chinese``)
    with the rest summed as ``other``."""
    ranked = [c.channel for c in stats.by_channel[:top]]
    months = _month_range({m for m, _, _ in stats.by_month_channel if m != "unknown"})
    index = {m: i for i, m in enumerate(months)}
    series: dict[str, list[int]] = {}
    for month, channel, count in stats.by_month_channel:
        if month not in index:
            continue
        if channel in ranked:
            label = channel or "national"
            if chinese:
                label = f"{label} {_channel_name(channel)}"
        else:
            label = "other"
        series.setdefault(label, [0] * len(months))[index[month]] += count
    return months, series


#: Image formats ``plot_by_month`` writes, by file name suffix (matplotlib's names).
PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg"}


def plot_format(path: str) -> str:
    """The image format of ``path`` by its suffix; :class:`ValueError` for another suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_FORMATS:
        known = ", ".join(PLOT_FORMATS)
        raise ValueError(f"{path}: a plot is written as {known}; name the file with one of these")
    return PLOT_FORMATS[suffix]


def plot_by_month(stats: ArchiveStats, path: str, *, top: int = 12) -> None:
    """Draw articles per month per channel (the ``top`` channels by size, the rest summed as
    ``other``) into ``path``, in the format its suffix names (:data:`PLOT_FORMATS`). Labels
    are Chinese when a CJK font is installed, else channel codes only (ASCII)."""
    image_format = plot_format(path)
    import matplotlib  # noqa: PLC0415 (matplotlib only for --plot)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 (after choosing the Agg backend)
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 (matplotlib only for --plot)

    font = cjk_font()
    months, series = month_series(stats, top=top, chinese=font is not None)
    with plt.rc_context(
        {"font.family": ["sans-serif"], "font.sans-serif": [font or "DejaVu Sans"]}
    ):
        fig, ax = plt.subplots(figsize=(11, 6), dpi=100)
        for label, counts in series.items():
            ax.plot(range(len(months)), counts, marker="o", markersize=3, label=label)
        step = max(1, len(months) // 24)
        ax.set_xticks(range(0, len(months), step))
        ax.set_xticklabels(months[::step], rotation=45, ha="right")
        title = "Articles per month per channel (near copies folded)"
        ax.set_title(("每月文章数 / " if font else "") + title)
        ax.set_xlabel("month of publication")
        ax.set_ylabel("articles")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if series:
            ax.legend(fontsize="small", ncols=2)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, format=image_format)
        plt.close(fig)
    logger.debug("plotted %d channels over %d months to %s", len(series), len(months), path)
