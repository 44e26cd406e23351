"""classify(): doc types from evidence on clean and OCR-noised text."""
from __future__ import annotations

import pytest

from extractors.classify import classify
from extractors.model import Extraction
from tests.test_fields_data import (MAKLUMAT, MONEV, NOTULEN, PAKTA_INDIVIDU, PAKTA_KOLEKTIF,
                                    SK_OTHER, SK_TIM_ZI, SK_UPG, SOP, extraction, noisy)

CASES = [(SK_TIM_ZI, "sk_tim_zi"), (PAKTA_INDIVIDU, "pakta_integritas"),
         (PAKTA_KOLEKTIF, "pakta_integritas"), (SOP, "sop"), (MONEV, "laporan_monev"),
         (SK_OTHER, "sk_other"), (SK_UPG, "sk_upg"), (NOTULEN, "notulen_rapat"),
         (MAKLUMAT, "maklumat_pelayanan")]


@pytest.mark.parametrize("pages,expected", CASES, ids=[c[1] + str(i) for i, c in enumerate(CASES)])
def test_clean_samples(pages, expected):
    t, conf = classify(extraction(pages))
    assert t == expected
    assert 0.3 <= conf <= 1.0


@pytest.mark.parametrize("pages,expected", CASES, ids=[c[1] + str(i) for i, c in enumerate(CASES)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noisy_samples(pages, expected, seed):
    assert classify(extraction(noisy(pages, seed, rate=0.1)))[0] == expected


@pytest.mark.parametrize("heading,expected", [
    ("PAKTA lNTEGRlTAS", "pakta_integritas"),
    ("FAKTA INTEGRITAS", "pakta_integritas"),
    ("STANDAR 0PERASIONAL PR0SEDUR\nNomor SOP : 12/SOP/2024\nNama SOP : Pelayanan KTP", "sop"),
    ("DAFTAR HADIR\nRAPAT KOORDINASI ZONA INTEGRITAS", "daftar_hadir"),
    ("NOTULEN RAPAT", "notulen_rapat"),
    ("BERITA ACARA PENCANANGAN PEMBANGUNAN ZONA INTEGRITAS", "berita_acara_pencanangan"),
    ("RENCANA KERJA PEMBANGUNAN ZONA INTEGRITAS TAHUN 2024", "rencana_kerja_zi"),
    ("LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT SEMESTER I", "laporan_skm"),
    ("PERJANJIAN KINERJA TAHUN 2024\nPIHAK PERTAMA", "perjanjian_kinerja"),
    ("STANDAR PELAYANAN\nPENERBITAN KARTU KELUARGA", "standar_pelayanan"),
    ("LAPORAN PENGENDALIAN GRATIFIKASI TRIWULAN II", "laporan_gratifikasi"),
    ("REKAPITULASI PENGADUAN MASYARAKAT BULAN MARET 2024", "laporan_pengaduan"),
    # the types the LKE 2021 questions added, and the generic-looking ones they must stay apart from
    ("UNDANGAN\nNomor : 005/12/435.102/2024", "undangan"),
    ("Perihal : Undangan Rapat Evaluasi SOP\nDengan hormat, kami mengharap kehadiran Bapak/Ibu", "undangan"),
    ("LAPORAN PELAKSANAAN KEGIATAN\nSOSIALISASI WHISTLE BLOWING SYSTEM", "laporan_kegiatan"),
    ("LAPORAN KEGIATAN SOSIALISASI PENGENDALIAN GRATIFIKASI", "laporan_kegiatan"),
    ("DOKUMENTASI KEGIATAN\nRAPAT EVALUASI PENERAPAN SOP", "dokumentasi"),
    ("LAPORAN EVALUASI PENERAPAN SOP TAHUN 2024", "laporan_evaluasi"),
    ("LAPORAN MONITORING DAN EVALUASI PEMANFAATAN TEKNOLOGI INFORMASI", "laporan_evaluasi"),
    ("LAPORAN EVALUASI PENGELOLAAN PENGADUAN MASYARAKAT", "laporan_evaluasi"),
    ("LAPORAN HASIL EVALUASI PENERAPAN STANDAR PELAYANAN", "laporan_evaluasi"),
    ("LAPORAN MONITORING DAN EVALUASI PEMBANGUNAN ZONA INTEGRITAS TRIWULAN II", "laporan_monev"),
    ("LAPORAN EVALUASI PEMBANGUNAN ZONA INTEGRITAS SEMESTER I", "laporan_monev"),
    ("LAPORAN TINDAK LANJUT HASIL SURVEI KEPUASAN MASYARAKAT SEMESTER I", "laporan_tindak_lanjut"),
    ("LAPORAN TINDAK LANJUT HASIL MONITORING DAN EVALUASI PEMBANGUNAN ZONA INTEGRITAS", "laporan_tindak_lanjut"),
    ("PETA PROSES BISNIS", "peta_proses_bisnis"),
    ("ANALISIS BEBAN KERJA TAHUN 2024", "peta_jabatan_abk"),
    ("RENCANA PENGEMBANGAN KOMPETENSI PEGAWAI", "rencana_pengembangan_kompetensi"),
    ("SASARAN KINERJA PEGAWAI\nPEGAWAI YANG DINILAI", "skp"),
    ("REKAPITULASI PELANGGARAN DISIPLIN PEGAWAI", "laporan_disiplin"),
    ("LAPORAN HASIL ASSESSMENT PEGAWAI", "laporan_assessment"),
    ("RENCANA STRATEGIS TAHUN 2021-2026", "renstra_iku"),
    ("LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP) TAHUN 2023", "laporan_kinerja"),
    ("REGISTER RISIKO TAHUN 2024", "dokumen_spip"),
    ("PEMETAAN POTENSI BENTURAN KEPENTINGAN", "pemetaan_benturan_kepentingan"),
    ("SURAT PERNYATAAN\nBEBAS BENTURAN KEPENTINGAN", "surat_pernyataan"),
    ("REKAPITULASI PENYAMPAIAN LHKPN DAN LHKASN", "rekap_lhkpn"),
    ("PROFIL INOVASI PELAYANAN PUBLIK", "laporan_inovasi"),
    ("LEMBAR KERJA EVALUASI PEMBANGUNAN ZONA INTEGRITAS", "lke_self_assessment"),
    ("LKE ZONA INTEGRITAS MENUJU WBK/WBBM TAHUN 2024\nKomponen Bobot Pilihan Jawaban Jawaban Nilai",
     "lke_self_assessment"),
    ("LAPORAN LAYANAN INFORMASI PUBLIK TAHUN 2023", "laporan_evaluasi"),
])
def test_headings(heading, expected):
    body = "\nDemikian dokumen ini dibuat untuk dipergunakan sebagaimana mestinya.\n"
    assert classify(extraction([heading + body]))[0] == expected


SK_TEMPLATE = """KEPUTUSAN KEPALA DINAS KESEHATAN KABUPATEN SUMENEP
NOMOR : 800/12/435.102/2024
TENTANG
{subject}
DENGAN RAHMAT TUHAN YANG MAHA ESA
Menimbang : bahwa perlu ditetapkan keputusan;
MEMUTUSKAN
Menetapkan : keputusan ini.
"""


@pytest.mark.parametrize("subject,expected", [
    ("PENETAPAN AGEN PERUBAHAN", "sk_agen_perubahan"),
    ("PEMBENTUKAN TIM PENGELOLA PENGADUAN MASYARAKAT", "sk_pengaduan"),
    ("PEDOMAN PENGELOLAAN WHISTLE BLOWING SYSTEM", "sk_wbs"),
    ("PENANGANAN BENTURAN KEPENTINGAN", "sk_benturan_kepentingan"),
    ("PENETAPAN STANDAR PELAYANAN PUBLIK", "sk_standar_pelayanan"),
    ("PENETAPAN STANDAR OPERASIONAL PROSEDUR", "sk_sop"),
    ("PEMBENTUKAN TlM KERJA PEMBANGUNAN Z0NA INTEGRITAS", "sk_tim_zi"),
    ("PENUNJUKAN PEJABAT PENGADAAN BARANG DAN JASA", "sk_other"),
    ("PEJABAT PENGELOLA INFORMASI DAN DOKUMENTASI (PPID) PELAKSANA", "sk_ppid"),
    ("PENJATUHAN HUKUMAN DISIPLIN TINGKAT RINGAN", "laporan_disiplin"),
    ("PEMBENTUKAN SATUAN TUGAS PENYELENGGARAAN SISTEM PENGENDALIAN INTERN PEMERINTAH", "dokumen_spip"),
    ("PENETAPAN INDIKATOR KINERJA UTAMA", "renstra_iku"),
    # the subject names a report the team writes; the decree itself is about the team
    ("PEMBENTUKAN TIM PENYUSUN LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP)", "sk_other"),
])
def test_sk_subject_decides(subject, expected):
    assert classify(extraction([SK_TEMPLATE.format(subject=subject)]))[0] == expected


def test_empty_and_garbage_are_unknown():
    assert classify(Extraction(kind="pdf")) == ("unknown", 0.0)
    assert classify(extraction(["   \n\n"])) == ("unknown", 0.0)
    assert classify(extraction(["~~ ## %% @@ qwx zzv plk ^^ 0101 ;;"])) == ("unknown", 0.0)


def test_confidence_reflects_margin():
    clear = classify(extraction(SK_TIM_ZI))[1]
    # both a pakta and a daftar hadir heading: whichever wins, it is less certain
    mixed = classify(extraction(["PAKTA INTEGRITAS\nDAFTAR HADIR\n"]))[1]
    assert clear > mixed


def test_speed_per_page():
    import time
    pages = SK_TIM_ZI + PAKTA_KOLEKTIF + SOP + MONEV
    classify(extraction(pages))  # builds caches
    t = time.perf_counter()
    for _ in range(5):
        classify(extraction(pages))
    per_page = (time.perf_counter() - t) / 5 / len(pages)
    assert per_page < 0.05
