"""Alembic environment: the URL comes from the caller's config (set by openiop.migrate)."""

import warnings

from alembic import context
from sqlalchemy import Connection

from openiop.db import get_engine
from openiop.models import Base

# SQLite cannot reflect expression indexes (ix_patients_name); the migration creates it anyway.
warnings.filterwarnings("ignore", message=".*expression-based index")

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with get_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        run(conn)
        conn.commit()
