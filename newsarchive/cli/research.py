"""Commands for researchers: ``search``, ``export``, ``stats``, ``show``, ``serve``.

Each parses options, calls one library function (:class:`newsarchive.Archive`, the store's
export or the Datasette server) and renders the result; domain errors become a message on
stderr and an exit code (:class:`newsarchive.exitcodes.ExitCode`).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click

from newsarchive import config
from newsarchive.cli.base import CONFIG_HELP, fail, main
from newsarchive.exitcodes import ExitCode

if TYPE_CHECKING:
    from newsarchive.archive import Archive

# The archive, the store and the renderer are imported by the commands that use them, so that
# `newsarchive --help` and the other commands start without SQLite, sqlite-utils or rich.

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

#: The default match marks: CJK brackets, which read as marks in Excel and in Chinese text.
MARKS = ("【", "】")


def db_option(func: F) -> F:
    """``--db`` and ``--config``: the command receives ``db``, the archive they resolve to
    (``--db``, else ``$NEWSARCHIVE_DB``, the settings file's ``archive``, ``data/archive.db``);
    a settings file that cannot be read is a usage error (exit 2)."""

    @functools.wraps(func)
    def resolved(*args: Any, db: Path | None, config_file: Path | None, **kwargs: Any) -> Any:
        try:
            loaded = config.load(config_file=config_file, options={"archive": db})
        except config.ConfigError as exc:
            fail(str(exc), ExitCode.USAGE)
        return func(*args, db=loaded.config.archive, **kwargs)

    with_config = click.option(
        "--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP
    )(resolved)
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The archive (default: $NEWSARCHIVE_DB, the settings file, data/archive.db).",
    )(with_config)  # type: ignore[return-value]


def filter_options(func: F) -> F:
    """The article filters shared by ``search`` and ``export``."""
    options = [
        click.option(
            "--channel", "channels", multiple=True, metavar="CODE",
            help="Only this channel (gz, yn, …); repeat for several.",
        ),
        click.option(
            "--since", metavar="DATE",
            help="Published on or after YYYY, YYYY-MM, YYYY-MM-DD or an ISO time.",
        ),
        click.option(
            "--until", metavar="DATE",
            help="Published on or before (the whole year, month or day given counts).",
        ),
        click.option(
            "--source", "sources", multiple=True, metavar="NAME",
            help="Only this 来源 outlet (either script); repeat for several.",
        ),
        click.option(
            "--reporter", metavar="NAME",
            help="Only articles crediting this person (any role, either script).",
        ),
        click.option(
            "--include-duplicates", is_flag=True,
            help="Also list near copies (folded into their original by default).",
        ),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


@contextmanager
def _archive(db: Path) -> Iterator[Archive]:
    from newsarchive.archive import Archive  # noqa: PLC0415 (lazy: start-up time)
    from newsarchive.searchsyntax import QueryError  # noqa: PLC0415
    from newsarchive.store.export import ExportError  # noqa: PLC0415
    from newsarchive.store.queries import ArchiveError, FilterError  # noqa: PLC0415

    try:
        archive = Archive(db)
    except ArchiveError as exc:
        fail(str(exc), ExitCode.FAILURE)
    try:
        yield archive
    except (QueryError, FilterError, ExportError) as exc:
        fail(str(exc), ExitCode.USAGE)
    finally:
        archive.close()


def _filters(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": kwargs["channels"],
        "since": kwargs["since"],
        "until": kwargs["until"],
        "source": kwargs["sources"],
        "reporter": kwargs["reporter"],
        "include_duplicates": kwargs["include_duplicates"],
    }


@main.command()
@click.argument("query")
@db_option
@filter_options
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="How many results."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")  # fmt: skip
@click.option(
    "--mark",
    nargs=2,
    default=MARKS,
    show_default=True,
    metavar="OPEN CLOSE",
    help="What marks the matches in marked_snippet (CSV, JSON) and in plain-text output.",
)
def search(
    query: str, db: Path, limit: int, fmt: str, mark: tuple[str, str], **kwargs: Any
) -> None:
    """Full-text search of headlines and bodies, in either script.

    QUERY: words (all must appear), "quoted phrases", OR between alternatives, -word or NOT
    word to leave out. Results are ranked by BM25, best first; relevance is each result's
    score as a percentage of the best one's.
    """
    from newsarchive.cli import research_render as render  # noqa: PLC0415 (lazy: start-up)
    from newsarchive.store.export import neutralise  # noqa: PLC0415
    from newsarchive.store.queries import unindexed  # noqa: PLC0415
    from newsarchive.store.search import relevance as search_relevance  # noqa: PLC0415

    with _archive(db) as archive:
        hits = archive.search(query, limit=limit, **_filters(kwargs))
        matched = archive.count(query, **_filters(kwargs)) if hits else 0
        waiting = unindexed(archive.connection)
    if waiting:
        click.echo(
            f"note: {waiting} recently stored articles are not searchable yet"
            " (a crawl indexes them when it flushes its full-text batch)",
            err=True,
        )
    if hits:
        click.echo(_shown(len(hits), matched), err=fmt != "table")
    relevance = search_relevance(hits)
    before, after = mark
    if fmt == "json":
        # ``highlights`` are offsets into the plain ``snippet``; ``marked_snippet`` marks them.
        rows = []
        for i, (h, rel) in enumerate(zip(hits, relevance, strict=True), 1):
            row = {"rank": i, **asdict(h), "relevance": rel}
            del row["score"]
            row["marked_snippet"] = h.marked_snippet(before, after)
            rows.append(row)
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        columns = ("rank", "id", "published_at", "channel", "source", "headline", "snippet",
                   "marked_snippet", "url", "status", "relevance")  # fmt: skip
        writer.writerow(columns)
        for i, (h, rel) in enumerate(zip(hits, relevance, strict=True), 1):
            values = (i, h.id, h.published_at, h.channel, h.source, h.headline, h.snippet,
                      h.marked_snippet(before, after), h.url, h.status, rel)  # fmt: skip
            writer.writerow([neutralise(v) for v in values])
        click.echo(out.getvalue(), nl=False)
    else:
        render.search_results(query, hits, marks=mark)


def _shown(shown: int, matched: int) -> str:
    """``20 of 47 matching articles`` (``more than 5000`` past the count's bound)."""
    from newsarchive.store.search import MAX_CANDIDATES  # noqa: PLC0415 (lazy: start-up time)

    total = f"more than {MAX_CANDIDATES}" if matched > MAX_CANDIDATES else str(matched)
    noun = "article" if matched == 1 else "articles"
    if shown >= matched:
        return f"{total} matching {noun}"
    return f"{shown} of {total} matching {noun} (--limit shows more)"


@contextmanager
def _output(path: str, excel: bool) -> Iterator[TextIO]:
    """A text stream for the export: stdout for ``-``; for a regular file (or a symlink to
    one) a temporary file beside it, renamed into place only when the export finished; for a
    FIFO or a device the path itself."""
    if path == "-":
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
        return
    given = Path(path)
    if given.exists() and not given.is_file():
        # A FIFO, a device (/dev/stdout), a process substitution (/dev/fd/63): written as it
        # is, since a file renamed onto it would replace it instead of writing through it.
        with given.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    # Through a symlink to a file: replace the file it points at, and keep the link.
    target = given.resolve() if given.is_symlink() else given
    tmp = target.with_name(f".{target.name}.part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "warc", "wacz"]),
    default="csv",
    show_default=True,
    help="CSV (RFC 4180), JSON Lines, WARC 1.1 with a CDXJ index (the captures), or WACZ.",
)
@click.option(
    "--out",
    default="-",
    show_default=True,
    metavar="PATH|-",
    help="Output file; - for standard output.",
)
@db_option
@filter_options
@click.option(
    "--table",
    type=click.Choice(["articles", "credits", "sections", "paragraphs"]),
    default="articles",
    show_default=True,
    help="One row per article, or the long format: one row per credit, section or paragraph.",
)
@click.option(
    "--columns",
    metavar="COL,COL,…",
    help="Article columns to export, comma-separated (default: a researcher's set).",
)
@click.option("--include-body", is_flag=True, help="Add the body_text column.")
@click.option("--excel", is_flag=True,
              help="For Excel: start the CSV with a UTF-8 BOM (so Excel reads Chinese) and "
                   "keep month as text.")  # fmt: skip
def export_command(
    *,
    fmt: str,
    out: str,
    db: Path,
    table: str,
    columns: str | None,
    include_body: bool,
    excel: bool,
    **kwargs: Any,
) -> None:
    """Export articles (with the search filters) to CSV or JSON Lines, streamed."""
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    if out != "-" and Path(out).resolve() == db.resolve():
        fail(f"--out {out} is the archive itself; choose another file", ExitCode.USAGE)
    if out != "-" and (
        Path(out).is_dir() or not (Path(out).exists() or Path(out).resolve().parent.is_dir())
    ):
        fail(f"cannot write {out}: not a file in an existing folder", ExitCode.FAILURE)
    if fmt in ("warc", "wacz"):
        _export_warc(out, db, _filters(kwargs), wacz=fmt == "wacz")
        return
    with _archive(db) as archive:
        from newsarchive.archive import make_filters  # noqa: PLC0415 (lazy: start-up time)
        from newsarchive.store.export import Table, export  # noqa: PLC0415

        filters = make_filters(**_filters(kwargs))
        if excel and fmt != "csv":
            fail("--excel applies to --format csv only", ExitCode.USAGE)
        try:
            with _output(out, excel) as stream:
                count = export(
                    archive.connection,
                    stream,
                    format="csv" if fmt == "csv" else "jsonl",
                    filters=filters,
                    table=cast(Table, table),
                    columns=chosen,
                    include_body=include_body,
                    excel=excel,
                )
        except BrokenPipeError:
            if out != "-":
                raise
            # The reader stopped (``export | head``): stop quietly, as search and show do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(int(ExitCode.FAILURE))
        except OSError as exc:  # the output cannot be written (folder gone, disk full)
            fail(f"cannot write {out}: {exc.strerror or exc}", ExitCode.FAILURE)  # fmt: skip
    if not click.get_current_context().find_root().obj.get("quiet"):
        click.echo(f"exported {count} rows to {'standard output' if out == '-' else out}",
                   err=True)  # fmt: skip


def _export_warc(out: str, db: Path, chosen: dict[str, Any], *, wacz: bool = False) -> None:
    """``export --format warc``: the captures as WARC 1.1 plus a CDXJ index beside it;
    ``--format wacz``: the same WARC, index and a pages list in one WACZ package."""
    from newsarchive.archive import make_filters  # noqa: PLC0415 (lazy: start-up)
    from newsarchive.webarchive.export import export_warc  # noqa: PLC0415
    from newsarchive.webarchive.wacz import export_wacz  # noqa: PLC0415

    if out == "-":
        what = "a WACZ package" if wacz else "a WARC file and its index"
        fail(f"--format {'wacz' if wacz else 'warc'} needs --out FILE ({what})", ExitCode.USAGE)
    given = {k: v for k, v in chosen.items() if v and k != "include_duplicates"}
    with _archive(db) as archive:
        filters = make_filters(**chosen) if given else None
        try:
            if wacz:
                package = export_wacz(
                    archive.connection, Path(out), archive=str(db), filters=filters
                )
                message = f"exported {package.captures} captures to {out} (WACZ)"
            else:
                done = export_warc(archive.connection, Path(out), archive=str(db), filters=filters)
                message = f"exported {done.captures} captures to {out} (index {done.index})"
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}", ExitCode.FAILURE)
    if not click.get_current_context().find_root().obj.get("quiet"):
        click.echo(message, err=True)


@main.command()
@db_option
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.png",
    help="Also draw articles per month per channel into this image (.png, .svg, .pdf, .jpg).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")  # fmt: skip
