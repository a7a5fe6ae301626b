"""The sample-site generator: determinism, what the issue demands of the site, site changes."""

from __future__ import annotations

import json
import re
import shutil
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from newsarchive import channels, urls
from newsarchive.extract import extract_article, join_pages
from newsarchive.records import Article
from newsarchive.textnorm import fold, to_simplified
from tools import sitegen
from tools.sitegen import textbank
from tools.sitegen.__main__ import main
from tools.sitegen.site import State, render

SAMPLE_SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"

SAMPLE_V2 = SAMPLE_SITE.parent / "sample_site_v2"
HREF_RE = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"'#]+)["']""")
DS_RE = re.compile(r'data="datasource:([0-9a-f]{32})"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "sample"
    sitegen.generate_site(out)
    return out


@pytest.fixture(scope="module")
def manifest(site: Path) -> dict[str, Any]:
    return sitegen.load_manifest(site)


def mirror_path(site: Path, url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/"):
        path += "index.html"
    return site / f"{parts.hostname}{path}"


def text_of(site: Path, url: str) -> str:
    data = mirror_path(site, url).read_bytes()
    m = re.search(rb'charset=["\']?([\w-]+)', data)
    return data.decode(m.group(1).decode() if m else "utf-8")


def articles(manifest: dict[str, Any], **where: object) -> list[dict[str, Any]]:
    return [a for a in manifest["articles"] if all(a[k] == v for k, v in where.items())]


# --- determinism and the committed site ---------------------------------------------------


def test_same_seed_same_bytes_and_other_seed_other_text() -> None:
    state = State(channels=("gz", "he"), n_articles=40, seed=3)
    first, m1 = render(state)
    second, m2 = render(state)
    assert first == second
    assert m1 == m2
    other, _ = render(State(channels=("gz", "he"), n_articles=40, seed=4))
    assert set(other) != set(first)


def test_committed_sample_site_is_what_the_generator_writes(site: Path) -> None:
    generated = {p.relative_to(site) for p in site.rglob("*") if p.is_file()}
    committed = {p.relative_to(SAMPLE_SITE) for p in SAMPLE_SITE.rglob("*") if p.is_file()}
    assert generated == committed
    for rel in sorted(generated):
        assert (site / rel).read_bytes() == (SAMPLE_SITE / rel).read_bytes(), rel


def test_committed_v2_overlay_is_what_the_generator_writes(tmp_path: Path) -> None:
    changed = sitegen.write_v2_overlay(SAMPLE_SITE, tmp_path / "v2")
    assert changed
    for rel in changed:
        assert (tmp_path / "v2" / rel).read_bytes() == (SAMPLE_V2 / rel).read_bytes()
    committed = {str(p.relative_to(SAMPLE_V2)) for p in SAMPLE_V2.rglob("*") if p.is_file()} - {
        "V2.json",
        "removed.json",
    }
    assert committed == set(changed)
    # the taken-down article's page: gone from the later site, present in the sample site
    removed = json.loads((tmp_path / "v2" / "removed.json").read_text("utf-8"))
    assert removed == json.loads((SAMPLE_V2 / "removed.json").read_text("utf-8"))
    down = json.loads((SAMPLE_V2 / "V2.json").read_text("utf-8"))["taken_down"]
    assert down["key"] == sitegen.taken_down_later(sitegen.load_manifest(SAMPLE_SITE))
    assert removed == [down["url"].split("://", 1)[1]]
    assert (SAMPLE_SITE / removed[0]).is_file()


# --- what issue 4 asks of the sample site ---------------------------------------------------


def test_counts_eras_and_template_families(manifest: dict[str, Any]) -> None:
    originals = articles(manifest, kind="original")
    assert len(originals) == manifest["counts"]["distinct_articles"] >= 60
    assert len({a["canonical_url"] for a in originals}) == len(originals)
    assert {a["url_era"] for a in originals} == {"c_htm", "c_html"}
    assert {a["template"] for a in originals} == {
        "provincial_old",
        "provincial_chtml",
        "xl2019",
        "newpage2020",
    }
    assert {a["channel"] for a in originals} == {"gz", "he"}
    years = {a["published_at"][:4] for a in originals}
    assert len(years) >= 8
    for a in originals:
        assert urls.is_article_url(a["url"])
        assert urls.canonical_url(a["url"]) == a["canonical_url"]
        assert a["paragraphs"] >= 6, a["key"]
        assert mirror_path(SAMPLE_SITE, a["url"]).is_file()


def test_every_article_page_prints_its_headline_and_time(manifest: dict[str, Any]) -> None:
    for a in manifest["articles"]:
        html = text_of(SAMPLE_SITE, a["url"])
        assert a["headline"] in html.replace("&quot;", '"'), a["key"]
        assert a["published_at"][:10] in html, a["key"]
        for editor in a["editors"]:
            assert editor in html


def test_old_multipage_articles_are_linked_files(manifest: dict[str, Any]) -> None:
    multi = articles(manifest, multipage="old_pages")
    assert multi
    for a in multi:
        assert len(a["page_urls"]) == a["pages"] - 1 >= 1
        first = text_of(SAMPLE_SITE, a["url"])
        pager = re.search(r'<div id="div_currpage">(.*?)</div>', first, re.S)
        assert pager is not None
        for url in a["page_urls"]:
            assert url in pager.group(1)
            assert urls.canonical_url(url) == a["canonical_url"]
            page = text_of(SAMPLE_SITE, url)
            assert 'id="div_currpage"' in page
            assert a["url"] in page  # back to page 1


@pytest.mark.parametrize(
    ("kind", "marker"),
    [("xinhuabreak", 'id="xinhuabreak"'), ("pagebreak", '<b style="display: none;">pagebreak</b>')],
)
def test_chtml_multipage_articles_are_one_document(
    manifest: dict[str, Any], kind: str, marker: str
) -> None:
    multi = articles(manifest, multipage=kind)
    assert multi
    for a in multi:
        assert a["page_urls"] == []
        html = text_of(SAMPLE_SITE, a["url"])
        content = html.split('<span id="detailContent">', 1)[1]
        assert content.count(marker) == a["pages"] - 1


def test_big5_copies_are_traditional_text_of_the_original(manifest: dict[str, Any]) -> None:
    copies = [a for a in manifest["articles"] if a["big5_url"]]
    assert len(copies) >= 3
    assert {a["big5_encoding"] for a in copies} == {"big5", "utf-8"}
    for a in copies:
        assert urls.real_url(a["big5_url"]).split("://")[1] == a["url"].split("://")[1]
        assert urls.canonical_url(a["big5_url"]) == a["canonical_url"]
        raw = mirror_path(SAMPLE_SITE, a["big5_url"]).read_bytes()
        text = raw.decode(a["big5_encoding"])
        assert f"charset={a['big5_encoding']}" in text
        assert a["big5_url"].replace("http://big5.news.cn/gate/big5/", "") != a["url"]
        assert "責任編輯" in text or "責任編輯" in text.replace("责任编辑", "")
        simplified_page = text_of(SAMPLE_SITE, a["url"])
        assert a["big5_url"] in simplified_page  # the 繁体 link
        headline = to_simplified(a["headline"])
        assert fold(headline) in fold(to_simplified(text))


def test_gbk_page_is_gbk_and_served_without_charset(manifest: dict[str, Any]) -> None:
    (page,) = articles(manifest, encoding="gbk")
    raw = mirror_path(SAMPLE_SITE, page["url"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert "charset=gb2312" in text
    assert page["headline"] in text
    assert manifest["content_types"][page["url"].split("://")[1]] == "text/html"


def test_reprints_duplicates_aliases_and_the_edited_article(manifest: dict[str, Any]) -> None:
    by_key = {a["key"]: a for a in manifest["articles"]}
    (reprint,) = articles(manifest, kind="reprint")
    original = by_key[reprint["of"]]
    assert reprint["headline"] != original["headline"]
    assert reprint["column"] != original["column"]
    assert reprint["canonical_url"] != original["canonical_url"]
    assert reprint["paragraphs"] == original["paragraphs"] - 1
    (dup,) = articles(manifest, kind="duplicate")
    assert dup["headline"] == by_key[dup["of"]]["headline"]
    assert dup["canonical_url"] != by_key[dup["of"]]["canonical_url"]
    aliased = [a for a in manifest["articles"] if a["alias_urls"]]
    assert len(aliased) >= 4
    for a in aliased:
        for alias in a["alias_urls"]:
            assert urls.canonical_url(alias) == a["canonical_url"]
            assert mirror_path(SAMPLE_SITE, alias).read_bytes() == (
                mirror_path(SAMPLE_SITE, a["url"]).read_bytes()
            )
    hosts = {urlsplit(u).hostname for a in aliased for u in (a["url"], *a["alias_urls"])}
    assert {"www.gz.xinhuanet.com", "gz.news.cn", "www.gz.news.cn", "m.xinhuanet.com"} <= hosts
    mobile = [u for a in aliased for u in a["alias_urls"] if urls.parse(u).mobile]
    assert mobile == ["http://m.xinhuanet.com/gz/2019-07/02/c_1124054124.htm"]
    assert urls.channel_of(mobile[0]) == "gz"
    edited = by_key[manifest["edited_later"]]
    assert edited["revision"] == 1
    v2 = json.loads((SAMPLE_V2 / "V2.json").read_text("utf-8"))
    assert v2["article"]["url"] == edited["url"]
    assert v2["article"]["headline"] != edited["headline"]
    assert v2["article"]["headline"] in text_of(SAMPLE_V2, edited["url"])


def test_every_credit_line_variant_is_present() -> None:
    pages = "\n".join(p.read_text("utf-8", errors="replace") for p in SAMPLE_SITE.rglob("*.htm*"))
    patterns = [
        r"\[责任编辑: \S+\] ",  # [责任编辑: 曾鹏]  (Guizhou ≤2019)
        r"\[责任编辑:\S+ \S+ \]",  # [责任编辑:王雪松 邓娴 ]
        r"\[责任编辑: \S+、\S+\]",  # 、-separated editors
        r"\[作者: \S+ 　责任编辑:\n\s+[^\]]+ \]",  # c.html author + editor
        r"\[责任编辑:\n\s+\S+",  # c.html editor only
        r"【责任编辑:\S+\n】",  # newpage2020
        r"责任编辑：\n\S+\n",  # xl2019, name on its own line
        r"责任编辑： \S+",  # xl2019, 2020 style
        r"新华社\S+电（记者\S+、\S+）",  # dateline, two reporters
        r"新华网\S+电（记者 \S+）",
        r"（记者 \S+）</p>",  # trailing reporter
        r"\(记者 \S+ 通讯员 \S+\)",  # half-width parens, 通讯员
        r"新华社发（\S+摄）",
        r"（\S+ 摄）",
        r"(策划|记者|文字|统筹)：\S+　",  # multimedia staff line
    ]
    for pattern in patterns:
        assert re.search(pattern, pages), pattern


def test_subheadings_images_and_captions(manifest: dict[str, Any]) -> None:
    with_heads = [a for a in manifest["articles"] if a["headings"]]
    with_images = [a for a in manifest["articles"] if a["images"]]
    assert len(with_heads) >= 10
    assert len(with_images) >= 10
    for a in with_images[:5]:
        html = text_of(SAMPLE_SITE, a["url"])
        src = re.search(r'<img[^>]+src="([^"]+\.jpg)"', html)
        assert src is not None
        assert mirror_path(SAMPLE_SITE, urljoin(a["url"], src.group(1))).is_file()
        assert "图为" in html


def test_search_terms_are_exactly_where_the_manifest_says(manifest: dict[str, Any]) -> None:
    tables = [n for n in dir(textbank) if n.isupper()]
    skip = ("SEARCH_TERMS", "KEYWORD_SENTENCES")
    bank = json.dumps([getattr(textbank, n) for n in tables if n not in skip], ensure_ascii=False)
    for term in textbank.SEARCH_TERMS:
        assert term not in bank
    assert [len(t) for t in textbank.SEARCH_TERMS] == [2, 3, 4]
    for term, keys in manifest["search_terms"].items():
        assert len(keys) >= 3, term
        for a in manifest["articles"]:
            body = text_of(SAMPLE_SITE, a["url"])
            for url in a["page_urls"]:
                body += text_of(SAMPLE_SITE, url)
            assert (term in body) == (a["key"] in keys), (term, a["key"])


# --- lists, datasources, reachability --------------------------------------------------------


def test_datasources_are_valid_and_point_at_existing_pages(manifest: dict[str, Any]) -> None:
    columns = [c for c in manifest["columns"] if c["kind"] == "datasource"]
    assert len(columns) == 4
    offsite = {p["url"] for p in manifest["pages"] if p["expected"] == "offsite"}
    styles = set()
    for col in columns:
        page = text_of(SAMPLE_SITE, col["url"])
        (ds_id,) = DS_RE.findall(page)
        assert '<ul id="showData0" class="list" data="datasource:' in page
        assert "<li" not in page  # nothing to follow without the datasource
        ds_url = urljoin(col["url"], f"ds_{ds_id}.json")
        assert ds_url == col["datasource"]
        data = json.loads(mirror_path(SAMPLE_SITE, ds_url).read_text("utf-8"))
        rows = data["datasource"]
        assert rows
        times = [r["publishTime"] for r in rows]
        assert times == sorted(times, reverse=True)
        for row in rows:
            assert set(row) == {
                "contentId", "title", "showTitle", "contentType", "linkUrls", "publishUrl",
                "publishTime", "titleImages", "summary", "author",
            }  # fmt: skip
            if row["contentType"] == "Link":
                (target,) = row["linkUrls"]
                assert target in offsite or mirror_path(SAMPLE_SITE, target).is_file()
                assert target in row["showTitle"]
            else:
                target = urljoin(ds_url, row["publishUrl"])
                assert mirror_path(SAMPLE_SITE, target).is_file(), target
                styles.add(row["publishUrl"].split("/")[0])
    assert {"https:", "", ".."} <= styles  # absolute, root-relative and column-relative


def _links(site: Path, url: str) -> list[str]:
    text = text_of(site, url)
    found = [urljoin(url, h) for h in HREF_RE.findall(text)]
    for ds_id in DS_RE.findall(text):
        ds_url = urljoin(url, f"ds_{ds_id}.json")
        found.append(ds_url)
        if mirror_path(site, ds_url).is_file():
            for row in json.loads(mirror_path(site, ds_url).read_text("utf-8"))["datasource"]:
                found += [urljoin(ds_url, row["publishUrl"])] if row["publishUrl"] else []
                found += row["linkUrls"]
    return found


def crawl(site: Path, starts: list[str]) -> tuple[set[str], set[str]]:
    """Every URL reachable from ``starts`` by hrefs and datasources: (found, missing)."""
    hosts = {p.name for p in site.iterdir() if p.is_dir()} - {"big5.news.cn"}
    seen: set[str] = set()
    missing: set[str] = set()
    queue = deque(starts)
    while queue:
        url = queue.popleft().split("?")[0]
        if not url.startswith(("http://", "https://")):
            continue
        key = url.split("://", 1)[1]
        if key in seen or urlsplit(url).hostname not in hosts:
            continue
        seen.add(key)
        if not mirror_path(site, url).is_file():
            missing.add(url)
            continue
        if url.endswith((".htm", ".html", "/")):
            queue.extend(_links(site, url))
    return seen, missing


def test_every_article_is_reachable_from_the_start_pages(manifest: dict[str, Any]) -> None:
    starts = [u for urls_ in manifest["start_pages"].values() for u in urls_]
    seen, missing = crawl(SAMPLE_SITE, starts)
    for a in manifest["articles"]:
        assert a["url"].split("://")[1] in seen, a["key"]
        for url in a["page_urls"] + a["alias_urls"]:
            assert url.split("://")[1] in seen, url
    broken = {p["url"] for p in manifest["pages"] if p["expected"] == "broken"}
    assert missing == broken
    for page in manifest["pages"]:
        if page["expected"] == "non-article" and page["kind"] != "robots":
            assert page["url"].split("://")[1] in seen, page["url"]


def test_static_columns_paginate(manifest: dict[str, Any]) -> None:
    page1 = "http://www.gz.xinhuanet.com/xwzx/gzyw.htm"
    html = text_of(SAMPLE_SITE, page1)
    assert '<a href="gzyw_2.htm">下一页</a>' in html
    assert len(re.findall(r'<li class="clearfix"><h3><a href', html)) == 10
    page2 = text_of(SAMPLE_SITE, "http://www.gz.xinhuanet.com/xwzx/gzyw_2.htm")
    assert '<a href="gzyw.htm">上一页</a>' in page2
    topic = next(p for p in manifest["pages"] if p["kind"] == "topic")
    assert topic["url"] in html + page2


def test_robots_and_the_disallowed_preview(manifest: dict[str, Any]) -> None:
    (preview,) = [p for p in manifest["pages"] if p["expected"] == "disallowed"]
    assert preview["url"] in text_of(SAMPLE_SITE, "https://gz.news.cn/")
    robots = (SAMPLE_SITE / "gz.news.cn" / "robots.txt").read_text()
    assert "Disallow: /preview/" in robots
    for host in (p for p in SAMPLE_SITE.iterdir() if p.is_dir()):
        assert (host / "robots.txt").is_file()


def test_registry_start_pages_exist_in_the_sample_site(manifest: dict[str, Any]) -> None:
    for code in ("gz", "he"):
        assert set(channels.get(code).start) == set(manifest["start_pages"][code])
        for url in channels.get(code).start:
            assert mirror_path(SAMPLE_SITE, url).is_file()


# --- changing a site ----------------------------------------------------------------------


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    out = tmp_path / "small"
    sitegen.generate_site(out, n_articles=40, seed=11)
    return out


def _snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_add_articles_publishes_exactly_the_new_ones(small_site: Path) -> None:
    before = _snapshot(small_site)
    keys = sitegen.add_articles(small_site, 3)
    after = _snapshot(small_site)
    manifest = sitegen.load_manifest(small_site)
    new = [a for a in manifest["articles"] if a["key"] in keys]
    assert len(new) == 3
    new_files = set(after) - set(before)
    for a in new:
        assert mirror_path(small_site, a["url"]).relative_to(small_site).as_posix() in new_files
    old_articles = [a for a in manifest["articles"] if a["key"] not in keys]
    for a in old_articles:
        rel = mirror_path(small_site, a["url"]).relative_to(small_site).as_posix()
        assert after[rel] == before[rel]
    changed = {p for p in set(before) & set(after) if before[p] != after[p]}
    assert changed <= {"MANIFEST.json"} | {
        p for p in changed if p.endswith((".json", "index.html", "index.htm"))
    }
    seen, _ = crawl(small_site, [u for v in manifest["start_pages"].values() for u in v])
    for a in new:
        assert a["url"].split("://")[1] in seen
    # Adding 3 then 2 is the same site as adding 5 at once.
    sitegen.add_articles(small_site, 2)
    other = small_site.parent / "other"
    sitegen.generate_site(other, n_articles=40, seed=11)
    sitegen.add_articles(other, 5)
    assert _snapshot(other) == _snapshot(small_site)


def test_edit_article_changes_its_page_in_place(small_site: Path) -> None:
    manifest = sitegen.load_manifest(small_site)
    key = manifest["edited_later"]
    entry = next(a for a in manifest["articles"] if a["key"] == key)
    changed = sitegen.edit_article(small_site, key)
    assert mirror_path(small_site, entry["url"]).relative_to(small_site).as_posix() in changed
    after = next(a for a in sitegen.load_manifest(small_site)["articles"] if a["key"] == key)
    assert after["revision"] == 2
    assert after["url"] == entry["url"]
    assert after["v1_headline"] == entry["headline"] != after["headline"]
    assert after["headline"] in text_of(small_site, entry["url"])
    other_articles = [
        mirror_path(small_site, a["url"]).relative_to(small_site).as_posix()
        for a in manifest["articles"]
        if a["key"] != key
    ]
    assert not set(changed) & set(other_articles)
    assert sitegen.edit_article(small_site, key) == []


def test_remove_article_takes_its_files_down(small_site: Path) -> None:
    manifest = sitegen.load_manifest(small_site)
    victim = next(a for a in manifest["articles"] if a["multipage"] == "old_pages")
    removed = sitegen.remove_article(small_site, victim["key"])
    for url in [victim["url"], *victim["page_urls"]]:
        assert not mirror_path(small_site, url).exists()
        assert mirror_path(small_site, url).relative_to(small_site).as_posix() in removed
    after = next(
        a for a in sitegen.load_manifest(small_site)["articles"] if a["key"] == victim["key"]
    )
    assert after["expected"] == "broken"
    column = text_of(small_site, victim["column_url"])
    assert victim["url"] in column or victim["column_url"].endswith(".htm")
    with pytest.raises(KeyError):
        sitegen.remove_article(small_site, "gz-old-9999")


def test_generate_refuses_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        sitegen.generate_site(tmp_path)
    with pytest.raises(ValueError, match="channels"):
        sitegen.generate_site(tmp_path / "x", channels=("sh",))


def test_cli_regenerates_a_site(tmp_path: Path) -> None:
    assert main([str(tmp_path / "s"), "--articles", "30", "--v2", str(tmp_path / "v2")]) == 0
    assert (tmp_path / "s" / "MANIFEST.json").is_file()
    assert (tmp_path / "v2" / "V2.json").is_file()
    shutil.rmtree(tmp_path / "s")


# --- the project's extractor reads the pages as the manifest says ----------------------------


def test_extractor_reads_every_article_as_the_manifest_says(manifest: dict[str, Any]) -> None:
    for a in manifest["articles"]:
        found = extract_article(mirror_path(SAMPLE_SITE, a["url"]).read_bytes(), a["url"])
        assert isinstance(found, Article), (a["key"], found)
        if a["page_urls"]:
            rest = [
                extract_article(mirror_path(SAMPLE_SITE, u).read_bytes(), u) for u in a["page_urls"]
            ]
            assert all(isinstance(r, Article) for r in rest)
            found = join_pages(found, [r for r in rest if isinstance(r, Article)])
        copies = [found]
        if a["big5_url"]:
            big5 = extract_article(
                mirror_path(SAMPLE_SITE, a["big5_url"]).read_bytes(), a["big5_url"]
            )
            assert isinstance(big5, Article)
            assert big5.script == "zh-Hant"
            copies.append(big5)
        for art in copies:
            assert to_simplified(art.headline) == a["headline"], a["key"]
            assert art.published_at == a["published_at"]
            assert to_simplified(art.source or "") == a["source"]
            assert art.template == a["template"]
            assert art.pages == a["pages"]
            assert [to_simplified(e) for e in art.editors] == a["editors"]
            assert [to_simplified(r) for r in art.reporters] == a["reporters"], a["key"]
            assert [to_simplified(s.heading) for s in art.sections if s.heading] == a["headings"]
            assert sum(len(s.paragraphs) for s in art.sections) == a["paragraphs"], a["key"]
            assert len(art.images) == a["images"]
