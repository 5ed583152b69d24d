"""The state store: what threadbot has frozen, queued and posted (SQLAlchemy Core).

- :mod:`.schema` — every table, on one page; :mod:`.records` — what queries return,
  each record made from its row in one place.
- :mod:`.connector` — :class:`Store`: the database, its clock, its transactions, and the
  queries grouped by job: ``threads``, ``queue`` (claims: :class:`~.queue.Claim`),
  ``deletions`` (:class:`~.deleting.DeleteClaim`), ``posts``, ``accounts``, ``daemons``,
  ``feeds``.
- :mod:`.connection` — engines per backend, a lost database as one error;
  :mod:`.migrating` — what a command may do with an older schema; ``migrations/`` —
  the named Alembic revisions; :mod:`.copying` — a store into a new, empty one.
"""

from __future__ import annotations

from bot.store.connector import Store
from bot.store.deleting import DeleteClaim, DeleteResult
from bot.store.migrating import SchemaPolicy, revision_of
from bot.store.queue import Claim
from bot.store.records import (
    AccountState,
    DaemonRecord,
    EntryRow,
    EntryState,
    FeedRecord,
    KnownEntry,
    LinkCheckRecord,
    MediaRecord,
    MetricsRecord,
    PostedPost,
    PostRecord,
    QueuedThread,
    RefusedEntry,
    ThreadRecord,
    ThreadSummary,
)
from bot.store.schema import HEAD, REVISIONS

__all__ = [
    "HEAD",
    "REVISIONS",
    "AccountState",
    "Claim",
    "DaemonRecord",
    "DeleteClaim",
    "DeleteResult",
    "EntryRow",
    "EntryState",
    "FeedRecord",
    "KnownEntry",
    "LinkCheckRecord",
    "MediaRecord",
    "MetricsRecord",
    "PostRecord",
    "PostedPost",
    "QueuedThread",
    "RefusedEntry",
    "SchemaPolicy",
    "Store",
    "ThreadRecord",
    "ThreadSummary",
    "revision_of",
]
