"""the owner decides: threads wait for approval (``pending``; what ``publish`` froze to post
at once is now ``ready``), edits kept as versions, posts taken down (``deleting``,
``deleted``), what each post did (``metrics``), links checked live (``link_checks``)

Revision ID: 0008_owner
Revises: 0007_posts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_owner"
down_revision = "0007_posts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE threads SET status = 'ready' WHERE status = 'pending'")
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("edited_from", sa.String(64), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("link_failing_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("deleting_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delete_result", sa.String(16), nullable=True))
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("approve", sa.Boolean, nullable=True))
    op.create_table(
        "thread_edits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("texts", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("thread_id", "version", name="uq_thread_edits_version"),
    )
    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("post_id", sa.Text, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("impressions", sa.Integer, nullable=True),
        sa.Column("likes", sa.Integer, nullable=False),
        sa.Column("reposts", sa.Integer, nullable=False),
        sa.Column("replies", sa.Integer, nullable=False),
        sa.Column("quotes", sa.Integer, nullable=True),
        sa.Column("link_clicks", sa.Integer, nullable=True),
        sa.Column("cost_usd", sa.Float, nullable=False),
    )
    op.create_index("ix_metrics_thread_read_at", "metrics", ["thread_id", "read_at"])
    op.create_index("ix_metrics_post_read_at", "metrics", ["post_id", "read_at"])
    op.create_table(
        "link_checks",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("card_warning", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("link_checks")
    op.drop_index("ix_metrics_post_read_at", "metrics")
    op.drop_index("ix_metrics_thread_read_at", "metrics")
    op.drop_table("metrics")
    op.drop_table("thread_edits")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("approve")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("delete_result")
        batch.drop_column("deleted_at")
        batch.drop_column("deleting_at")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("link_failing_since")
        batch.drop_column("edited_at")
        batch.drop_column("edited_from")
    # Approval has no older meaning: a thread waiting for one is cancelled.
    op.execute("UPDATE threads SET status = 'cancelled' WHERE status = 'pending'")
    op.execute("UPDATE threads SET status = 'pending' WHERE status = 'ready'")
    op.execute("UPDATE threads SET status = 'posted' WHERE status IN ('deleting', 'deleted')")
