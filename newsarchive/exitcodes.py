"""Exit codes of every ``newsarchive`` command, for schedulers (cron, systemd, Scrapyd) to act on.

Documented in the README ("Exit codes"); keep the two in step.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Everything asked for was done."""
    FAILURE = 1
    """The command failed (nothing or too little was done): dead server, unreadable archive,
    a page that is not an article for ``extract``."""
    USAGE = 2
    """Bad command line or malformed input (an unknown channel, a malformed search query)."""
    PARTIAL = 3
    """A crawl finished but some pages failed; they are recorded in ``crawl_runs`` and a later
    run fetches them again."""
    LOCKED = 4
    """Another run holds the archive's writer lock; nothing was done."""
    INTERRUPTED = 5
    """Stopped by a signal (SIGTERM/SIGINT) before finishing; the next run resumes."""
