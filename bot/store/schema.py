"""The store's data model on one page: every table, as the named migrations leave it.

    threads ─┬─< posts          a frozen thread and each of its posts, in order
             └─< media          a post's chart (PNG, alt text, the network's media id)
    accounts                    per account and network: a rate limit any daemon met
    daemons                     who runs, on which host, and their heartbeats
    feeds ───< feed_entries     followed feeds and every entry seen in them
    meta                        key/value leftovers (the X handle before accounts)

A thread is one section (or a post's digest) for one account on one network; its posts
are what goes out, exactly as frozen. Statuses are :mod:`bot.lifecycle`'s. Alembic's
``alembic_version`` table says which of :data:`REVISIONS` the store is at.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.settings import DEFAULT_ACCOUNT

# The Alembic revisions in bot/store/migrations/versions, oldest first (a test checks).
REVISIONS = (
    "0001_initial",
    "0002_media",
    "0003_claim_lease",
    "0004_feeds",
    "0005_accounts",
    "0006_identity",
    "0007_posts",
)
HEAD = REVISIONS[-1]

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

threads_table = sa.Table(
    "threads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # The thread's id as previews show it (``slug#5``, ``slug#digest``).
    sa.Column("key", sa.String(300), nullable=False, index=True),
    # The article file or, for a followed feed, the post's URL.
    sa.Column("article", sa.Text, nullable=False),
    sa.Column("section_index", sa.Integer, nullable=False),
    sa.Column("section", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
    # The claim: who posts it (host:pid:nonce), on which host, until when, since when.
    sa.Column("claimed_by", sa.String(100), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("cost_usd", sa.Float, nullable=False),
    sa.Column("claim_host", sa.String(255), nullable=True),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("account", sa.String(64), nullable=False, server_default=DEFAULT_ACCOUNT),
    sa.Column("network", sa.String(16), nullable=False, server_default="x"),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_threads_status_due_at", "status", "due_at"),
    sa.Index("ix_threads_account_status_due_at", "account", "network", "status", "due_at"),
)

posts_table = sa.Table(
    "posts",
    metadata,
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("has_url", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # The network's id of the post (X's number, Bluesky's at:// URI, Mastodon's id).
    sa.Column("post_id", sa.Text, nullable=True),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    # Decided and committed before the first request: Bluesky's record key or
    # Mastodon's Idempotency-Key, so a retry can never make a second post.
    sa.Column("post_key", sa.String(64), nullable=True),
    # The first `sending` of this post: a post found for a lost answer must be newer.
    sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_posts_status_posted_at", "status", "posted_at"),
)

media_table = sa.Table(
    "media",
    metadata,
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("png", sa.LargeBinary, nullable=False),
    sa.Column("alt_text", sa.Text, nullable=False),
    # The network's id of the uploaded image, reused while the network keeps it.
    sa.Column("media_id", sa.Text, nullable=True),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
)

accounts_table = sa.Table(
    "accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("network", sa.String(16), primary_key=True, server_default="x"),
    # A 429 or daily cap seen by any daemon: no daemon posts for it before then.
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("blocked_reason", sa.Text, nullable=True),
    sa.Column("username", sa.String(64), nullable=True),
    # Where the account's posts are seen (a Mastodon instance): links in listings.
    sa.Column("home_url", sa.Text, nullable=True),
)

daemons_table = sa.Table(
    "daemons",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("max_threads", sa.Integer, nullable=False),
    sa.Column("version", sa.String(32), nullable=False),
)

feeds_table = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("slots", sa.Text, nullable=True),
    sa.Column("timezone", sa.String(64), nullable=True),
    sa.Column("sections", sa.String(16), nullable=False),
    sa.Column("backfill", sa.Integer, nullable=False),
    sa.Column("poll_minutes", sa.Float, nullable=True),
    sa.Column("account", sa.String(64), nullable=True),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_result", sa.Text, nullable=True),
    sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
    sa.Column("seeded_at", sa.DateTime(timezone=True), nullable=True),
    # Comma-separated networks the feed's posts become threads on (None: the config's).
    sa.Column("networks", sa.String(64), nullable=True),
)

entries_table = sa.Table(
    "feed_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id"), nullable=False),
    sa.Column("entry_key", sa.Text, nullable=False),
    sa.Column("canonical_url", sa.Text, nullable=True, index=True),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("published", sa.DateTime(timezone=True), nullable=True),
    # An EntryState (bot.store.records).
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("edits", sa.Integer, nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("feed_id", "entry_key", name="uq_feed_entries_key"),
)
