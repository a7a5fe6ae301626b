"""``python -m tools.sitegen OUT``: (re)generate a sample site.

The bundled one and its later version (both package data):
``python -m tools.sitegen newsarchive/sample_site --v2 newsarchive/sample_site_v2``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from tools.sitegen import (
    SAMPLE_ARTICLES,
    SAMPLE_CHANNELS,
    SAMPLE_SEED,
    generate_site,
    write_v2_overlay,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sitegen", description=__doc__)
    parser.add_argument("out", type=Path, help="directory to write the site into")
    parser.add_argument("--articles", type=int, default=SAMPLE_ARTICLES)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    parser.add_argument("--channels", default=",".join(SAMPLE_CHANNELS))
    parser.add_argument("--v2", type=Path, help="also write the edited-later overlay here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    manifest = generate_site(
        args.out, channels=tuple(args.channels.split(",")), n_articles=args.articles, seed=args.seed
    )
    if args.v2 is not None:
        if (args.v2 / "V2.json").exists():
            shutil.rmtree(args.v2)  # an overlay written by an earlier run
        elif args.v2.exists() and any(args.v2.iterdir()):
            parser.error(f"{args.v2} is not empty and is not an earlier overlay")
        write_v2_overlay(args.out, args.v2)
    counts = manifest["counts"]
    sys.stdout.write(
        f"{args.out}: {counts['distinct_articles']} distinct articles, {counts['files']} files\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
