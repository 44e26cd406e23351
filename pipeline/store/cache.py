"""The run store's caches: what reading a file gave (keyed by content and EXTRACTOR_VERSION), what
understanding it gave (keyed by content and the understand code's fingerprint), and the files'
stat identities (so an unchanged folder is not hashed again).

The same SK is often filed under two indicators and the same scan is re-checked every night: an
unchanged file is never read again, and bumping the extractor version misses only the cache,
never the run history."""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa

from extractors.model import EXTRACTOR_VERSION, Extraction, Word

from pipeline.store.schema import _IDENTITY_FIELDS, _now, extractions, file_identities, understandings


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


def cacheable(extraction: Extraction) -> bool:
    """Only results that reading the same bytes again would reproduce.

    A page that timed out or crashed Tesseract may read fine tomorrow (a less busy machine), so
    such a result is not kept; a corrupt or unsupported file stays so for the same content."""
    return not any(p.error for p in extraction.pages) and not (
        extraction.error_reason or "").startswith("internal error")


class Caches:
    """The cache methods of Store (pipeline/store/__init__.py holds the engine and write lock)."""

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
