"""Retry back-off holds no downloader slot: while eight failed requests wait for their retry,
every other request goes on (counted at a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

REPO = Path(__file__).resolve().parent.parent
FAILING, OTHERS = 8, 24

#: A spider that requests ``/fail/<i>`` (503 every time, eight of them, first) and then
#: ``/ok/<i>``, with the project's retry middleware and eight requests at a time.
_CRAWL = """
import json, sys
from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess

base, failing, others = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = {}

class Probe(Spider):
    name = "probe"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    async def start(self):
        for i in range(failing):
            yield Request(f"{base}/fail/{i}", priority=10)
        for i in range(others):
            yield Request(f"{base}/ok/{i}")

    def parse(self, response):
        seen[response.url] = response.status

process = CrawlerProcess({
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": False,
    "RETRY_TIMES": 1,
    "RETRY_HTTP_CODES": [503],
    "NEWSARCHIVE_RETRY_BACKOFF": 5.0,
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "newsarchive.crawling.middlewares.BackoffRetryMiddleware": 550,
    },
    "LOG_LEVEL": "WARNING",
})
process.crawl(Probe)
process.start()
print(json.dumps(seen))
"""


class _Recorder(BaseHTTPRequestHandler):
    arrivals: list[str]
    lock: threading.Lock

    def do_GET(self) -> None:
        with self.lock:
            self.arrivals.append(self.path)
        status = 503 if self.path.startswith("/fail/") else 200
        body = b"<html><body>busy</body></html>" if status == 503 else b"<html>ok</html>"
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    arrivals: list[str] = []
    handler = type("Handler", (_Recorder,), {"arrivals": arrivals, "lock": threading.Lock()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", arrivals
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_eight_waiting_retries_do_not_stall_other_requests(
    server: tuple[str, list[str]],
) -> None:
    base, arrivals = server
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _CRAWL, base, str(FAILING), str(OTHERS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    # Every request was answered: the failing ones after their retry (503 both times).
    assert sorted(seen.values()) == [200] * OTHERS + [503] * FAILING
    fails = [path for path in arrivals if path.startswith("/fail/")]
    assert sorted(fails) == sorted(f"/fail/{i}" for i in range(FAILING) for _ in range(2))
    # While the eight retries waited, all the other requests were made: every /ok arrived
    # after the first round of failures and before the first retry.
    first_retry = next(
        n for n, path in enumerate(arrivals) if path.startswith("/fail/") and path in arrivals[:n]
    )
    oks = [n for n, path in enumerate(arrivals) if path.startswith("/ok/")]
    assert len(oks) == OTHERS
    assert max(oks) < first_retry, arrivals
