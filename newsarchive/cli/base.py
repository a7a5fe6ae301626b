"""The root command group and the helpers every command shares."""

from __future__ import annotations

import click

from newsarchive import __version__, logfile

#: The help of every command's ``--config`` option.
CONFIG_HELP = "Settings file (TOML); default $NEWSARCHIVE_CONFIG, then ./newsarchive.toml."


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
