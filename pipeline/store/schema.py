"""The run store's tables and their migrations (alembic scripts in pipeline/migrations).

Migrations run on open only when the database is behind HEAD, so an up-to-date store costs one
SELECT, not an alembic import (alembic is already installed as a Prefect dependency)."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

# The newest migration in pipeline/migrations/versions (tests/test_store.py keeps this honest).
HEAD = "0004"
MIGRATIONS = Path(__file__).parent.parent / "migrations"



class UtcDateTime(sa.types.TypeDecorator):
    """A moment in UTC, read back with its timezone on every backend. PostgreSQL keeps the offset
    of a `timestamp with time zone`; SQLite stores the text without it and SQLAlchemy returns a
    naive datetime, which a report or the nightly dashboard would show as if it were local time.
    Values are written by `_now()` in UTC, so a naive one read back is UTC."""
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value


metadata = sa.MetaData()
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit", sa.String(500), nullable=False),
    sa.Column("evidence_dir", sa.Text, nullable=False),
    sa.Column("out_dir", sa.Text),
    sa.Column("rule_pack", sa.String(200)),
    sa.Column("lang", sa.String(8)),
    sa.Column("extractor_version", sa.String(50)),
    sa.Column("flow_run_id", sa.String(64)),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime()),
    sa.Column("status", sa.String(20), nullable=False),   # running | finished | failed
    sa.Column("documents", sa.Integer),
    sa.Column("errors", sa.Integer),
    sa.Column("warnings", sa.Integer),
    sa.Column("infos", sa.Integer),
    sa.Column("failure", sa.Text),
    sa.Column("report_json", sa.Text),
    sa.Index("ix_runs_unit_started", "unit", "started_at"),
)
run_flags = sa.Table(
    "run_flags", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("flag_id", sa.String(16)),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("code", sa.String(100), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("indicator", sa.String(50)),
    sa.Column("documents", sa.Text, nullable=False),      # JSON list of relative paths
    sa.Column("status", sa.String(20), nullable=False),   # open | waived | acknowledged …
    sa.Index("ix_run_flags_run", "run_id"),
    sa.Index("ix_run_flags_key", "key"),
)
extractions = sa.Table(
    "extractions", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("extractor_version", sa.String(50), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("ocr_pages", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),    # zlib(JSON of Extraction.to_dict(words=False))
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # zlib(JSON {page number: [[text, left, top, width, height, conf], …]}), NULL without OCR words
    sa.Column("words", sa.LargeBinary, nullable=True),
)


understandings = sa.Table(
    "understandings", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("code_version", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),    # zlib(JSON {doc_type, confidence, fields})
    sa.Column("created_at", UtcDateTime(), nullable=False),
)


file_identities = sa.Table(
    "file_identities", metadata,
    sa.Column("root", sa.Text, primary_key=True),       # the evidence folder, resolved
    sa.Column("path", sa.Text, primary_key=True),       # absolute path of the file
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    sa.Column("ctime_ns", sa.BigInteger, nullable=False),
    sa.Column("inode", sa.BigInteger, nullable=False),
    sa.Column("device", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("hashed_at_ns", sa.BigInteger, nullable=False),
)
_IDENTITY_FIELDS = ("size", "mtime_ns", "ctime_ns", "inode", "device", "sha256", "kind", "hashed_at_ns")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers (a report being built) never block the writer (documents finishing), and a
    # committed row survives kill -9. NORMAL sync is durable across process death in WAL mode.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _current_revision(conn) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: sa.Engine, dialect: str) -> None:
    """Bring the database to HEAD (a no-op, one SELECT, when it is there)."""
    with _migration_lock(engine, dialect):
        with engine.connect() as conn:
            current = _current_revision(conn)
            if current == HEAD:
                return
            from alembic import command
            from alembic.config import Config
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()


@contextlib.contextmanager
def _migration_lock(engine: sa.Engine, dialect: str) -> Iterator[None]:
    """Two first runs at once must not both create the tables."""
    if dialect == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            yield
            return
        import fcntl

        from pipeline.report.output import open_lock_file
        fd = open_lock_file(f"{path}.migrate.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
    elif dialect == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(4242001)"))
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(4242001)"))
                conn.commit()
    else:
        yield
