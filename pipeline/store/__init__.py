"""The run store: history of runs and their flags (history.py), and the caches (cache.py), in one
database whose tables and migrations are schema.py.

SQLite by default (`store.sqlite` in bukti's data folder), PostgreSQL by URL. Chosen by `--store
PATH_OR_URL`, else BUKTI_STORE (pipeline/settings.py), else the default file; `none` turns it off.
Why a database rather than files beside the report: a nightly run over many units wants "what
changed since the last run of this unit" whatever report folder was used, and the extraction cache
is shared by every unit and every report folder. The stages see it through the `RunStore`
protocol (protocol.py).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from pipeline.exitcodes import ExitCode
from pipeline.settings import Settings, current, data_dir
from pipeline.store.cache import Caches, cacheable, understanding_version
from pipeline.store.history import (History, previous_report, record_failure, record_finish,
                                    record_start)
from pipeline.store.protocol import RunStore
from pipeline.store.schema import HEAD, MIGRATIONS, _sqlite_pragmas, metadata, migrate

__all__ = ["HEAD", "MIGRATIONS", "OFF", "RunStore", "Store", "StoreError", "cacheable", "check_store",
           "default_path", "get_store", "metadata", "open_run_store", "previous_report", "record_failure",
           "record_finish", "record_start", "resolve_url", "understanding_version"]

OFF = {"none", "off", "no", "false", "0", ""}
_log = logging.getLogger("bukti.store")


def default_path(settings: Settings | None = None) -> Path:
    return data_dir(settings) / "store.sqlite"


def resolve_url(spec: str | None = None, settings: Settings | None = None) -> str | None:
    """`--store` value (or None: the BUKTI_STORE setting) → SQLAlchemy URL, or None when the store
    is turned off."""
    if spec is None:
        settings = current(settings)
        spec = settings.store
        if spec is None:
            return f"sqlite:///{default_path(settings)}"
    spec = spec.strip()
    if spec.lower() in OFF:
        return None
    if "://" in spec:
        return spec
    return f"sqlite:///{Path(spec).expanduser().resolve()}"


class Store(Caches, History):
    def __init__(self, url: str, settings: Settings | None = None):
        self.url = url
        self.dialect = sa.engine.make_url(url).get_backend_name()
        kwargs: dict[str, Any] = {"future": True}
        if self.dialect == "sqlite":
            path = sa.engine.make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Waits for another process's write rather than failing at once.
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
            if self.dialect == "postgresql":
                # libpq's own default is to wait as long as TCP does (~130 s) for a server that
                # accepts and never answers; every command would stall that long.
                kwargs["connect_args"] = {"connect_timeout": current(settings).store_connect_timeout_s}
        self.engine = sa.create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        # SQLite takes one writer at a time anyway; queueing our own threads here keeps them off
        # its busy-wait loop, and one lock per Store is enough for PostgreSQL too (writes are tiny).
        self._write_lock = threading.Lock()
        migrate(self.engine, self.dialect)

    def close(self) -> None:
        self.engine.dispose()

    def _insert(self, table: sa.Table):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def get_store(url: str | None, settings: Settings | None = None) -> Store | None:
    """The process's Store for `url` (one engine per URL, shared by every thread and sub-flow)."""
    if url is None:
        return None
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = Store(url, settings)
        return store


def open_run_store(spec: str | None, settings: Settings | None = None) -> tuple[Store | None, str | None]:
    url = resolve_url(spec, settings)
    try:
        return get_store(url, settings), url
    except Exception as exc:
        _log.warning("run store %s cannot be opened, running without it: %s", _safe(url), exc)
        return None, None


def _safe(url: str | None) -> str:
    """A URL fit for a log line (no password)."""
    if not url:
        return str(url)
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<store>"


class StoreError(Exception):
    """The run store named on the command line cannot be used (exit 2, one line)."""
    exit_code = ExitCode.USAGE

    def __init__(self, url: str | None, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason

    def message(self, lang: str = "id") -> str:
        from pipeline.i18n import text
        return text("cli", "store_unusable", lang, url=_safe(self.url), reason=self.reason)


def check_store(spec: str | None, settings: Settings | None = None) -> Store | None:
    """Open (and migrate) the store before any Prefect start-up, so a bad --store costs one line."""
    try:
        url = resolve_url(spec, settings)
        return get_store(url, settings)
    except ModuleNotFoundError as exc:
        raise StoreError(spec, f"database driver missing: {exc.name}; for PostgreSQL install "
                               "psycopg (pip install 'psycopg[binary]') and use postgresql+psycopg://…") from None
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        raise StoreError(spec if spec is not None else resolve_url(None, settings), reason) from None

