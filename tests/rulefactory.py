"""Small factories of Documents for the rule-engine tests: no files, no OCR.

`clean_folder()` is a complete evidence folder of a fictitious unit that raises no flag at all;
each test changes one thing in it and looks for the one flag that change must cause."""
from __future__ import annotations

import hashlib
import sys
import types
from datetime import date

from extractors.model import Extraction, Fields, Mention, Page, Person, Signatory
from rules.model import Document, Head, Profile, RosterEntry


def _install_nip_fallback() -> None:
    """extractors.fields.nip is written by the extractor engineers; until it lands, a minimal
    stand-in keeps the rule tests runnable (18 digits, real birth date, gender 1/2)."""
    try:
        from extractors.fields.nip import validate_nip  # noqa: F401
        return
    except ImportError:
        pass

    def validate_nip(nip: str) -> list[str]:
        d = "".join(ch for ch in nip if ch.isdigit())
        if len(d) != 18:
            return [f"{len(d)} digits, not 18"]
        problems = []
        try:
            date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        except ValueError:
            problems.append("impossible birth date")
        if d[14] not in "12":
            problems.append("gender digit not 1 or 2")
        return problems

    mod = types.ModuleType("extractors.fields.nip")
    mod.validate_nip = validate_nip
    sys.modules["extractors.fields.nip"] = mod


_install_nip_fallback()

UNIT = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep"
HEAD_NAME = "Dr. Ahmad Fauzi, S.H., M.Si."
HEAD_NIP = "197203151998031004"

TEAM = [Person("Siti Aminah, S.E.", "198001012005012001", "Ketua"),
        Person("Budi Santoso", "198502022010011002", "Sekretaris"),
        Person("Rina Wulandari, S.Kom.", "199003032015032003", "Anggota")]
STAFF = TEAM + [Person("Joko Prasetyo", "198704042011011004", "Staf"),
                Person("Dewi Lestari", "199205052019032005", "Staf")]

SK_TEXT = (f"PEMERINTAH KABUPATEN SUMENEP\n{UNIT.upper()}\nKEPUTUSAN KEPALA DINAS\nNOMOR : {{nomor}}\n"
           "TENTANG\n{title}\nMenimbang : a. bahwa ...\nMengingat : 1. Undang-Undang ...\nMEMUTUSKAN\n"
           "Menetapkan : KEPUTUSAN KEPALA DINAS TENTANG {title}\nKESATU : ...\n"
           f"Ditetapkan di Sumenep\npada tanggal {{tanggal}}\nKEPALA DINAS\n{HEAD_NAME}\nNIP. {HEAD_NIP}\n")
SOP_TEXT = ("STANDAR OPERASIONAL PROSEDUR\nNomor SOP : 065/01/SOP/2024\nTanggal Pembuatan : 2 Januari 2024\n"
            "Tanggal Revisi : -\nTanggal Efektif : 2 Januari 2024\nDisahkan oleh : Kepala Dinas\n"
            "Nama SOP : Pelayanan Akta Kelahiran\nDasar Hukum : ...\nKualifikasi Pelaksana : ...\n")
GENERIC_TEXT = ("{title}\n" + UNIT + "\nLaporan ini disusun sebagai bahan pemantauan pelaksanaan kegiatan "
                "pembangunan zona integritas pada unit kerja kami selama periode berjalan.\n")
SP_TEXT = ("STANDAR PELAYANAN\nPersyaratan : ...\nSistem, Mekanisme dan Prosedur : ...\nJangka Waktu Pelayanan : 1 hari\n"
           "Biaya/Tarif : gratis\nProduk Pelayanan : akta\nPenanganan Pengaduan, Saran dan Masukan : ...\n")
SKM_TEXT = ("LAPORAN SURVEI KEPUASAN MASYARAKAT\nNilai Indeks Kepuasan Masyarakat (IKM) : 88,5 (B)\n"
            "Jumlah responden 400 orang dari seluruh jenis layanan administrasi kependudukan.\n")


def head_signatory(day: str = "2024-01-15", **kw) -> Signatory:
    data = dict(name=HEAD_NAME, nip=HEAD_NIP, jabatan="Kepala Dinas", place="Sumenep", date=day, page=1)
    data.update(kw)
    return Signatory(**data)


def profile(**kw) -> Profile:
    data = dict(unit=UNIT, aliases=["Dispendukcapil Kabupaten Sumenep", "Disdukcapil Sumenep"],
                head=Head(HEAD_NAME, HEAD_NIP), period=2024, target="WBK", check_date=date(2024, 10, 1))
    data.update(kw)
    return Profile(**data)


