"""Build the egg that Scrapyd runs: ``python deploy/build_egg.py [--out DIR]``.

``scrapyd-deploy`` builds eggs with ``python setup.py bdist_egg``, and this project has no
``setup.py`` (its packaging is ``pyproject.toml`` only); the egg ``scrapyd-deploy`` would
improvise from a generated ``setup.py`` lacks the package data (the channel registry, the
schema). This script builds the egg from ``pyproject.toml`` itself, with setuptools'
``bdist_egg`` command, in a scratch copy of the sources so the checkout stays clean. The egg
holds ``newsarchive``, ``spiders`` and ``pipelines`` with their data files, and the
``scrapy`` entry point ``settings = newsarchive.settings``. Deploy it with::

    scrapyd-deploy default -p newsarchive --egg dist/newsarchive-<version>-py3.11.egg

Prints the egg's path. Needs only setuptools (no network).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: What the distribution is built from (pyproject's package list plus its metadata files).
SOURCES = ("pyproject.toml", "README.md", "newsarchive", "spiders", "pipelines")


def build(out: Path) -> Path:
    """Build the egg into ``out``; returns its path."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    with tempfile.TemporaryDirectory(prefix="newsarchive-egg-") as scratch:
        work = Path(scratch)
        for name in SOURCES:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=ignore)
            else:
                shutil.copy2(source, work / name)
        before = set(out.glob("*.egg"))
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from setuptools import setup; setup()",
                "--quiet",
                "bdist_egg",
                "--dist-dir",
                str(out),
            ],
            cwd=work,
            check=True,
        )
    eggs = sorted(set(out.glob("*.egg")) - before) or sorted(out.glob("*.egg"))
    if not eggs:
        raise SystemExit(f"no egg was written to {out}")
    return max(eggs, key=lambda p: p.stat().st_mtime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="output directory")
    args = parser.parse_args()
    sys.stdout.write(f"{build(args.out)}\n")


if __name__ == "__main__":
    main()
