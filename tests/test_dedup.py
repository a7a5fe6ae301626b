"""The pure dedup layers (newsarchive.dedup)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from store_factory import LEAD, PARAGRAPHS

from newsarchive import dedup, textnorm, urls

CANON = "https://gz.news.cn/2023-11/27/c_1129999001.htm"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (CANON, "canonical"),
        ("http://www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm", "alias"),
        ("https://www.gz.news.cn/2023-11/27/c_1129999001.htm?utm_source=wx", "alias"),
        ("http://WWW.GZ.XINHUANET.COM/2023-11/27/c_1129999001.htm#top", "alias"),
        ("http://www.gz.xinhuanet.com/2023-11/27/c_1129999001.html", "alias"),
        ("http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm", "big5"),
        (
            "http://big5.news.cn/gate/big5/big5.xinhuanet.com/gate/big5/"
            "www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm",
            "big5",
        ),
        ("http://m.xinhuanet.com/gz/2023-11/27/c_1129999001.htm", "mobile"),
        ("http://m.gz.xinhuanet.com/2023-11/27/c_1129999001.htm", "mobile"),
        ("http://www.gz.xinhuanet.com/2023-11/27/c_1129999001_3.htm", "page"),
        ("http://www.news.cn/local/2023-11/28/c_1129999777.htm", "reprint"),
        ("http://www.gz.xinhuanet.com/2023-11/27/c_1129999002.htm", "reprint"),
    ],
)
def test_url_kind(url: str, kind: str) -> None:
    assert dedup.url_kind(url, CANON) == kind


@pytest.mark.parametrize(
    "url",
    [
        "http://m.gz.xinhuanet.com/2023-11/27/c_1129999001.htm",
        "https://www.gz.news.cn/20241011/cf50417be9cf44fab175f37d5ebf7cd2/c.html?page=2",
        "http://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/2023-11/27/c_1129999001_2.htm",
        "http://www.xinhuanet.com/tech/20220113/b35605fa0c6a4d0e8b3f0f0a5c3e7d11/c.html",
    ],
)
def test_canonical_url_is_idempotent(url: str) -> None:
    canon = urls.canonical_url(url)
    assert canon.startswith("https://") and urls.canonical_url(canon) == canon


def test_content_hash_folds_script_width_and_whitespace() -> None:
    body = LEAD + "\n" + PARAGRAPHS[0]
    base = dedup.content_hash("贵州茶产业量价齐升", body)
    assert dedup.content_hash("貴州茶產業量價齊升", textnorm.to_traditional(body)) == base
    assert dedup.content_hash(" 贵州茶产业 量价齐升", body.replace("\n", "\n  ")) == base
    full_width = body.replace("11月27日", "１１月２７日")
    assert dedup.content_hash("贵州茶产业量价齐升", full_width) == base
    assert dedup.content_hash("贵州茶产业量价齐升！", body) != base
    assert dedup.content_hash("贵州茶产业量价齐升", body + "。") != base
    assert len(base) == 64


def test_signature_shape_and_similarity() -> None:
    body = LEAD + PARAGRAPHS[0] + PARAGRAPHS[1]
    sig = dedup.signature(body)
    assert sig is not None and len(sig) == dedup.NUM_PERM * 4
    assert dedup.similarity(sig, sig) == 1.0
    assert dedup.signature(textnorm.to_traditional(body)) == sig  # folded first
    assert dedup.signature(body.replace("。", "。\n")) == sig  # line breaks do not matter
    trimmed = dedup.signature(LEAD + PARAGRAPHS[0])
    assert trimmed is not None and 0.4 < dedup.similarity(sig, trimmed) < 1.0
    other = dedup.signature(
        "第十届贵州茶叶博览会在遵义市开幕，来自全国二十多个省份的八百余家茶企参展，展期五天。"
        "本届博览会设置了茶文化展区、茶科技展区和茶旅融合展区，并将举办斗茶大赛等活动。"
    )
    assert other is not None and dedup.similarity(sig, other) < 0.2
    with pytest.raises(ValueError, match="lengths"):
        dedup.similarity(sig, sig[:8])


def test_short_bodies_get_no_signature() -> None:
    assert dedup.signature("图为茶园。") is None
    assert dedup.signature("") is None


def test_shingle_ids_are_exact_distinct_shingles() -> None:
    assert len(dedup.shingle_ids("abcabc")) == 3  # abc, bca, cab
    assert len(dedup.shingle_ids("ab")) == 0
    assert len(dedup.shingle_ids("贵州 省贵州")) == len(dedup.shingle_ids("贵州省贵州"))


def test_band_keys_are_stable_across_processes() -> None:
    sig = dedup.signature(LEAD + PARAGRAPHS[0])
    assert sig is not None
    keys = dedup.band_keys(sig)
    assert len(keys) == dedup.BANDS == len(set(keys))
    assert all(-(2**63) <= k < 2**63 for k in keys)
    code = (
        "from newsarchive import dedup; import sys; "
        "print(dedup.band_keys(dedup.signature(sys.stdin.read())))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=LEAD + PARAGRAPHS[0],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert out.stdout.strip() == str(keys)
