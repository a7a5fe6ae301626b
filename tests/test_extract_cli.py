"""``newsarchive extract PATH [--url URL]``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newsarchive.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
URL = "http://www.news.cn/local/2023-03/21/c_1129712345.htm"


def test_extract_prints_the_record_as_utf8_json() -> None:
    page = GOLDEN / "newpage2020_national_2023.html"
    result = CliRunner().invoke(main, ["extract", str(page), "--url", URL])
    assert result.exit_code == 0, result.output
    assert "\\u" not in result.stdout  # real characters, not escapes
    record = json.loads(result.stdout)
    expected = json.loads((GOLDEN / "newpage2020_national_2023.json").read_text(encoding="utf-8"))
    assert record == expected


def test_extract_reads_stdin() -> None:
    data = (GOLDEN / "old_gz_table_gbk.html").read_bytes()
    result = CliRunner().invoke(
        main,
        ["extract", "-", "--url", "http://www.gz.xinhuanet.com/2013-05/16/c_115790010.htm"],
        input=data,
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["headline"] == "遵义新建三座乡村公路桥"
    assert record["encoding"] == "gb18030"
    assert record["channel"] == "gz"


def test_extract_without_url_uses_the_file() -> None:
    result = CliRunner().invoke(main, ["extract", str(GOLDEN / "xl2019_national_2019.html")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["url"].startswith("file://")
    assert record["headline"] == "高原湖泊迎来越冬候鸟"
    assert record["channel"] is None and record["xinhua_id"] is None


def test_not_an_article_exits_1_with_the_reason() -> None:
    result = CliRunner().invoke(main, ["extract", str(GOLDEN / "list_gz_column.html")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "not an article (list)" in result.stderr


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "nope.html")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_without_url_the_canonical_url_is_the_file_url() -> None:
    page = GOLDEN / "xl2019_national_2019.html"
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["canonical_url"] == record["url"] == page.resolve().as_uri()


def test_a_url_that_is_not_http_is_a_usage_error() -> None:
    page = GOLDEN / "xl2019_national_2019.html"
    for bad in ("notaurl", "www.news.cn/x.htm", "ftp://www.news.cn/x.htm", "https://"):
        result = CliRunner().invoke(main, ["extract", str(page), "--url", bad])
        assert result.exit_code == 2, bad
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: --url {bad!r} is not an http(s) URL")


def test_an_unknown_encoding_is_a_usage_error() -> None:
    page = GOLDEN / "xl2019_national_2019.html"
    result = CliRunner().invoke(main, ["extract", str(page), "--encoding", "nonsense"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --encoding 'nonsense' is not a known encoding"
    ok = CliRunner().invoke(main, ["extract", str(page), "--url", URL, "--encoding", "GBK"])
    assert ok.exit_code == 0, ok.output
