"""``newsarchive import`` and ``newsarchive backfill``: history from web archives."""

from __future__ import annotations

from pathlib import Path

import click

from newsarchive import channels as channel_registry
from newsarchive import logfile
from newsarchive.cli.base import main

# The crawl commands' helpers: configuration, the live progress line, the run summary.
from newsarchive.cli.crawl import CONFIG_HELP, DB_HELP, _config, _fail, _finish, _live, _run
from newsarchive.crawling.jobs import JobReport
from newsarchive.exitcodes import ExitCode
from newsarchive.webarchive import jobs
from newsarchive.webarchive.warcfile import SKIP_KINDS


def _check_channels(codes: tuple[str, ...]) -> None:
    for code in codes:
        try:
            channel_registry.get(code)
        except KeyError as exc:
            _fail(str(exc.args[0]), ExitCode.USAGE)


def _skips(report: JobReport) -> None:
    stats = report.result.stats
    prefix = "newsarchive/import/skipped/"
    counts = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
    records = int(stats.get("newsarchive/import/records") or 0)
    lines = [f"records read {records}, pages taken {stats.get('newsarchive/import/items', 0)}"]
    lines += [f"  skipped {kind:<12} {counts[kind]}" for kind in SKIP_KINDS if counts.get(kind)]
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
    """Import the channel pages of WARC/ARC files (gzipped or not) into the archive.

    The pages go through the same extractor and item pipelines as a crawl, in capture-time
    order (a page captured at several times becomes revisions); each capture keeps where it
    came from. Records of other hosts, revisits, non-HTML records and records cut short are
    counted and skipped. Exit codes: 0 done, 3 some records were cut short or malformed,
    1 a file or the archive cannot be read, 4 archive locked.
    """
    _check_channels(channel_codes)
    cfg = _config(config_file, archive=db)
    show = not ctx.obj.get("quiet")
    logfile.configure(
        quiet=not show,
        verbose=int(ctx.obj.get("verbose") or 0),
        log_file=cfg.log_file,
        max_bytes=cfg.log_max_bytes,
        backups=cfg.log_backups,
    )
    with _live(show, "import") as on_progress:
        report = _run(
            lambda: jobs.import_files(
                db=cfg.archive,
                files=files,
                channels=channel_codes,
                on_progress=on_progress,
                lock_wait=cfg.lock_wait,
            )
        )
    if show:
        _skips(report)
    _finish(report, quiet=not show)
