"""The fleet's frontier as a reliable queue: a request a member took is leased, not popped.

scrapy-redis 0.9's queues (``FifoQueue``, ``PriorityQueue``, ``LifoQueue``) remove a request
from Redis when a member takes it; a member killed before it fetched and parsed the page loses
it for good (and, for a list page, everything only that page links to). scrapy-redis has no
acknowledgement of its own, so :class:`LeasedPriorityQueue` adds the reliable-queue pattern on
top of its priority queue, in Lua so that each step is one atomic server-side operation:

* **take**: the highest-priority request moves from the frontier (``…:requests``, a sorted set,
  as scrapy-redis keeps it) into ``…:requests:taken`` (hash: lease id → priority and payload)
  with a deadline in ``…:requests:leases`` (sorted set: lease id → expiry, Redis server time in
  milliseconds);
* **renew**: a live member pushes the deadline of every lease it holds forward, every third of
  ``NEWSARCHIVE_FLEET_LEASE`` seconds (:class:`~newsarchive.distributed.fleet.FleetScheduler`);
* **ack**: once the response's callback output went all the way through (links scheduled,
  item pushed), the lease is deleted; a request replaced by another (a retry, a redirect, a
  request put off by fleet politeness) is acknowledged in the same transaction that queues its
  replacement;
* **reclaim**: every take first returns expired leases (a member killed, frozen or cut off)
  to the frontier, with their priority, and moves requests put off until now
  (``…:requests:later``, sorted set by due time) back to the frontier too.

Delivery is therefore at least once: a member that dies after pushing an item but before the
ack has its page fetched again by another member, and the writer's store is idempotent.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import Request
from scrapy_redis.queue import Base

from newsarchive.distributed.bloom import SeenClaim

logger = logging.getLogger(__name__)

#: Meta key of the lease a request was taken under.
LEASE_META = "na_lease"

#: Shared by the take and reclaim scripts: expired leases and due deferred requests go back.
_RECLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function back(entry)
  local sep = string.find(entry, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, sep - 1)), string.sub(entry, sep + 1))
end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 500)
for _, entry in ipairs(due) do
  redis.call('ZREM', KEYS[2], entry)
  back(entry)
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 500)
for _, id in ipairs(expired) do
  local entry = redis.call('HGET', KEYS[4], id)
  if entry then back(entry) end
  redis.call('HDEL', KEYS[4], id)
  redis.call('ZREM', KEYS[3], id)
end
"""

#: KEYS: frontier, later, leases, taken, sequence; ARGV: lease in ms.
_TAKE = (
    _RECLAIM
    + """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return {#expired} end
redis.call('ZREM', KEYS[1], top[1])
local id = tostring(redis.call('INCR', KEYS[5]))
redis.call('HSET', KEYS[4], id, top[2] .. '\\n' .. top[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), id)
return {#expired, id, top[1]}
"""
)

#: KEYS: frontier, later, leases, taken; returns how many leases expired.
_RECLAIM_ONLY = _RECLAIM + "\nreturn #expired\n"

#: KEYS: leases; ARGV: lease in ms, ids...; returns the ids no longer leased (lost).
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i]) == 0 then
    if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then table.insert(lost, ARGV[i]) end
  end
