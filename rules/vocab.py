"""Identifiers of the public contract (../shared/spec/vocabulary.yaml), copied so that the engine
runs without the shared folder; tests/test_rules_pack.py keeps the copy honest."""
from __future__ import annotations

DOC_TYPES = (
    "sk_tim_zi", "sk_agen_perubahan", "sk_upg", "sk_pengaduan", "sk_wbs", "sk_benturan_kepentingan",
    "sk_standar_pelayanan", "sk_sop", "sk_other", "pakta_integritas", "sop", "rencana_kerja_zi",
    "laporan_monev", "berita_acara_pencanangan", "notulen_rapat", "daftar_hadir",
    "maklumat_pelayanan", "standar_pelayanan", "laporan_skm", "perjanjian_kinerja",
    "laporan_gratifikasi", "laporan_pengaduan", "unknown",
)

FLAG_SEVERITY = {
    "MISSING_EVIDENCE": "error", "INSUFFICIENT_EVIDENCE": "error", "OUT_OF_PERIOD": "error",
    "UNIT_MISMATCH": "error", "UNSIGNED": "error", "SIGNATORY_MISMATCH": "warning",
    "INVALID_NIP": "warning", "DUPLICATE_NUMBER": "warning", "TEMPLATE_PLACEHOLDER": "error",
    "MISSING_SECTION": "error", "COVERAGE_GAP": "warning", "MEMBER_MISMATCH": "warning",
    "DATE_ORDER": "warning", "UNREADABLE": "error", "MISFILED": "info", "CORRUPT_FILE": "error",
    "UNSUPPORTED_FILE": "info", "DUPLICATE_FILE": "info", "UNVERIFIABLE": "info",
}

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
