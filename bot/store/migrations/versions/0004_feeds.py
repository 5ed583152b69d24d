"""feeds: followed feeds and every entry seen in them

Revision ID: 0004_feeds
Revises: 0003_claim_lease
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_feeds"
down_revision = "0003_claim_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
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
        # Set by the first successful poll: what the feed held then is marked seen.
        sa.Column("seeded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "feed_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id"), nullable=False),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("canonical_url", sa.Text, nullable=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("edits", sa.Integer, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("feed_id", "entry_key", name="uq_feed_entries_key"),
    )
    op.create_index("ix_feed_entries_canonical_url", "feed_entries", ["canonical_url"])


def downgrade() -> None:
    op.drop_index("ix_feed_entries_canonical_url", "feed_entries")
    op.drop_table("feed_entries")
    op.drop_table("feeds")
