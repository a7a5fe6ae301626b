"""Where the extractor's time goes: CPU per page and phase on the real Xinhua pages.

    python -m bench.extract_phases [--rounds N] [--real DIR]
    python -m bench.extract --phases            (the same table)

Each phase is timed by wrapping the extractor's own functions for the length of the run (a
workshop measurement: the wrappers add ~1 µs a call, and the run is not the speed figure of
``bench/extract.py``, which times the untouched extractor against trafilatura). The phases
nest as the extractor calls them; "selector evaluations" cuts across them (every
``dom.select`` call of the template path: fields, container, credit lines, related links).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from newsarchive.extract import article, body, container, dom, fields, multipage

#: (label, module, function name): the phases, in the order the extractor runs them.
PHASES: tuple[tuple[str, Any, str], ...] = (
    ("decode the bytes", article, "_to_text"),
    ("lxml parse of the page", article, "_parse"),
    ("template match (signature, headline, container)", article, "_match_template"),
    ("header fields and credit lines (XPath + text)", article, "_header_fields"),
    ("pager, page links, prune", article, "_clean_container"),
    ("container to soup (serialise, BeautifulSoup)", body, "soup_of"),
    ("  of which BeautifulSoup(container, 'lxml')", container, "BeautifulSoup"),
    ("walk the soup into blocks", body._Walker, "run"),
    ("classify blocks (captions, credits, headings)", body._Splitter, "add"),
    ("assemble the record (dateline, credits, script)", article, "_assemble"),
)
_FIELD_FUNCTIONS = ("first_subtitle", "published", "source", "keywords", "related_links")
_SELECT_USERS = (article, fields, multipage, dom)


@contextmanager
def _timed(clock: Callable[[], float]) -> Iterator[Counter[str]]:
    spent: Counter[str] = Counter()

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += clock() - start

        return timed

    with ExitStack() as stack:
        for label, owner, name in PHASES:
            if name == "_header_fields":
                for field in _FIELD_FUNCTIONS:
                    stack.enter_context(
                        mock.patch.object(fields, field, wrap(label, getattr(fields, field)))
                    )
                stack.enter_context(
                    mock.patch.object(article, "_credit_lines", wrap(label, article._credit_lines))
                )
            elif name == "_clean_container":
                for fn in ("remove_pager", "page_links"):
                    stack.enter_context(
                        mock.patch.object(multipage, fn, wrap(label, getattr(multipage, fn)))
                    )
                stack.enter_context(mock.patch.object(article, "prune", wrap(label, article.prune)))
            else:
                stack.enter_context(
                    mock.patch.object(owner, name, wrap(label, getattr(owner, name)))
                )
        select = dom.select
        for module in _SELECT_USERS:
            if hasattr(module, "select"):
                stack.enter_context(
                    mock.patch.object(module, "select", wrap("selector evaluations", select))
                )
        yield spent


def phases(pages: list[tuple[str, bytes, str, str | None]], rounds: int) -> None:
    clock = time.process_time
    for _name, data, url, hint in pages:  # warm up (imports, caches of compiled regexes)
        article.extract_article(data, url, encoding=hint)
    with _timed(clock) as spent:
        start = clock()
        for _ in range(rounds):
            for _name, data, url, hint in pages:
                article.extract_article(data, url, encoding=hint)
        total = clock() - start
    count = rounds * len(pages)
    print(f"\nWhere the time goes: CPU ms per page, {len(pages)} pages x {rounds} rounds")
    print("| phase | ms/page | share |")
    print("|---|---:|---:|")
    for label, _owner, _name in PHASES:
        print(f"| {label} | {spent[label] / count * 1000:.3f} | {spent[label] / total:.0%} |")
    accounted = sum(spent[label] for label, _o, _n in PHASES if not label.startswith("  "))
    other = total - accounted
    print(f"| other (glue between the phases) | {other / count * 1000:.3f} | {other / total:.0%} |")
    print(f"| **total (timed run, wrappers included)** | **{total / count * 1000:.3f}** | |")
    select = spent["selector evaluations"]
    print(
        f"| selector evaluations (across the phases above) | {select / count * 1000:.3f} | "
        f"{select / total:.0%} |"
    )


def main(argv: list[str] | None = None) -> int:
    # The sibling module: ``python -m bench.extract_phases`` from the root, or a script.
    try:
        from bench.extract import REAL, pages  # noqa: PLC0415
    except ImportError:
        from extract import REAL, pages  # type: ignore[no-redef]  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--real", type=Path, default=REAL, help="folder of real Xinhua pages")
    args = parser.parse_args(argv)
    real = [(n, d, u, h) for n, d, u, h, _t in pages(args.real) if n.startswith("real/")]
    if not real:
        print(f"no real pages in {args.real} (use --real DIR)", file=sys.stderr)
        return 1
    phases(real, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
