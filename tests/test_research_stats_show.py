"""``newsarchive stats`` numbers match the rows; ``newsarchive show`` prints the article as a
reader sees it, found by id or by any URL variant, with revisions and captures."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import research_archive
from click.testing import CliRunner
from PIL import Image

from newsarchive import urls
from newsarchive.cli import main


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return research_archive.built(tmp_path_factory)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-q", *args])
    return result.exit_code, result.stdout, result.stderr


def test_stats_numbers_match_the_rows(db: Path) -> None:
    code, out, err = invoke("stats", "--db", str(db), "--format", "json")
    assert code == 0, err
    stats = json.loads(out)
    # Count independently from the raw tables.
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT channel, published_at, duplicate_of, status FROM articles"
    ).fetchall()
    folded = [r for r in rows if r[2] is None]
    assert stats["articles"] == len(folded) == 6
    assert stats["near_copies"] == len(rows) - len(folded)
    assert {c["channel"]: c["articles"] for c in stats["by_channel"] if c["articles"]} == dict(
        Counter(r[0] for r in folded)
    ) == {"gz": 4, "yn": 1, "he": 1}  # fmt: skip
    # The Sichuan reprint is a near copy: counted apart, not as a Sichuan article.
    assert stats["near_copies"] == 1
    assert {c["channel"]: c["near_copies"] for c in stats["by_channel"]}["sc"] == 1
    assert dict(stats["by_month"]) == dict(Counter(r[1][:7] for r in folded))
    assert dict(stats["by_month"]) == {
        "2023-11": 1, "2024-01": 1, "2024-02": 1, "2024-03": 1, "2024-05": 2,
    }  # fmt: skip
    # The big5 copy of the tea article is one article with three URLs, not two articles.
    assert stats["urls"] == conn.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 10
    assert stats["revisions"] == 1 and stats["revised_articles"] == 1
    assert stats["takedowns"] == 1 and stats["taken_down_now"] == 1
    assert stats["by_status"] == {"live": 5, "taken_down": 1}
    runs = stats["runs"]
    assert [r["id"] for r in runs] == [2, 1]  # newest first
    assert runs[1]["errors_by_kind"] == {"timeout": 2}
    assert runs[0]["errors_by_kind"] == {"http_404": 1}
    assert runs[1]["articles_new"] == 6


def test_stats_table_and_plot(db: Path, tmp_path: Path) -> None:
    png = tmp_path / "months.png"
    code, out, err = invoke("stats", "--db", str(db), "--plot", str(png))
    assert code == 0, err
    assert "贵州频道" in out and "2024-05" in out and "timeout 2" in out
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size[0] >= 800
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 20  # lines, labels: not a blank canvas
    missing = tmp_path / "no such folder" / "months.png"
    code, out, err = invoke("stats", "--db", str(db), "--plot", str(missing))
    assert code == 1
    assert f"error: cannot write the plot to {missing}: No such file or directory" in err
    assert "Traceback" not in err


def test_the_plot_format_follows_the_file_name(db: Path, tmp_path: Path) -> None:
    jpg = tmp_path / "months.jpg"
    code, _, err = invoke("stats", "--db", str(db), "--plot", str(jpg), "--format", "json")
    assert code == 0, err
    with Image.open(jpg) as image:
        assert image.format == "JPEG"
    svg = tmp_path / "months.svg"
    code, _, err = invoke("stats", "--db", str(db), "--plot", str(svg), "--format", "json")
    assert code == 0, err
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    # The CLI says it once (no log line repeating it).
    assert err.strip() == f"plot written to {svg}"
    gif = tmp_path / "months.gif"
    code, out, err = invoke("stats", "--db", str(db), "--plot", str(gif))
    assert code == 2
    assert out == "" and not gif.exists()
    assert err.strip().startswith(f"error: {gif}: a plot is written as .png, .svg")


def test_show_by_id_prints_the_article_as_a_reader_sees_it(db: Path) -> None:
    ids = research_archive.ids()
    code, out, _ = invoke("show", str(ids["yunnan"]), "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "云南推进乡村振兴 高原特色农业带动增收"
    assert "source 云南日报" in lines[1] and "2024-03-05T09:30:00+08:00" in lines[1]
    assert "记者：赵六; 摄影：孙七; 责任编辑：周八" in out
    heading = lines.index("特色产业带动增收")
    assert (
        lines[heading + 1] == "花卉、咖啡和坚果三大产业去年综合产值突破千亿元，带动数十万农户增收。"
    )
    assert "Captures" in out and "HTTP 200" in out


@pytest.mark.parametrize(
    "url",
    [
        research_archive.TEA_URL,  # as crawled (old host, http)
        research_archive.TEA_BIG5_URL,  # the big5 gateway copy
        urls.canonical_url(research_archive.TEA_URL),  # canonical
        "https://www.gz.news.cn/2023-11/27/c_1129999001_2.htm",  # page 2 on another alias host
        "http://m.xinhuanet.com/gz/2023-11/27/c_1129999001.htm?from=timeline",  # mobile
    ],
)
def test_show_resolves_any_url_variant(db: Path, url: str) -> None:
    code, out, err = invoke("show", url, "--db", str(db), "--format", "json")
    assert code == 0, err
    view = json.loads(out)
    assert view["id"] == research_archive.ids()["tea"]
    assert {u["kind"] for u in view["urls"]} == {"canonical", "alias", "big5"}
    # Both fetches behind the article: the original and the big5 mirror copy.
    assert {c["url"] for c in view["captures"]} == {
        research_archive.TEA_URL,
        research_archive.TEA_BIG5_URL,
    }


def test_show_revision_history_and_takedown(db: Path) -> None:
    ids = research_archive.ids()
    code, out, _ = invoke("show", str(ids["metro"]), "--db", str(db))
    assert code == 0
    assert out.splitlines()[0] == "贵阳地铁三号线全线开通初期运营"
    assert "revision 1 replaced 2026-11-26T01:05:00+00:00: 贵阳地铁三号线开通运营" in out
    assert "headline" in out.split("Revisions", 1)[1]
    code, out, _ = invoke("show", str(ids["gone"]), "--db", str(db), "--format", "json")
    view = json.loads(out)
    assert view["status"] == "taken_down"
    assert [(e["kind"], e["detail"]) for e in view["events"]] == [("taken_down", "http_404")]
    assert {c["status"] for c in view["captures"]} == {200, 404}


def test_show_unknown_article(db: Path) -> None:
    code, _, err = invoke("show", "999", "--db", str(db))
    assert code == 1 and "no article '999'" in err
    code, _, err = invoke("show", "https://gz.news.cn/2000-01/01/c_1.htm", "--db", str(db))
    assert code == 1


def test_plot_series_and_labels_with_and_without_a_cjk_font(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive import Archive  # noqa: PLC0415
    from newsarchive.store import stats as stats_module  # noqa: PLC0415

    with Archive(db) as archive:
        result = archive.stats()
    months, series = stats_module.month_series(result, chinese=True)
    assert months == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert series["gz 贵州频道"] == [1, 0, 1, 0, 0, 0, 2]
    assert sum(map(sum, series.values())) == result.articles
    _, ascii_series = stats_module.month_series(result, chinese=False)
    assert set(ascii_series) == {"gz", "he", "yn"}
    # Without a CJK font the plot is still drawn, with the ASCII labels.
    monkeypatch.setattr(stats_module, "cjk_font", lambda: None)
    png = tmp_path / "ascii.png"
    stats_module.plot_by_month(result, str(png))
    with Image.open(png) as image:
        assert image.format == "PNG"
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 20


def test_without_quiet_export_and_plot_say_it_once(db: Path, tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    out = tmp_path / "a.csv"
    png = tmp_path / "m.png"
    for args, said in (
        (["export", "--out", str(out)], f"exported 6 rows to {out}"),
        (["stats", "--plot", str(png), "--format", "json"], f"plot written to {png}"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", "from newsarchive.cli import main; main()", *args,
             "--db", str(db)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == [said]
