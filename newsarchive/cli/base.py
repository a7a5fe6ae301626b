"""The root command group and the helpers every command shares."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from newsarchive import __version__, logfile
from newsarchive.exitcodes import ExitCode

#: The help of every command's ``--config`` option.
CONFIG_HELP = "Settings file (TOML); default $NEWSARCHIVE_CONFIG, then ./newsarchive.toml."
#: The help of every command's ``--db`` option.
DB_HELP = "The archive (default: the configured archive, $NEWSARCHIVE_DB, data/archive.db)."


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(int(code))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsarchive")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Show the log (Scrapy's included); -vv for debug and tracebacks.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Only warnings and errors, one line each (for cron)."
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Archive Xinhua's provincial news channels into SQLite."""
    # Warnings and errors, one line each; INFO with -v, DEBUG and tracebacks with -vv.
    logfile.configure(quiet=quiet, verbose=verbose)
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet
    ctx.obj["verbose"] = verbose
