"""``bench/archive.py`` runs, at a tiny size, and reports what it measured.

Not a timed test: it checks that the benchmark still drives the real store (its outcomes are
the dedup layers' answers) and that ``--split`` prints every part and every ceiling.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "archive.py"


def _bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_the_ingest_run_exercises_every_dedup_layer(tmp_path: Path) -> None:
    out = _bench("--sizes", "400", "--checkpoint", "200", "--db", str(tmp_path / "b.db"))
    assert out.count(" items/CPU-s ") == 2  # one line per checkpoint
    outcomes = re.search(r"outcomes (\{.*\})", out)
    assert outcomes is not None
    counts = ast.literal_eval(outcomes.group(1))
    assert set(counts) >= {"new", "duplicate", "near_duplicate"}
    assert sum(counts.values()) == 400
    assert (tmp_path / "b.db").stat().st_size > 0


def test_split_reports_each_part_and_ceiling() -> None:
    out = _bench("--split", "300")
    parts = dict(re.findall(r"^  (\S[^\n]*?)\s+(\d+\.\d{3})$", out, re.M))
    assert len(parts) == 8
    assert all(float(ms) > 0 for ms in parts.values())
    rates = re.findall(r"([\d,]+) articles/s$", out, re.M)
    assert len(rates) == 4
    one, two, floor, fts = (int(r.replace(",", "")) for r in rates)
    assert 0 < one < two  # a second core takes the pure CPU work off the writer
    assert floor > 0 and fts > 0
