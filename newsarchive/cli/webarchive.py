"""``newsarchive import`` and ``newsarchive backfill``: history from web archives."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from newsarchive import channels as channel_registry
from newsarchive.cli.base import CONFIG_HELP, DB_HELP, fail, main

# The crawl commands' helpers: configuration, the live progress line, the run summary.
from newsarchive.cli.crawl import (
    _config,
    _configure_logs,
    _finish,
    _live,
    _run,
)
from newsarchive.exitcodes import ExitCode
from newsarchive.webarchive import cdx

if TYPE_CHECKING:
    from newsarchive.crawling.jobs import JobReport

# The importer (warcio, Scrapy, the store) is imported when a command runs: start-up time.


def _check_channels(codes: tuple[str, ...]) -> None:
    for code in codes:
        try:
            channel_registry.get(code)
        except KeyError as exc:
            fail(str(exc.args[0]), ExitCode.USAGE)


def _skips(report: JobReport) -> None:
    from newsarchive.webarchive.warcfile import SKIP_KINDS  # noqa: PLC0415 (lazy: start-up)

    stats = report.result.stats
    prefix = "newsarchive/import/skipped/"
    counts = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
    records = int(stats.get("newsarchive/import/records") or 0)
    lines = [f"records read {records}, pages taken {stats.get('newsarchive/import/items', 0)}"]
    lines += [f"  skipped {kind:<18} {counts[kind]}" for kind in SKIP_KINDS if counts.get(kind)]
    click.echo("\n".join(lines))


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help=DB_HELP)
@click.option(
    "--channel",
    "channel_codes",
    multiple=True,
    metavar="CODE",
    help="Take only pages of this channel (repeatable; default: every channel).",
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.pass_context
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    db: Path | None,
    channel_codes: tuple[str, ...],
    config_file: Path | None,
) -> None:
    """Import the channel pages of WARC/ARC files (gzipped or not) and WACZ packages.

    The pages go through the same extractor and item pipelines as a crawl, in capture-time
    order (a page captured at several times becomes revisions); each capture keeps where it
    came from; a revisit record becomes a capture of its original's payload at its own time.
    Records of other hosts, revisits whose original is nowhere, non-HTML records and records
    cut short are counted and skipped. Exit codes: 0 done, 3 some records were cut short or
    malformed, 1 a file or the archive cannot be read, 4 archive locked.
    """
    _check_channels(channel_codes)
    cfg = _config(config_file, archive=db)
    show = not ctx.obj.get("quiet")
    _configure_logs(ctx, cfg, quiet=not show)
    with _live(show, "import") as on_progress:
        report = _run(
            lambda: _jobs().import_files(
                db=cfg.archive,
                files=files,
                channels=channel_codes,
                on_progress=on_progress,
                lock_wait=cfg.lock_wait,
            ),
            "import",
        )
    if show:
        _skips(report)
    _finish(report, quiet=not show)


@main.command("backfill")
@click.argument("channel_codes", metavar="CHANNEL…", nargs=-1, required=True)
@click.option("--since", metavar="DATE", help="Captures taken on or after DATE (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Captures taken on or before DATE (YYYY-MM-DD).")
@click.option(
    "--cdx",
    "cdx_url",
    metavar="URL",
    help=f"The CDX server to ask (any server speaking the Wayback CDX API; with --common-crawl "
    f"a Common Crawl index). Default: {cdx.WAYBACK_CDX}, or with --common-crawl "
    f"{cdx.common_crawl_index('CRAWL-ID')}.",
)
@click.option(
    "--replay",
    metavar="URL",
    help=f"The replay prefix whose <timestamp>id_/<url> form serves the archived bytes "
    f"(default {cdx.WAYBACK_REPLAY}); with --common-crawl the server of its WARC files "
    f"(default {cdx.COMMON_CRAWL_DATA}).",
)
@click.option(
    "--common-crawl",
    "crawl_id",
    metavar="CRAWL-ID",
    help="Take the captures from a Common Crawl crawl (CC-MAIN-2024-33) instead of the "
    "Wayback Machine: its index, then each WARC record by an HTTP range request.",
)
@click.option(
    "--delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds between requests to the web archive (its rate limit).",
)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.pass_context
def backfill_command(
    ctx: click.Context,
    *,
    channel_codes: tuple[str, ...],
    since: str | None,
    until: str | None,
    cdx_url: str | None,
    replay: str | None,
    crawl_id: str | None,
    delay: float,
    db: Path | None,
    config_file: Path | None,
) -> None:
    """Backfill channels' history from a web archive's CDX server (the Wayback Machine).

    Lists the channels' captures between --since and --until, fetches those the archive does
    not hold yet (original bytes, the id_ replay form), politely, and stores them through the
    item pipelines in time order. Exit codes: 0 done (also: nothing new), 3 some captures
    failed, 1 nothing could be fetched, 4 archive locked.
    """
    _check_channels(channel_codes)
    for name, value in (("--since", since), ("--until", until)):
        if value:
            try:
                cdx.day(value, end=False)
            except ValueError as exc:
                fail(f"{name}: {exc}", ExitCode.USAGE)
    if crawl_id is not None and not cdx.CRAWL_ID.fullmatch(crawl_id):
        fail(f"--common-crawl: not a crawl id: {crawl_id!r} (CC-MAIN-2024-33)", ExitCode.USAGE)
    source = "commoncrawl" if crawl_id else "wayback"
    if crawl_id:
        cdx_url = cdx_url or cdx.common_crawl_index(crawl_id)
        replay = replay or cdx.COMMON_CRAWL_DATA
    cfg = _config(config_file, archive=db)
    show = not ctx.obj.get("quiet")
    _configure_logs(ctx, cfg, quiet=not show)
    with _live(show, "backfill") as on_progress:
        report = _run(
            lambda: _jobs().backfill(
                db=cfg.archive,
                channels=channel_codes,
                since=since,
                until=until,
                cdx_url=cdx_url or cdx.WAYBACK_CDX,
                replay=replay or cdx.WAYBACK_REPLAY,
                source=source,
                delay=delay,
                on_progress=on_progress,
                lock_wait=cfg.lock_wait,
            ),
            "backfill",
        )
    if show:
        stats = report.result.stats
        click.echo(
            f"captures listed {stats.get('newsarchive/backfill/listed', 0)}, "
            f"already imported {stats.get('newsarchive/backfill/already_imported', 0)}, "
            f"fetched {stats.get('newsarchive/backfill/fetched', 0)}"
        )
    _finish(report, quiet=not show)


def _jobs() -> Any:
    from newsarchive.webarchive import jobs  # noqa: PLC0415 (lazy: start-up time)

    return jobs
