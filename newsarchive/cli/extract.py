"""``newsarchive extract PATH [--url URL]``: print the record one saved page becomes."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from newsarchive.cli.base import fail, main
from newsarchive.exitcodes import ExitCode
from newsarchive.records import NotAnArticle


@main.command("extract")
@click.argument("path", metavar="PATH")
@click.option(
    "--url",
    default=None,
    help="The page's http(s) URL (sets channel, canonical URL, article id and resolves "
    "relative links). Default: the file:// URL of PATH, which has none of these.",
)
@click.option(
    "--encoding",
    default=None,
    help="The HTTP charset the page was served with (a hint; verified against the bytes).",
)
def extract_command(path: str, url: str | None, encoding: str | None) -> None:
    """Extract one article page and print its record as JSON (UTF-8).

    PATH is a saved page (bytes as fetched), or - to read standard input. A page that is
    not an article (a list, an error page, undecodable bytes) prints the reason on stderr
    and exits with status 1.
    """
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            fail(
                f"--url {url!r} is not an http(s) URL (e.g. "
                "https://www.gz.news.cn/20240101/0123456789abcdef0123456789abcdef/c.html)",
                ExitCode.USAGE,
            )
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            fail(f"--encoding {encoding!r} is not a known encoding", ExitCode.USAGE)
    if path == "-":
        data = sys.stdin.buffer.read()
        page_url = url or "file:///dev/stdin"
    else:
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror or exc}", ExitCode.USAGE)
        page_url = url or file.resolve().as_uri()
    from newsarchive.extract import extract_article  # noqa: PLC0415 (lazy: start-up time)

    result = extract_article(data, page_url, encoding=encoding)
    if isinstance(result, NotAnArticle):
        click.echo(f"not an article ({result.kind}): {result.reason}", err=True)
        sys.exit(ExitCode.FAILURE)
    sys.stdout.buffer.write(
        json.dumps(result.to_dict(), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    )
    sys.stdout.buffer.flush()
