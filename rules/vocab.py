"""Identifiers of the public contract (../shared/spec/vocabulary.yaml), mirrored here so that the
engine runs without the shared folder: document types, flag codes (`FlagCode`) and their
severities (`Severity`). tests/test_rules_pack.py keeps the mirror equal to the contract."""
from __future__ import annotations

from enum import StrEnum

DOC_TYPES = (
    "sk_tim_zi", "sk_agen_perubahan", "sk_upg", "sk_pengaduan", "sk_wbs", "sk_benturan_kepentingan",
    "sk_standar_pelayanan", "sk_sop", "sk_other", "pakta_integritas", "sop", "rencana_kerja_zi",
    "laporan_monev", "berita_acara_pencanangan", "notulen_rapat", "daftar_hadir",
    "maklumat_pelayanan", "standar_pelayanan", "laporan_skm", "perjanjian_kinerja",
    "laporan_gratifikasi", "laporan_pengaduan",
    # Added 2026-12: evidence the LKE 2021 questions ask for beyond the decrees.
    "undangan", "laporan_kegiatan", "dokumentasi", "laporan_evaluasi", "laporan_tindak_lanjut",
    "peta_proses_bisnis", "sk_ppid", "peta_jabatan_abk", "rencana_pengembangan_kompetensi", "skp",
    "laporan_disiplin", "laporan_assessment", "renstra_iku", "laporan_kinerja", "dokumen_spip",
    "pemetaan_benturan_kepentingan", "surat_pernyataan", "rekap_lhkpn", "laporan_inovasi",
    "lke_self_assessment", "unknown",
)

class Severity(StrEnum):
    """How a flag weighs: error = evaluators reject the evidence; warning = likely finding;
    info = worth a look. The order is the report's order."""
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FlagCode(StrEnum):
    """Every flag code of the contract; a check, a message and a report key on these."""
    MISSING_EVIDENCE = "MISSING_EVIDENCE"
    INSUFFICIENT_EVIDENCE = "INSUFFICIENT_EVIDENCE"
    OUT_OF_PERIOD = "OUT_OF_PERIOD"
    UNIT_MISMATCH = "UNIT_MISMATCH"
    UNSIGNED = "UNSIGNED"
    SIGNATORY_MISMATCH = "SIGNATORY_MISMATCH"
    INVALID_NIP = "INVALID_NIP"
    DUPLICATE_NUMBER = "DUPLICATE_NUMBER"
    TEMPLATE_PLACEHOLDER = "TEMPLATE_PLACEHOLDER"
    MISSING_SECTION = "MISSING_SECTION"
    COVERAGE_GAP = "COVERAGE_GAP"
    MEMBER_MISMATCH = "MEMBER_MISMATCH"
    DATE_ORDER = "DATE_ORDER"
    UNREADABLE = "UNREADABLE"
    MISFILED = "MISFILED"
    CORRUPT_FILE = "CORRUPT_FILE"
    UNSUPPORTED_FILE = "UNSUPPORTED_FILE"
    DUPLICATE_FILE = "DUPLICATE_FILE"
    # Added 2026-12:
    CLAIM_UNSUPPORTED = "CLAIM_UNSUPPORTED"
    UNVERIFIABLE = "UNVERIFIABLE"


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
F = FlagCode
FLAG_SEVERITY: dict[FlagCode, Severity] = {
    F.MISSING_EVIDENCE: _E, F.INSUFFICIENT_EVIDENCE: _E, F.OUT_OF_PERIOD: _E, F.UNIT_MISMATCH: _E,
    F.UNSIGNED: _E, F.SIGNATORY_MISMATCH: _W, F.INVALID_NIP: _W, F.DUPLICATE_NUMBER: _W,
    F.TEMPLATE_PLACEHOLDER: _E, F.MISSING_SECTION: _E, F.COVERAGE_GAP: _W, F.MEMBER_MISMATCH: _W,
    F.DATE_ORDER: _W, F.UNREADABLE: _E, F.MISFILED: _I, F.CORRUPT_FILE: _E, F.UNSUPPORTED_FILE: _I,
    F.DUPLICATE_FILE: _I, F.CLAIM_UNSUPPORTED: _E, F.UNVERIFIABLE: _I,
}
del F

SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}