def stats(db: Path, plot: Path | None, fmt: str) -> None:
    """Articles per channel and month (near copies folded), revisions, takedowns, crawl runs."""
    from newsarchive.cli import research_render as render  # noqa: PLC0415 (lazy: start-up)
    from newsarchive.store.stats import plot_by_month, plot_format  # noqa: PLC0415

    if plot is not None:
        try:
            plot_format(str(plot))
        except ValueError as exc:
            fail(str(exc), ExitCode.USAGE)
    with _archive(db) as archive:
        result = archive.stats()
    if plot is not None:
        try:
            plot_by_month(result, str(plot))
        except OSError as exc:
            fail(f"cannot write the plot to {plot}: {exc.strerror or exc}", ExitCode.FAILURE)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        render.stats(result)
    if plot is not None:
        click.echo(f"plot written to {plot}", err=True)


@main.command()
@click.argument("ref", metavar="ID|URL")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")  # fmt: skip
def show(ref: str, db: Path, fmt: str) -> None:
    """Show one article as a reader sees it, with its revisions and captures.

    ID|URL: the article id, or any URL it was seen under (big5, mobile, http, other host).
    """
    from newsarchive.cli import research_render as render  # noqa: PLC0415 (lazy: start-up)

    with _archive(db) as archive:
        view = archive.view(ref)
    if view is None:
        fail(f"no article {ref!r} in the archive", ExitCode.FAILURE)
    if fmt == "json":
        data = asdict(view)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        render.article(view)


@main.command()
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (loopback: only this machine).",
)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port.")  # fmt: skip
@click.pass_context
def serve(ctx: click.Context, db: Path, host: str, port: int) -> None:
    """Browse the archive in Datasette (search, facets, canned queries).

    Prints the address it serves on (the real port when --port is 0); Ctrl+C stops it."""
    from newsarchive.serve.app import ServeError  # noqa: PLC0415 (imports Datasette)
    from newsarchive.serve.app import serve as run  # noqa: PLC0415
    from newsarchive.store.queries import ArchiveError  # noqa: PLC0415

    def ready(url: str) -> None:
        if not (ctx.obj or {}).get("quiet"):
            click.echo(f"serving {db} on {url} (press Ctrl+C to stop)")

    try:
        run(db, host=host, port=port, on_ready=ready)
    except ArchiveError as exc:
        fail(str(exc), ExitCode.FAILURE)
    except ServeError as exc:
        fail(f"{exc} (choose another --port, or --port 0 for a free one)", ExitCode.FAILURE)
