"""Start-up time: how long from the command starting to its first request, and ``--version``.

    python bench/startup.py            # best and median of 5 runs each
    python bench/startup.py --runs 10

A local HTTP server on 127.0.0.1 serves the sample site (``newsarchive/sample_site``, the
``<host>/<path>`` layout ``--mirror`` reads) and records when the first request arrives; the
crawl is ``newsarchive crawl gz --mirror URL --max-pages 1 --no-politeness`` into a fresh
archive, started as its own process. "first request" is the time from just before the process is
started to the arrival of its first request at the server (robots.txt); "--version" is the wall
time of ``newsarchive --version``. Targets (issue 18): the first request within 1 s on an idle
machine, --version well under a second. The numbers depend on the machine's load: report them
with ``uptime``."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]


class _Site(SimpleHTTPRequestHandler):
    first: list[float]
    """Arrival time of the first request, then the crawl's CPU seconds by then."""
    pid: list[int]

    def do_GET(self) -> None:
        if not self.first:
            self.first.append(time.time())
            self.first.append(_cpu_seconds(self.pid[0]) if self.pid else float("nan"))
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        return


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_request(tmp: Path) -> tuple[float, float]:
    """Seconds from starting ``newsarchive crawl`` to its first request at the server, and the
    CPU seconds the crawl process had used by then (close to the wall time on an idle
    machine, whatever the load now)."""
    first: list[float] = []
    pid: list[int] = []
    handler = partial(type("Handler", (_Site,), {"first": first, "pid": pid}), directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSARCHIVE_", "SCRAPY_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    db = tmp / f"startup-{time.monotonic_ns()}.db"
    try:
        started = time.time()
        proc = subprocess.Popen(
            [
                *CLI,
                "--quiet",
                "crawl",
                "gz",
                "--db",
                str(db),
                "--mirror",
                url,
                "--max-pages",
                "1",
                "--no-politeness",
                "--no-progress",
            ],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pid.append(proc.pid)
        proc.wait(timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    if not first:
        raise RuntimeError("the crawl made no request")
    return first[0] - started, first[1]


def version_time() -> float:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    started = time.perf_counter()
    subprocess.run([*CLI, "--version"], env=env, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def _report(name: str, values: list[float]) -> None:
    print(f"{name:<16} best {min(values):.2f} s   median {statistics.median(values):.2f} s   "
          f"({len(values)} runs)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    _report("--version", [version_time() for _ in range(args.runs)])
    with tempfile.TemporaryDirectory() as tmp:
        runs = [first_request(Path(tmp)) for _ in range(args.runs)]
    _report("first request", [wall for wall, _ in runs])
    _report("  its CPU", [cpu for _, cpu in runs])


if __name__ == "__main__":
    main()
