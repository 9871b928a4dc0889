"""Alembic environment: runs on the connection fusioncell hands it (see fusioncell.db.migrate)."""

from alembic import context

from fusioncell.db.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `fusioncell db upgrade`, which passes the connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