def roster(people=None) -> list[RosterEntry]:
    return [RosterEntry(p.name, p.nip, p.role, line=i + 2) for i, p in enumerate(people or STAFF)]


def doc(path: str, doc_type: str = "unknown", text: str | None = None, *, nomor: str | None = None,
        tanggal: str | None = "2024-01-15", title: str | None = None, unit: str | None = UNIT,
        signatory: Signatory | None | str = "head", people=None, unit_mentions=(), period: str | None = None,
        kind: str = "pdf", error: str | None = None, reason: str | None = None, ocr: float | None = None,
        sha: str | None = None, size: int = 1000, pages: list[str] | None = None) -> Document:
    title = title or doc_type.replace("_", " ").upper()
    if text is None:
        text = {"sop": SOP_TEXT, "standar_pelayanan": SP_TEXT, "laporan_skm": SKM_TEXT}.get(doc_type) or (
            SK_TEXT if doc_type.startswith("sk_") else GENERIC_TEXT)
        text = text.format(nomor=nomor or "-", title=title, tanggal=tanggal or "-")
    if error in ("CORRUPT_FILE", "UNSUPPORTED_FILE"):
        page_list = []
    else:
        source = "ocr" if ocr is not None else "text"
        page_list = [Page(number=i + 1, text=t, source=source, confidence=ocr)
                     for i, t in enumerate(pages if pages is not None else [text])]
    if signatory == "head":
        signatory = head_signatory(tanggal) if tanggal else head_signatory()
    fields = Fields(nomor=nomor, tanggal=tanggal, title=title, unit=unit, signatory=signatory,
                    people=list(people or []), unit_mentions=[Mention(m, page=1) for m in unit_mentions],
                    period=period)
    content = sha or hashlib.sha256(f"{path}|{doc_type}|{text}|{nomor}|{tanggal}".encode()).hexdigest()
    return Document(path=path, sha256=content, size=size, kind=kind,
                    extraction=Extraction(kind=kind, pages=page_list, error_code=error, error_reason=reason),
                    doc_type=doc_type if not error else "unknown", doc_type_confidence=0.95, fields=fields)