end
return lost
"""

#: KEYS: frontier, leases, taken; ARGV: ids to give back to the frontier now.
_RELEASE = """
for i = 1, #ARGV do
  local entry = redis.call('HGET', KEYS[3], ARGV[i])
  if entry then
    local sep = string.find(entry, '\\n', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, sep - 1)),
               string.sub(entry, sep + 1))
  end
  redis.call('HDEL', KEYS[3], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
return #ARGV
"""

#: KEYS: frontier, leases, taken, seen-set, its parameters. ARGV: score, payload, the lease
#: id it replaces or '', '1' to queue it even if seen, the seen-set's TTL in seconds (0: none),
#: 'bits' (then the bit positions) or '' (no seen-set).
#: Returns 1 if the page was not in the seen-set.
_PUSH = """
local new = 1
if ARGV[6] == 'bits' then
  local ops = {}
  for i = 7, #ARGV do
    ops[#ops + 1] = 'SET'
    ops[#ops + 1] = 'u1'
    ops[#ops + 1] = ARGV[i]
    ops[#ops + 1] = 1
  end
  new = 0
  for _, old in ipairs(redis.call('BITFIELD', KEYS[4], unpack(ops))) do
    if old == 0 then new = 1 end
  end
end
if ARGV[6] ~= '' and tonumber(ARGV[5]) > 0 then
  redis.call('EXPIRE', KEYS[4], ARGV[5])
  redis.call('EXPIRE', KEYS[5], ARGV[5])
end
if new == 1 or ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
end
if ARGV[3] ~= '' then
  redis.call('HDEL', KEYS[3], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[3])
end
return new
"""

#: KEYS: later, leases, taken; ARGV: delay in ms, score, payload, lease id or ''.
_DEFER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2] .. '\\n' .. ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[3], ARGV[4])
  redis.call('ZREM', KEYS[2], ARGV[4])
end
return 1
"""


class LeasedPriorityQueue(Base):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's priority queue with leases (see the module docstring).

    ``lease`` is in seconds (``NEWSARCHIVE_FLEET_LEASE``, default 30): a member that has not
    renewed a lease for that long is taken for dead and its request goes back to the frontier.
    """

    def __init__(self, server: redis.Redis, spider: Any, key: str, serializer: Any = None):
        super().__init__(server, spider, key, serializer)
        self.later_key = f"{self.key}:later"
        self.leases_key = f"{self.key}:leases"
        self.taken_key = f"{self.key}:taken"
        self.seq_key = f"{self.key}:seq"
        settings = getattr(spider, "settings", None)
        lease = settings.getfloat("NEWSARCHIVE_FLEET_LEASE", 30.0) if settings else 30.0
        self.lease_ms = max(1, int(lease * 1000))
        self.held: set[str] = set()
        """Lease ids this process holds (renewed until acknowledged or released)."""
        self.reclaimed = 0
        """Leases of other (dead) members this process returned to the frontier."""
        self._take = server.register_script(_TAKE)
        self._reclaim = server.register_script(_RECLAIM_ONLY)
        self._renew = server.register_script(_RENEW)
        self._release = server.register_script(_RELEASE)
        self._defer = server.register_script(_DEFER)
        self._push = server.register_script(_PUSH)

    @property
    def keys(self) -> tuple[str, str, str, str]:
        return (self.key, self.later_key, self.leases_key, self.taken_key)

    def __len__(self) -> int:
        """Requests waiting in the frontier, put off for politeness, or leased by any member."""
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(self.key)
        pipe.zcard(self.later_key)
        pipe.zcard(self.leases_key)
        return sum(int(n) for n in pipe.execute())

    def ready(self) -> int:
        """Requests in the frontier, ready to be taken."""
        return int(self.server.zcard(self.key))

    def push(self, request: Request, *, claim: SeenClaim | None = None, force: bool = True) -> bool:
        """Queue *request*; if it replaces a leased one (retry, redirect), acknowledge that
        lease in the same step.

        With *claim* (:meth:`BloomDupeFilter.claim`) the page is claimed in the seen-set in
        that step too, and queued only if it was not there or *force*: a member killed at any
        moment leaves the page either unclaimed and unqueued (its parent, still leased, is
        parsed again by someone) or claimed and queued, never claimed and lost. Returns
        whether the page was new to the seen-set (always ``True`` without *claim*)."""
        old = request.meta.pop(LEASE_META, None)
        data = self._encode_request(request)
        keys = [self.key, self.leases_key, self.taken_key]
        args: list[Any] = [-request.priority, data, old or "", "1" if force else "0"]
        if claim is None:
            keys += [self.key, self.key]  # not touched: no seen-set
            args += [0, ""]
        else:
            keys += [claim.key, claim.params_key]
            args += [claim.ttl, "bits", *claim.positions]
        new = bool(self._push(keys=keys, args=args))
        if old is not None:
            self.held.discard(old)
        return new

    def defer(self, request: Request, seconds: float) -> None:
        """Queue *request* to come back to the frontier in *seconds* (Redis server time); if it
        was leased, acknowledge that lease in the same step."""
        old = request.meta.pop(LEASE_META, None)
        data = self._encode_request(request)
        keys = [self.later_key, self.leases_key, self.taken_key]
        self._defer(keys=keys, args=[int(seconds * 1000), -request.priority, data, old or ""])
        if old is not None:
            self.held.discard(old)

    def pop(self, timeout: int = 0) -> Request | None:
        """Take the highest-priority request under a new lease (``None``: frontier empty)."""
        result = self._take(keys=[*self.keys, self.seq_key], args=[self.lease_ms])
        self._count_reclaimed(int(result[0]))
        if len(result) < 3:
            return None
        lease = result[1].decode() if isinstance(result[1], bytes) else str(result[1])
        request: Request = self._decode_request(result[2])
        request.meta[LEASE_META] = lease
        self.held.add(lease)
        return request

    def reclaim(self) -> int:
        """Return expired leases and due deferred requests to the frontier; how many leases."""
        expired = int(self._reclaim(keys=list(self.keys)))
        self._count_reclaimed(expired)
        return expired

    def renew(self) -> list[str]:
        """Extend every lease this process holds; the ids it had lost (expired and reclaimed
        meanwhile: their pages will be fetched again by someone, harmlessly)."""
        if not self.held:
            return []
        lost = [
            x.decode() if isinstance(x, bytes) else str(x)
            for x in self._renew(keys=[self.leases_key], args=[self.lease_ms, *self.held])
        ]
        for lease in lost:
            self.held.discard(lease)
        if lost:
            logger.warning("%d leases expired before renewal (the process stalled)", len(lost))
        return lost

    def ack(self, request: Request) -> None:
        """*request* is done: its lease (if it had one) is forgotten."""
        lease = request.meta.pop(LEASE_META, None)
        if lease is None:
            return
        pipe = self.server.pipeline(transaction=True)
        pipe.hdel(self.taken_key, lease)
        pipe.zrem(self.leases_key, lease)
        pipe.execute()
        self.held.discard(lease)

    def release_all(self) -> int:
        """Give every lease this process holds back to the frontier (a member stopping with
        requests taken but not done); how many."""
        held = sorted(self.held)
        if held:
            self._release(keys=[self.key, self.leases_key, self.taken_key], args=held)
            logger.info("returned %d unfinished requests to the frontier", len(held))
        self.held.clear()
        return len(held)

    def clear(self) -> None:
        self.server.delete(self.key, self.later_key, self.leases_key, self.taken_key)

    def _count_reclaimed(self, n: int) -> None:
        if n:
            self.reclaimed += n
            logger.warning("returned %d requests of a dead fleet member to the frontier", n)
