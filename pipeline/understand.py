"""Understand stage: turn one extracted file into a Document (type, confidence, fields)."""
from __future__ import annotations

from extractors.classify import classify
from extractors.extract import extract_file
from extractors.fields import extract_fields
from extractors.model import Extraction
from rules.model import Document

from .discover import FoundFile

# What discovery could not read becomes the flag a reviewer needs to see.
_SKIPPED_KINDS = {"link": "UNSUPPORTED_FILE", "missing": "CORRUPT_FILE"}


def extract(found: FoundFile) -> Extraction:
    if found.skipped:
        return Extraction(kind=found.kind, error_code=_SKIPPED_KINDS.get(found.kind, "CORRUPT_FILE"),
                          error_reason=found.skipped)
    from pathlib import Path
    return extract_file(Path(found.abspath), found.kind)


def understand(found: FoundFile, extraction: Extraction) -> Document:
    doc = Document(path=found.path, sha256=found.sha256, size=found.size, kind=found.kind,
                   extraction=extraction)
    if extraction.error_code is None and extraction.text.strip():
        doc.doc_type, doc.doc_type_confidence = classify(extraction)
        doc.fields = extract_fields(extraction, doc.doc_type)
    return doc
