"""Alembic environment: the models' metadata, and the database of `store.engine.database_url()` (DATABASE_URL),
unless the caller passes a URL or an open connection in the config's attributes (store/migrations.py, tests)."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.engine import database_url, make_engine  # noqa: E402
import db  # noqa: E402,F401  (imports every table module, so the metadata holds every table)
from store.models import Base  # noqa: E402

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or database_url()


def _configure(**kwargs) -> None:
    # render_as_batch: SQLite cannot ALTER most things, so later revisions copy-and-move tables in batch mode
    context.configure(target_metadata=target_metadata, render_as_batch=True, compare_type=True, **kwargs)


def run_migrations_offline() -> None:
    """`--sql` mode: print the DDL instead of running it."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # the caller holds the transaction (and, on PostgreSQL, the migration lock)
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
