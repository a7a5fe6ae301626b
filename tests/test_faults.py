"""The fault site itself: each fault does on the wire what it says, rules and counters work."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.crawling.mirrorhandler import mirror_url
from tools.faults import (
    FAULT_KINDS,
    Fault,
    FaultSite,
    RateFaults,
    Rule,
    parse_fault,
    parse_rule,
)
from tools.faults.server import request_key
from tools.mirror import CountingMirror

ARTICLE_KEY = "gz.news.cn/2024-01/05/c_1130000001.htm"
ARTICLE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>贵州测试新闻-新华网贵州频道</title></head><body>
<div class="h-title">贵州山区公路通车</div>
<div id="p-detail"><p>　　新华社贵阳1月5日电（记者王小明）贵州山区一条新公路今天通车。</p></div>
</body></html>
""".encode()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "gz.news.cn" / "2024-01" / "05").mkdir(parents=True)
    (root / "gz.news.cn" / "index.html").write_bytes(b"<html><body>index</body></html>")
    (root / ARTICLE_KEY).write_bytes(ARTICLE)
    (root / "gz.news.cn" / "list.htm?page=2").write_bytes(b"<html>page two</html>")
    return root


def get(site: FaultSite, key: str, timeout: float = 5) -> http.client.HTTPResponse:
    host, port = site.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    conn.request("GET", "/" + key)
    return conn.getresponse()


@pytest.fixture
def serve(tree: Path) -> Iterator[type[FaultSite]]:
    started: list[FaultSite] = []

    class Started(FaultSite):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(tree, *args, **kwargs)  # type: ignore[arg-type]
            self.start()
            started.append(self)

    yield Started
    for site in started:
        site.stop()


def test_serves_the_mirror_layout_like_wget(tree: Path, serve: type[FaultSite]) -> None:
    site = serve()
    response = get(site, ARTICLE_KEY)
    assert response.status == 200
    assert response.read() == ARTICLE
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"  # its <meta>
    assert get(site, "gz.news.cn/").read() == b"<html><body>index</body></html>"
    assert get(site, "gz.news.cn/list.htm?page=2").read() == b"<html>page two</html>"
    assert get(site, "gz.news.cn/list.htm%3Fpage=2").read() == b"<html>page two</html>"
    assert site.hits("gz.news.cn/list.htm?page=2") == 2
    assert get(site, "gz.news.cn/missing.htm").status == 404
    assert site.hits(ARTICLE_KEY) == 1
    assert site.hits() == 5
    assert site.injected() == 0


def test_request_keys_match_the_crawler_mirror_transport() -> None:
    for url in (f"https://{ARTICLE_KEY}", "http://gz.news.cn/list.htm?page=2&x=%E8%B4%B5"):
        target = mirror_url(url, "http://127.0.0.1:1").removeprefix("http://127.0.0.1:1")
        assert request_key(target) == url.split("://", 1)[1].replace("%E8%B4%B5", "贵")


def test_answers_like_the_product_mirror_server(repo_root: Path) -> None:
    """Without faults the fault site is the mirror server: same files, same headers."""
    site_copy = repo_root / "newsarchive" / "sample_site"
    targets = [
        "gz.news.cn/",
        "gz.news.cn",
        "www.gz.xinhuanet.com/",  # only pc.htm there
        "gz.news.cn/robots.txt",
        "gz.news.cn/missing.htm",
        "gz.news.cn/../MANIFEST.json",
    ]
    manifest = json.loads((site_copy / "MANIFEST.json").read_text("utf-8"))
    gbk = next(a for a in manifest["articles"] if a["encoding"] == "gbk")
    targets.append(gbk["url"].split("://", 1)[1])  # served without a charset, on purpose
    with FaultSite(site_copy) as faults, CountingMirror(site_copy) as mirror:
        for target in targets:
            conn = http.client.HTTPConnection("127.0.0.1", mirror.port, timeout=5)
            conn.request("GET", "/" + target)
            expected = conn.getresponse()
            got = get(faults, target)
            assert got.status == expected.status, target
            if got.status == 200:
                assert got.getheader("Content-Type") == expected.getheader("Content-Type")
                assert got.read() == expected.read(), target
            conn.close()
    assert faults.hits() == mirror.total() == len(targets)


