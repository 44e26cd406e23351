"""fields.subject: the mechanism an evaluation, follow-up or activity report is about."""
from __future__ import annotations

import random

import pytest

from extractors.classify import classify
from extractors.extract import extract_file
from extractors.fields import extract_fields
from extractors.fields.subject import subject_in
from extractors.sniff import sniff
from fixtures.doctypes.evaluations import EVALUATED, FOLLOWED_UP, SOCIALISED
from fixtures.documents import make_document
from fixtures.render.text_pdf import render_text_pdf
from fixtures.units import UNITS
from tests.test_fields_data import extraction, noisy


@pytest.mark.parametrize("title,expected", [
    ("LAPORAN EVALUASI PENERAPAN SOP TAHUN 2024", "sop"),
    ("LAPORAN EVALUASI PENERAPAN STANDAR OPERASIONAL PROSEDUR DALAM RANGKA PEMBANGUNAN ZONA INTEGRITAS", "sop"),
    ("LAPORAN MONITORING DAN EVALUASI PEMANFAATAN TEKNOLOGI INFORMASI", "spbe"),
    ("LAPORAN MONEV PENERAPAN SPBE", "spbe"),
    ("LAPORAN EVALUASI PELAKSANAAN KETERBUKAAN INFORMASI PUBLIK", "kip"),
    ("LAPORAN EVALUASI PENANGANAN PENGADUAN MASYARAKAT MELALUI APLIKASI SP4N-LAPOR!", "pengaduan"),
    ("LAPORAN TINDAK LANJUT HASIL SURVEI KEPUASAN MASYARAKAT SEMESTER I", "skm"),
    ("LAPORAN TINDAK LANJUT HASIL MONITORING DAN EVALUASI PEMBANGUNAN ZONA INTEGRITAS", "zi"),
    ("LAPORAN HASIL EVALUASI REVIU STANDAR PELAYANAN", "standar_pelayanan"),
    ("LAPORAN KEGIATAN SOSIALISASI WHISTLE BLOWING SYSTEM (WBS)", "wbs"),
    ("LAPORAN EVALUASI PELAKSANAAN MUTASI PEGAWAI", "mutasi"),
    ("LAPORAN LAYANAN INFORMASI PUBLIK TAHUN 2023", "kip"),
    ("LAPORAN EVALUASI PENGADAAN BARANG DAN JASA", None),      # not "pengaduan"
    ("LAPORAN KEGIATAN INTERNALISASI NILAI BERAKHLAK", None),
    ("LAP0RAN EVALUASl PENERAPAN STANDAR 0PERASIONAL PR0SEDUR", "sop"),   # OCR confusions
])
def test_subject_of_titles(title, expected):
    assert subject_in(title) == expected


CASES = ([("laporan_evaluasi", s) for s in EVALUATED] + [("laporan_tindak_lanjut", s) for s in FOLLOWED_UP]
         + [("laporan_kegiatan", s) for s in SOCIALISED])


def _pages(tmp_path, doc_type: str, subject: str, seed: int) -> list[str]:
    """The text layer of a generated report, read as the pipeline reads it."""
    unit = UNITS[sorted(UNITS)[seed % len(UNITS)]]
    spec = make_document(doc_type, unit, random.Random(seed), year=2024, subject=subject, kind="sosialisasi")
    assert spec.truth["fields"]["subject"] == subject
    path = tmp_path / f"{doc_type}-{subject}-{seed}.pdf"
    path.write_bytes(render_text_pdf(spec)[0])
    return [p.text for p in extract_file(path, sniff(path)).pages]


@pytest.mark.parametrize("doc_type,subject", CASES, ids=[f"{t}-{s}" for t, s in CASES])
def test_generated_reports_carry_their_subject(tmp_path, doc_type, subject):
    for seed in (1, 2):
        pages = _pages(tmp_path, doc_type, subject, seed)
        for text in (pages, noisy(pages, seed, rate=0.05)):
            ex = extraction(text)
            got_type = classify(ex)[0]
            assert got_type == doc_type
            assert extract_fields(ex, got_type).subject == subject


def test_subject_is_null_for_other_types(tmp_path):
    pages = _pages(tmp_path, "laporan_evaluasi", "sop", 3)
    assert extract_fields(extraction(pages), "laporan_monev").subject is None
