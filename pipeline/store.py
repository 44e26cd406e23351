"""The run store: history of runs and their flags, and the extraction cache.

One database, SQLite by default (`data_dir()/store.sqlite`), PostgreSQL by URL. Chosen by
`--store PATH_OR_URL`, else env BUKTI_STORE, else the default file; `none` turns it off.

Why a database rather than files beside the report: a nightly run over many units wants "what
changed since the last run of this unit" whatever report folder was used, and the extraction cache
is shared by every unit and every report folder (the same SK is often filed under two indicators,
and the same scan is re-checked every night). The cache is keyed by (file sha256,
EXTRACTOR_VERSION): an unchanged file is never read again, and bumping the extractor version
misses only the cache, never the run history.

Migrations are alembic scripts in pipeline/migrations (alembic is already installed as a Prefect
dependency, so it costs nothing); they run on open only when the database is behind HEAD, so an
up-to-date store costs one SELECT, not an alembic import.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
import zlib
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import event

from extractors.model import EXTRACTOR_VERSION, Extraction, Word

# The newest migration in pipeline/migrations/versions (tests/test_store.py keeps this honest).
HEAD = "0004"
MIGRATIONS = Path(__file__).parent / "migrations"
OFF = {"none", "off", "no", "false", "0", ""}
_log = logging.getLogger("bukti.store")

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
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
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
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # zlib(JSON {page number: [[text, left, top, width, height, conf], …]}), NULL without OCR words
    sa.Column("words", sa.LargeBinary, nullable=True),
)


understandings = sa.Table(
    "understandings", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("code_version", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),    # zlib(JSON {doc_type, confidence, fields})
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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


def understanding_version() -> str:
    """Fingerprint of everything the understand stage runs (extractors/ code and vocabularies).

    Classification and field extraction change more often than anyone remembers to bump a
    version, so their cache is keyed by the code itself: any edit under extractors/ misses it."""
    global _understanding_version
    if _understanding_version is None:
        import hashlib
        import extractors
        base = Path(extractors.__file__).parent
        h = hashlib.sha256(EXTRACTOR_VERSION.encode())
        for path in sorted(p for p in base.rglob("*") if p.suffix in (".py", ".yaml", ".yml", ".json", ".txt")):
            h.update(path.relative_to(base).as_posix().encode())
            h.update(path.read_bytes())
        _understanding_version = h.hexdigest()[:32]
    return _understanding_version


_understanding_version: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def default_path() -> Path:
    from pipeline.settings import data_dir
    return data_dir() / "store.sqlite"


def resolve_url(spec: str | None = None) -> str | None:
    """`--store` value (or None) → SQLAlchemy URL, or None when the store is turned off."""
    if spec is None:
        spec = os.environ.get("BUKTI_STORE")
    if spec is None:
        return f"sqlite:///{default_path()}"
    spec = spec.strip()
    if spec.lower() in OFF:
        return None
    if "://" in spec:
        return spec
    return f"sqlite:///{Path(spec).expanduser().resolve()}"


def cacheable(extraction: Extraction) -> bool:
    """Only results that reading the same bytes again would reproduce.

    A page that timed out or crashed Tesseract may read fine tomorrow (a less busy machine), so
    such a result is not kept; a corrupt or unsupported file stays so for the same content."""
    return not any(p.error for p in extraction.pages) and not (
        extraction.error_reason or "").startswith("internal error")


def connect_timeout_s() -> int:
    """Seconds to wait for a database server to answer a connection (BUKTI_STORE_CONNECT_TIMEOUT,
    default 10; libpq counts whole seconds and treats 1 as 2)."""
    from extractors.limits import env_number
    return env_number("BUKTI_STORE_CONNECT_TIMEOUT", 10, int)


class Store:
    def __init__(self, url: str):
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
                kwargs["connect_args"] = {"connect_timeout": connect_timeout_s()}
        self.engine = sa.create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        # SQLite takes one writer at a time anyway; queueing our own threads here keeps them off
        # its busy-wait loop, and one lock per Store is enough for PostgreSQL too (writes are tiny).
        self._write_lock = threading.Lock()
        self._migrate()

    # ------------------------------------------------------------------ schema

    def _migrate(self) -> None:
        with self._migration_lock():
            with self.engine.connect() as conn:
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
    def _migration_lock(self) -> Iterator[None]:
        """Two first runs at once must not both create the tables."""
        if self.dialect == "sqlite":
            path = self.engine.url.database
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
        elif self.dialect == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_advisory_lock(4242001)"))
                try:
                    yield
                finally:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(4242001)"))
                    conn.commit()
        else:
            yield

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ extraction cache

    def get_extraction(self, sha256: str, version: str = EXTRACTOR_VERSION, *, words: bool = True
                       ) -> Extraction | None:
        """The cached extraction; `words=False` leaves out OCR word boxes (most of the bytes),
        which only the understand stage reads."""
        if not sha256:
            return None
        return self.get_extractions([sha256], version, words=words).get(sha256)

    def get_extractions(self, sha256s: list[str], version: str = EXTRACTOR_VERSION, *,
                        words: bool = False) -> dict[str, Extraction]:
        """Cached extractions of many files in a few queries: {sha256: Extraction}."""
        cols = [extractions.c.sha256, extractions.c.data] + ([extractions.c.words] if words else [])
        out: dict[str, Extraction] = {}
        with self.engine.connect() as conn:
            query = sa.select(*cols).where(extractions.c.extractor_version == version)
            for row in _rows_keyed(conn, query, extractions.c.sha256, sha256s):
                try:
                    ex = Extraction.from_dict(json.loads(zlib.decompress(row.data)))
                    if words and row.words:
                        _attach_words(ex, json.loads(zlib.decompress(row.words)))
                except (ValueError, TypeError, KeyError, zlib.error):
                    continue  # written by an incompatible build: read the file again
                out[row.sha256] = ex
        return out

    def cached_shas(self, sha256s: list[str], version: str = EXTRACTOR_VERSION) -> set[str]:
        """Which of these files have a cached extraction (keys only: nothing is decoded)."""
        out: set[str] = set()
        with self.engine.connect() as conn:
            query = sa.select(extractions.c.sha256).where(extractions.c.extractor_version == version)
            out.update(row.sha256 for row in _rows_keyed(conn, query, extractions.c.sha256, sha256s))
        return out

    def put_extraction(self, sha256: str, extraction: Extraction, version: str = EXTRACTOR_VERSION) -> bool:
        """Keep one completed extraction; committed at once so a killed run loses none of them."""
        if not sha256 or not cacheable(extraction):
            return False
        data = zlib.compress(json.dumps(extraction.to_dict(words=False), ensure_ascii=False,
                                        separators=(",", ":")).encode("utf-8"), 6)
        boxes = {str(p.number): [[w.text, w.left, w.top, w.width, w.height, w.conf] for w in p.words]
                 for p in extraction.pages if p.words}
        words = zlib.compress(json.dumps(boxes, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                              6) if boxes else None
        row = {"sha256": sha256, "extractor_version": version, "kind": extraction.kind,
               "pages": len(extraction.pages),
               "ocr_pages": sum(1 for p in extraction.pages if p.source == "ocr"),
               "data": data, "words": words, "created_at": _now()}
        stmt = self._insert(extractions).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=["sha256", "extractor_version"],
            set_={k: stmt.excluded[k] for k in ("kind", "pages", "ocr_pages", "data", "words", "created_at")})
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(stmt)
        return True

    def get_understanding(self, sha256: str) -> tuple[str, float, Any] | None:
        """(doc_type, confidence, Fields) cached for this content and this understand code."""
        if not sha256:
            return None
        return self.get_understandings([sha256]).get(sha256)

    def get_understandings(self, sha256s: list[str]) -> dict[str, tuple[str, float, Any]]:
        """{sha256: (doc_type, confidence, Fields)} for every file already understood."""
        from extractors.model import Fields
        out: dict[str, tuple[str, float, Any]] = {}
        with self.engine.connect() as conn:
            query = sa.select(understandings.c.sha256, understandings.c.data).where(
                understandings.c.code_version == understanding_version())
            for row in _rows_keyed(conn, query, understandings.c.sha256, sha256s):
                try:
                    d = json.loads(zlib.decompress(row.data))
                    out[row.sha256] = (d["doc_type"], float(d["confidence"]), Fields.from_dict(d["fields"]))
                except (ValueError, TypeError, KeyError, zlib.error):
                    continue
        return out

    def put_understanding(self, sha256: str, doc_type: str, confidence: float, fields: Any) -> None:
        from dataclasses import asdict
        if not sha256:
            return
        data = zlib.compress(json.dumps({"doc_type": doc_type, "confidence": confidence,
                                         "fields": asdict(fields)}, ensure_ascii=False,
                                        separators=(",", ":")).encode("utf-8"))
        stmt = self._insert(understandings).values(sha256=sha256, code_version=understanding_version(),
                                                   data=data, created_at=_now())
        stmt = stmt.on_conflict_do_update(index_elements=["sha256", "code_version"],
                                          set_={"data": stmt.excluded.data, "created_at": stmt.excluded.created_at})
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(stmt)

    def extraction_counts(self) -> dict[str, int]:
        """Cached extractions per extractor version."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(extractions.c.extractor_version, sa.func.count())
                                .group_by(extractions.c.extractor_version)).all()
        return {v: n for v, n in rows}

    def prune_extractions(self, keep_version: str = EXTRACTOR_VERSION) -> int:
        """Drop what no current extractor can use (other versions' results)."""
        with self._write_lock, self.engine.begin() as conn:
            result = conn.execute(sa.delete(extractions).where(
                extractions.c.extractor_version != keep_version))
            conn.execute(sa.delete(understandings).where(
                understandings.c.code_version != understanding_version()))
        return result.rowcount or 0

    # ------------------------------------------------------------------ file identities

    def get_identities(self, root: str) -> dict[str, Any]:
        """{absolute path: discover.Identity} recorded for the files under `root`."""
        from pipeline.discover import Identity
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(file_identities).where(file_identities.c.root == root)).all()
        return {r.path: Identity(**{k: getattr(r, k) for k in _IDENTITY_FIELDS}) for r in rows}

    def put_identities(self, root: str, items: list[tuple[str, Any]]) -> None:
        """Replace the identities recorded for `root` (files gone from the folder are dropped)."""
        rows = [{"root": root, "path": path, **{k: getattr(ident, k) for k in _IDENTITY_FIELDS}}
                for path, ident in items]
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(sa.delete(file_identities).where(file_identities.c.root == root))
            if rows:
                conn.execute(sa.insert(file_identities), rows)

    # ------------------------------------------------------------------ runs

    def start_run(self, *, unit: str, evidence_dir: str, out_dir: str | None = None,
                  rule_pack: str | None = None, lang: str | None = None,
                  flow_run_id: str | None = None) -> int:
        with self._write_lock, self.engine.begin() as conn:
            result = conn.execute(sa.insert(runs).values(
                unit=unit, evidence_dir=evidence_dir, out_dir=out_dir, rule_pack=rule_pack,
                lang=lang, extractor_version=EXTRACTOR_VERSION, flow_run_id=flow_run_id,
                started_at=_now(), status="running"))
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, report: dict) -> None:
        counts = report.get("summary", {}).get("flags", {})
        flags = [{"run_id": run_id, "flag_id": f.get("id"), "key": f.get("key") or f.get("id") or "",
                  "code": f["code"], "severity": f["severity"], "indicator": f.get("indicator"),
                  "documents": json.dumps(sorted(f.get("documents") or []), ensure_ascii=False),
                  "status": _flag_status(f)} for f in report.get("flags", [])]
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(sa.update(runs).where(runs.c.id == run_id).values(
                finished_at=_now(), status="finished",
                unit=report.get("unit") or runs.c.unit, rule_pack=report.get("rule_pack"),
                documents=report.get("summary", {}).get("documents"),
                errors=counts.get("error", 0), warnings=counts.get("warning", 0),
                infos=counts.get("info", 0),
                report_json=json.dumps(report, ensure_ascii=False, default=str)))
            conn.execute(sa.delete(run_flags).where(run_flags.c.run_id == run_id))
            if flags:
                conn.execute(sa.insert(run_flags), flags)

    def fail_run(self, run_id: int, reason: str) -> None:
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(sa.update(runs).where(runs.c.id == run_id).values(
                finished_at=_now(), status="failed", failure=reason[:4000]))

    def previous_report(self, unit: str, before_run_id: int | None = None) -> dict | None:
        """The report of the latest finished run of `unit` (before `before_run_id`, if given)."""
        query = (sa.select(runs.c.report_json)
                 .where(runs.c.unit == unit, runs.c.status == "finished",
                        runs.c.report_json.is_not(None))
                 .order_by(runs.c.id.desc()).limit(1))
        if before_run_id is not None:
            query = query.where(runs.c.id < before_run_id)
        with self.engine.connect() as conn:
            text = conn.execute(query).scalar()
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    def list_runs(self, unit: str | None = None, limit: int = 50) -> list[dict]:
        cols = [c for c in runs.c if c.name != "report_json"]
        query = sa.select(*cols).order_by(runs.c.id.desc()).limit(limit)
        if unit is not None:
            query = query.where(runs.c.unit == unit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def history(self, unit: str, limit: int = 10) -> list[dict]:
        """The unit's last `limit` finished runs, oldest first: when, the flag counts and the
        Pengungkit estimate (read from the run's report, which is the only place it is kept)."""
        query = (sa.select(runs.c.finished_at, runs.c.errors, runs.c.warnings, runs.c.infos, runs.c.report_json)
                 .where(runs.c.unit == unit, runs.c.status == "finished")
                 .order_by(runs.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out = []
        for r in reversed(rows):
            try:
                score = (json.loads(r.report_json) if r.report_json else {}).get("score") or {}
            except ValueError:
                score = {}
            out.append({"at": r.finished_at.isoformat(timespec="seconds") if r.finished_at else None,
                        "errors": r.errors, "warnings": r.warnings, "infos": r.infos,
                        "pengungkit": score.get("pengungkit")})
        return out

    def run_flags(self, run_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(run_flags).where(run_flags.c.run_id == run_id)
                                .order_by(run_flags.c.flag_id)).all()
        return [{**dict(r._mapping), "documents": json.loads(r.documents)} for r in rows]

    def _insert(self, table: sa.Table):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)


def _rows_keyed(conn, select: sa.Select, key: sa.Column, keys: list[str], size: int = 500) -> Iterator:
    """Rows of `select` whose `key` is one of `keys`, a few IN queries (SQLite allows 999 bound
    parameters per statement in older builds)."""
    wanted = sorted({k for k in keys if k})
    for i in range(0, len(wanted), size):
        yield from conn.execute(select.where(key.in_(wanted[i:i + size])))


def _attach_words(extraction: Extraction, boxes: dict[str, list[list]]) -> None:
    for page in extraction.pages:
        rows = boxes.get(str(page.number))
        if rows:
            page.words = [Word(text=t, left=l, top=tp, width=w, height=h, conf=c) for t, l, tp, w, h, c in rows]


def _flag_status(flag: dict) -> str:
    review = flag.get("review")
    if isinstance(review, dict):
        return str(review.get("status") or review.get("decision") or review.get("action") or "reviewed")
    if isinstance(review, str) and review:
        return review
    return "open"


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


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def get_store(url: str | None) -> Store | None:
    """The process's Store for `url` (one engine per URL, shared by every thread and sub-flow)."""
    if url is None:
        return None
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = Store(url)
        return store


# ---------------------------------------------------------------------- flow helpers
# The check flow records its run through these: each tolerates no store (turned off) and a store
# that fails mid-run (a full disk, PostgreSQL gone), because history must never cost a report.

def open_run_store(spec: str | None) -> tuple[Store | None, str | None]:
    url = resolve_url(spec)
    try:
        return get_store(url), url
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


def record_start(store: Store | None, **run: Any) -> int | None:
    """`run`: the run's columns; the orchestrator passes its own run id as `flow_run_id`."""
    if store is None:
        return None
    try:
        return store.start_run(**run)
    except Exception as exc:
        _log.warning("run store: cannot record the run: %s", exc)
        return None


def record_finish(store: Store | None, run_id: int | None, report: dict) -> None:
    if store is None or run_id is None:
        return
    try:
        store.finish_run(run_id, report)
    except Exception as exc:
        _log.warning("run store: cannot record the run's result: %s", exc)


def record_failure(store: Store | None, run_id: int | None, exc: BaseException) -> None:
    if store is None or run_id is None:
        return
    try:
        store.fail_run(run_id, f"{exc.__class__.__name__}: {exc}")
    except Exception as err:
        _log.warning("run store: cannot record the run's failure: %s", err)


def previous_report(store: Store | None, unit: str, run_id: int | None) -> dict | None:
    if store is None:
        return None
    try:
        return store.previous_report(unit, before_run_id=run_id)
    except Exception as exc:
        _log.warning("run store: cannot read the previous run: %s", exc)
        return None


def unit_history(store: Store | None, unit: str, limit: int = 10) -> list[dict]:
    """Store.history, or nothing when there is no store or it cannot be read (a trend is never
    worth a failed night)."""
    if store is None:
        return []
    try:
        return store.history(unit, limit)
    except Exception as exc:
        _log.warning("run store: cannot read the history of %s: %s", unit, exc)
        return []


class StoreError(Exception):
    """The run store named on the command line cannot be used (exit 2, one line)."""

    _TEXT = {"id": "basis data riwayat (--store) tidak dapat dibuka: {url} ({reason})",
             "en": "the run store (--store) cannot be opened: {url} ({reason})"}

    def __init__(self, url: str | None, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason

    def message(self, lang: str = "id") -> str:
        return self._TEXT.get(lang, self._TEXT["id"]).format(url=_safe(self.url), reason=self.reason)


def check_store(spec: str | None) -> Store | None:
    """Open (and migrate) the store before any Prefect start-up, so a bad --store costs one line."""
    try:
        url = resolve_url(spec)
        return get_store(url)
    except ModuleNotFoundError as exc:
        raise StoreError(spec, f"database driver missing: {exc.name}; for PostgreSQL install "
                               "psycopg (pip install 'psycopg[binary]') and use postgresql+psycopg://…") from None
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        raise StoreError(spec if spec is not None else resolve_url(None), reason) from None
