"""extract_fields() on full sample documents, clean and OCR-noised, with exact expected values."""
from __future__ import annotations

import pytest

from extractors.fields import extract_fields, find_dates, parse_date, parse_nip, parse_nomor
from extractors.fields.period import find_period
from extractors.model import Extraction
from tests.test_fields_data import (MAKLUMAT, MONEV, NOTULEN, PAKTA_INDIVIDU, PAKTA_KOLEKTIF,
                                    SK_OTHER, SK_TIM_ZI, SK_UPG, SOP, extraction, noisy, squash)

HEAD = "Dr. AHMAD FAUZI, S.H., M.Si."
DUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep"
TEAM = [(HEAD, "197203151998031004", "Penanggung Jawab"),
        ("BUDI SANTOSO, S.Kom.", "198506122010011012", "Ketua"),
        ("SITI AMINAH, S.E.", "198701012011012003", "Sekretaris"),
        ("MOH. RIDWAN, S.Sos.", "199002202015031001", "Anggota")]


def check_sk_tim_zi(pages):
    f = extract_fields(extraction(pages), "sk_tim_zi")
    assert f.nomor == "800/123/435.201/2024"
    assert f.tanggal == "2024-01-15"
    assert squash(f.title) == ("PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS MENUJU WILAYAH "
                               "BEBAS DARI KORUPSI DI LINGKUNGAN DINAS KEPENDUDUKAN DAN PENCATATAN "
                               "SIPIL KABUPATEN SUMENEP TAHUN 2024")
    assert f.unit == DUKCAPIL
    s = f.signatory
    assert (s.name, s.nip, s.pangkat, s.place, s.date) == (
        HEAD, "197203151998031004", "Pembina Utama Muda", "Sumenep", "2024-01-15")
    assert s.jabatan == "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN SUMENEP"
    assert s.page == 3  # the last block (the lampiran's)
    assert [(p.name, p.nip, p.role) for p in f.people] == TEAM
    assert [p.jabatan for p in f.people] == ["Kepala Dinas", "Sekretaris", "Kasubag Umum",
                                             "Analis Kebijakan"]
    assert DUKCAPIL in {m.value for m in f.unit_mentions}
    assert f.period is None
    return f


def test_sk_tim_zi_clean():
    f = check_sk_tim_zi(SK_TIM_ZI)
    assert ("2024-01-15", 2) in {(m.value, m.page) for m in f.dates}
    assert f.contract_dict()["signatory"] == {"name": HEAD, "nip": "197203151998031004",
                                              "jabatan": f.signatory.jabatan}


@pytest.mark.parametrize("seed", [0, 3, 4, 6])
def test_sk_tim_zi_noisy(seed):
    check_sk_tim_zi(noisy(SK_TIM_ZI, seed, rate=0.06))


def test_sk_noisy_handwritten_example():
    pages = [SK_TIM_ZI[0].replace("800/123/435.201/2024", "800 / l23 / 435.2O1 / 2O24")
             .replace("ZONA INTEGRITAS\nMENUJU", "ZONA lNTEGRlTAS\nMENUJU")
             .replace("PEMBENTUKAN TIM", "PEMBENTUKAN TlM"), SK_TIM_ZI[1]
             .replace("15 Januari 2024", "l5 Januan 2O24")
             .replace("NIP. 19720315 199803 1 004", "NIP. l972O315 l998O3 1 OO4")]
    f = extract_fields(extraction(pages), "sk_tim_zi")
    assert f.nomor == "800/123/435.201/2024"
    assert f.tanggal == "2024-01-15"
    assert f.title.startswith("PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS MENUJU")
    assert f.signatory.nip == "197203151998031004"


