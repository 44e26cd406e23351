"""benchmarks/accuracy.py's scoring on a hand-made case whose precision and recall are counted by
hand: documents of two types read partly wrong, and flags right, wrong, missed, tolerated, waived."""
from __future__ import annotations

import pytest

from benchmarks.accuracy import Count, DocResult, prf, score_documents, score_flags


def test_document_type_and_fields_precision_and_recall():
    docs = [
        # right type; nomor right, NIP not read
        DocResult("fixtures", "scan", "sk_upg", "sk_upg",
                  {"nomor": ("1/SK/2024", "1/SK/2024", True), "signatory_nip": (None, "1980", False)}),
        # taken for an sk_upg; nomor read wrong
        DocResult("fixtures", "scan", "sk_wbs", "sk_upg", {"nomor": ("2/SK", "3/SK", False)}),
        # no type at all (unknown is not a type given); nomor given where the truth has none
        DocResult("fixtures", "photo", "sk_wbs", "unknown", {"nomor": ("4/SK", None, False)}),
        # nothing given where nothing is: not counted
        DocResult("fixtures", "photo", "sk_wbs", "sk_wbs", {"nomor": (None, None, False)}),
        # a document whose type is not judged
        DocResult("dev", "photo", "sk_wbs", "sk_upg", {"unit": ("Dinas X", "Dinas X", True)}, typed=False),
    ]
    s = score_documents(docs)
    assert s["type"]["sk_upg"] == Count(tp=1, fp=1, fn=0)
    assert s["type"]["sk_wbs"] == Count(tp=1, fp=0, fn=2)
    assert prf(s["type"]["sk_upg"]) == (0.5, 1.0)
    assert prf(s["type"]["sk_wbs"]) == (1.0, pytest.approx(1 / 3))
    assert s["form_type"]["scan"] == Count(tp=1, fp=1, fn=1)
    assert s["form_type"]["photo"] == Count(tp=1, fp=0, fn=1)
    # nomor: one right, one wrong (a false value and a miss), one given where none is
    assert s["field"]["nomor"] == Count(tp=1, fp=2, fn=1)
    assert prf(s["field"]["nomor"]) == (pytest.approx(1 / 3), 0.5)
    assert s["field"]["signatory_nip"] == Count(tp=0, fp=0, fn=1)
    assert prf(s["field"]["signatory_nip"]) == (None, 0.0)
    assert s["field_form"]["nomor/photo"] == Count(tp=0, fp=1, fn=0)
    assert s["form_fields"]["photo"] == Count(tp=1, fp=1, fn=0)


def test_flags_precision_and_recall_by_code():
    expected = [
        {"code": "UNSIGNED", "path": "a.pdf"},
        {"code": "UNSIGNED", "path": "b.pdf"},
        {"code": "DUPLICATE_FILE", "documents": ["c.pdf", "d.pdf"]},
        {"code": "MISSING_EVIDENCE", "path": None, "doc_type": "sk_wbs"},
    ]
    reported = [
        {"code": "UNSIGNED", "severity": "error", "documents": ["a.pdf"]},
        {"code": "UNSIGNED", "severity": "error", "documents": ["e.pdf"]},          # false alarm
        {"code": "DUPLICATE_FILE", "severity": "warning", "documents": ["d.pdf", "c.pdf"]},
        {"code": "MISSING_EVIDENCE", "severity": "error", "documents": [], "doc_type": "sk_upg"},  # wrong type
        {"code": "MISFILED", "severity": "info", "documents": ["a.pdf"]},           # info: counted apart
        {"code": "UNIT_MISMATCH", "severity": "error", "documents": ["f.pdf"]},     # tolerated
        {"code": "UNIT_MISMATCH", "severity": "error", "documents": ["g.pdf"],
         "review": {"status": "waived"}},                                            # the reviewer's
    ]
    counts, info = score_flags(reported, expected, [{"code": "UNIT_MISMATCH", "path": "f.pdf"}])
    assert counts["UNSIGNED"] == Count(tp=1, fp=1, fn=1)
    assert prf(counts["UNSIGNED"]) == (0.5, 0.5)
    assert counts["DUPLICATE_FILE"] == Count(tp=1)
    assert counts["MISSING_EVIDENCE"] == Count(tp=0, fp=1, fn=1)
    assert prf(counts["MISSING_EVIDENCE"]) == (0.0, 0.0)
    assert "UNIT_MISMATCH" not in counts
    assert info == {"MISFILED": 1}
