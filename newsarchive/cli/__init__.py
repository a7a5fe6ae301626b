"""The ``newsarchive`` command line.

Each command group lives in its own module and registers itself on :data:`main`; this module
only assembles them. Commands parse options, call one library function, and turn domain
errors into a message on stderr and a non-zero exit code.
"""

from __future__ import annotations

import importlib

from newsarchive.cli.base import main

# Command modules, imported for their registration side effect on `main`.
_COMMAND_MODULES = (
    "newsarchive.cli.extract",  # extract (issue 2)
    "newsarchive.cli.crawl",  # crawl, demo, reextract (issue 4)
    "newsarchive.cli.research",  # search, export, stats, show, serve (issue 5)
    "newsarchive.cli.ops",  # runs, config (issue 6)
    "newsarchive.cli.distributed",  # ingest (issue 8)
    "newsarchive.cli.webarchive",  # import, backfill (issue 20)
)
for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a command group not written yet
        if exc.name != _name:
            raise

__all__ = ["main"]