def check_pakta_individu(pages):
    f = extract_fields(extraction(pages), "pakta_integritas")
    s = f.signatory
    assert (s.name, s.nip, s.jabatan, s.pangkat) == (
        "BUDI SANTOSO, S.Kom.", "198506122010011012", "Sekretaris", "Penata Tk. I (III/d)")
    assert (s.place, s.date, f.tanggal) == ("Sumenep", "2024-05-06", "2024-05-06")
    assert f.title == "PAKTA INTEGRITAS"
    assert f.nomor is None
    assert f.unit == DUKCAPIL
    assert [(p.name, p.nip) for p in f.people] == [("BUDI SANTOSO, S.Kom.", "198506122010011012")]


def test_pakta_individu():
    check_pakta_individu(PAKTA_INDIVIDU)


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_pakta_individu_noisy(seed):
    check_pakta_individu(noisy(PAKTA_INDIVIDU, seed))


def check_pakta_kolektif(pages):
    f = extract_fields(extraction(pages), "pakta_integritas")
    # the line under the heading names who signs, not what the document is (as the fixtures' truth)
    assert f.title == "PAKTA INTEGRITAS"
    assert f.unit == DUKCAPIL
    assert f.tanggal == "2024-01-02"
    assert (f.signatory.name, f.signatory.nip) == (HEAD, "197203151998031004")
    assert [(p.name, p.nip, p.role) for p in f.people] == [
        ("BUDI SANTOSO, S.Kom.", "198506122010011012", "Sekretaris"),
        ("SITI AMINAH, S.E.", "198701012011012003", "Kasubag Umum"),
        ("MOH. RIDWAN, S.Sos.", "199002202015031001", "Analis Kebijakan")]


def test_pakta_kolektif():
    check_pakta_kolektif(PAKTA_KOLEKTIF)


@pytest.mark.parametrize("seed", [0, 5, 6])
def test_pakta_kolektif_noisy(seed):
    check_pakta_kolektif(noisy(PAKTA_KOLEKTIF, seed))


def test_pakta_kolektif_from_tables():
    e = extraction(PAKTA_KOLEKTIF)
    e.tables = [[["No", "Nama", "NIP", "Jabatan", "Tanda Tangan"],
                 ["1", "BUDI SANTOSO, S.Kom.", "19850612 201001 1 012", "Sekretaris", ""],
                 ["2", "SITI AMlNAH, S.E.", "19870101 20ll01 2 003", "Kasubag Umum", ""]]]
    f = extract_fields(e, "pakta_integritas")
    assert [(p.name, p.nip, p.role) for p in f.people] == [
        ("BUDI SANTOSO, S.Kom.", "198506122010011012", "Sekretaris"),
        ("SITI AMINAH, S.E.", "198701012011012003", "Kasubag Umum")]


def check_sop(pages):
    f = extract_fields(extraction(pages), "sop")
    assert f.nomor == "188.4/12/SOP/435.114/2024"
    assert f.tanggal == "2024-02-02"  # Tanggal Pembuatan ranks before Tanggal Efektif
    assert f.title == "Pelayanan Penerbitan Izin Usaha Mikro"
    assert f.unit == "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Sumenep"
    s = f.signatory
    assert (s.name, s.nip) == ("Ir. SRI WAHYUNI, M.M.", "197005051995032002")
    assert s.jabatan == "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
    assert f.people == []


def test_sop():
    check_sop(SOP)


@pytest.mark.parametrize("seed", [2, 7])
def test_sop_noisy(seed):
    check_sop(noisy(SOP, seed))


def check_monev(pages):
    f = extract_fields(extraction(pages), "laporan_monev")
    assert f.title == ("LAPORAN PEMANTAUAN DAN EVALUASI PEMBANGUNAN ZONA INTEGRITAS "
                       "TRIWULAN I TAHUN 2024")
    assert f.period == "Triwulan I"
    assert f.tanggal == "2024-04-05"
    assert f.nomor is None  # the SK number cited in the text is not the report's
    s = f.signatory
    assert (s.name, s.nip, s.jabatan) == ("BUDI SANTOSO, S.Kom.", "198506122010011012",
                                          "Ketua Tim Kerja Pembangunan Zona Integritas")
    assert f.unit == DUKCAPIL
    assert "Inspektorat Kabupaten Sumenep" in {m.value for m in f.unit_mentions}


