"""Each flag code: a change to the clean folder that must raise it, and a near-identical one that
must not."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from extractors.model import Mention, Person, Signatory
from rules.engine import evaluate
from rules.model import Head
from rules.pack import load_pack
from tests import rulefactory as rf

PACK = load_pack(None)


def run(docs, prof=None, roster=None, pack=PACK, lang="id"):
    return evaluate(docs, prof or rf.profile(), rf.roster() if roster is None else roster, pack, lang=lang)


def flags(ev, code):
    return [f for f in ev.flags if f.code == code]


def codes(ev):
    return sorted({f.code for f in ev.flags})


def with_doc(name, **changes):
    """The clean folder with one document rebuilt with some arguments changed."""
    docs = rf.clean_folder()
    old = rf.find(docs, name)
    path = changes.pop("path", old.path)
    kw = dict(doc_type=old.doc_type, nomor=old.fields.nomor, tanggal=old.fields.tanggal,
              title=old.fields.title, people=old.fields.people, period=old.fields.period,
              signatory=old.fields.signatory, unit=old.fields.unit)
    kw.update(changes)
    return rf.replace(docs, name, rf.doc(path, **kw))


SK = "SK Tim ZI.pdf"


def test_clean_folder_raises_nothing():
    ev = run(rf.clean_folder())
    assert ev.flags == []
    # The clean folder holds the data dukung of every Pemenuhan indicator units number 1.1-6.5.
    assert all(i["status"] == "ok" for i in ev.indicators if i["legacy_codes"])


# ---------------------------------------------------------------- evidence

def test_missing_evidence():
    docs = [d for d in rf.clean_folder() if "SK WBS" not in d.path]
    [f] = flags(run(docs), "MISSING_EVIDENCE")
    assert (f.indicator, f.doc_type, f.severity) == ("V.P.iv", "sk_wbs", "error")
    assert "V.P.iv" in f.message and "SK Whistle-Blowing System" in f.message
    ind = next(i for i in run(docs).indicators if i["code"] == "V.P.iv")
    assert ind["status"] == "missing" and ind["flags"] == [f.id]


def test_missing_keyword_evidence_lowers_the_estimate_without_a_flag():
    docs = [d for d in rf.clean_folder() if "SIMPEG" not in d.path]
    ev = run(docs)
    assert not flags(ev, "MISSING_EVIDENCE")
    assert next(i for i in ev.indicators if i["code"] == "III.P.vi")["status"] == "missing"
    assert ev.score["pengungkit"] < 60


def test_keyword_evidence_can_be_flagged_by_a_stricter_pack(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("id: p\nextends: lke-2021\nareas:\n  - code: III\n    indicators:\n"
                    "      - code: III.P.vi\n        evidence: [{doc_types: [unknown], keywords: [simpeg], "
                    "missing_severity: warning, label: SIMPEG}]\n")
    docs = [d for d in rf.clean_folder() if "SIMPEG" not in d.path]
    [f] = flags(run(docs, pack=load_pack(str(path))), "MISSING_EVIDENCE")
    assert (f.indicator, f.severity) == ("III.P.vi", "warning") and "SIMPEG" in f.message


def test_missing_evidence_not_raised_when_present_elsewhere():
    docs = rf.clean_folder()
    moved = rf.find(docs, "SK WBS")
    moved.path = "lain-lain/scan_001.pdf"     # unorganised folder: the type decides
    assert not flags(run(docs), "MISSING_EVIDENCE")


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory):
    """The LKE states no monev frequency; an inspectorate's pack may ask for one per quarter."""
    path = tmp_path_factory.mktemp("pack") / "quarterly.yaml"
    path.write_text("id: q\nextends: lke-2021\nareas:\n  - code: I\n    indicators:\n"
                    "      - code: I.P.iii\n        evidence: [{doc_types: [laporan_monev], min: 0, per: quarter}]\n")
    return load_pack(str(path))


def test_lke_pack_asks_no_monev_frequency():
    docs = [d for d in rf.clean_folder() if "Monev TW" not in d.path or "TW I.pdf" in d.path]
    assert not flags(run(docs), "INSUFFICIENT_EVIDENCE")


