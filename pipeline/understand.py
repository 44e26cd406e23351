"""Understand stage: turn one extracted file into a Document (type, confidence, fields)."""
from __future__ import annotations

import importlib
import logging
import os
import threading
from pathlib import Path

from extractors.model import ErrorKind, Extraction
from rules.model import Document

from pipeline.discover import FoundFile

# The readers and the classifier are imported on first use: a warm re-check reads no file and
# classifies nothing, and their imports (Tesseract, PDFium, rapidfuzz …) cost it ~0.15 s.
def extract_file(path: Path, kind: str) -> Extraction:
    from extractors.extract import extract_file as read
    return read(path, kind)


def classify(extraction: Extraction) -> tuple[str, float]:
    from extractors.classify import classify as run
    return run(extraction)


def extract_fields(extraction: Extraction, doc_type: str):
    from extractors.fields import extract_fields as run
    return run(extraction, doc_type)


def prepare_in_background(also_import: tuple[str, ...] = ()) -> threading.Thread:
    """Build the classifier's spaCy pipeline on a thread while files are being read, then import
    `also_import` (modules the run needs after reading).

    Reading a scan is Tesseract's work in other processes; without this, the first file to be
    understood waits ~1.5 s for spaCy to load, which is most of what one re-scanned file costs
    beyond its OCR, and the report writers' imports (openpyxl, ~0.2 s) would lengthen the
    single-threaded end of the run. Join the thread before the process may exit."""
    def build() -> None:
        try:
            from extractors.nlp import get_nlp
            get_nlp()
        except Exception as exc:  # the first real use will raise it where it can be reported
            _log.debug("spaCy warm-up failed: %s", exc)
        for name in also_import:
            try:
                importlib.import_module(name)
            except Exception as exc:
                _log.debug("warm-up import of %s failed: %s", name, exc)
    thread = threading.Thread(target=build, name="bukti-nlp-warmup", daemon=True)
    thread.start()
    return thread


# What discovery could not read becomes the flag a reviewer needs to see.
_SKIPPED_KINDS = {"link": ErrorKind.UNSUPPORTED_FILE, "special": ErrorKind.UNSUPPORTED_FILE, "missing": ErrorKind.CORRUPT_FILE}
_log = logging.getLogger("bukti.understand")


def extract(found: FoundFile, store=None) -> Extraction:
    return extract_cached(found, store)[0]


def extract_cached(found: FoundFile, store=None) -> tuple[Extraction, bool]:
    """(extraction, came from the run store's cache). `store` is a pipeline.store.Store or None.

    The result is stored as soon as this file is done, not at the end of the run, so a run that
    is killed keeps every extraction it finished (OCR is the expensive part)."""
    if found.skipped:
        return Extraction(kind=found.kind, error_code=_SKIPPED_KINDS.get(found.kind, ErrorKind.CORRUPT_FILE),
                          error_reason=found.skipped), False
    if store is not None:
        try:
            cached = store.get_extraction(found.sha256)
        except Exception as exc:  # an unreachable store costs speed, never the run
            _log.warning("run store unreadable, extracting %s again: %s", found.path, exc)
            cached = None
        if cached is not None:
            return cached, True
    from pipeline import readahead
    extraction = readahead.take(found) or extract_file(Path(found.abspath), found.kind)
    # A file that vanished or changed while it was read gives a result about no stable content:
    # caching it under the discovered sha256 would pin that failure on the file for good.
    if store is not None and _unchanged(found):
        try:
            store.put_extraction(found.sha256, extraction)
        except Exception as exc:
            _log.warning("run store unwritable, %s not cached: %s", found.path, exc)
    return extraction, False


def _unchanged(found: FoundFile) -> bool:
    try:
        return os.stat(found.abspath).st_size == found.size
    except OSError:
        return False


def understand(found: FoundFile, extraction: Extraction, store=None, known=None) -> Document:
    """`store` caches the result per content: a warm re-check then never loads the classifier.

    `known`: (doc_type, confidence, Fields) already fetched from the store by the caller."""
    doc = Document(path=found.path, sha256=found.sha256, size=found.size, kind=found.kind,
                   extraction=extraction)
    if extraction.error_code is None and extraction.text.strip():
        from pipeline.store import cacheable
        use_cache = store is not None and cacheable(extraction)
        cached = known
        if use_cache and cached is None:
            try:
                cached = store.get_understanding(found.sha256)
            except Exception as exc:
                _log.warning("run store unreadable, classifying %s again: %s", found.path, exc)
        if cached is not None:
            doc.doc_type, doc.doc_type_confidence, doc.fields = cached
            return doc
        if use_cache and not any(p.words for p in extraction.pages):
            # Cached extractions are fetched without OCR word boxes; the field layer wants them.
            try:
                extraction = store.get_extraction(found.sha256, words=True) or extraction
                doc.extraction = extraction
            except Exception as exc:
                _log.warning("run store unreadable, %s read without word boxes: %s", found.path, exc)
        doc.doc_type, doc.doc_type_confidence = classify(extraction)
        doc.fields = extract_fields(extraction, doc.doc_type)
        if use_cache:
            try:
                store.put_understanding(found.sha256, doc.doc_type, doc.doc_type_confidence, doc.fields)
            except Exception as exc:
                _log.warning("run store unwritable, %s not cached: %s", found.path, exc)
    return doc
