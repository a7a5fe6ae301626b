"""The job directory's life cycle: fresh, resumed after a graceful stop, after a kill, cleared."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler
from store_factory import URL, article_item, error_item, make_article

from newsarchive.crawling import resume


def test_job_dir_is_stable_and_distinct(tmp_path: Path) -> None:
    a = resume.job_dir(tmp_path, ["sh", "gz"])
    assert a == resume.job_dir(tmp_path, ["gz", "sh"])
    assert a.parent == tmp_path
    assert a.name.startswith("gz-sh-")
    assert resume.job_dir(tmp_path, ["gz"]) != resume.job_dir(tmp_path, ["gz", "sh"])
    column = resume.job_dir(tmp_path, ["gz"], ["https://gz.news.cn/xwzx/gzyw.htm"])
    assert column != resume.job_dir(tmp_path, ["gz"])


def test_fresh_then_finished(tmp_path: Path) -> None:
    path = resume.job_dir(tmp_path, ["gz"])
    state = resume.prepare(path, {"channels": ["gz"]})
    assert state == resume.JobState(path=path, resumed=False, kept_queue=False)
    assert json.loads((path / resume.JOB_INFO).read_text("utf-8"))["channels"] == ["gz"]
    assert resume.scrapy_settings(state) == {"JOBDIR": str(path), "NEWSARCHIVE_CATCH_UP": False}
    resume.finish(state, "finished")
    assert not path.exists()


def _scrapy_state(path: Path) -> None:
    (path / "requests.queue").mkdir()
    (path / "requests.queue" / "p0").write_bytes(b"queued")
    (path / "requests.seen").write_bytes(b"fingerprints")


def test_graceful_stop_keeps_the_queue(tmp_path: Path) -> None:
    path = resume.job_dir(tmp_path, ["gz"])
    state = resume.prepare(path)
    _scrapy_state(path)
    crawler = get_crawler(Spider, {"JOBDIR": str(path)})
    ext = resume.JobStateExtension.from_crawler(crawler)
    ext.spider_closed(Spider("channel"), "shutdown")
    resume.finish(state, "shutdown")
    assert (path / resume.CLEAN_MARKER).read_text("utf-8") == "shutdown"
    again = resume.prepare(path)
    assert again.resumed and again.kept_queue
    assert (path / "requests.queue" / "p0").read_bytes() == b"queued"
    assert not (path / resume.CLEAN_MARKER).exists()  # the next stop must mark it afresh
    assert resume.scrapy_settings(again)["NEWSARCHIVE_CATCH_UP"] is True


def test_killed_run_state_is_dropped_but_catch_up_is_on(tmp_path: Path) -> None:
    path = resume.job_dir(tmp_path, ["gz"])
    resume.prepare(path, {"channels": ["gz"]})
    _scrapy_state(path)  # …and then SIGKILL: no marker was written
    again = resume.prepare(path)
    assert again.resumed and not again.kept_queue
    assert sorted(p.name for p in path.iterdir()) == [resume.JOB_INFO]
    assert resume.scrapy_settings(again)["NEWSARCHIVE_CATCH_UP"] is True


def test_finished_spider_writes_no_marker(tmp_path: Path) -> None:
    path = tmp_path / "job"
    path.mkdir()
    ext = resume.JobStateExtension.from_crawler(get_crawler(Spider, {"JOBDIR": str(path)}))
    ext.spider_closed(Spider("channel"), "finished")
    assert not (path / resume.CLEAN_MARKER).exists()


def test_journal_survives_a_kill_and_ignores_a_torn_line(tmp_path: Path) -> None:
    path = resume.job_dir(tmp_path, ["gz"])
    resume.prepare(path)
    journal = resume.Journal(path)
    journal.write("T", ["https://gz.news.cn/a/c.html", "https://gz.news.cn/b/c.html"])
    journal.write("D", ["https://gz.news.cn/a/c.html"])
    journal.write("T", ["bad\nurl"])  # never written: one URL per line
    journal.close()
    with (path / resume.JOURNAL).open("a", encoding="utf-8") as f:
        f.write("D https://gz.news.cn/b/c.ht")  # the process died mid-write
    todo, done = resume.Journal.read(path)
    assert todo == {"https://gz.news.cn/a/c.html", "https://gz.news.cn/b/c.html"}
    assert done == {"https://gz.news.cn/a/c.html"}
    _scrapy_state(path)
    resume.prepare(path)  # after SIGKILL: Scrapy's state goes, the journal stays
    assert sorted(p.name for p in path.iterdir()) == sorted([resume.JOB_INFO, resume.JOURNAL])
    assert resume.Journal.read(path)[1] == done


def test_extension_journals_stored_items(tmp_path: Path) -> None:
    path = tmp_path / "job"
    ext = resume.JobStateExtension.from_crawler(get_crawler(Spider, {"JOBDIR": str(path)}))
    article = make_article(URL)
    ext.item_done(article_item(article))
    ext.item_done({"not": "a page item"})
    ext.item_done(error_item("https://gz.news.cn/gone/c.html", "http_404"))
    ext.spider_closed(Spider("channel"), "shutdown")
    assert resume.Journal.read(path) == (
        frozenset(),
        frozenset({URL, "https://gz.news.cn/gone/c.html"}),
    )


def test_a_finished_crawl_prunes_only_an_emptied_default_root(tmp_path: Path) -> None:
    root = tmp_path / "archive.db.jobs"
    gz = resume.prepare(resume.job_dir(root, ["gz"]))
    he = resume.prepare(resume.job_dir(root, ["he"]))
    resume.finish(gz, "finished", prune_root=True)
    assert sorted(p.name for p in root.iterdir()) == [he.path.name]  # he's state is kept
    resume.finish(he, "finished", prune_root=True)
    assert not root.exists()
    configured = tmp_path / "jobs"  # a root an operator configured stays, even empty
    state = resume.prepare(resume.job_dir(configured, ["gz"]))
    resume.finish(state, "finished")
    assert configured.is_dir()
    assert list(configured.iterdir()) == []
