"""``newsarchive serve``: Datasette on loopback with metadata, facets, the search plugin and
canned queries — over real HTTP, and in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import research_archive

from newsarchive.serve.metadata import SCHEMA_DOC, build_metadata, parse_schema_doc

CHROMIUM = Path("/usr/bin/chromium")
DB_NAME = "archive"  # Datasette names the database after the file's stem


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, **params: str) -> Any:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        with urllib.request.urlopen(self.base + path + query, timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = research_archive.built(tmp_path_factory)
    port = free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from newsarchive.cli import main; main()",
         "-q", "serve", "--db", str(db), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"newsarchive serve did not start: {Path(log.name).read_text()}")
                time.sleep(0.2)
        yield Server(base)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_articles_table_over_http(server: Server) -> None:
    rows = server.get(f"/{DB_NAME}/articles.json", _shape="array", _col="headline", _size="max")
    assert {r["headline"] for r in rows} >= {"貴州數字經濟加快發展", "贵州茶产业今年实现量价齐升"}
    assert len(rows) == 7  # the table lists near copies too
    database = server.get(f"/{DB_NAME}.json")
    tables = {t["name"] for t in database["tables"]} | {v["name"] for v in database["views"]}
    assert {"articles", "article_urls", "credits", "sections", "revisions", "events",
            "captures", "crawl_runs", "articles_flat"} <= tables  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [("鄉村振興", {"yunnan", "digital"}), ("乡村振兴", {"yunnan", "digital"}),
     ("数字经济", {"digital"}), ("茶園", {"tea", "formula"})],
)  # fmt: skip
def test_canned_search_in_either_script(server: Server, query: str, expected: set[str]) -> None:
    rows = server.get(f"/{DB_NAME}/search.json", q=query, _shape="array")
    ids = research_archive.ids()
    assert {r["id"] for r in rows} == {ids[n] for n in expected}
    assert all("**" in r["snippet"] for r in rows)


def test_table_search_box_in_either_script(server: Server) -> None:
    ids = research_archive.ids()
    rows = server.get(f"/{DB_NAME}/articles.json", _search="鄉村振興", _shape="array", _col="id")
    assert {r["id"] for r in rows} == {ids["yunnan"], ids["digital"]}
    # The view lists near copies too: the reprint shares the tea article's 茶园.
    rows = server.get(f"/{DB_NAME}/articles_flat.json", _search="茶園", _shape="array", _col="id")
    assert {r["id"] for r in rows} == {ids["tea"], ids["formula"], ids["reprint"]}
    assert server.get(f"/{DB_NAME}/articles.json", _search='"鄉村', _shape="array") == []
    with urllib.request.urlopen(f"{server.base}/{DB_NAME}/articles", timeout=30) as page:
        assert 'name="_search"' in page.read().decode("utf-8")  # the search box is shown


def test_canned_search_channel_and_bad_query(server: Server) -> None:
    rows = server.get(f"/{DB_NAME}/search.json", q="乡村振兴", channel="yn", _shape="array")
    assert [r["channel"] for r in rows] == ["yn"]
    (row,) = server.get(f"/{DB_NAME}/search.json", q='"乡村振兴', _shape="array")
    assert row["id"] is None and row["headline"].startswith("Cannot search: unbalanced quote")
    assert server.get(f"/{DB_NAME}/search.json", _shape="array") == []


def test_canned_queries_for_common_questions(server: Server) -> None:
    ids = research_archive.ids()
    by_reporter = server.get(f"/{DB_NAME}/articles_by_reporter.json", name="鲁毅", _shape="array")
    assert [(r["id"], r["role"]) for r in by_reporter] == [(ids["digital"], "记者")]
    by_source = server.get(f"/{DB_NAME}/articles_by_source.json", source="云南日报", _shape="array")
    assert [r["id"] for r in by_source] == [ids["yunnan"]]
    takedowns = server.get(f"/{DB_NAME}/takedowns.json", _shape="array")
    assert [(r["id"], r["detail"]) for r in takedowns] == [(ids["gone"], "http_404")]
    revisions = server.get(f"/{DB_NAME}/revisions.json", _shape="array")
    assert [(r["article_id"], r["old_headline"]) for r in revisions] == [
        (ids["metro"], "贵阳地铁三号线开通运营")
    ]
    months = server.get(f"/{DB_NAME}/articles_per_month.json", _shape="array")
    assert sum(r["articles"] for r in months) == 6
    runs = server.get(f"/{DB_NAME}/crawl_runs.json", _shape="array")
    assert len(runs) == 2


def test_facets_on_channel_source_and_month(server: Server) -> None:
    data = server.get(f"/{DB_NAME}/articles.json")
    facets = data["facet_results"]
    if isinstance(facets, dict) and "results" in facets:  # Datasette 1.0 shape
        facets = facets["results"]
    channel = {v["value"]: v["count"] for v in facets["channel"]["results"]}
    assert channel == {"gz": 4, "yn": 1, "he": 1, "sc": 1}  # the table view: copies included
    assert {v["value"] for v in facets["source"]["results"]} >= {"云南日报", "新華網"}
    month = {v["value"]: v["count"] for v in facets["published_at (month)"]["results"]}
    assert month == {"2023-11": 2, "2024-01": 1, "2024-02": 1, "2024-03": 1, "2024-05": 2}
    picked = server.get(
        f"/{DB_NAME}/articles.json", published_at__startswith="2024-05", _shape="array"
    )
    assert len(picked) == 2


def test_metadata_describes_tables_from_the_schema_doc(server: Server) -> None:
    metadata = server.get("/-/metadata.json")
    tables = metadata["databases"][DB_NAME]["tables"]
    assert tables["articles_fts"]["hidden"] is True
    assert set(metadata["databases"][DB_NAME]["queries"]) >= {
        "search", "articles_by_reporter", "articles_by_source", "takedowns", "revisions",
    }  # fmt: skip
    if not SCHEMA_DOC.is_file():
        pytest.skip(f"{SCHEMA_DOC} not written yet: column descriptions cannot be checked")
    docs = parse_schema_doc(SCHEMA_DOC.read_text("utf-8"))
    for table in ("articles", "credits", "captures", "crawl_runs"):
        columns = tables[table].get("columns", {})
        assert columns == docs[table]["columns"] and columns, table


def test_every_archive_column_has_a_description(tmp_path_factory: pytest.TempPathFactory) -> None:
    if not SCHEMA_DOC.is_file():
        pytest.skip(f"{SCHEMA_DOC} not written yet")
    import sqlite3  # noqa: PLC0415 (only this test reads the schema directly)

    db = research_archive.built(tmp_path_factory)
    conn = sqlite3.connect(db)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts_%'"
        )
    ]
    metadata = build_metadata(DB_NAME, names)["databases"][DB_NAME]["tables"]
    missing = [
        f"{table}.{column}"
        for table in names
        if not table.startswith("articles_fts")
        for (column,) in conn.execute(f"SELECT name FROM pragma_table_info('{table}')")
        if not metadata.get(table, {}).get("columns", {}).get(column)
    ]
    assert missing == []


def test_parse_schema_doc() -> None:
    text = (
        "# Schema\n\n## `articles`\n\nOne row per article.\n\n"
        "| column | type | meaning |\n|---|---|---|\n"
        "| `id` | INTEGER | The article id. |\n| `headline` | TEXT | The `headline` as printed. |\n"
        "\n## Views\n\n### `articles_flat`\n\nFlattened.\n\n| `month` | TEXT | YYYY-MM |\n"
    )
    assert parse_schema_doc(text) == {
        "articles": {
            "description": "One row per article.",
            "columns": {"id": "The article id.", "headline": "The headline as printed."},
        },
        "articles_flat": {"description": "Flattened.", "columns": {"month": "YYYY-MM"}},
    }


@pytest.mark.browser
def test_headless_chromium_runs_a_chinese_search(server: Server, tmp_path: Path) -> None:
    if not CHROMIUM.is_file() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    from PIL import Image  # noqa: PLC0415 (only the browser test needs these)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    shot = tmp_path / "search.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{server.base}/{DB_NAME}/search", wait_until="load")
            page.fill("input[name=q]", "鄉村振興")
            page.click("input[type=submit]")
            page.wait_for_load_state("load")
            assert "q=%E9%84%89%E6%9D%91%E6%8C%AF%E8%88%88" in page.url
            table = page.inner_text("table.rows-and-columns")
            assert "貴州數字經濟加快發展" in table
            assert "云南推进乡村振兴 高原特色农业带动增收" in table
            marks = page.locator("td mark").all_inner_texts()
            assert set(marks) == {"乡村振兴", "鄉村振興"}
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size[0] == 1200 and rgb.size[1] >= 900
        colours = rgb.getcolors(maxcolors=1_000_000)
        # Text, table rules, the yellow highlights: far from a blank or one-colour page.
        assert colours is not None and len(colours) > 50
        assert (255, 255, 0) in {c for _, c in colours} or len(colours) > 200


def _serve_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from newsarchive.cli import main; main()",
            "serve", "--db", str(db), *args]  # fmt: skip


def test_a_busy_port_is_one_clear_error_and_nothing_announced(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db = research_archive.built(tmp_path_factory)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            _serve_command(db, "--port", str(port)),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert "--port 0" in line


def test_port_zero_prints_the_real_port_and_how_to_stop(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db = research_archive.built(tmp_path_factory)
    process = subprocess.Popen(
        _serve_command(db, "--port", "0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        prefix = f"serving {db} on http://127.0.0.1:"
        assert line.startswith(prefix), line
        assert line.endswith("/ (press Ctrl+C to stop)")
        port = int(line[len(prefix) :].split("/", 1)[0])
        assert port != 0
        versions = Server(f"http://127.0.0.1:{port}").get("/-/versions.json")
        assert "datasette" in versions
    finally:
        process.terminate()
        process.wait(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal: the conventional status.
    assert process.returncode == -signal.SIGTERM
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()
