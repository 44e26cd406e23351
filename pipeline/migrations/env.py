"""Alembic environment for the bukti run store.

bukti runs migrations itself (pipeline.store.Store, on first use) on the connection it already holds, so
there is no alembic.ini: the connection arrives in `config.attributes["connection"]`.
"""
from alembic import context

from pipeline.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
