"""The seen-set's RedisBloom path (``BF.RESERVE``/``BF.ADD``/``BF.EXISTS``), against a stand-in.

Debian's redis-server (the one CI runs) has no RedisBloom module, so the module path cannot run
against a real server here. These tests run it against a real Redis wrapped by a small fake that
answers ``MODULE LIST`` with the ``bf`` module and speaks the three ``BF.*`` commands the filter
uses (with exact set semantics: a Bloom filter without false positives), passing everything
else through. They check what our code sends and how it reads the answers; the bitmap path,
the one Debian's server runs, is tested for real in ``test_distributed.py``.
"""

from __future__ import annotations

from typing import Any

import redis
from distributed_support import redis_prefix, redis_url
from scrapy import Request
from scrapy.settings import Settings

from newsarchive.distributed import redis_settings
from newsarchive.distributed.bloom import BloomDupeFilter, BloomParams, RedisBloomFilter

__all__ = ["redis_prefix", "redis_url"]  # fixtures, imported for pytest


class BloomModuleServer:
    """A real Redis connection that also speaks RedisBloom's ``BF.RESERVE/ADD/EXISTS``."""

    filters: dict[str, dict[str, Any]] = {}  # noqa: RUF012 (shared: one "server" per test)

    def __init__(self, real: redis.Redis) -> None:
        self.real = real
        self.commands: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def execute_command(self, *args: Any) -> Any:
        name = str(args[0]).upper()
        if name == "MODULE" and str(args[1]).upper() == "LIST":
            return [[b"name", b"bf", b"ver", 20612]]
        if not name.startswith("BF."):
            return self.real.execute_command(*args)
        self.commands.append(args)
        key = str(args[1])
        if name == "BF.RESERVE":
            if key in self.filters:
                raise redis.ResponseError("ERR item exists")
            self.filters[key] = {"rate": float(args[2]), "capacity": int(args[3]), "items": set()}
            return b"OK"
        items: set[bytes] = self.filters[key]["items"]
        if name == "BF.ADD":
            new = args[2] not in items
            items.add(args[2])
            return int(new)
        if name == "BF.EXISTS":
            return int(args[2] in items)
        raise redis.ResponseError(f"unknown command {name}")

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        return FakePipeline(self)


class FakePipeline:
    def __init__(self, server: BloomModuleServer) -> None:
        self.server = server
        self.queued: list[tuple[Any, ...]] = []

    def execute_command(self, *args: Any) -> FakePipeline:
        self.queued.append(args)
        return self

    def expire(self, key: str, seconds: int) -> FakePipeline:
        return self.execute_command("EXPIRE", key, seconds)

    def execute(self) -> list[Any]:
        return [self.server.execute_command(*args) for args in self.queued]


def test_the_module_is_detected_and_used_for_add_and_contains(
    redis_url: str, redis_prefix: str
) -> None:
    server = BloomModuleServer(redis.Redis.from_url(redis_url))
    key = f"{redis_prefix}:seen"
    params = BloomParams.for_capacity(1000, 1e-4)
    first = RedisBloomFilter(server, key, params, ttl=60)  # type: ignore[arg-type]
    second = RedisBloomFilter(server, key, BloomParams.for_capacity(9, 0.1), ttl=60)  # type: ignore[arg-type]
    assert first.use_module and second.use_module
    # the first member reserves the filter with its size; the second shares it (and adopts
    # the first one's parameters and salt from <key>:params, on the real server)
    assert server.commands[0] == ("BF.RESERVE", key, 1e-4, 1000)
    assert second.params == first.params and second.salt == first.salt
    assert server.filters[key]["capacity"] == 1000
    assert first.add(b"fp-1")
    assert not second.add(b"fp-1")
    assert second.add(b"fp-2")
    assert first.contains(b"fp-2") and not first.contains(b"fp-3")
    # the salt is part of what the module stores: a new generation gets new members
    used = [args for args in server.commands if args[0] != "BF.RESERVE"]
    assert [args[0] for args in used] == ["BF.ADD", "BF.ADD", "BF.ADD", "BF.EXISTS", "BF.EXISTS"]
    assert all(args[2].startswith(first.salt) for args in used)
    assert not server.real.exists(key)  # no bitmap was written


def test_the_dupefilter_runs_on_the_module(redis_url: str, redis_prefix: str) -> None:
    real = redis.Redis.from_url(redis_url)
    settings = Settings(redis_settings(redis_url, prefix=redis_prefix))
    settings.set("NEWSARCHIVE_SEEN_CAPACITY", 1000)
    server = BloomModuleServer(real)
    bloom = RedisBloomFilter(
        server,  # type: ignore[arg-type]
        f"{redis_prefix}:channel:seen",
        BloomParams.for_capacity(1000, 1e-6),
    )
    one = BloomDupeFilter(real, f"{redis_prefix}:channel:seen", bloom=bloom)
    url = "https://gz.news.cn/2024-05/15/c_1.htm"
    assert not one.request_seen(Request(url))
    assert one.request_seen(Request(url))
    assert one.request_seen(Request(url + "#comments"))
    assert not one.request_seen(Request(url.replace("c_1", "c_2")))
    assert [c[0] for c in server.commands] == ["BF.RESERVE", *["BF.ADD"] * 4]
