"""Golden tests over the development half of the labelled generic set (tests/generic_pages):
each page's extracted fields equal its gold labels; only the body has a small tolerance.

The held-out half is for measuring (``python bench/extract_quality.py``), not for tests: a
test over it would make it a development set."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from newsarchive.extract import extract_article
from newsarchive.records import Article, NotAnArticle

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO / "tests" / "generic_pages"
GOLD: dict[str, dict[str, str | None]] = json.loads(
    (PAGES / "gold.json").read_text(encoding="utf-8")
)
DEV = sorted(name for name in GOLD if name.startswith("dev/"))
ARTICLES = [n for n in DEV if GOLD[n]["kind"] == "article"]
OTHERS = [n for n in DEV if GOLD[n]["kind"] != "article"]


def _quality() -> ModuleType:
    path = REPO / "bench" / "extract_quality.py"
    spec = importlib.util.spec_from_file_location("bench_extract_quality", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


QUALITY = _quality()


def test_the_set_has_both_halves_and_enough_pages() -> None:
    heldout = [n for n in GOLD if n.startswith("heldout/")]
    assert len(DEV) + len(heldout) >= 60
    assert len(heldout) >= 30
    layouts_dev = {GOLD[n]["layout"] for n in DEV}
    layouts_heldout = {GOLD[n]["layout"] for n in heldout}
    assert layouts_heldout - layouts_dev  # layouts never seen during development


@pytest.mark.parametrize("name", ARTICLES)
def test_dev_page_fields_equal_the_gold_labels(name: str) -> None:
    gold = GOLD[name]
    result = extract_article((PAGES / name).read_bytes(), str(gold["url"]))
    assert isinstance(result, Article), result
    assert result.template == "generic"
    assert result.headline == gold["headline"]
    assert result.published_at is not None and result.published_at[:10] == gold["day"]
    assert QUALITY.first_author(result.credits) == gold["author"]
    assert result.source == gold["source"]
    assert QUALITY.body_f1(result.body_text, gold["body"]) >= 0.97, result.body_text[:300]


@pytest.mark.parametrize("name", OTHERS)
def test_dev_non_articles_get_their_kind(name: str) -> None:
    result = extract_article((PAGES / name).read_bytes(), str(GOLD[name]["url"]))
    assert isinstance(result, NotAnArticle), result
    assert result.kind == GOLD[name]["kind"]


def test_the_committed_pages_are_what_the_generator_writes(tmp_path: Path) -> None:
    """The pages and gold labels change only through bench/generic_set/build.py."""
    script = REPO / "bench" / "generic_set" / "build.py"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(PAGES) for p in PAGES.rglob("*") if p.is_file() and p.suffix != ".py"
    )
    assert written == committed
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (PAGES / rel).read_bytes(), rel
