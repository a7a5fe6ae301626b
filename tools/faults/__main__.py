"""``python -m tools.faults ROOT [--rule PATTERN=FAULT]… [--rate R --rate-fault F… --seed N]``

Serves the mirror tree ROOT on 127.0.0.1 with faults until interrupted; prints the URL to pass
to ``newsarchive crawl … --mirror``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

from tools.faults.rules import FAULT_KINDS, RateFaults, parse_fault, parse_rule
from tools.faults.server import FaultSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.faults", description=__doc__)
    parser.add_argument(
        "root", type=Path, help="a <host>/<path> site copy (newsarchive/sample_site)"
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument(
        "--rule",
        action="append",
        default=[],
        help=f"GLOB=KIND[:NAME=VALUE,...] (or re:REGEX=...); kinds: {', '.join(FAULT_KINDS)}",
    )
    parser.add_argument("--rate", type=float, default=0.0, help="share of keys to fault")
    parser.add_argument("--rate-fault", action="append", default=[], help="KIND[:...] drawn from")
    parser.add_argument("--rate-pattern", default="*", help="glob of keys the rate applies to")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"{args.root} is not a folder")
    try:
        rules = [parse_rule(r) for r in args.rule]
        rate = RateFaults(
            rate=args.rate,
            faults=tuple(parse_fault(f) for f in args.rate_fault),
            seed=args.seed,
            pattern=args.rate_pattern,
        )
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with FaultSite(args.root, rules, rate=rate, port=args.port) as site:
        print(site.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while not site.wait_stopping(3600):
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