def test_insufficient_monev_counts_only_ended_quarters(quarterly):
    docs = [d for d in rf.clean_folder() if "Monev TW II.pdf" not in d.path]
    [f] = flags(run(docs, pack=quarterly), "INSUFFICIENT_EVIDENCE")
    assert (f.indicator, f.found, f.expected) == ("I.P.iii", 2, 3)
    assert f.params["missing_periods"] == ["II"]
    assert "triwulan II" in f.message


def test_insufficient_not_raised_before_the_quarter_ends(quarterly):
    docs = [d for d in rf.clean_folder() if "Monev TW II.pdf" not in d.path and "TW III" not in d.path]
    assert not flags(run(docs, rf.profile(check_date=date(2024, 6, 30)), pack=quarterly), "INSUFFICIENT_EVIDENCE")
    # one day later the second quarter has ended and its report is due
    [f] = flags(run(docs, rf.profile(check_date=date(2024, 7, 1)), pack=quarterly), "INSUFFICIENT_EVIDENCE")
    assert (f.found, f.expected) == (1, 2)


def test_insufficient_ignores_unlabelled_out_of_period_reports(quarterly):
    docs = with_doc("Monev TW II.pdf", tanggal="2023-07-05", period=None)
    [f] = flags(run(docs, pack=quarterly), "INSUFFICIENT_EVIDENCE")
    assert (f.found, f.expected) == (2, 3)


# ---------------------------------------------------------------- dates

def test_out_of_period():
    ev = run(with_doc(SK, tanggal="2023-01-15"))
    [f] = flags(ev, "OUT_OF_PERIOD")
    assert (f.found, f.expected, f.doc_type) == ("2023-01-15", "2024", "sk_tim_zi")
    assert f.message.startswith("SK Tim Kerja ZI bertanggal 2023-01-15, di luar periode penilaian 2024")


def test_out_of_period_allows_older_policies_the_pack_allows():
    assert not flags(run(with_doc("SOP Akta Kelahiran", tanggal="2021-03-01")), "OUT_OF_PERIOD")
    [f] = flags(run(with_doc("SOP Akta Kelahiran", tanggal="2018-03-01")), "OUT_OF_PERIOD")
    assert f.expected == "2019–2024"


def test_an_earlier_standing_decree_is_a_warning_to_renew_not_a_rejection():
    """Last year's SK WBS may still be in force; the evaluator asks for this year's, so bukti warns."""
    [f] = flags(run(with_doc("SK WBS", tanggal="2023-04-17")), "OUT_OF_PERIOD")
    assert (f.severity, f.params["variant"], f.expected) == ("warning", "renew", "2024")
    assert "perbarui untuk 2024" in f.message
    # Beyond the years a pack tolerates, or dated after the period, it is an error as before.
    [f] = flags(run(with_doc("SK WBS", tanggal="2020-04-17")), "OUT_OF_PERIOD")
    assert (f.severity, f.params["variant"]) == ("error", "default")
    [f] = flags(run(with_doc("SK WBS", tanggal="2025-01-17")), "OUT_OF_PERIOD")
    assert f.severity == "error"


def test_out_of_period_after_check_date():
    [f] = flags(run(with_doc("Laporan Gratifikasi", tanggal="2024-11-02")), "OUT_OF_PERIOD")
    assert f.params["variant"] == "future" and f.expected == "2024-10-01"
    assert not flags(run(with_doc("Laporan Gratifikasi", tanggal="2024-10-01")), "OUT_OF_PERIOD")


def test_date_order():
    [f] = flags(run(with_doc("Rencana Kerja ZI", tanggal="2024-01-05")), "DATE_ORDER")
    assert (f.found, f.expected) == ("2024-01-05", "2024-01-08")
    assert not flags(run(with_doc("Rencana Kerja ZI", tanggal="2024-01-08")), "DATE_ORDER")


# ---------------------------------------------------------------- unit

@pytest.mark.parametrize("unit", [
    "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN SUMENEP",
    "Disdukcapil Kab. Sumenep",
    "Dispendukcapil Kabupaten Sumenep",
    "Dinas Kependudukan dan Pencatatan Slpil Kabupaten Sumenp",   # OCR noise
    "PEMERINTAH KABUPATEN SUMENEP",
    None,
])
def test_unit_same_unit_many_spellings(unit):
    assert not flags(run(with_doc(SK, unit=unit)), "UNIT_MISMATCH")


