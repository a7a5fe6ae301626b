"""Archived text with square brackets prints as it is: the research commands use no console
markup, so ``[/b]`` in a paragraph is neither a crash nor a style."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from store_factory import article_item, make_article

from newsarchive.cli import main
from newsarchive.records import Section
from newsarchive.store import Store

BRACKETS = "[/b]新规定参见[a]和[b]两项条款，[bold]茶产业[/link]发展迅速。"


def test_show_and_search_print_brackets_as_text(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    sections = (Section(heading="[标题]", paragraphs=(BRACKETS, "茶产业第二段正文。")),)
    with Store(db) as store:
        store.store_item(article_item(make_article(sections=sections)))
    runner = CliRunner()
    shown = runner.invoke(main, ["-q", "show", "1", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert BRACKETS in shown.stdout
    assert "[标题]" in shown.stdout
    found = runner.invoke(main, ["-q", "search", "茶产业", "--db", str(db)])
    assert found.exit_code == 0, found.output
    assert "[/b]" in found.stdout or "[bold]" in found.stdout  # the snippet, as archived
    refused = runner.invoke(main, ["-q", "search", "[/x]不存在的词", "--db", str(db)])
    assert refused.exit_code == 2
    assert "'[/x]不存在的词'" in refused.output  # the query echoed as typed
