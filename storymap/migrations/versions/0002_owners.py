"""Owners, shares and read-only links: every story has an owner, every revision the user
who saved it. Stories kept before owners existed belong to the local user ("local").

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: storymap.library.LOCAL_USER, written out: a migration keeps the value it was written with
LOCAL_USER = "local"


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("owner", sa.Text, nullable=False, server_default=LOCAL_USER))
    op.create_index("stories_owner", "stories", ["owner"])
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("saved_by", sa.Text, nullable=False, server_default=LOCAL_USER))
    op.create_table(
        "grants",
        sa.Column("story_id", sa.String(32), sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user", sa.Text, primary_key=True),
        sa.Column("access", sa.String(8), nullable=False),
    )
    op.create_index("grants_user", "grants", ["user"])
    op.create_table(
        "links",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("story_id", sa.String(32), sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
    )
    op.create_index("links_story", "links", ["story_id"])


def downgrade() -> None:
    op.drop_index("links_story", table_name="links")
    op.drop_table("links")
    op.drop_index("grants_user", table_name="grants")
    op.drop_table("grants")
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("saved_by")
    op.drop_index("stories_owner", table_name="stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("owner")
