"""The store's data model on one page: every table, as the named migrations leave it.

    threads ─┬─< posts          a frozen thread and each of its posts, in order
             ├─< media          a post's chart (PNG, alt text, the network's media id)
             ├─< thread_edits   the texts each owner's edit replaced, by version
             └─< metrics        what a post did, one snapshot per read
    link_checks                 each link's last live check (blog and about: once a day)
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
    "0008_owner",
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
    # The content hash the article built, when the owner's edit replaced it (`edit`): the
    # same article scheduled again continues the edit, never overwrites it.
    sa.Column("edited_from", sa.String(64), nullable=True),
    sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
    # The first failed live check of the thread's links (retried for [links] recheck_hours).
    sa.Column("link_failing_since", sa.DateTime(timezone=True), nullable=True),
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
    # Taking it down: committed before the DELETE request, then its answer ("deleted", or
    # "gone": the network no longer had it).
    sa.Column("deleting_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delete_result", sa.String(16), nullable=True),
    sa.Index("ix_posts_status_posted_at", "status", "posted_at"),
)

thread_edits_table = sa.Table(
    "thread_edits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), nullable=False),
    # 1 for the texts as frozen from the article, then one more per edit.
    sa.Column("version", sa.Integer, nullable=False),
    # The version's post texts, a JSON array.
    sa.Column("texts", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("thread_id", "version", name="uq_thread_edits_version"),
)

metrics_table = sa.Table(
    "metrics",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("post_id", sa.Text, nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    # None where the network does not say (Bluesky's impressions, X's clicks read publicly).
    sa.Column("impressions", sa.Integer, nullable=True),
    sa.Column("likes", sa.Integer, nullable=False),
    sa.Column("reposts", sa.Integer, nullable=False),
    sa.Column("replies", sa.Integer, nullable=False),
    sa.Column("quotes", sa.Integer, nullable=True),
    sa.Column("link_clicks", sa.Integer, nullable=True),
    # What the read cost (X bills reading one's own posts), counted against [stats].
    sa.Column("cost_usd", sa.Float, nullable=False),
    sa.Index("ix_metrics_thread_read_at", "thread_id", "read_at"),
    sa.Index("ix_metrics_post_read_at", "post_id", "read_at"),
)

link_checks_table = sa.Table(
    "link_checks",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("card_warning", sa.Text, nullable=True),
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
    # Queue the feed's threads as `pending`, for the owner's yes (None: [feeds] approve).
    sa.Column("approve", sa.Boolean, nullable=True),
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