def test_monev():
    check_monev(MONEV)


@pytest.mark.parametrize("seed", [1, 8])
def test_monev_noisy(seed):
    check_monev(noisy(MONEV, seed))


def test_sk_other_and_rsud():
    f = extract_fields(extraction(SK_OTHER), "sk_other")
    assert (f.nomor, f.tanggal, f.unit) == ("973/045/KEP/435.108/2024", "2024-03-08",
                                            "Badan Pendapatan Daerah Kabupaten Sumenep")
    assert f.title == "PENUNJUKAN BENDAHARA PENERIMAAN PEMBANTU TAHUN ANGGARAN 2024"
    assert f.signatory.name == "H. MOH. SALEH, S.E., M.M."
    f = extract_fields(extraction(SK_UPG), "sk_upg")
    assert (f.nomor, f.tanggal) == ("445/017/RSUD/I/2024", "2024-01-10")
    assert f.unit == "Rumah Sakit Umum Daerah Bhakti Dharma Husada Kota Surabaya"
    assert f.title == "PEMBENTUKAN UNIT PENGENDALIAN GRATIFIKASI"
    assert (f.signatory.name, f.signatory.jabatan) == ("dr. RINA KARTIKA, Sp.PD., M.Kes.", "DIREKTUR")


def test_notulen_labelled_date():
    f = extract_fields(extraction(NOTULEN), "notulen_rapat")
    assert (f.tanggal, f.title, f.signatory) == ("2024-01-08", "NOTULEN RAPAT", None)


def test_month_only_date_is_not_a_full_date():
    f = extract_fields(extraction(MAKLUMAT), "maklumat_pelayanan")
    assert f.tanggal is None
    assert f.tanggal_partial == "2024-01"
    assert f.title == "MAKLUMAT PELAYANAN"
    assert (f.signatory.name, f.signatory.jabatan, f.signatory.place, f.signatory.date) == (
        "Ir. SRI WAHYUNI, M.M.", "KEPALA DINAS", "Sumenep", None)


def test_empty_extraction():
    f = extract_fields(Extraction(kind="pdf"), "unknown")
    assert f.contract_dict() == {"nomor": None, "tanggal": None, "title": None, "unit": None,
                                 "signatory": None, "people": [], "subject": None}


@pytest.mark.parametrize("raw,expected", [
    ("800/l23/435.2O1/2024", "800/123/435.201/2024"),
    ("NOMOR : 800 / 123 / 435.201 / 2024", "800/123/435.201/2024"),
    ("Nomor: 100.3.3.2/O45/KEP/2024", "100.3.3.2/045/KEP/2024"),
    ("No. 188.4/12/SK/DPMPTSP/2024", "188.4/12/SK/DPMPTSP/2024"),
    ("445/017/RSUD/l/2024", "445/017/RSUD/I/2024"),
    ("445/017/RSUD/I/2024 Tanggal 3 Januari 2024", "445/017/RSUD/I/2024"),
    ("xxx", None), ("", None),
])
def test_parse_nomor(raw, expected):
    assert parse_nomor(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("Ditetapkan di Sumenep pada tanggal 15 Januari 2024", "2024-01-15"),
    ("Sumenep, 6 Mei 2024", "2024-05-06"), ("15-01-2024", "2024-01-15"),
    ("15/01/2024", "2024-01-15"), ("l5 Januan 2O24", "2024-01-15"),
    ("3 Pebruari 2024", "2024-02-03"), ("17 Agt 2024", "2024-08-17"),
    ("17 Ags. 2024", "2024-08-17"), ("9 Nopember 2023", "2023-11-09"),
    ("6 Mel 2024", "2024-05-06"), ("15-IV-2024", "2024-04-15"), ("2024-03-02", "2024-03-02"),
    ("Januari 2024", None), ("31 Februari 2024", None), ("Nomor 23 Tahun 2014", None),
])
def test_parse_date(raw, expected):
    d = parse_date(raw)
    assert (d.isoformat() if d else None) == expected