@pytest.mark.parametrize("unit,variant", [
    ("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Pamekasan", "region"),
    ("DISDUKCAPIL KOTA MALANG", "region"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Sumenep", "agency"),
    ("RSUD dr. H. Moh. Anwar Sumenep", "agency"),
])
def test_unit_mismatch_other_unit(unit, variant):
    [f] = flags(run(with_doc(SK, unit=unit)), "UNIT_MISMATCH")
    assert f.params["variant"] == variant and f.found == unit and f.expected == rf.UNIT


def test_unit_mentions_of_other_agencies_of_the_same_region_are_fine():
    docs = with_doc(SK, unit_mentions=["Dinas Kesehatan Kabupaten Sumenep", "Kementerian PANRB",
                                       "Provinsi Jawa Timur"])
    assert not flags(run(docs), "UNIT_MISMATCH")


def test_unit_mention_of_same_agency_elsewhere_is_flagged():
    docs = with_doc(SK, unit_mentions=["Dispendukcapil Kabupaten Pamekasan"])
    [f] = flags(run(docs), "UNIT_MISMATCH")
    assert f.found == "Dispendukcapil Kabupaten Pamekasan" and f.page == 1


def test_unit_named_agencies_differ_by_name():
    prof = rf.profile(unit="UPT Puskesmas Kalianget Kabupaten Sumenep", aliases=["Puskesmas Kalianget"])
    docs = [rf.doc("a/sk.pdf", "sk_tim_zi", unit="Puskesmas Pragaan Kabupaten Sumenep"),
            rf.doc("b/sk.pdf", "sk_agen_perubahan", unit="PUSKESMAS KALIANGET")]
    found = flags(run(docs, prof), "UNIT_MISMATCH")
    assert [f.documents for f in found] == [["a/sk.pdf"]]


@pytest.mark.parametrize("unit,flagged", [
    ("RUMAH SAKIT", False),                        # the letterhead's first line, the rest cut off
    ("Rumah Sakit Umum Daerah", False),
    ("Kabupaten Gowa", False),
    ("Rumah Sakit Bhayangkara Makassar", True),    # another hospital
    ("RSUD Kabupaten Maros", True),
])
def test_unit_a_cut_name_of_the_unit_itself_is_not_another_unit(unit, flagged):
    prof = rf.profile(unit="RSUD Kabupaten Gowa", aliases=[])
    docs = [rf.doc("a/daftar_hadir.pdf", "daftar_hadir", unit=unit)]
    assert bool(flags(run(docs, prof), "UNIT_MISMATCH")) == flagged


@pytest.mark.parametrize("unit,flagged", [
    # the letterhead names the unit's parents above it: the same unit
    ("Dinas Kesehatan UPTD Puskesmas Kalianget Kabupaten Sumenep", False),
    ("Dinas Kesehatan Kabupaten Sumenep", False),          # the Dinas issues decrees for its UPTD
    ("Pemerintah Kabupaten Sumenep", False),
    # a sibling under the same parent, an unrelated office, the parent of another region
    ("Dinas Kesehatan UPTD Puskesmas Pragaan Kabupaten Sumenep", True),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Sumenep", True),
    ("Dinas Kesehatan Kabupaten Pamekasan", True),
])
def test_unit_hierarchy_parents_are_the_same_unit(unit, flagged):
    prof = rf.profile(unit="UPTD Puskesmas Kalianget", aliases=["Puskesmas Kalianget Kabupaten Sumenep"])
    docs = [rf.doc("a/sk.pdf", "sk_tim_zi", unit=unit)]
    assert bool(flags(run(docs, prof), "UNIT_MISMATCH")) == flagged


# ---------------------------------------------------------------- signing

def test_unsigned():
    [f] = flags(run(with_doc(SK, signatory=None)), "UNSIGNED")
    # found: what the block was read with; expected: what it needs; the message: what is missing
    assert f.params["variant"] == "none" and f.found is None
    assert f.expected == ["name", "nip", "place_or_date"]
    [f] = flags(run(with_doc(SK, signatory=rf.head_signatory(nip=None))), "UNSIGNED")
    assert f.found == ["name", "place_or_date"] and "tidak ada NIP" in f.message
    assert (f.found_text, f.expected_text) == ("nama, tempat/tanggal", "nama, NIP, tempat/tanggal")
    # notulen need only the note-taker's name
    assert not flags(run(with_doc("Notulen Rapat", signatory=Signatory(name="Joko Prasetyo"))), "UNSIGNED")


def test_unsigned_on_an_unread_signature_region_is_unverifiable_not_an_error():
    docs = with_doc(SK, signatory=rf.head_signatory(nip=None))
    sk = rf.find(docs, SK)
    sk.fields.signature_unread = Mention("trace", page=3, raw="Pembina Utama Muda (IV/c)")
    ev = run(docs)
    assert not flags(ev, "UNSIGNED")
    [f] = flags(ev, "UNVERIFIABLE")
    assert (f.severity, f.page, f.documents) == ("info", 3, [sk.path])
    assert "halaman 3" in f.message and "NIP" in f.message
    [f] = flags(run(docs, lang="en"), "UNVERIFIABLE")
    assert "A person must look at that page" in f.message
    # a complete block is simply signed, whatever the region's OCR looked like
    sk.fields.signatory = rf.head_signatory("2024-01-15")
    assert not flags(run(docs), "UNVERIFIABLE") and not flags(run(docs), "UNSIGNED")


def test_unsigned_not_raised_for_a_corrupt_file():
    docs = rf.clean_folder() + [rf.doc("x/SK rusak.pdf", "sk_tim_zi", signatory=None, error="CORRUPT_FILE",
                                       reason="PDF trailer missing")]
    ev = run(docs)
    assert [f.code for f in ev.flags if "x/SK rusak.pdf" in f.documents] == ["CORRUPT_FILE"]


def test_signatory_mismatch_other_person():
    sig = Signatory(name="Budi Santoso", nip="198502022010011002", place="Sumenep", date="2024-01-08")
    [f] = flags(run(with_doc(SK, signatory=sig)), "SIGNATORY_MISMATCH")
    assert f.severity == "warning" and "Budi Santoso" in f.found and rf.HEAD_NIP in f.expected


def test_signatory_head_written_differently_is_fine():
    sig = rf.head_signatory(name="AHMAD FAUZI", nip="19720315 199803 1 004")
    assert not flags(run(with_doc(SK, signatory=sig)), "SIGNATORY_MISMATCH")
    sig = rf.head_signatory(name="Dr. H. Ahmad Fauzy, SH, MSi", nip=None)   # typo, no NIP
    assert not flags(run(with_doc(SK, signatory=sig)), "SIGNATORY_MISMATCH")


def test_signatory_head_with_another_nip():
    sig = rf.head_signatory(nip="197203151998031005")
    [f] = flags(run(with_doc(SK, signatory=sig)), "SIGNATORY_MISMATCH")
    assert f.params["variant"] == "nip_differs"


def test_signatory_nip_inconsistent_without_head_of_record():
    prof = rf.profile(head=Head())
    docs = with_doc(SK, signatory=rf.head_signatory(nip="197203151998031005"))
    [f] = flags(run(docs, prof), "SIGNATORY_MISMATCH")
    assert f.params["variant"] == "inconsistent" and len(f.documents) > 1
    assert not flags(run(rf.clean_folder(), prof), "SIGNATORY_MISMATCH")


def test_individual_pakta_signed_by_the_employee_is_fine():
    p = rf.STAFF[3]
    docs = with_doc("Pakta Integritas", people=[p],
                    signatory=Signatory(name=p.name, nip=p.nip, place="Sumenep", date="2024-01-08"))
    assert not flags(run(docs, roster=[]), "SIGNATORY_MISMATCH")


def test_invalid_nip():
    bad = Person("Budi Santoso", "198513022010011002", "Sekretaris")   # month 13
    docs = with_doc(SK, people=[rf.TEAM[0], bad, rf.TEAM[2]])
    [f] = flags(run(docs), "INVALID_NIP")
    assert f.found == ["198513022010011002 (Budi Santoso)"] and f.severity == "warning"
    assert not flags(run(with_doc(SK, people=rf.TEAM)), "INVALID_NIP")


def test_invalid_nip_misread_by_ocr_is_unverifiable():
    # "200461" for "200401": the TMT digits came from a word OCR was unsure of (78)
    sig = rf.head_signatory("2024-01-15")
    sig = dataclasses.replace(sig, nip="197203151998611004", nip_conf=[95.0] * 8 + [78.0] * 6 + [96.0] * 4)
    ev = run(with_doc(SK, signatory=sig))
    assert not flags(ev, "INVALID_NIP")
    [f] = flags(ev, "UNVERIFIABLE")
    assert f.severity == "info" and "197203151998611004" in f.message
    # the same NIP read with confidence where it is wrong is a finding
    sure = dataclasses.replace(sig, nip_conf=[95.0] * 18)
    [f] = flags(run(with_doc(SK, signatory=sure)), "INVALID_NIP")
    assert not flags(run(with_doc(SK, signatory=sure)), "UNVERIFIABLE")
    # a member list read by OCR: the first digit under a stamp ("4969…" for "1969…")
    misread = Person("Dewi Rahayu, S.T.", "496903171997032008", "Anggota",
                     nip_conf=[63.0] * 8 + [96.0] * 6 + [74.0] * 4)
    ev = run(with_doc(SK, people=[*rf.TEAM, misread]))
    assert not flags(ev, "INVALID_NIP") and flags(ev, "UNVERIFIABLE")


# ---------------------------------------------------------------- content

def test_duplicate_number():
    docs = with_doc("SK Agen Perubahan", nomor="800/010/435.201/2024")   # the SK Tim ZI's number
    [f] = flags(run(docs), "DUPLICATE_NUMBER")
    assert len(f.documents) == 2 and f.found == "800/010/435.201/2024"


def test_duplicate_number_not_raised_for_copies_of_one_file():
    docs = rf.clean_folder()
    sk = rf.find(docs, SK)
    docs.append(dataclasses.replace(sk, path="arsip/SK Tim ZI (1).pdf"))
    ev = run(docs)
    assert not flags(ev, "DUPLICATE_NUMBER")
    [f] = flags(ev, "DUPLICATE_FILE")
    assert f.documents == sorted([sk.path, "arsip/SK Tim ZI (1).pdf"]) and f.severity == "info"


@pytest.mark.parametrize("snippet", [
    "Ditetapkan oleh [NAMA UNIT] sesuai ketentuan",
    "NOMOR : 800/xxx/435.201/2024",
    "Nomor : ......",
    "Tahun 20..",
    "Sumenep, ................ 2024",
    "pada tanggal ……",
    "Kepala <nama unit>",
    "[...]",
])
def test_template_placeholder(snippet):
    docs = with_doc("Rencana Kerja ZI", text=rf.GENERIC_TEXT.format(title="RENCANA") + snippet + "\n")
    [f] = flags(run(docs), "TEMPLATE_PLACEHOLDER")
    assert f.page == 1 and f.found


@pytest.mark.parametrize("snippet", [
    "BAB I PENDAHULUAN ............................ 1\nBAB II RENCANA .......... 12",   # table of contents
    "( .................................... )",                                      # signature line
    "Tanda tangan : ..............",                                                # attendance column
    "Jumlah anggaran Rp. 20.000.000,00 pada tahun 2024",
    "Pasal XXX tidak berlaku",
])
def test_template_placeholder_false_friends(snippet):
    docs = with_doc("Rencana Kerja ZI", text=rf.GENERIC_TEXT.format(title="RENCANA") + snippet + "\n")
    assert not flags(run(docs), "TEMPLATE_PLACEHOLDER")


def test_missing_section():
    text = rf.SK_TEXT.replace("MEMUTUSKAN\n", "").format(nomor="1", title="TIM", tanggal="2024-01-08")
    [f] = flags(run(with_doc(SK, text=text)), "MISSING_SECTION")
    assert f.found == ["MEMUTUSKAN"] and "MEMUTUSKAN" in f.message


def test_missing_section_tolerates_ocr_noise():
    text = (rf.SK_TEXT.replace("MEMUTUSKAN", "MEMUTUSKAM").replace("Menimbang", "M e n i m b a n g")
            .format(nomor="1", title="TIM", tanggal="2024-01-08"))
    assert not flags(run(with_doc(SK, text=text)), "MISSING_SECTION")


def test_missing_section_sop_identity():
    text = rf.SOP_TEXT.replace("Tanggal Efektif : 2 Januari 2024\n", "")
    [f] = flags(run(with_doc("SOP Akta Kelahiran", text=text)), "MISSING_SECTION")
    assert f.found == ["Tanggal Efektif"]


HEALTH_SOP = ("UPTD PUSKESMAS KALIANGET\nSOP\nPENDAFTARAN PASIEN\nNo. Dokumen : 445/012/SOP/PKM/2024\n"
              "No. Revisi : 00\nTanggal Terbit : 2 Januari 2024\nHalaman : 1/2\nKepala Puskesmas Kalianget\n"
              "1. Pengertian : ...\n2. Tujuan : ...\n3. Kebijakan : ...\n4. Referensi : ...\n"
              "5. Langkah-langkah : ...\n6. Unit Terkait : ...\n")


def test_missing_section_sop_accreditation_format():
    # the health-service format is an SOP of its own kind: no "Disahkan oleh", no "Nomor SOP"
    assert not flags(run(with_doc("SOP Akta Kelahiran", text=HEALTH_SOP)), "MISSING_SECTION")
    [f] = flags(run(with_doc("SOP Akta Kelahiran", text=HEALTH_SOP.replace("2. Tujuan : ...\n", ""))),
                "MISSING_SECTION")
    assert f.found == ["Tujuan"]   # measured against the format it is closest to


def test_missing_section_approval_shown_by_the_signature_block():
    text = rf.SOP_TEXT.replace("Disahkan oleh : Kepala Dinas\n", "Kepala Dinas\n")
    assert not flags(run(with_doc("SOP Akta Kelahiran", text=text)), "MISSING_SECTION")
    [f] = flags(run(with_doc("SOP Akta Kelahiran", text=text, signatory=None)), "MISSING_SECTION")
    assert f.found == ["Disahkan oleh"]


# ---------------------------------------------------------------- people

def test_coverage_gap():
    roster = rf.roster(rf.STAFF + [Person("Agus Salim", "198806062012011006", "Staf")])
    [f] = flags(run(rf.clean_folder(), roster=roster), "COVERAGE_GAP")
    assert f.found == ["Agus Salim"] and f.expected == 6 and "Agus Salim" in f.message


def test_coverage_matches_names_with_titles_and_nip():
    roster = rf.roster([Person("DEWI LESTARI, S.Pd.", None, "Staf"),
                        Person("J. Prasetyo", "198704042011011004", "Staf")])
    assert not flags(run(rf.clean_folder(), roster=roster), "COVERAGE_GAP")


def test_member_mismatch():
    docs = with_doc("Monev TW III", people=rf.TEAM + [Person("Hendra Gunawan", None, "Anggota")])
    [f] = flags(run(docs), "MEMBER_MISMATCH")
    assert f.found == ["Hendra Gunawan"]


def test_member_mismatch_ignores_meeting_attendees():
    docs = with_doc("Notulen Rapat", people=[Person("Hendra Gunawan", None, "Peserta")])
    assert not flags(run(docs), "MEMBER_MISMATCH")
    docs = with_doc("Notulen Rapat", people=[Person("Hendra Gunawan", None, "Anggota Tim")])
    assert flags(run(docs), "MEMBER_MISMATCH")


# ---------------------------------------------------------------- files

def test_unreadable_low_confidence():
    docs = rf.clean_folder() + [rf.doc("scan/sk_buram.jpg", "sk_other", kind="image", ocr=38.0,
                                       signatory=None, nomor="1/2/3")]
    ev = run(docs)
    [f] = flags(ev, "UNREADABLE")
    assert f.found == 38.0 and f.documents == ["scan/sk_buram.jpg"]
    assert [x.code for x in ev.flags if "scan/sk_buram.jpg" in x.documents] == ["UNREADABLE"]
    docs[-1] = rf.doc("scan/sk_buram.jpg", "sk_other", kind="image", ocr=82.0, nomor="800/099/435.201/2024")
    assert not flags(run(docs), "UNREADABLE")


def test_unreadable_from_extraction_and_photos():
    docs = rf.clean_folder() + [rf.doc("scan/kosong.pdf", error="UNREADABLE", reason="no text after OCR")]
    [f] = flags(run(docs), "UNREADABLE")
    assert f.found == "no text after OCR"
    photo = rf.doc("dokumentasi/foto_apel.jpg", kind="image", ocr=20.0, text="", signatory=None)
    assert not flags(run(rf.clean_folder() + [photo]), "UNREADABLE")


def test_corrupt_and_unsupported_file():
    docs = rf.clean_folder() + [rf.doc("x/rusak.pdf", error="CORRUPT_FILE", reason="encrypted"),
                                rf.doc("x/video.mp4", error="UNSUPPORTED_FILE", kind="unknown")]
    ev = run(docs)
    [c] = flags(ev, "CORRUPT_FILE")
    [u] = flags(ev, "UNSUPPORTED_FILE")
    assert (c.severity, c.found, u.severity, u.found) == ("error", "encrypted", "info", "mp4")
    assert codes(ev) == ["CORRUPT_FILE", "UNSUPPORTED_FILE"]


def test_duplicate_file_one_flag_per_group():
    docs = rf.clean_folder()
    sop = rf.find(docs, "SOP Akta")
    docs += [dataclasses.replace(sop, path="a/copy1.pdf"), dataclasses.replace(sop, path="b/copy2.pdf")]
    [f] = flags(run(docs), "DUPLICATE_FILE")
    assert len(f.documents) == 3 and f.params["count"] == 3
    assert not flags(run(rf.clean_folder()), "DUPLICATE_FILE")


# ---------------------------------------------------------------- folders

def test_misfiled():
    docs = with_doc("SK UPG", path="1. Manajemen Perubahan/1.1 Tim Kerja/SK UPG.pdf")
    ev = run(docs)
    [f] = flags(ev, "MISFILED")
    assert f.severity == "info" and f.params["named"] == "I.P.i" and f.expected == ["V.P.i"]
    assert rf.find(docs, "SK UPG").indicators == ["V.P.i"]


def test_pencanangan_documents_under_rencana_are_not_misfiled():
    """The pakta integritas signed at the Pencanangan lives in I.P.iv, but folders keep it with the
    Rencana (I.P.ii), as the pack says; the same pakta under the Tim Kerja is still misfiled."""
    rencana = "1. Manajemen Perubahan/1.2 Rencana Pembangunan Zona Integritas/Pakta Integritas Pegawai.pdf"
    assert not flags(run(with_doc("Pakta Integritas", path=rencana)), "MISFILED")
    tim = "1. Manajemen Perubahan/1.1 Tim Kerja/Pakta Integritas Pegawai.pdf"
    [f] = flags(run(with_doc("Pakta Integritas", path=tim)), "MISFILED")
    assert f.params["named"] == "I.P.i"


@pytest.mark.parametrize("folder,indicator", [
    ("1. Manajemen Perubahan/1.1 Tim Kerja", "I.P.i"),
    ("MP - Tim", "I.P.i"),
    ("Tim ZI", "I.P.i"),
    ("01_manajemen_perubahan/02_rencana", "I.P.ii"),
    ("Area 5 Pengawasan/Gratifikasi", "V.P.i"),
    ("1. Manajemen Perubahan/1.5 Pencanangan", "I.P.iv"),   # pre-2021 "1.5": the pakta is I.P.iv.d
])
def test_folder_hints(folder, indicator):
    from rules.mapping import folder_hint
    assert folder_hint(folder, PACK).indicators[0] == indicator


def test_folder_without_indicator_is_not_misfiled():
    docs = with_doc("SK UPG", path="01_manajemen_perubahan/SK UPG.pdf")
    [f] = flags(run(docs), "MISFILED")       # area named, type of another area
    assert f.params["named"] == "I"
    assert not flags(run(with_doc("SK UPG", path="scan/SK UPG.pdf")), "MISFILED")
    assert not flags(run(with_doc("SK UPG", path="5_pengawasan/SK UPG.pdf")), "MISFILED")
