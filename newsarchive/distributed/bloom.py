"""A fleet-wide seen-set with bounded memory: a Bloom filter in Redis.

scrapy-redis's own duplicate filter keeps every request fingerprint in a Redis set, 40 bytes of
hex plus set overhead per URL, growing without bound. A Bloom filter answers the same question
("was this request scheduled before?") in a fixed number of bits chosen up front from the
expected number of URLs *n* and the accepted false-positive rate *p*:

* bits ``m = -n·ln p / (ln 2)²`` and hashes ``k = (m/n)·ln 2`` (rounded up);
* the default, 10 million URLs at ``p = 1e-6``, takes 34.3 MiB whatever the crawl's size;
* the rate after *i* insertions is ``(1 - e^(-k·i/m))^k``: below *p* until the filter is full,
  and it climbs past *p* if a crawl schedules more than *n* URLs (the log warns once).

A false positive means an URL never scheduled before is taken as seen, so that page is not
fetched in this crawl: the expected number of pages missed is at most ``p`` times the number of
distinct URLs scheduled. Each filter generation draws a random salt, so a URL unlucky in one
crawl is almost surely fetched in the next one. The filter expires ``ttl`` seconds after the
last URL was added (default six hours), which starts the next scheduled crawl with an empty
seen-set without anyone deleting keys.

One ``BITFIELD`` command sets all *k* bits and returns their old values, atomically, so two
crawlers can never both claim the same URL; the frontier runs that claim inside the script
that queues the request (:meth:`newsarchive.distributed.frontier.LeasedPriorityQueue.push`),
so a member killed in between cannot leave a URL claimed but never queued.

RedisBloom's ``BF.*`` commands (Redis Stack, Redis 8) are not used, though they answer the
same question with the same memory: the claim has to run inside that queueing script, and
no RedisBloom server can be run here to test it (Debian's ``redis-server`` has no module, and
the package registries we reach carry none). A bitmap works on every Redis since 6.2 and is
tested for real (docs/distributed.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
from dataclasses import dataclass
from typing import Any, cast

import redis
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

logger = logging.getLogger(__name__)

#: The largest Redis string is 512 MiB, so a bitmap holds at most 2**32 bits.
MAX_BITS = 2**32

DEFAULT_CAPACITY = 10_000_000
DEFAULT_ERROR_RATE = 1e-6
DEFAULT_TTL = 6 * 3600


@dataclass(frozen=True, kw_only=True, slots=True)
class BloomParams:
    """The shape of one Bloom filter."""

    capacity: int
    """How many distinct items the filter was sized for (*n*)."""
    error_rate: float
    """The false-positive rate promised up to ``capacity`` items (*p*)."""
    bits: int
    """Size of the bitmap (*m*)."""
    hashes: int
    """Bits set per item (*k*)."""

    @classmethod
    def for_capacity(cls, capacity: int, error_rate: float) -> BloomParams:
        """The smallest filter that keeps *error_rate* for *capacity* items."""
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        if not 0.0 < error_rate < 1.0:
            raise ValueError(f"error rate must be between 0 and 1, not {error_rate}")
        bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
        if bits > MAX_BITS:
            raise ValueError(
                f"{capacity} items at p={error_rate} need {bits} bits; a Redis bitmap holds "
                f"at most {MAX_BITS}: raise the error rate or split the crawl"
            )
        hashes = max(1, math.ceil(bits / capacity * math.log(2)))
        return cls(capacity=capacity, error_rate=error_rate, bits=bits, hashes=hashes)

    @property
    def memory_bytes(self) -> int:
        """Bytes of Redis memory the bitmap takes once written."""
        return (self.bits + 7) // 8

    def false_positive_rate(self, inserted: int) -> float:
        """The chance that a new item is taken as seen after *inserted* distinct items."""
        return float((1.0 - math.exp(-self.hashes * inserted / self.bits)) ** self.hashes)


def bit_positions(data: bytes, salt: bytes, bits: int, hashes: int) -> list[int]:
    """The ``hashes`` bit positions of ``data`` in a filter of ``bits`` bits: one 64-bit
    value each, read from a SHAKE-128 digest of ``salt + data``: independent positions keep
    the designed false-positive rate, which double hashing does not
    (``tests/test_distributed.py``)."""
    digest = hashlib.shake_128(salt + data).digest(8 * hashes)
    return [int.from_bytes(digest[8 * i : 8 * i + 8], "big") % bits for i in range(hashes)]


@dataclass(frozen=True, kw_only=True, slots=True)
class SeenClaim:
    """What claiming one item in a :class:`RedisBloomFilter` takes, for a Redis script that
    claims it and acts on the answer in the same atomic step (the frontier's push:
    :meth:`newsarchive.distributed.frontier.LeasedPriorityQueue.push`)."""

    key: str
    params_key: str
    ttl: int
    """Seconds the filter outlives this claim (0: kept until deleted)."""
    positions: tuple[int, ...]
    """The bit positions to set."""


class RedisBloomFilter:
    """One Bloom filter stored under *key* in Redis, shared by every process that opens it.

    The filter's parameters and salt live beside it in ``<key>:params``; the first process to
    open the filter writes them and every later one adopts them, so a fleet agrees on the bit
    positions even if its members were started with different sizes.
    """

    def __init__(
        self,
        server: redis.Redis,
        key: str,
        params: BloomParams,
        *,
        ttl: int | None = DEFAULT_TTL,
    ) -> None:
        self.server = server
        self.key = key
        self.params_key = f"{key}:params"
        self.ttl = ttl if ttl and ttl > 0 else None
        self.params, self.salt = self._agree(params)
        self.added = 0
        self._warned_full = False

    def add(self, data: bytes) -> bool:
        """Add *data*; ``True`` if it was not in the filter before (the caller owns it)."""
        args: list[Any] = []
        for position in self.positions(data):
            args += ["SET", "u1", position, 1]
        pipe = self.server.pipeline(transaction=False)
        _command(pipe, "BITFIELD", self.key, *args)
        self._touch(pipe)
        old_bits = pipe.execute()[0]
        return self.claimed(not all(old_bits))

    def claim(self, data: bytes) -> SeenClaim:
        """Claim *data* inside another Redis script (:class:`SeenClaim`); the script's answer
        goes to :meth:`claimed`."""
        return SeenClaim(
            key=self.key,
            params_key=self.params_key,
            ttl=self.ttl or 0,
            positions=tuple(self.positions(data)),
        )

    def claimed(self, new: bool) -> bool:
        """Count an item a script claimed (*new*: it was not in the filter); returns *new*."""
        if new:
            self.added += 1
            if self.added > self.params.capacity and not self._warned_full:
                self._warned_full = True
                logger.warning(
                    "seen-set %s: this process alone added %d URLs, more than the %d it was "
                    "sized for; the false-positive rate now exceeds %g",
                    self.key,
                    self.added,
                    self.params.capacity,
                    self.params.error_rate,
                )
        return new

    def contains(self, data: bytes) -> bool:
        """Whether *data* may have been added (never ``False`` for an added item)."""
        args: list[Any] = []
        for position in self.positions(data):
            args += ["GET", "u1", position]
        return all(_command(self.server, "BITFIELD_RO", self.key, *args))

    def clear(self) -> None:
        """Forget every item (delete the filter and its parameters)."""
        self.server.delete(self.key, self.params_key)

    def positions(self, data: bytes) -> list[int]:
        """The *k* bit positions of *data* (:func:`bit_positions` with this filter's salt)."""
        return bit_positions(data, self.salt, self.params.bits, self.params.hashes)

    def _touch(self, pipe: Any) -> None:
        if self.ttl is not None:
            pipe.expire(self.key, self.ttl)
            pipe.expire(self.params_key, self.ttl)

    def _agree(self, wanted: BloomParams) -> tuple[BloomParams, bytes]:
        mine = {
            "capacity": wanted.capacity,
            "error_rate": wanted.error_rate,
            "bits": wanted.bits,
            "hashes": wanted.hashes,
            "salt": secrets.token_hex(8),
        }
        self.server.set(self.params_key, json.dumps(mine), nx=True, ex=self.ttl)
        stored_raw = self.server.get(self.params_key)
        stored: dict[str, Any] = json.loads(stored_raw) if stored_raw else mine
        params = BloomParams(
            capacity=int(stored["capacity"]),
            error_rate=float(stored["error_rate"]),
            bits=int(stored["bits"]),
            hashes=int(stored["hashes"]),
        )
        if params != wanted:
            logger.info(
                "seen-set %s exists with %s; sharing it instead of %s", self.key, params, wanted
            )
        return params, bytes.fromhex(stored["salt"])


def _command(client: Any, *args: Any) -> Any:
    """``execute_command`` for BITFIELD with many operations (redis-py's typed method builds
    them one call at a time)."""
    return cast(Any, client).execute_command(*args)


class BloomDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's duplicate filter with the fingerprint set replaced by a Bloom filter.

    Settings: ``NEWSARCHIVE_SEEN_CAPACITY`` (expected distinct URLs, default 10 million),
    ``NEWSARCHIVE_SEEN_ERROR_RATE`` (default 1e-6), ``NEWSARCHIVE_SEEN_TTL`` (seconds the
    seen-set outlives its last new URL, default 21600; 0 keeps it until deleted) and
    scrapy-redis's ``SCHEDULER_DUPEFILTER_KEY``.
    """

    def __init__(
        self, server: redis.Redis, key: str, debug: bool = False, *, bloom: RedisBloomFilter
    ) -> None:
        super().__init__(server, key, debug)
        self.bloom = bloom

    @classmethod
    def from_spider(cls, spider: Any) -> BloomDupeFilter:
        settings = spider.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:seen") % {"spider": spider.name}
        return cls._build(settings, key)

    @classmethod
    def from_settings(cls, settings: Any) -> BloomDupeFilter:
        key = settings.get("SCHEDULER_DUPEFILTER_KEY", "newsarchive:seen") % {"spider": "all"}
        return cls._build(settings, key)

    @classmethod
    def _build(cls, settings: Any, key: str) -> BloomDupeFilter:
        server = get_redis_from_settings(settings)
        params = BloomParams.for_capacity(
            settings.getint("NEWSARCHIVE_SEEN_CAPACITY", DEFAULT_CAPACITY),
            settings.getfloat("NEWSARCHIVE_SEEN_ERROR_RATE", DEFAULT_ERROR_RATE),
        )
        ttl = settings.getint("NEWSARCHIVE_SEEN_TTL", DEFAULT_TTL)
        bloom = RedisBloomFilter(server, key, params, ttl=ttl)
        logger.info(
            "seen-set %s: Bloom filter for %d URLs at p=%g: %d bits, %d hashes, %.1f MiB",
            key,
            bloom.params.capacity,
            bloom.params.error_rate,
            bloom.params.bits,
            bloom.params.hashes,
            bloom.params.memory_bytes / 2**20,
        )
        return cls(server, key, settings.getbool("DUPEFILTER_DEBUG"), bloom=bloom)

    def request_seen(self, request: Any) -> bool:
        """Whether another request for the same page was scheduled by any fleet member.

        Like the single-machine filter (:mod:`newsarchive.crawling.dupefilter`), a redirected
        request always passes: Xinhua answers a withdrawn article with a redirect to the
        already-fetched home page, and the withdrawal must reach the archive.
        """
        fingerprint: str = self.request_fingerprint(request)
        seen = not self.bloom.add(bytes.fromhex(fingerprint))
        return seen and not request.meta.get("redirect_urls")

    def claim(self, request: Any) -> SeenClaim:
        """Claim *request*'s page in the seen-set as part of queueing it (the frontier's push
        claims it and queues it in one atomic step: a member killed in between can neither
        leave a page claimed but never queued, nor queue it twice)."""
        return self.bloom.claim(bytes.fromhex(self.request_fingerprint(request)))

    def clear(self) -> None:
        self.bloom.clear()

    def close(self, reason: str = "") -> None:
        """Keep the seen-set: other crawlers of the fleet still use it (it expires by TTL)."""
