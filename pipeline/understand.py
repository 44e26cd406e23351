"""Understand stage: turn one extracted file into a Document (type, confidence, fields).

Reading the file (and its extraction cache) is the read path, pipeline/read.py."""
from __future__ import annotations

import importlib
import logging
import threading

from extractors.model import Extraction
from rules.model import Document

from pipeline.discover import FoundFile
from pipeline.store.protocol import RunStore

# The classifier and the field layer are imported on first use: a warm re-check classifies
# nothing, and their imports (spaCy, rapidfuzz …) cost it time.
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
    understood waits for spaCy to load, which is most of what one re-scanned file costs beyond
    its OCR, and the report writers' imports (openpyxl) would lengthen the single-threaded end of
    the run (benchmarks/RESULTS.md, 'Measurements behind the code'). Join the thread before the process may exit."""
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


_log = logging.getLogger("bukti.understand")


def understand(found: FoundFile, extraction: Extraction, store: RunStore | None = None, known=None) -> Document:
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
