"""The site-copy server over a real socket on 127.0.0.1, its resolver and its command."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from ops_support import as_in_a_terminal

from newsarchive.mirrorserver import (
    NOT_FOUND_BODY,
    MirrorServer,
    SiteCopy,
    content_type_for,
    request_key,
)
from tools.mirror import CountingMirror, mirror_key

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SITE = REPO / "newsarchive" / "sample_site"
SAMPLE_V2 = REPO / "newsarchive" / "sample_site_v2"


def get(
    server: MirrorServer, target: str, *, host: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        headers = {"Host": host} if host else {}
        conn.request(method, target, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def manifest() -> dict[str, object]:
    data: dict[str, object] = json.loads((SAMPLE_SITE / "MANIFEST.json").read_text("utf-8"))
    return data


@pytest.fixture
def server() -> CountingMirror:
    with CountingMirror(SAMPLE_SITE) as site:
        yield site  # type: ignore[misc]


def test_serves_pages_with_their_charset(server: CountingMirror, manifest: dict) -> None:
    articles = manifest["articles"]
    utf8 = next(a for a in articles if a["template"] == "provincial_chtml")
    status, headers, body = get(server, "/" + utf8["url"].split("://")[1])
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    assert utf8["headline"] in body.decode("utf-8")

    gbk = next(a for a in articles if a["encoding"] == "gbk")
    status, headers, body = get(server, "/" + gbk["url"].split("://")[1])
    assert status == 200
    assert headers["content-type"] == "text/html"  # deliberately no charset
    assert gbk["headline"] in body.decode("gbk")

    big5 = next(a for a in articles if a["big5_encoding"] == "big5")
    status, headers, body = get(server, "/" + big5["big5_url"].split("://")[1])
    assert headers["content-type"] == "text/html; charset=big5"
    body.decode("big5")

    ds = next(c for c in manifest["columns"] if c["kind"] == "datasource")
    status, headers, body = get(server, "/" + ds["datasource"].split("://")[1])
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(body)["datasource"]

    status, headers, body = get(server, "/gz.news.cn/robots.txt")
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert b"Disallow: /preview/" in body


def test_directory_indexes(server: CountingMirror) -> None:
    for target, needle in [
        ("/gz.news.cn/", "新华网贵州频道"),
        ("/gz.news.cn", "新华网贵州频道"),
        ("/www.gz.xinhuanet.com/", "新华网贵州频道"),  # only pc.htm there
        ("/he.news.cn/", "新华网河北频道"),
    ]:
        status, _, body = get(server, target)
        assert status == 200, target
        assert needle in body.decode("utf-8")


def test_absolute_form_names_the_same_file(server: CountingMirror) -> None:
    status, _, body = get(server, "http://gz.news.cn/robots.txt")
    assert status == 200 and b"/preview/" in body
    status, _, body = get(server, "http://HE.news.cn/")
    assert status == 200 and "河北" in body.decode()
    assert server.hits("https://gz.news.cn/robots.txt") == 1
    assert server.hits("he.news.cn/") == 1
    # The Host header plays no part: a path without a host folder is not found.
    assert get(server, "/robots.txt", host="gz.news.cn")[0] == 404


def test_request_keys() -> None:
    assert request_key("/gz.news.cn/a.htm%3Fp=2") == ("gz.news.cn/a.htm", "p=2")
    assert request_key("/gz.news.cn/a.htm?p=2") == ("gz.news.cn/a.htm", "p=2")
    assert request_key("http://GZ.news.cn/a.htm?p=2") == ("gz.news.cn/a.htm", "p=2")
    assert request_key("/gz.news.cn/%E8%B4%B5.htm") == ("gz.news.cn/贵.htm", "")
    assert request_key("http://gz.news.cn") == ("gz.news.cn/", "")


def test_site_copy_resolves_inside_its_folders_only(tmp_path: Path) -> None:
    (tmp_path / "site" / "gz.news.cn").mkdir(parents=True)
    (tmp_path / "site" / "gz.news.cn" / "a.htm").write_text("a")
    (tmp_path / "secret.htm").write_text("outside")
    (tmp_path / "site" / "gz.news.cn" / "link.htm").symlink_to(tmp_path / "secret.htm")
    copy = SiteCopy(tmp_path / "site")
    found = copy.find("gz.news.cn/a.htm")
    assert found is not None
    assert found.path == tmp_path / "site" / "gz.news.cn" / "a.htm"
    assert found.name == "gz.news.cn/a.htm"
    assert found.content_type == "text/html; charset=utf-8"
    for key in ("../secret.htm", "gz.news.cn/../../secret.htm", "", "/", "gz.news.cn/link.htm"):
        assert copy.find(key) is None, key


def test_queries_are_ignored_unless_a_file_carries_them(tmp_path: Path) -> None:
    (tmp_path / "gz.news.cn" / "a").mkdir(parents=True)
    (tmp_path / "gz.news.cn" / "a" / "c.html").write_text("page one")
    (tmp_path / "gz.news.cn" / "a" / "c.html?page=2").write_text("saved page two")
    with CountingMirror(tmp_path) as site:
        assert get(site, "/gz.news.cn/a/c.html?page=3")[2] == b"page one"
        assert get(site, "/gz.news.cn/a/c.html%3Fpage=2")[2] == b"saved page two"
        assert get(site, "/gz.news.cn/a/c.html?page=2")[2] == b"saved page two"
        assert site.hits("https://gz.news.cn/a/c.html?page=9") == 3


def test_missing_files_and_escapes_are_404(server: CountingMirror, manifest: dict) -> None:
    broken = next(p for p in manifest["pages"] if p["expected"] == "broken")
    for target in [
        "/" + broken["url"].split("://")[1],
        "/MANIFEST.json",
        "/content-types.json",
        "/gz.news.cn/../MANIFEST.json",
        "/gz.news.cn/%2e%2e/MANIFEST.json",
        "/www.news.cn/politics/",
        "/",
    ]:
        status, headers, body = get(server, target)
        assert status == 404, target
        assert headers["content-type"].startswith("text/html")
        assert b"404" in body
    assert server.hits(broken["url"]) == 1


def test_counts_requests_per_path(server: CountingMirror) -> None:
    url = "https://gz.news.cn/"
    for _ in range(3):
        get(server, server.url_for(url).removeprefix(server.url))
    get(server, "/gz.news.cn/robots.txt", method="HEAD")
    assert server.hits(url) == 3
    assert server.hits("gz.news.cn/robots.txt") == 1
    assert server.total() == 4
    server.reset()
    assert server.total() == 0


def test_head_has_headers_and_no_body(server: CountingMirror) -> None:
    status, headers, body = get(server, "/gz.news.cn/", method="HEAD")
    assert status == 200
    assert int(headers["content-length"]) > 0
    assert body == b""


def test_stacked_roots_serve_the_overlay_first(manifest: dict) -> None:
    v2 = json.loads((SAMPLE_V2 / "V2.json").read_text("utf-8"))
    target = "/" + v2["article"]["url"].split("://")[1]
    with CountingMirror([SAMPLE_V2, SAMPLE_SITE]) as both, MirrorServer(SAMPLE_SITE) as v1:
        new = get(both, target)[2].decode()
        old = get(v1, target)[2].decode()
        assert v2["article"]["headline"] in new
        assert v2["article"]["headline"] not in old
        assert get(both, "/gz.news.cn/robots.txt")[0] == 200  # only in the base root


def test_an_overlay_takes_away_the_pages_its_removed_json_lists() -> None:
    removed = json.loads((SAMPLE_V2 / "removed.json").read_text("utf-8"))
    assert removed
    target = "/" + removed[0]
    with CountingMirror([SAMPLE_V2, SAMPLE_SITE]) as both, MirrorServer(SAMPLE_SITE) as v1:
        assert get(v1, target)[0] == 200
        status, _, body = get(both, target)
        assert (status, body) == (404, NOT_FOUND_BODY)
        assert get(both, "/gz.news.cn/")[0] == 200  # everything else still answers


def test_url_for_and_keys() -> None:
    assert mirror_key("https://gz.news.cn/a/b.htm?x=1") == "gz.news.cn/a/b.htm"
    assert mirror_key("http://WWW.GZ.XINHUANET.COM/") == "www.gz.xinhuanet.com/"
    with CountingMirror(SAMPLE_SITE) as site:
        assert site.url.startswith("http://127.0.0.1:")
        assert site.url_for("https://gz.news.cn/20240101/x/c.html?page=2") == (
            f"{site.url}/gz.news.cn/20240101/x/c.html?page=2"
        )
    assert content_type_for(Path("a.htm"), b'<meta charset="GBK">') == "text/html; charset=gbk"
    assert content_type_for(Path("a.jpg"), b"") == "image/jpeg"


def test_close_frees_the_port_and_rejects_bad_roots(tmp_path: Path) -> None:
    site = MirrorServer(SAMPLE_SITE).start()
    port = site.port
    assert get(site, "/gz.news.cn/")[0] == 200
    threads = {t.name for t in threading.enumerate()}
    assert f"mirror:{port}" in threads
    site.close()
    assert f"mirror:{port}" not in {t.name for t in threading.enumerate()}
    assert site._httpd.socket.fileno() == -1  # the listening socket is closed
    # The listening socket is closed: the port can be bound again (unless someone else
    # grabbed it meanwhile, which a connect test could not tell from a leak either).
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            pytest.skip("the port was taken by another process")
    with pytest.raises(FileNotFoundError):
        MirrorServer(tmp_path / "nowhere")


def test_command_line_help_is_plain_text() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive.mirrorserver", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.startswith("usage: python -m newsarchive.mirrorserver [-h] [--port PORT]")
    assert "newsarchive crawl --mirror URL" in done.stdout
    assert "Ctrl-C" in done.stdout and "--port" in done.stdout
    for markup in ("`", "``", "::", ":func:", ":class:", ":mod:", ".. "):  # no reStructuredText
        assert markup not in done.stdout, markup
    assert len(done.stdout.splitlines()) < 25


def test_the_readme_documents_the_command() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("### Serving a site copy", 1)[1].split("\n## ", 1)[0]
    assert "python -m newsarchive.mirrorserver COPY [COPY…] [--port N]" in section
    assert "--mirror http://127.0.0.1:8000" in section


def test_command_line_refuses_a_missing_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive.mirrorserver", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"python -m newsarchive.mirrorserver: error: site copy {tmp_path / 'nowhere'} "
        "is not a folder"
    )
    assert "Traceback" not in done.stderr


def test_command_line_refuses_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "newsarchive.mirrorserver", str(SAMPLE_SITE), f"--port={port}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"python -m newsarchive.mirrorserver: error: cannot listen on port {port}: "
        "Address already in use"
    )


def test_command_line_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.mirrorserver", str(SAMPLE_SITE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=as_in_a_terminal,  # noqa: PLW1509 (one signal call, no lock)
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/gz.news.cn/robots.txt", timeout=5) as resp:
            assert b"/preview/" in resp.read()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
