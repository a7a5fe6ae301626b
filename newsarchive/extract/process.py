"""The crawl's extractor process: pages are extracted by a child process while the crawl
process goes on fetching.

In a crawl of a local site copy (``--mirror``: the demo, re-crawling a saved ``wget
--mirror``), the crawl process is CPU-bound, and extraction costs it about as much as
everything else it does per article page (see ``docs/performance.md``, "Crawl").
:class:`ExtractorProcess` moves :func:`~newsarchive.extract.extract_article` to a child
process started with ``spawn``; the spider awaits each page's record
(:func:`newsarchive.crawling.pages.read_page_async`), so the records, what is followed from
them and their order of arrival in the pipelines are those of extracting in the crawl
process: the child makes the same call on the same bytes and charset hint.

Failures: the extractor never raises (a failure on one page is a ``NotAnArticle`` with the
reason). If the child dies (killed, out of memory, a crash in a C library), every page in
flight and every later one is extracted in the crawl process instead, with one error in the
log; nothing is lost. SIGINT and SIGTERM are ignored by the child (a Ctrl-C reaches the
whole process group, and the crawl's graceful stop still extracts the pages it has);
:meth:`ExtractorProcess.close` ends it. When the crawl process is killed, the child sees
end-of-file on its pipe and exits.
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection

from newsarchive.childproc import (
    CLOSE,
    ChildDied,
    ChildProcess,
    forward_logging,
    parent_log_level,
    portable,
    recv,
    send,
)
from newsarchive.extract.article import extract_article
from newsarchive.records import Article, NotAnArticle

logger = logging.getLogger(__name__)

__all__ = ["ExtractorDied", "ExtractorProcess", "extract_bytes"]


class ExtractorDied(ChildDied):
    """The extractor process exited before answering."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Config:
    log_level: int = logging.INFO


def extract_bytes(body: bytes, url: str, hint: str | None) -> Article | NotAnArticle:
    """``extract_article(body, url, encoding=hint)``: what the crawl process would get from
    the same response (the extractor decodes the bytes as the crawl does)."""
    return extract_article(body, url, encoding=hint)


def _child_main(config: _Config, inbox: Connection, outbox: Connection) -> None:
    """The extractor process: extract what arrives on ``inbox``, answer on ``outbox``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    forward_logging(outbox, config.log_level)
    send(outbox, ("ready", os.getpid()))
    try:
        while True:
            message = recv(inbox)
            if message == CLOSE:
                break
            replies: list[tuple[int, Article | NotAnArticle | None, BaseException | None]] = []
            for seq, (body, url, hint) in message:
                try:
                    replies.append((seq, extract_bytes(body, url, hint), None))
                except Exception as exc:  # extract_article never raises: a bug in the loop
                    replies.append((seq, None, portable(exc)))
            send(outbox, ("replies", replies))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the crawl process is gone
    send(outbox, ("closed", None))


class ExtractorProcess(ChildProcess):
    """The parent's handle on an extractor process (see the module docstring).

    :meth:`extract` is awaited on the crawl's asyncio event loop; :meth:`start` and
    :meth:`close` block."""

    label = "extractor"
    died_error = ExtractorDied

    def __init__(self, *, max_in_flight: int = 64) -> None:
        super().__init__(
            _child_main, _Config(log_level=parent_log_level()), max_in_flight=max_in_flight
        )

    def start(self, timeout: float = 120.0) -> None:
        super().start(timeout)
        logger.info("extractor process %d started", self.pid)

    async def extract(self, body: bytes, url: str, hint: str | None) -> Article | NotAnArticle:
        """:func:`extract_bytes` of the page, computed by the child. Raises
        :class:`ExtractorDied` when the child is gone."""
        result: Article | NotAnArticle = await self._submit((body, url, hint))
        return result

    def _lost_message(self, code: int | None) -> str:
        return (
            f"the extractor process (pid {self.pid}) exited unexpectedly (exit code {code}); "
            f"its {len(self._pending)} pages in flight and every later page are extracted in "
            "the crawl process"
        )
