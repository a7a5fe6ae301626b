"""The SQLite archive: schema, migrations and the write API.

Writing goes through :class:`Store` (:mod:`newsarchive.store.writer`, the only module that
writes SQL); the schema is ``schema.sql`` plus :mod:`newsarchive.store.migrations`, documented
column by column in ``docs/schema.md``.
"""

from __future__ import annotations

from newsarchive.store.migrations import SCHEMA_VERSION, SchemaError, connect, migrate
from newsarchive.store.writer import (
    TAKEDOWN_ERRORS,
    DedupKeys,
    ItemResult,
    Outcome,
    ReextractSource,
    Store,
    StoreResult,
    utc_now,
)

__all__ = [
    "SCHEMA_VERSION",
    "TAKEDOWN_ERRORS",
    "DedupKeys",
    "ItemResult",
    "Outcome",
    "ReextractSource",
    "SchemaError",
    "Store",
    "StoreResult",
    "connect",
    "migrate",
    "utc_now",
]
