"""The root command group and the helpers every command shares."""

from __future__ import annotations

import logging

import click

from newsarchive import __version__

#: The help of every command's ``--config`` option.
CONFIG_HELP = "Settings file (TOML); default $NEWSARCHIVE_CONFIG, then ./newsarchive.toml."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsarchive")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors (for cron).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Archive Xinhua's provincial news channels into SQLite."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    if verbose == 0 and not quiet:
        level = logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet
    ctx.obj["verbose"] = verbose