def test_find_dates_keeps_order_and_raw():
    hits = find_dates("dibuat 2 Januari 2024, direvisi 15/03/2024")
    assert [(h.value.isoformat(), h.raw) for h in hits] == [("2024-01-02", "2 Januari 2024"),
                                                            ("2024-03-15", "15/03/2024")]


@pytest.mark.parametrize("text,expected", [
    ("LAPORAN MONEV TW III 2024", "Triwulan III"), ("Semester II", "Semester II"),
    ("Laporan Bulan Maret 2024", "Bulan Maret"), ("triwulan 2", "Triwulan II"),
    ("LAPORAN TAHUNAN", None)])
def test_period(text, expected):
    assert find_period(text) == expected


def test_parse_nip_forms():
    assert parse_nip("NIP. 19720315 199803 1 004") == "197203151998031004"
    assert parse_nip("l972O315 l998O3 1 OO4") == "197203151998031004"
    assert parse_nip("Pembina Utama") is None


def test_speed_per_page():
    import time
    pages = SK_TIM_ZI + PAKTA_KOLEKTIF + SOP + MONEV
    extract_fields(extraction(pages), "sk_tim_zi")
    t = time.perf_counter()
    for _ in range(5):
        extract_fields(extraction(pages), "sk_tim_zi")
    assert (time.perf_counter() - t) / 5 / len(pages) < 0.05


# ---------------------------------------------------------------- shapes of real folders

def test_letterhead_naming_the_parent_gives_the_unit_below_it():
    # "PEMERINTAH … / DINAS KESEHATAN / UPTD PUSKESMAS …": the issuer is the last unit line
    kop = ("PEMERINTAH KABUPATEN SUMENEP\nDINAS KESEHATAN\nUPTD PUSKESMAS KALIANGET\n"
           "Jl. Raya Kalianget No. 5 Telp. (0328) 662211\nMAKLUMAT PELAYANAN\n"
           "Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar.\n")
    f = extract_fields(extraction([kop]), "maklumat_pelayanan")
    assert f.unit == "UPTD Puskesmas Kalianget Kabupaten Sumenep"


def test_unit_name_ends_at_its_region_before_a_heading():
    page = ("LAMPIRAN : KEPUTUSAN DIREKTUR RUMAH SAKIT UMUM DAERAH KABUPATEN GOWA\n"
            "RUMAH SAKIT UMUM DAERAH KABUPATEN GOWA\nSUSUNAN KEANGGOTAAN\nNo Nama NIP Jabatan\n")
    f = extract_fields(extraction([page]), "sk_pengaduan")
    assert "Rumah Sakit Umum Daerah Kabupaten Gowa" in {m.value for m in f.unit_mentions}
    assert not any("Susunan" in m.value for m in f.unit_mentions)


def test_activity_table_glued_under_a_member_table_is_not_people():
    e = extraction(["LAPORAN MONITORING DAN EVALUASI\nTRIWULAN I TAHUN 2024\n"])
    e.tables = [[["No", "Nama", "NIP", "Kedudukan"],
                 ["1", "BUDI SANTOSO, S.Kom.", "19850612 201001 1 012", "Ketua"],
                 ["2", "Joko Prasetyo", "", "Anggota"],   # an honorary member inside the list
                 ["3", "SITI AMINAH, S.E.", "19870101 201101 2 003", "Sekretaris"],
                 ["Area", "Kegiatan", "Target Realisasi %", "Kendala Tindak Lanjut"],
                 ["Manajemen Perubahan", "Penyusunan SK Tim Kerja", "1 0 0%", "Dilanjutkan"],
                 ["Penguatan Pengawasan", "Sosialisasi pengendalian\ngratifikasi", "2 2 100%", "Selesai"]]]
    f = extract_fields(e, "laporan_monev")
    assert [p.name for p in f.people] == ["BUDI SANTOSO, S.Kom.", "Joko Prasetyo", "SITI AMINAH, S.E."]


