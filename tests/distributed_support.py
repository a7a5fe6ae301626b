"""Redis for the distributed-crawling tests: the CI's server, or one of our own, or a skip.

``.ci/run`` starts Debian's redis-server on 127.0.0.1:6390 and exports
``NEWSARCHIVE_TEST_REDIS``. Without that variable the fixture starts a private ``redis-server``
on a free loopback port if the binary is installed, else the tests skip and say why.
Every test works under its own key prefix and deletes its keys afterwards, so tests can share
one server (and one database) safely.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

ENV = "NEWSARCHIVE_TEST_REDIS"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ping(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(url, socket_connect_timeout=0.5).ping():
                return True
        except redis.ConnectionError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a live Redis on 127.0.0.1."""
    url = os.environ.get(ENV)
    if url:
        if not _wait_ping(url, 3.0):
            pytest.fail(f"{ENV}={url} is set but no Redis answers there")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            f"no Redis: {ENV} is unset and redis-server is not installed (.ci/run installs it)"
        )
    workdir: Path = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        if not _wait_ping(url, 10.0):
            pytest.fail(f"redis-server on port {port} did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"natest-{uuid.uuid4().hex[:10]}"
    yield prefix
    server = redis.Redis.from_url(redis_url)
    keys = list(server.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        server.delete(*keys)
    server.close()
