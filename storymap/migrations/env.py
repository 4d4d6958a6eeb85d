"""Alembic's environment for the story library: run on the connection the library passes in."""

from alembic import context

from storymap.library import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