def test_status_fault_then_success_after_n_times(serve: type[FaultSite]) -> None:
    site = serve([Rule("gz.news.cn/2024-*", Fault(kind="status", status=503, times=2))])
    assert [get(site, ARTICLE_KEY).status for _ in range(4)] == [503, 503, 200, 200]
    assert site.hits(ARTICLE_KEY) == 4
    assert site.injected(ARTICLE_KEY) == 2
    assert [kind for _, kind in site.log()] == ["status", "status", None, None]
    site.reset_counters()
    assert get(site, ARTICLE_KEY).status == 503  # a fresh site fails first again


def test_regex_rules_and_first_match_wins(serve: type[FaultSite]) -> None:
    site = serve(
        [
            Rule(r"re:c_\d+\.htm$", Fault(kind="status", status=500)),
            Rule("*", Fault(kind="status", status=502)),
        ]
    )
    assert get(site, ARTICLE_KEY).status == 500
    assert get(site, "gz.news.cn/").status == 502


def test_timeout_holds_the_connection(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="timeout", hold=30))])
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        get(site, ARTICLE_KEY, timeout=0.5)
    assert time.monotonic() - started < 5


def test_close_mid_body_sends_less_than_content_length(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="close_mid_body"))])
    response = get(site, ARTICLE_KEY)
    assert response.getheader("Content-Length") == str(len(ARTICLE))
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        response.read()


def test_reset_gives_no_response(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="reset"))])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(site, ARTICLE_KEY)


def test_truncate_is_http_complete_but_cut(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="truncate", fraction=0.6))])
    body = get(site, ARTICLE_KEY).read()
    assert body == ARTICLE[: int(len(ARTICLE) * 0.6)]
    assert b"</html>" not in body


def test_charset_faults(serve: type[FaultSite]) -> None:
    site = serve(
        [
            Rule("*/c_1130000001.htm", Fault(kind="gbk_as_utf8")),
            Rule("*/c_1130000002.htm", Fault(kind="charset_missing")),
            Rule("*/c_1130000003.htm", Fault(kind="charset_wrong")),
        ]
    )
    gbk = get(site, ARTICLE_KEY)
    body = gbk.read()
    assert gbk.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"charset=utf-8" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body.decode("gb18030") == ARTICLE.decode("utf-8")

    tree = site.root
    for n in (2, 3):
        (tree / ARTICLE_KEY.replace("0001", f"000{n}")).write_bytes(ARTICLE)
    missing = get(site, ARTICLE_KEY.replace("0001", "0002"))
    assert missing.getheader("Content-Type") == "text/html"
    assert b"charset" not in missing.read()
    wrong = get(site, ARTICLE_KEY.replace("0001", "0003"))
    assert wrong.getheader("Content-Type") == "text/html; charset=gbk"
    assert wrong.read() == ARTICLE


def test_garbage_is_seeded_binary(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="garbage", seed=7, size=1000))])
    first, second = get(site, ARTICLE_KEY).read(), get(site, ARTICLE_KEY).read()
    assert first == second
    assert len(first) == 1000
    assert first != ARTICLE[:1000]


def test_huge_page_streams_its_declared_size(serve: type[FaultSite]) -> None:
    size = 3 * 1024 * 1024
    site = serve([Rule("*", Fault(kind="huge", size=size))])
    response = get(site, ARTICLE_KEY)
    declared = int(response.getheader("Content-Length") or 0)
    assert size - 10_000 < declared <= size + 100
    body = response.read()
    assert len(body) == declared
    assert body.endswith(b"</body></html>")


def test_redirect_loop_alternates_two_urls(serve: type[FaultSite]) -> None:
    site = serve([Rule("gz.news.cn/2024-*", Fault(kind="redirect_loop"))])
    first = get(site, ARTICLE_KEY)
    assert first.status == 302
    assert first.getheader("Location") == f"https://{ARTICLE_KEY}?_loop=1"
    second = get(site, ARTICLE_KEY + "?_loop=1")
    assert second.getheader("Location") == f"https://{ARTICLE_KEY}"
    assert site.injected(ARTICLE_KEY + "?_loop=1") == 1  # the rule covers the loop's 2nd URL
    mirror = serve([Rule("*", Fault(kind="redirect_loop"))], redirect_style="mirror")
    assert get(mirror, ARTICLE_KEY).getheader("Location") == f"/{ARTICLE_KEY}?_loop=1"


