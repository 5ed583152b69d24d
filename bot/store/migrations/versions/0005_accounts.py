"""accounts, networks and daemons: every thread belongs to an account and a network;
per-account rate-limit state and the daemons' heartbeats live in the store, so daemons
on several machines respect them together; a post's idempotency key (Bluesky's record
key, Mastodon's Idempotency-Key) is stored before it is sent

Revision ID: 0005_accounts
Revises: 0004_feeds
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_accounts"
down_revision = "0004_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        # Existing threads were all posted by the one account there was.
        batch.add_column(
            sa.Column("account", sa.String(64), nullable=False, server_default="default")
        )
        batch.add_column(sa.Column("network", sa.String(16), nullable=False, server_default="x"))
    with op.batch_alter_table("tweets") as batch:
        batch.add_column(sa.Column("post_key", sa.String(64), nullable=True))
        # Post ids were X's numbers; Bluesky's are at:// URIs.
        batch.alter_column("x_id", type_=sa.Text, existing_type=sa.String(32))
    with op.batch_alter_table("media") as batch:
        # Bluesky's media id is its blob reference with the alt text.
        batch.alter_column("x_media_id", type_=sa.Text, existing_type=sa.String(32))
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("networks", sa.String(64), nullable=True))
    # The claim's per-account ordering and busy checks read threads by account and network.
    op.create_index(
        "ix_threads_account_status_due_at",
        "threads",
        ["account", "network", "status", "due_at"],
    )
    # Budgets and caps count recent posts on every claim: by index, not by scanning.
    op.create_index("ix_tweets_status_posted_at", "tweets", ["status", "posted_at"])
    op.create_table(
        "accounts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("network", sa.String(16), primary_key=True, server_default="x"),
        # A 429 or daily cap seen by any daemon: no daemon posts for it before then.
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_reason", sa.Text, nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
    )
    op.execute(sa.text("INSERT INTO accounts (name, network) VALUES ('default', 'x')"))
    op.create_table(
        "daemons",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_threads", sa.Integer, nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("daemons")
    op.drop_table("accounts")
    op.drop_index("ix_tweets_status_posted_at", "tweets")
    op.drop_index("ix_threads_account_status_due_at", "threads")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("networks")
    with op.batch_alter_table("tweets") as batch:
        batch.drop_column("post_key")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("network")
        batch.drop_column("account")