def test_activity_table_alone_is_not_people():
    e = extraction(["LAPORAN MONITORING DAN EVALUASI\n"])
    e.tables = [[["No", "Nama Kegiatan", "Jabatan", "Keterangan"],
                 ["1", "Penetapan Agen Perubahan", "Tim Kerja", "Selesai"],
                 ["2", "Sosialisasi ZI kepada pegawai", "Sekretariat", "Selesai"]]]
    assert extract_fields(e, "laporan_monev").people == []


BODY = ("PEMERINTAH KABUPATEN SUMENEP\nDINAS KEPENDUDUKAN DAN PENCATATAN SIPIL\nBERITA ACARA\n"
        "PENCANANGAN PEMBANGUNAN ZONA INTEGRITAS\n" + "Pada hari ini telah dilaksanakan pencanangan.\n" * 6)


def test_signature_block_read_through_stamp_fragments_and_page_edge():
    # a photographed block: stamp fragments between jabatan and name, the page edge before lines
    page = BODY + ("Sumenep, 22 Januari 2024\nKepala Dinas Kependudukan dan\nPencatatan Sipil,\n"
                   "ee: ae\nNU\n/ Dr. AHMAD FAUZI, S.H., M.Si.\n| Pembina Utama Muda (IV/c)\n"
                   "\\ NIP. 19720315 199803 1 004\n")
    f = extract_fields(extraction([page], source="ocr"), "berita_acara_pencanangan")
    assert (f.signatory.name, f.signatory.nip, f.signatory.date) == (HEAD, "197203151998031004", "2024-01-22")
    assert f.signature_unread is None


def test_signature_block_broken_by_the_page_end():
    pages = [BODY + "Sumenep, 9 Januari 2024\nPimpinan Rapat,\nKEPALA DINAS,\n\nDr. AHMAD FAUZI, S.H., M.Si.\n",
             "Pembina Utama Muda (IV/c)\nNIP. 19720315 199803 1 004\n"]
    f = extract_fields(extraction(pages, source="ocr"), "notulen_rapat")
    assert (f.signatory.name, f.signatory.nip) == (HEAD, "197203151998031004")


@pytest.mark.parametrize("tail,source,why", [
    # the block's traces were read, not the block: a person must look
    ("Sumenep, 22 Januari 2024\nYang Mencanangkan,\nKepala Dinas\n\nPeeve Utama Muda (IV/c)\nP 8 200603 1 009\n",
     "ocr", "trace"),
    ("Sumenep, 22 Januari 2024\nYang Mencanangkan,\nKepala Dinas Kependudukan\n", "ocr", "trace"),
    # no trace of a block in clean OCR, or any text layer: the block is really absent
    ("Demikian berita acara ini dibuat.\n", "ocr", None),
    ("Sumenep, 22 Januari 2024\nYang Mencanangkan,\nKepala Dinas Kependudukan\n", "text", None),
])
def test_unread_signature_region(tail, source, why):
    e = extraction([BODY + tail], source=source)
    if source == "ocr":
        e.pages[0].confidence = 91.0
    f = extract_fields(e, "berita_acara_pencanangan")
    assert (f.signature_unread.value if f.signature_unread else None) == why
    if why:
        assert f.signature_unread.page == 1 and f.signature_unread.raw


def test_a_cited_decree_number_is_not_the_documents_own():
    page2 = ("B. Dasar\n1. Peraturan Menteri PANRB Nomor 90 Tahun 2021\n"
             "2. Keputusan Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep\n"
             "Nomor 188.4/357/SK/DISPENDUKCAPIL/2024 tentang Pembentukan Tim Kerja\n")
    cover = "LAPORAN MONITORING DAN EVALUASI\nTRIWULAN II TAHUN 2024\n"
    assert extract_fields(extraction([cover, page2]), "laporan_monev").nomor is None
    # the own number in the heading, with or without a separator
    for label in ("Nomor : ", "NOMOR "):
        own = f"BERITA ACARA\n{label}470/360/BA/2024\n"
        assert extract_fields(extraction([own, page2]), "berita_acara_pencanangan").nomor == "470/360/BA/2024"