def test_offchannel_redirect_points_at_a_bait_article(serve: type[FaultSite]) -> None:
    target = "https://www.example.com/2024-01/01/c_1000000001.htm"
    site = serve([Rule("gz.news.cn/*", Fault(kind="redirect_offchannel", target=target))])
    response = get(site, ARTICLE_KEY)
    assert response.status == 302
    assert response.getheader("Location") == target
    bait = get(site, "www.example.com/2024-01/01/c_1000000001.htm")
    assert bait.status == 200
    assert "站外诱饵文章" in bait.read().decode()


def test_captcha_page_replaces_the_article(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="captcha"))])
    response = get(site, ARTICLE_KEY)
    text = response.read().decode()
    assert response.status == 200
    assert "验证码" in text
    assert "贵州山区公路通车" not in text


def test_trickle_sends_the_whole_page_slowly(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="trickle", chunk=64, delay=0.02))])
    started = time.monotonic()
    body = get(site, ARTICLE_KEY).read()
    assert body == ARTICLE
    assert time.monotonic() - started >= 0.02 * (len(ARTICLE) // 64)


def test_template_changed_keeps_text_renames_markup(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="template_changed"))])
    body = get(site, ARTICLE_KEY).read().decode()
    assert "贵州山区公路通车" in body
    assert "新华社贵阳1月5日电" in body
    assert 'class="h-title"' not in body
    assert 'id="p-detail"' not in body
    assert "<div" not in body


def test_empty_body(serve: type[FaultSite]) -> None:
    site = serve([Rule("*", Fault(kind="empty"))])
    response = get(site, ARTICLE_KEY)
    assert response.status == 200
    assert response.read() == b""


def test_rate_faults_are_deterministic_per_seed(tree: Path) -> None:
    keys = [f"gz.news.cn/2024-01/05/c_{n}.htm" for n in range(2000)]
    rate = RateFaults(rate=0.1, faults=(Fault(kind="status"), Fault(kind="timeout")), seed=3)
    chosen = [k for k in keys if rate.fault_for(k) is not None]
    assert 140 < len(chosen) < 260
    assert chosen == [k for k in keys if rate.fault_for(k) is not None]
    kinds = {f.kind for k in chosen if (f := rate.fault_for(k)) is not None}
    assert kinds == {"status", "timeout"}
    other = RateFaults(rate=0.1, faults=(Fault(kind="status"),), seed=4)
    assert chosen != [k for k in keys if other.fault_for(k) is not None]
    only_articles = RateFaults(rate=1.0, faults=(Fault(kind="status"),), pattern="*/c_*.htm")
    assert only_articles.fault_for("gz.news.cn/") is None
    assert only_articles.fault_for(keys[0]) is not None


def test_rate_faults_on_a_live_site(serve: type[FaultSite]) -> None:
    site = serve(rate=RateFaults(rate=1.0, faults=(Fault(kind="status", status=504, times=1),)))
    assert get(site, ARTICLE_KEY).status == 504
    assert get(site, ARTICLE_KEY).status == 200


def test_parse_rules_from_the_command_line_form() -> None:
    rule = parse_rule("gz.news.cn/*=status:status=503,times=2")
    assert rule.pattern == "gz.news.cn/*"
    assert rule.fault == Fault(kind="status", status=503, times=2)
    assert parse_rule("re:c_\\d+=trickle:delay=0.5,chunk=10").fault.delay == 0.5
    assert parse_fault("redirect_offchannel:target=https://x.org/a").target == "https://x.org/a"
    for kind in FAULT_KINDS:
        assert parse_rule(f"*={kind}").fault.kind == kind
    for bad in ("*=nosuchfault", "no-kind", "*=status:bogus=1", "*=status:status"):
        with pytest.raises(ValueError):
            parse_rule(bad)
    with pytest.raises(ValueError):
        Fault(kind="status", fraction=2.0)


def test_command_line_serves_until_interrupted(tree: Path, repo_root: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.faults", str(tree), "--rule", "*/c_*=status"],
        cwd=repo_root,  # the documented way: from the repository's root
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", "/" + ARTICLE_KEY)
        assert conn.getresponse().status == 500
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_stop_releases_held_connections(tree: Path) -> None:
    site = FaultSite(tree, [Rule("*", Fault(kind="timeout", hold=600))]).start()
    host, port = site.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"GET /{ARTICLE_KEY} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(0.2)
    started = time.monotonic()
    site.stop()
    sock.settimeout(5)
    assert sock.recv(100) == b""  # closed, not left hanging
    sock.close()
    assert time.monotonic() - started < 5
