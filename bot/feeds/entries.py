"""What a poll of a followed feed does with each entry: the rules, without I/O.

New means new. An entry is known by its id (guid/id, else its link); once seen it is
never queued again, however its date, title or text change later (a change is an
*edit*, counted and logged). An unknown entry whose canonical URL was already seen —
the same post through a category feed, http vs https, a utm parameter — is a
*duplicate*. On the first poll of a feed everything it holds is marked seen and
nothing is queued (no flood), except the ``backfill`` newest. An entry dated in the
future *waits* until its date. Everything else is *new*: validated and queued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.store.records import KnownEntry
from threads.feeds import FeedEntry


class EntryAction(StrEnum):
    NEW = "new"  # validate and queue
    WAIT = "wait"  # dated in the future: look again at its date
    SEEN = "seen"  # present when the feed was added: remembered, not queued
    DUPLICATE = "duplicate"  # the same post already came through (canonical URL)
    EDITED = "edited"  # known entry whose text changed: counted, never re-queued
    UNCHANGED = "unchanged"  # known entry, nothing to do


@dataclass(frozen=True)
class Classified:
    """An entry of a poll, what it is, and the digest its edits are told by."""

    entry: FeedEntry
    action: EntryAction
    content_hash: str


def entry_digest(entry: FeedEntry) -> str:
    """A digest of what a reader sees of the entry (title and text), to notice edits."""
    text = "\x00".join([entry.title, entry.content_html or "", entry.summary_html or ""])
    return hashlib.sha256(text.encode()).hexdigest()


def classify_entries(
    entries: Sequence[FeedEntry],
    known: Mapping[str, KnownEntry],
    seen_canonical: Collection[str],
    *,
    first_poll: bool,
    backfill: int,
    now: dt.datetime,
) -> list[Classified]:
    """What each entry of a poll is, in the feed's (newest first) order."""
    decisions: list[Classified] = []
    canonicals = set(seen_canonical)
    ids: set[str] = set()
    backfilled = 0
    for entry in entries:
        if entry.id in ids:
            continue  # a feed that lists one entry twice: the first (newest) counts
        ids.add(entry.id)
        digest = entry_digest(entry)
        record = known.get(entry.id)
        if record is not None:
            if record.waiting_until is not None:
                due = entry.published is None or entry.published <= now
                action = EntryAction.NEW if due else EntryAction.WAIT
            elif record.content_hash != digest:
                action = EntryAction.EDITED
            else:
                action = EntryAction.UNCHANGED
            decisions.append(Classified(entry, action, digest))
            continue
        canonical = entry.canonical
        if canonical is not None and canonical in canonicals:
            decisions.append(Classified(entry, EntryAction.DUPLICATE, digest))
            continue
        if canonical is not None:
            canonicals.add(canonical)
        if first_poll:
            if backfilled < backfill:
                backfilled += 1
                decisions.append(Classified(entry, _new_or_wait(entry, now), digest))
            else:
                decisions.append(Classified(entry, EntryAction.SEEN, digest))
            continue
        decisions.append(Classified(entry, _new_or_wait(entry, now), digest))
    return decisions


def _new_or_wait(entry: FeedEntry, now: dt.datetime) -> EntryAction:
    if entry.published is not None and entry.published > now:
        return EntryAction.WAIT
    return EntryAction.NEW
