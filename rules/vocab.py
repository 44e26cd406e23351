"""Identifiers of the public contract (../shared/spec/vocabulary.yaml), copied so that the engine
runs without the shared folder; tests/test_rules_pack.py keeps the copy honest."""
from __future__ import annotations

DOC_TYPES = (
    "sk_tim_zi", "sk_agen_perubahan", "sk_upg", "sk_pengaduan", "sk_wbs", "sk_benturan_kepentingan",
    "sk_standar_pelayanan", "sk_sop", "sk_other", "pakta_integritas", "sop", "rencana_kerja_zi",
    "laporan_monev", "berita_acara_pencanangan", "notulen_rapat", "daftar_hadir",
    "maklumat_pelayanan", "standar_pelayanan", "laporan_skm", "perjanjian_kinerja",
    "laporan_gratifikasi", "laporan_pengaduan",
    # added for the LKE 2021 questions (issue 13)
    "undangan", "laporan_kegiatan", "dokumentasi", "laporan_evaluasi", "laporan_tindak_lanjut",
    "peta_proses_bisnis", "sk_ppid", "peta_jabatan_abk", "rencana_pengembangan_kompetensi", "skp",
    "laporan_disiplin", "laporan_assessment", "renstra_iku", "laporan_kinerja", "dokumen_spip",
    "pemetaan_benturan_kepentingan", "surat_pernyataan", "rekap_lhkpn", "laporan_inovasi",
    "lke_self_assessment", "unknown",
)

FLAG_SEVERITY = {
    "MISSING_EVIDENCE": "error", "INSUFFICIENT_EVIDENCE": "error", "OUT_OF_PERIOD": "error",
    "UNIT_MISMATCH": "error", "UNSIGNED": "error", "SIGNATORY_MISMATCH": "warning",
    "INVALID_NIP": "warning", "DUPLICATE_NUMBER": "warning", "TEMPLATE_PLACEHOLDER": "error",
    "MISSING_SECTION": "error", "COVERAGE_GAP": "warning", "MEMBER_MISMATCH": "warning",
    "DATE_ORDER": "warning", "UNREADABLE": "error", "MISFILED": "info", "CORRUPT_FILE": "error",
    "UNSUPPORTED_FILE": "info", "DUPLICATE_FILE": "info",
    "CLAIM_UNSUPPORTED": "error", "UNVERIFIABLE": "info",
}

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
