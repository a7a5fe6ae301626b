"""What fault to inject where: fault kinds, rules (URL pattern → fault) and rate-based faults.

A request is named by its mirror key ``<host>/<path>[?query]`` (``gz.news.cn/2024-01/05/c_1.htm``),
the same string whatever port the fault site listens on. A :class:`Rule` matches keys with a
shell glob (:func:`fnmatch.fnmatchcase`) or, when the pattern starts with ``re:``, a regular
expression searched in the key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal, get_args

FaultKind = Literal[
    "status",  # an HTTP error status (``status``, default 500) with a small HTML body
    "timeout",  # accept the request, then send nothing and hold the connection (``hold`` s)
    "reset",  # close the connection without any response
    "close_mid_body",  # headers with the full Content-Length, half the body, then close
    "truncate",  # the body cut at ``fraction``; Content-Length says the cut length (HTTP-complete)
    "charset_wrong",  # the UTF-8 page labelled ``charset=gbk`` in the Content-Type header
    "charset_missing",  # no charset in the header and every <meta> charset declaration removed
    "gbk_as_utf8",  # the page re-encoded as GBK (gb18030), header and <meta> still saying UTF-8
    "garbage",  # min(``size``, 64 KiB) bytes of seeded random binary, served as text/html
    "huge",  # a valid page padded to ``size`` bytes (default 50 MB), streamed
    "redirect_loop",  # 302 A → A?_loop=1 → A → … (two URLs redirecting to each other)
    "redirect_offchannel",  # 302 to ``target`` (another host), which serves a bait article page
    "captcha",  # a login / captcha page with status 200 in place of the article
    "trickle",  # the real page in ``chunk``-byte pieces, ``delay`` seconds apart
    "template_changed",  # the real page with its markup renamed to an unknown template
    "empty",  # status 200 with an empty body
]

#: Every fault kind, in documentation order.
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

#: The host an off-channel redirect points to by default (served as a bait article).
OFFCHANNEL_TARGET = "https://www.example.com/2024-01/01/c_1000000001.htm"


@dataclass(frozen=True, kw_only=True, slots=True)
class Fault:
    """One fault and its parameters; fields a kind does not use are ignored."""

    kind: FaultKind
    """What to do instead of (or to) the normal response."""
    times: int | None = None
    """Inject only on the first ``times`` requests of each matching key, then serve normally
    ("fail first N times then succeed"); ``None``: every time."""
    status: int = 500
    """The status code for ``status``."""
    hold: float = 600.0
    """Seconds a ``timeout`` holds the connection (released early when the site stops)."""
    fraction: float = 0.5
    """The share of the body sent by ``close_mid_body`` and kept by ``truncate``."""
    size: int = 50 * 1024 * 1024
    """Body size in bytes of ``huge`` (and of ``garbage`` when not the default)."""
    chunk: int = 256
    """Bytes per write of ``trickle``."""
    delay: float = 0.05
    """Seconds between ``trickle`` writes."""
    target: str = OFFCHANNEL_TARGET
    """Where ``redirect_offchannel`` points (an absolute URL with a real host name)."""
    seed: int = 0
    """Seed of ``garbage`` bytes."""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0")
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError("fraction must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class Rule:
    """A fault for every request whose key matches ``pattern``."""

    pattern: str
    """A glob on ``<host>/<path>[?query]``, or ``re:<regex>`` searched in it."""
    fault: Fault
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.pattern.startswith("re:"):
            object.__setattr__(self, "_regex", re.compile(self.pattern[3:]))

    def matches(self, key: str) -> bool:
        """Whether the request named ``key`` falls under this rule."""
        if self._regex is not None:
            return self._regex.search(key) is not None
        return fnmatchcase(key, self.pattern)


@dataclass(frozen=True, kw_only=True, slots=True)
class RateFaults:
    """Faults at a chosen rate: each key matching ``pattern`` is faulted with probability
    ``rate``, decided by a hash of ``seed`` and the key (so a rerun faults the same keys,
    whatever order requests arrive in); the fault is drawn the same way from ``faults``."""

    rate: float
    faults: tuple[Fault, ...]
    seed: int = 0
    pattern: str = "*"

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.rate > 0 and not self.faults:
            raise ValueError("a positive rate needs at least one fault")

    def fault_for(self, key: str) -> Fault | None:
        """The fault for ``key``, or ``None`` when the draw spares it."""
        if self.rate <= 0 or not Rule(self.pattern, self.faults[0]).matches(key):
            return None
        digest = hashlib.sha256(f"{self.seed}\0{key}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        return self.faults[int.from_bytes(digest[8:16], "big") % len(self.faults)]


_INT_PARAMS = frozenset({"times", "status", "size", "chunk", "seed"})
_FLOAT_PARAMS = frozenset({"hold", "fraction", "delay"})


def parse_fault(text: str) -> Fault:
    """A fault from its command-line form: ``KIND[:NAME=VALUE,…]``.

    ``status:status=503,times=2`` → ``Fault(kind="status", status=503, times=2)``.
    """
    kind, _, params = text.partition(":")
    values: dict[str, object] = {}
    for item in filter(None, params.split(",")):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"fault parameter {item!r} is not NAME=VALUE")
        if name in _INT_PARAMS:
            values[name] = int(value)
        elif name in _FLOAT_PARAMS:
            values[name] = float(value)
        elif name == "target":
            values[name] = value
        else:
            raise ValueError(f"unknown fault parameter {name!r}")
    return Fault(kind=kind.strip(), **values)  # type: ignore[arg-type]  # checked in __post_init__


def parse_rule(text: str) -> Rule:
    """A rule from its command-line form: ``PATTERN=FAULT`` (see :func:`parse_fault`); the
    pattern is everything before the last ``=`` that precedes the fault kind."""
    for kind in FAULT_KINDS:
        marker = f"={kind}"
        index = text.rfind(marker)
        end = index + len(marker)
        if index > 0 and (end == len(text) or text[end] == ":"):
            return Rule(text[:index], parse_fault(text[index + 1 :]))
    raise ValueError(f"rule {text!r} is not PATTERN=KIND[:NAME=VALUE,…]")
