"""The work a crawl left, per channel (``newsarchive runs``): the crawl frontier's summary as a
table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.store.frontier import ChannelWork

_COLUMNS = ("channel", "pending", "retry", "next_retry_at", "failed", "done", "errors")


def _errors(work: ChannelWork, limit: int = 4) -> str:
    from newsarchive.crawlhistory import error_kinds  # noqa: PLC0415 (one format for errors)

    shown = dict(sorted(work.errors.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
    more = len(work.errors) - len(shown)
    text = error_kinds(shown)
    return f"{text} …(+{more})" if more > 0 else text


def _cells(work: ChannelWork) -> list[str]:
    return [
        work.channel or "-",
        str(work.pending),
        str(work.retry),
        (work.next_retry_at or "")[:19].replace("T", " "),
        str(work.failed),
        str(work.done),
        _errors(work),
    ]


def render_work(found: Sequence[ChannelWork], fmt: str) -> str:
    """``found`` as ``table`` (a heading, then one line per channel), ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps([asdict(w) for w in found], ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_COLUMNS)
        writer.writerows([*_cells(w)[:-1], json.dumps(w.errors, ensure_ascii=False)] for w in found)
        return out.getvalue()
    if not found:
        return "work left: none recorded\n"
    rows = [list(_COLUMNS), *(_cells(w) for w in found)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = (
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    return "work left per channel (crawl frontier):\n" + "".join(f"{line}\n" for line in lines)