def clean_folder() -> list[Document]:
    """Every indicator of lke-2021 covered, for a WBK unit checked on 2024-10-01."""
    mp, tt, sdm, ak, pw, pp = ("1. Manajemen Perubahan", "2. Penataan Tatalaksana", "3. Penataan SDM",
                               "4. Penguatan Akuntabilitas", "5. Penguatan Pengawasan", "6. Pelayanan Publik")
    d = [
        doc(f"{mp}/1.1 Tim Kerja/SK Tim ZI.pdf", "sk_tim_zi", nomor="800/010/435.201/2024",
            title="PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS", tanggal="2024-01-08", people=TEAM),
        doc(f"{mp}/1.2 Rencana/Rencana Kerja ZI.pdf", "rencana_kerja_zi", tanggal="2024-01-20",
            title="RENCANA KERJA PEMBANGUNAN ZONA INTEGRITAS"),
        doc(f"{mp}/1.3 Monev/Monev TW I.pdf", "laporan_monev", tanggal="2024-04-05", period="Triwulan I",
            people=TEAM[:2]),
        doc(f"{mp}/1.3 Monev/Monev TW II.pdf", "laporan_monev", tanggal="2024-07-05", period="Triwulan II",
            people=TEAM[1:]),
        doc(f"{mp}/1.3 Monev/Monev TW III.pdf", "laporan_monev", tanggal="2024-09-30", period="Triwulan III",
            people=TEAM),
        doc(f"{mp}/1.4 Budaya Kerja/SK Agen Perubahan.pdf", "sk_agen_perubahan", nomor="800/011/435.201/2024",
            tanggal="2024-01-10", title="PENETAPAN AGEN PERUBAHAN"),
        doc(f"{mp}/1.5 Pencanangan/BA Pencanangan.pdf", "berita_acara_pencanangan", tanggal="2023-12-15",
            title="BERITA ACARA PENCANANGAN PEMBANGUNAN ZONA INTEGRITAS"),
        doc(f"{mp}/1.5 Pencanangan/Pakta Integritas.pdf", "pakta_integritas", tanggal="2024-01-08",
            title="PAKTA INTEGRITAS", people=STAFF),
        doc(f"{tt}/2.1 SOP/SOP Akta Kelahiran.pdf", "sop", tanggal="2024-01-02", title="SOP PELAYANAN AKTA KELAHIRAN"),
        doc(f"{tt}/2.1 SOP/SK Penetapan SOP.pdf", "sk_sop", nomor="800/012/435.201/2024", tanggal="2024-01-03",
            title="PENETAPAN STANDAR OPERASIONAL PROSEDUR"),
        doc(f"{tt}/2.2 SPBE/Aplikasi e-Office.pdf", "unknown", title="PENERAPAN APLIKASI E-OFFICE", signatory=None),
        doc(f"{tt}/2.3 KIP/Keterbukaan Informasi.pdf", "sk_other", nomor="800/013/435.201/2024",
            title="PPID DAN KETERBUKAAN INFORMASI PUBLIK"),
        doc(f"{sdm}/3.1/Analisis Jabatan.pdf", "unknown", title="ANALISIS JABATAN DAN KEBUTUHAN PEGAWAI", signatory=None),
        doc(f"{sdm}/3.2/Pola Mutasi.pdf", "sk_other", nomor="800/014/435.201/2024", title="POLA MUTASI INTERNAL PEGAWAI"),
        doc(f"{sdm}/3.3/Pengembangan Kompetensi.pdf", "unknown", title="RENCANA PENGEMBANGAN KOMPETENSI PEGAWAI", signatory=None),
        doc(f"{sdm}/3.4/Perjanjian Kinerja.pdf", "perjanjian_kinerja", tanggal="2024-01-05", title="PERJANJIAN KINERJA 2024"),
        doc(f"{sdm}/3.5/Kode Etik.pdf", "sk_other", nomor="800/015/435.201/2024", title="KODE ETIK DAN KODE PERILAKU PEGAWAI"),
        doc(f"{sdm}/3.6/SIMPEG.pdf", "unknown", title="SISTEM INFORMASI KEPEGAWAIAN (SIMPEG)", signatory=None),
        doc(f"{ak}/4.1/Notulen Rapat Kinerja.pdf", "notulen_rapat", tanggal="2024-02-01",
            title="NOTULEN RAPAT EVALUASI KINERJA TRIWULAN", people=[Person("Joko Prasetyo", None, "Peserta")]),
        doc(f"{ak}/4.2/Renstra.pdf", "unknown", title="RENCANA STRATEGIS (RENSTRA) 2021-2026", signatory=None),
        doc(f"{pw}/5.1 Gratifikasi/SK UPG.pdf", "sk_upg", nomor="800/016/435.201/2024", title="UNIT PENGENDALIAN GRATIFIKASI"),
        doc(f"{pw}/5.1 Gratifikasi/Laporan Gratifikasi.pdf", "laporan_gratifikasi", tanggal="2024-07-01"),
        doc(f"{pw}/5.2 SPIP/Manajemen Risiko.pdf", "unknown", title="REGISTER RISIKO DAN PENERAPAN SPIP", signatory=None),
        doc(f"{pw}/5.3 Pengaduan/SK Pengaduan.pdf", "sk_pengaduan", nomor="800/017/435.201/2024", title="PENGELOLA PENGADUAN"),
        doc(f"{pw}/5.3 Pengaduan/Rekap Pengaduan.pdf", "laporan_pengaduan", tanggal="2024-07-02"),
        doc(f"{pw}/5.4 WBS/SK WBS.pdf", "sk_wbs", nomor="800/018/435.201/2024", title="WHISTLE BLOWING SYSTEM"),
        doc(f"{pw}/5.5 Benturan Kepentingan/SK BK.pdf", "sk_benturan_kepentingan", nomor="800/019/435.201/2024",
            title="PENANGANAN BENTURAN KEPENTINGAN"),
        doc(f"{pp}/6.1 Standar Pelayanan/SK SP.pdf", "sk_standar_pelayanan", nomor="800/020/435.201/2024",
            title="PENETAPAN STANDAR PELAYANAN"),
        doc(f"{pp}/6.1 Standar Pelayanan/Standar Pelayanan.pdf", "standar_pelayanan", tanggal="2024-01-04"),
        doc(f"{pp}/6.1 Standar Pelayanan/Maklumat.pdf", "maklumat_pelayanan", tanggal="2024-01-04",
            title="MAKLUMAT PELAYANAN"),
        doc(f"{pp}/6.2 Budaya Pelayanan/Pelayanan Prima.pdf", "unknown", title="BUDAYA PELAYANAN PRIMA", signatory=None),
        doc(f"{pp}/6.4 SKM/Laporan SKM.pdf", "laporan_skm", tanggal="2024-07-10", period="Semester I"),
        doc(f"{pp}/6.5 Inovasi/Inovasi Layanan.pdf", "unknown", title="INOVASI LAYANAN ONLINE", signatory=None),
    ]
    return d


def find(docs: list[Document], name: str) -> Document:
    return next(d for d in docs if name in d.path)


def replace(docs: list[Document], name: str, new: Document) -> list[Document]:
    return [new if name in d.path else d for d in docs]
