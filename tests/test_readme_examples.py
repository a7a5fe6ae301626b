"""Every example of README.md runs on the demo archive and prints results (issue 18).

The module builds the demo archive once, as the README's Quickstart does (``newsarchive demo``
in a fresh folder, so the archive is ``data/archive.db`` there), and then runs on it:

* every command of the README's ``sh`` blocks that is not a synopsis (``newsarchive …``,
  ``sqlite3 data/archive.db "…"`` through Python's sqlite3, ``python -m …``), each with a
  check that it printed or wrote real results; the few that cannot run in a test are in
  :data:`NOT_RUN` with the reason, the mirror server's in its own test;
* the ``newsarchive search`` examples written inline in the text;
* the ``console`` blocks, whose output must be what the command prints now, up to what varies
  between two runs of the demo (:func:`tools.readme_outputs.normalise`; rewrite them with
  ``python -m tools.readme_outputs``);
* the ``python`` blocks (the Python API) and the ``sql`` block (with the Datasette plugin's
  functions), and the record the README shows for ``newsarchive extract``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ops_support import as_in_a_terminal

from newsarchive.serve.plugin import register_functions
from tools import readme_outputs
from tools.readme_outputs import DEMO, console_blocks, normalise

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text("utf-8")
LATER = json.loads((REPO / "newsarchive" / "sample_site_v2" / "V2.json").read_text("utf-8"))
SAMPLE_SITE = REPO / "newsarchive" / "sample_site"

#: Examples a test cannot run, each with the reason (and where they are tested instead).
NOT_RUN = {
    "python3 -m venv .venv && .venv/bin/python -m pip install . && .venv/bin/newsarchive demo": (
        "installs into a new virtual environment; tests/test_install.py does the same"
    ),
    "python3 -m venv .venv && .venv/bin/python -m pip install -e '.[test]' "
    "&& .venv/bin/python -m pytest": "runs the whole test suite (.ci/run does)",
    "newsarchive backfill gz he --since 2015-01-01 --until 2019-12-31": (
        "asks the Wayback Machine on the internet; tests/test_webarchive_backfill.py runs "
        "backfill against a local CDX and replay server"
    ),
    "newsarchive backfill gz --common-crawl CC-MAIN-2024-33": (
        "asks Common Crawl's index on the internet; tests/test_webarchive_commoncrawl.py runs "
        "it against a local index and range server"
    ),
    "python -m tools.sitegen newsarchive/sample_site --v2 newsarchive/sample_site_v2": (
        "rewrites the committed sample site; tests/test_sitegen.py checks it writes the same bytes"
    ),
    "wget --mirror -P ~/copies https://gz.news.cn/": "downloads the live site",
    "newsarchive --quiet crawl --config /etc/newsarchive/newsarchive.toml": (
        "the scheduled crawl of the live site; tests/test_deploy.py runs deploy/crontab.example's "
        "command against the sample site"
    ),
    "newsarchive ingest --redis redis://HOST:6379/0 --db data/archive.db": (
        "needs a Redis server (tests/test_distributed*.py, marked redis)"
    ),
    "newsarchive crawl all --redis redis://HOST:6379/0": (
        "needs a Redis server (tests/test_distributed*.py, marked redis)"
    ),
}

#: The mirror server's example: test_the_mirror_server_example_serves_a_copy_to_a_crawl.
MIRROR_SERVER = "python -m newsarchive.mirrorserver ~/copies --port 8000"
MIRROR_CRAWL = "newsarchive crawl gz --mirror http://127.0.0.1:8000 --no-politeness"


def blocks(language: str) -> list[str]:
    """The bodies of the README's fenced blocks in ``language``."""
    return re.findall(rf"^```{language}\n(.*?)^```$", README, re.M | re.S)


def sh_commands() -> list[str]:
    """The commands of the README's ``sh`` blocks, synopses (``[--option …]``) left out,
    continuation lines joined, trailing comments dropped (as the shell reads them)."""
    commands = []
    for body in blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and not any(w.startswith("[") for w in words):
                commands.append(line.split("  #")[0].strip())
    return commands


def inline_searches() -> list[str]:
    """``newsarchive search …`` examples written inline in the text."""
    return re.findall(r"`(newsarchive search [^`]+)`", README)


