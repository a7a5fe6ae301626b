"""Every error kind the crawl can record or count is documented in the README's list.

The kinds the code can emit are gathered from the code itself: the exception tables of
``newsarchive.crawling.capture`` and, by reading the source (``ast``), every literal a
crawl module assigns or passes as an ``error``/``kind``, returns from the functions that
name kinds, or counts with ``stat_key``. A new kind without a line in the README fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest

from newsarchive.crawling import capture
from newsarchive.crawling.capture import error_kind
from newsarchive.crawling.links import Scope
from newsarchive.crawling.offsite import OffsiteRedirect, OffsiteRequest
from newsarchive.crawling.robots import RobotsUnavailable

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
#: The modules that decide error kinds.
SOURCES = sorted(
    [
        *(REPO / "newsarchive" / "crawling").glob("*.py"),
        *(REPO / "spiders").glob("*.py"),
        *(REPO / "pipelines").glob("*.py"),
    ]
)
#: Functions whose string return values are error kinds.
KIND_FUNCTIONS = frozenset({"http_error", "soft_error", "error_kind"})
_KIND = re.compile(r"[a-z][a-z0-9_]*\Z")


def documented() -> set[str]:
    """The backticked names in the README paragraph that lists the error kinds."""
    text = README.read_text("utf-8")
    start = text.index("The error kinds counted in `crawl_runs.errors_by_kind`")
    paragraph = text[start : text.index("\n\n", start)]
    return set(re.findall(r"`([a-z0-9_<>]+)`", paragraph))


def _strings(node: ast.AST) -> set[str]:
    """The kind-like string literals in ``node``; f-strings (``f"http_{status}"``: the
    documented ``http_<status>`` and ``page_<kind>`` forms) and ``getattr`` defaults left out."""
    if isinstance(node, ast.JoinedStr):
        return set()
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        return set()
    if isinstance(node, ast.Constant):
        ok = isinstance(node.value, str) and _KIND.match(node.value)
        return {node.value} if ok else set()
    found: set[str] = set()
    for child in ast.iter_child_nodes(node):
        found |= _strings(child)
    return found


def emitted_literals() -> dict[str, set[str]]:
    """Kind → the files that name it (literal kinds only)."""
    found: dict[str, set[str]] = {}

    def add(names: set[str], path: Path) -> None:
        for name in names:
            found.setdefault(name, set()).add(path.name)

    for path in SOURCES:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            named = isinstance(node, ast.keyword) and node.arg == "error"
            assigned = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in {"error", "kind"} for t in node.targets
            )
            if named or assigned:
                add(_strings(node.value), path)  # type: ignore[attr-defined]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "stat_key"
            ):
                add(_strings(ast.Tuple(elts=node.args)), path)
            elif isinstance(node, ast.FunctionDef) and node.name in KIND_FUNCTIONS:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        add(_strings(inner.value), path)
    return found


def emitted() -> set[str]:
    tables = {kind for _, kind in capture._ERROR_KINDS}
    tables |= {kind for _, kind in capture._IGNORED_KINDS}
    tables |= {kind for _, kind in capture._NAMED_KINDS}
    return tables | set(emitted_literals())


def test_the_scan_finds_the_kinds_it_should() -> None:
    # A check that cannot fail is no check: the scan must see kinds from each place.
    found = emitted()
    assert {"redirect_home", "offsite_redirect", "truncated"} <= found  # http_error
    assert {"captcha", "soft_404", "error_page", "empty"} <= found  # soft_error
    assert {"undecodable", "bad_datasource", "missing_pages"} <= found  # error=, error = …
    assert {"timeout", "too_large", "robots_unavailable", "refused"} <= found  # the tables


def test_every_error_kind_is_documented() -> None:
    missing = sorted(emitted() - documented())
    assert missing == [], f"undocumented error kinds: {missing}"
    assert {"http_<status>", "page_<kind>"} <= documented()


def test_ignored_is_no_longer_a_kind() -> None:
    assert "ignored" not in emitted()
    assert "ignored" not in documented()


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (DownloadTimeoutError("x"), "timeout"),
        (OffsiteRedirect("a redirects off the channels to b"), "offsite_redirect"),
        (OffsiteRequest("b is outside the crawl's channels"), "offsite"),
        (RobotsUnavailable("robots.txt of x unavailable (HTTP 503)"), "robots_unavailable"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_forbidden"),
        (
            # Scrapy's HttpCompressionMiddleware on a decompression bomb.
            IgnoreRequest(
                "Ignored response <200 https://gz.news.cn/a.htm> because its body (3100 B "
                "compressed, 16777300 B decompressed so far) exceeded DOWNLOAD_MAXSIZE "
                "(16777216 B) during decompression."
            ),
            "too_large",
        ),
        (IgnoreRequest("some other reason"), "refused"),
    ],
)
def test_refused_downloads_have_documented_kinds(exc: BaseException, kind: str) -> None:
    assert error_kind(exc) == kind
    assert kind in documented()


def test_scope_of_requests_is_by_host_not_by_page_type() -> None:
    scope = Scope(channels=frozenset({"gz"}), big5=False)
    assert scope.allows_host("https://gz.news.cn/gzyw/ds_0123456789abcdef0123456789abcdef.json")
    assert not scope.allows("https://gz.news.cn/gzyw/ds_0123456789abcdef0123456789abcdef.json")
    assert scope.allows_host("http://www.gz.xinhuanet.com/robots.txt")
    assert not scope.allows_host("http://169.254.169.254/latest/meta-data/")
    assert not scope.allows_host("https://he.news.cn/2024-01/05/c_1.htm")
    assert not scope.allows_host("https://big5.news.cn/gate/big5/gz.news.cn/2024-01/05/c_1.htm")
    assert not scope.allows_host("ftp://gz.news.cn/a.htm")