def test_ocr_member_table_with_ruled_header():
    # OCR keeps a table's rule as "|": "No |Nama NIP Kedudukan" still opens a member list
    page = ("BAB II PELAKSANAAN\nTim dengan susunan sebagai berikut:\n\nNo |Nama NIP Kedudukan\n"
            "1 dr. Yusuf Effendi 19770319 199803 1 004 Anggota\n"
            "2 Ir. Eka Nasution, S.Sos., M.Si. 19690802 199503 2 001 Ketua\n"
            "Area Kegiatan Target Realisasi | Kendala\nManajemen Perubahan | Penyusunan SK Tim Kerja 1 0 0%\n")
    f = extract_fields(extraction([page], source="ocr"), "laporan_monev")
    assert [(p.name, p.nip) for p in f.people] == [("dr. Yusuf Effendi", "197703191998031004"),
                                                   ("Ir. Eka Nasution, S.Sos., M.Si.", "196908021995032001")]


@pytest.mark.parametrize("heading,nomor", [
    ("PERATURAN BUPATI SUMENEP\nNOMOR 78 TAHUN 2O16\nTENTANG\nPEDOMAN PENGENDALIAN GRATIFIKASI\n", "78 Tahun 2016"),
    ("KEPUTUSAN KEPALA DINAS\nKOMOR : 800/l23/435.2O1/2O24\nTERTANG\nTIM KERJA\n", "800/123/435.201/2024"),
    ("KEPUTUSAN KEPALA RSUD\nNOMOR : 445/017/RSUD/VI!I/2024\nTENTANG\nTIM\n", "445/017/RSUD/VIII/2024"),
])
def test_regulation_and_ocr_damaged_numbers(heading, nomor):
    assert extract_fields(extraction([heading + "Menimbang : a. bahwa ...\n"]), "sk_other").nomor == nomor


def test_a_cited_regulation_number_is_not_the_documents_own():
    body = "LAPORAN PENGENDALIAN GRATIFIKASI\n" + "Isi laporan.\n" * 16 + "Peraturan Bupati\nNOMOR 78 TAHUN 2016\n"
    assert extract_fields(extraction([body]), "laporan_gratifikasi").nomor is None


def test_unit_of_a_declaration_without_letterhead_from_its_instansi_row():
    page = ("FAKTA INTEGRITAS\nSaya yang bertanda tangan di bawah ini:\nNama : Ketut Firmansyah, S.STP.\n"
            "NIP : 19680520 199403 1 009\nJabatan : Kepala Badan Kepegawaian Daerah\n"
            "Instansi : Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota\nPadang\n"
            "Dalam rangka mewujudkan Zona Integritas, dengan ini menyatakan bahwa saya:\n")
    f = extract_fields(extraction([page]), "pakta_integritas")
    assert f.unit == "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Padang"


def test_second_reading_of_the_signature_block_fills_what_the_first_lost():
    # the first reading: the stamp turned the NIP into noise; the second reading (stamp colour
    # faded, one text block) has it, with its label damaged
    first = BODY + "Sumenep, 22 Januari 2024\nYang Mencanangkan,\nKepala Dinas\n\nPION\nCoe\n"
    e = extraction([first], source="ocr")
    e.pages[0].signature_text = ("Kepala Dinas\nDr. AHMAD FAUZI, S.H., M.Si.\nPembina Utama Muda (IV/c)\n"
                                 "Ki IP. 19720315 199803 1 004\n")
    f = extract_fields(e, "berita_acara_pencanangan")
    assert (f.signatory.name, f.signatory.nip, f.signatory.date) == (HEAD, "197203151998031004", "2024-01-22")
    assert f.signature_unread is None
    # a second reading without a valid NIP is not taken
    e.pages[0].signature_text = "Dr. AHMAD FAUZI, S.H., M.Si.\nNIP. 19721315 199803 1 004\n"
    assert extract_fields(e, "berita_acara_pencanangan").signature_unread is not None