def runnable() -> list[str]:
    """What the generic test runs, in README order except that ``import`` reads the file an
    ``export`` example writes, so it comes last."""
    special = {*NOT_RUN, MIRROR_SERVER, MIRROR_CRAWL}
    found = [c for c in sh_commands() + inline_searches() if c not in special]
    return sorted(found, key=lambda c: shlex.split(c)[1] == "import")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A folder holding the demo's archive (``data/archive.db``), where the examples run, and
    what the demo printed. ``tests`` points at the repository's tests (the extract example
    reads a golden page)."""
    folder = tmp_path_factory.mktemp("readme")
    printed = readme_outputs.build_demo(folder)
    (folder / "tests").symlink_to(REPO / "tests")
    return folder, printed


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        register_functions(conn)
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- the inventory ---------------------------------------------------------------------------


def test_every_example_is_run_or_says_why_not() -> None:
    commands = sh_commands()
    assert len(commands) >= 20
    # what is not run is still in the README (the list does not rot) and has a reason
    for command, reason in NOT_RUN.items():
        assert command in commands, command
        assert len(reason) > 10
    assert MIRROR_SERVER in commands
    assert MIRROR_CRAWL in commands
    assert {c.split()[0] for c in runnable()} == {"newsarchive", "sqlite3"}
    subcommands = {shlex.split(c)[1] for c in runnable() if c.startswith("newsarchive")}
    assert {"search", "export", "import", "stats", "show", "extract"} <= subcommands
    assert len(blocks("python")) == 1
    assert len(blocks("sql")) == 1
    assert console_blocks(README)[0].command == DEMO


# --- the console blocks: the demo's own output ----------------------------------------------


def test_the_demo_output_in_the_readme_is_what_the_demo_prints(
    workspace: tuple[Path, str],
) -> None:
    _, printed = workspace
    shown = next(b for b in console_blocks(README) if b.command == DEMO)
    assert normalise(shown.output) == normalise(printed)
    # the second visit shows the archive's point: an edit kept, a takedown recorded
    later = printed[printed.index("run 2 (channel)") :]
    assert re.search(r"^\s+articles updated\s+1$", later, re.M)
    assert re.search(r"^\s+takedowns\s+1$", later, re.M)
    assert "1 revisions" in later


@pytest.mark.parametrize(
    "command", [b.command for b in console_blocks(README) if b.command != DEMO]
)
def test_console_outputs_are_what_the_command_prints(
    workspace: tuple[Path, str], command: str
) -> None:
    folder, _ = workspace
    shown = next(b for b in console_blocks(README) if b.command == command)
    proc = readme_outputs.run(command, folder)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()
    assert normalise(shown.output) == normalise(proc.stdout), (
        "README output is stale: run python -m tools.readme_outputs"
    )


def test_normalise_keeps_what_must_not_vary() -> None:
    a = "run 1 (channel) partial in 2.1s → data/archive.db\n  articles new        72\n"
    assert normalise(a) == normalise(a.replace("2.1s", "13.0s"))
    assert normalise(a) != normalise(a.replace("72", "71"))
    hit = "1. 标题  [2024-07-31T11:18:31+08:00 · gz · 贵州日报 · id 40]"
    assert normalise(hit) == normalise(hit.replace("id 40", "id 7"))
    assert normalise(hit) != normalise(hit.replace("11:18:31", "11:18:32"))  # article times stay
    table = (
        "id  started_at                 seconds  channels  pages  new  upd  same  status\n"
        "2   2026-12-07T17:49:54+00:00  1        gz,he     107    0    1    82    partial\n"
    )
    assert normalise(table) == normalise(
        table.replace("17:49:54", "08:00:01").replace("1        gz", "12       gz")
    )
    assert normalise(table) != normalise(table.replace(" 82 ", " 9  "))
    assert normalise(table) != normalise(table.replace(" 107 ", " 106 "))
    assert normalise(table) != normalise(table.replace("partial", "ok     "))
    summary = "  articles unchanged  0\n  duplicates          12\n  takedowns           1\n"
    assert normalise(summary) != normalise(summary.replace("12", "11"))
    assert normalise(summary) != normalise(summary.replace("  1\n", "  0\n"))


# --- the sh examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", runnable())
def test_example_runs_on_the_demo_archive_and_prints_results(
    workspace: tuple[Path, str], command: str
) -> None:
    folder, _ = workspace
    words = shlex.split(command)
    if words[0] == "sqlite3":
        found = rows(folder / words[1], words[2])
        assert found, f"{command} finds nothing in the demo archive"
        assert all(any(v not in (None, "") for v in row) for row in found)
        return
    proc = readme_outputs.run(command, folder)
    assert proc.returncode == 0, proc.stderr[-2000:]
    check = CHECKS.get(words[1], _prints_something)
    check(folder, words, proc.stdout)


def _prints_something(folder: Path, words: list[str], out: str) -> None:
    assert len(out.strip().splitlines()) >= 1


def _search(folder: Path, words: list[str], out: str) -> None:
    if "csv" in words:
        table = list(csv.DictReader(io.StringIO(out)))
        assert table
        assert all("<b>" in r["marked_snippet"] for r in table)
        return
    assert "matching article" in out
    hits = re.findall(r"^\d+\. .+\n.+\n\s+(https?://\S+)$", out, re.M)
    assert hits, out


def _export(folder: Path, words: list[str], out: str) -> None:
    path = folder / words[words.index("--out") + 1]
    if "wacz" in words:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            assert {"datapackage.json", "indexes/index.cdxj", "pages/pages.jsonl"} <= names
            pages = package.read("pages/pages.jsonl").decode("utf-8").splitlines()
            assert len(pages) > 10  # a header line, then the gz pages
    elif "warc" in words:
        assert path.stat().st_size > 1000
        index = path.with_name(path.name.removesuffix(".warc.gz") + ".cdxj")
        assert len(index.read_text("utf-8").splitlines()) > 10
    elif "jsonl" in words:
        records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        assert records
        assert all(r["name"] and r["role"] for r in records)
    else:
        table = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
        assert table
        assert {r["channel"] for r in table} == {"gz"}
        assert all(r["published_date"] >= "2023" for r in table)


def _import(folder: Path, words: list[str], out: str) -> None:
    db = folder / words[words.index("--db") + 1]
    found = rows(db, "SELECT channel, count(*) FROM articles GROUP BY channel")
    assert len(found) == 1
    assert found[0][0] == "gz"
    assert int(str(found[0][1])) > 10


def _stats(folder: Path, words: list[str], out: str) -> None:
    if "json" in words:
        data = json.loads(out)
        assert data
        assert "gz" in out
        assert "he" in out
    else:
        assert re.search(r"\bgz\b", out)
        assert re.search(r"\bhe\b", out)


def _show(folder: Path, words: list[str], out: str) -> None:
    url = words[2]
    if url == LATER["article"]["url"]:
        assert LATER["article"]["headline"] in out
        assert LATER["article"]["v1_headline"] in out  # the revision: the old headline
    elif url == LATER["taken_down"]["url"]:
        assert LATER["taken_down"]["headline"] in out
        assert "taken_down" in out
    else:
        record = json.loads(out)
        assert record
        assert "gz.news.cn" in out


def _extract(folder: Path, words: list[str], out: str) -> None:
    record = json.loads(out)
    assert record["headline"]
    assert record["channel"] == "gz"


CHECKS = {
    "search": _search,
    "export": _export,
    "import": _import,
    "stats": _stats,
    "show": _show,
    "extract": _extract,
}


def test_the_record_shown_is_what_extract_prints(workspace: tuple[Path, str]) -> None:
    folder, _ = workspace
    command = next(c for c in sh_commands() if c.startswith("newsarchive extract"))
    proc = readme_outputs.run(command, folder)
    assert proc.returncode == 0, proc.stderr[-2000:]
    printed = json.loads(proc.stdout)
    shown = json.loads(blocks("json")[0])
    for key, value in shown.items():
        if key != "sections":  # abridged in the README
            assert printed[key] == value, key
    assert printed["sections"][0]["paragraphs"][0].startswith(
        shown["sections"][0]["paragraphs"][0].rstrip("…")
    )


# --- SQL and Python -------------------------------------------------------------------------


def test_the_datasette_sql_example_finds_articles(workspace: tuple[Path, str]) -> None:
    folder, _ = workspace
    found = rows(folder / "data" / "archive.db", blocks("sql")[0])
    assert found
    assert all(isinstance(i, int) and headline for i, headline in found)


def test_the_python_api_example_prints_every_part(workspace: tuple[Path, str]) -> None:
    folder, _ = workspace
    proc = subprocess.run(
        [sys.executable, "-c", blocks("python")[0]],
        cwd=folder,
        env=readme_outputs.environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert re.search(r"^\d{4}-\d\d-\d\dT.+ https://gz\.news\.cn/\S+$", out, re.M)  # search
    assert re.search(r"\[数字乡村\]", out)  # its marked snippet
    assert len(re.findall(r"\('谭丽霞'", out)) >= 3  # the reporter's articles
    assert "贵阳：7个重点项目集中开工 总投资超9亿元 https://gz.news.cn/" in out  # by big5 URL
    assert f"{LATER['article']['v1_headline']} → {LATER['article']['headline']}" in out
    assert "ChannelStats(channel='gz'" in out
    assert "month" in out  # the DataFrame


# --- the mirror server -----------------------------------------------------------------------


def test_the_mirror_server_example_serves_a_copy_to_a_crawl(tmp_path: Path) -> None:
    """The README's two lines, with the bundled sample site as the copy and a free port."""
    serve = shlex.split(MIRROR_SERVER.replace("~/copies", str(SAMPLE_SITE)))
    serve[serve.index("8000")] = "0"
    server = subprocess.Popen(
        [sys.executable, *serve[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=readme_outputs.environment(),
        preexec_fn=as_in_a_terminal,  # noqa: PLW1509 (one signal call, no lock)
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
        assert not url.endswith(":0")
        proc = readme_outputs.run(MIRROR_CRAWL.replace("http://127.0.0.1:8000", url), tmp_path)
        assert proc.returncode in (0, 3), proc.stderr[-2000:]  # 3: the sample's dead link
        assert re.search(r"^\s+articles new\s+4\d$", proc.stdout, re.M), proc.stdout
        found = rows(tmp_path / "data" / "archive.db", "SELECT DISTINCT channel FROM articles")
        assert found == [("gz",)]
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C, as the README says
        code = server.wait(timeout=30)
    assert code == 0
    assert "Traceback" not in (server.stderr.read() if server.stderr else "")
