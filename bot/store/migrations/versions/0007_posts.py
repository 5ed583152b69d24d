"""network-neutral names: a thread's posts are ``posts`` (not ``tweets``), a post's id on
its network ``post_id`` (not ``x_id``: it holds Bluesky's at:// URIs and Mastodon's ids
too), an uploaded image's ``media_id``

Revision ID: 0007_posts
Revises: 0006_identity
"""

from __future__ import annotations

from alembic import op

revision = "0007_posts"
down_revision = "0006_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tweets_status_posted_at", "tweets")
    op.rename_table("tweets", "posts")
    with op.batch_alter_table("posts") as batch:
        batch.alter_column("x_id", new_column_name="post_id")
    with op.batch_alter_table("media") as batch:
        batch.alter_column("x_media_id", new_column_name="media_id")
    op.create_index("ix_posts_status_posted_at", "posts", ["status", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_posts_status_posted_at", "posts")
    with op.batch_alter_table("media") as batch:
        batch.alter_column("media_id", new_column_name="x_media_id")
    with op.batch_alter_table("posts") as batch:
        batch.alter_column("post_id", new_column_name="x_id")
    op.rename_table("posts", "tweets")
    op.create_index("ix_tweets_status_posted_at", "tweets", ["status", "posted_at"])
