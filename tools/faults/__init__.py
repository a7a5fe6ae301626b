"""A fault-injecting test site: the sample site (or any ``<host>/<path>`` mirror tree) served on
127.0.0.1 with faults injected on chosen URLs or at a chosen rate.

>>> from tools.faults import Fault, FaultSite, Rule
>>> rules = [Rule("gz.news.cn/2024-*/c_*.htm", Fault(kind="status", status=503, times=2))]
>>> with FaultSite(Path("newsarchive/sample_site"), rules) as site:  # doctest: +SKIP
...     run(["newsarchive", "crawl", "gz", "--mirror", site.url])
...     site.hits("gz.news.cn/2024-01/05/c_1.htm")

``python -m tools.faults ROOT --rule 'GLOB=KIND[:NAME=VALUE,…]' …`` serves one from the
command line (see ``docs/reliability.md``).
"""

from __future__ import annotations

from tools.faults.rules import (
    FAULT_KINDS,
    OFFCHANNEL_TARGET,
    Fault,
    FaultKind,
    RateFaults,
    Rule,
    parse_fault,
    parse_rule,
)
from tools.faults.server import FaultSite

__all__ = [
    "FAULT_KINDS",
    "OFFCHANNEL_TARGET",
    "Fault",
    "FaultKind",
    "FaultSite",
    "RateFaults",
    "Rule",
    "parse_fault",
    "parse_rule",
]
