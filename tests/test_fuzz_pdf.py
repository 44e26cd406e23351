"""Bounded fuzz of PDF ingestion: ~200 deterministic mutations of a small real PDF (bit flips,
truncations, chunk duplications …), each through sniff + extract_file in-process. No exception may
escape, each must finish within a time bound, and the result is either readable or carries an error
code. OCR is stubbed (a mutated page that loses its text layer would otherwise cost a Tesseract run)."""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from extractors import ocr
from extractors.extract import extract_file
from extractors.sniff import sniff
from fixtures import hostile

SEED = 20240917
MUTATIONS = 200
PER_FILE_S = 5.0
ERROR_CODES = {"CORRUPT_FILE", "UNSUPPORTED_FILE", "UNREADABLE"}


@pytest.fixture
def no_tesseract(monkeypatch):
    calls = []

    def fake_read(load, **kw):
        img, _dpi = load()   # the page is still rendered: mutations that break rendering count
        calls.append(img.size)
        return ocr.OcrResult(text="", error="OCR stubbed in the fuzz test")

    monkeypatch.setattr(ocr, "read_page", fake_read)
    return calls


def test_mutated_pdfs_never_escape(tmp_path, no_tesseract):
    seed_pdf = hostile.text_pdf_bytes(hostile.PEOPLE + hostile.LINES, pages=2, tag="fuzz")
    rng = random.Random(SEED)
    outcomes: dict[str, int] = {}
    failures = []
    slowest = 0.0
    for n in range(MUTATIONS):
        what, data = hostile.mutate(seed_pdf, rng)
        path = tmp_path / f"m{n:03d}.pdf"
        path.write_bytes(data)
        start = time.monotonic()
        try:
            kind = sniff(path)
            ex = extract_file(path, kind)
        except Exception as e:  # the property under test: nothing escapes
            failures.append(f"#{n} {what}: {type(e).__name__}: {e}")
            continue
        elapsed = time.monotonic() - start
        slowest = max(slowest, elapsed)
        if elapsed > PER_FILE_S:
            failures.append(f"#{n} {what}: took {elapsed:.1f}s")
        if ex.error_code is None:
            if not ex.text.strip():
                failures.append(f"#{n} {what}: no error code and no text")
        elif ex.error_code not in ERROR_CODES or not ex.error_reason or "\n" in ex.error_reason:
            failures.append(f"#{n} {what}: bad error {ex.error_code!r} {ex.error_reason!r}")
        outcomes[ex.error_code or "readable"] = outcomes.get(ex.error_code or "readable", 0) + 1
        path.unlink()
    assert not failures, "\n".join(failures)
    # The mutations must exercise both sides, or the fuzz proves nothing.
    assert outcomes.get("readable", 0) > 10 and outcomes.get("CORRUPT_FILE", 0) > 10, outcomes
    print(f"fuzz outcomes {outcomes}, slowest {slowest:.2f}s")
