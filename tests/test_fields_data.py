"""Sample documents for the understand-stage tests (no tests here), and an OCR-noise generator.

Texts are written the way the extractor hands them over: one string per page, kop surat first,
signature blocks with blank lines for the signature, lampiran tables as lines."""
from __future__ import annotations

import random
import re

from extractors.model import Extraction, Page

SK_TIM_ZI = ["""PEMERINTAH KABUPATEN SUMENEP
DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
Jalan Trunojoyo Nomor 124 Telp. (0328) 662211 Sumenep 69417
email: dispendukcapil@sumenepkab.go.id

KEPUTUSAN KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
KABUPATEN SUMENEP
NOMOR : 800/123/435.201/2024

TENTANG

PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS
MENUJU WILAYAH BEBAS DARI KORUPSI
DI LINGKUNGAN DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
KABUPATEN SUMENEP TAHUN 2024

DENGAN RAHMAT TUHAN YANG MAHA ESA

KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN SUMENEP,

Menimbang : a. bahwa dalam rangka mewujudkan birokrasi yang bersih dan melayani perlu
               dibangun Zona Integritas menuju Wilayah Bebas dari Korupsi;
            b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, perlu
               menetapkan Keputusan Kepala Dinas tentang Pembentukan Tim Kerja;
Mengingat : 1. Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;
            2. Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi
               Nomor 90 Tahun 2021 tentang Pembangunan dan Evaluasi Zona Integritas;
""", """                              MEMUTUSKAN :
Menetapkan : KEPUTUSAN KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL TENTANG
             PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS.
KESATU     : Membentuk Tim Kerja Pembangunan Zona Integritas dengan susunan sebagaimana
             tercantum dalam Lampiran Keputusan ini.
KEDUA      : Tim Kerja bertugas menyusun rencana kerja dan melaksanakan pemantauan.
KETIGA     : Keputusan ini mulai berlaku pada tanggal ditetapkan.

                                        Ditetapkan di Sumenep
                                        pada tanggal 15 Januari 2024
                                        KEPALA DINAS KEPENDUDUKAN DAN
                                        PENCATATAN SIPIL KABUPATEN SUMENEP,



                                        Dr. AHMAD FAUZI, S.H., M.Si.
                                        Pembina Utama Muda
                                        NIP. 19720315 199803 1 004
""", """LAMPIRAN KEPUTUSAN KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
NOMOR : 800/123/435.201/2024
TANGGAL : 15 Januari 2024

SUSUNAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS

NO  NAMA                              NIP                   JABATAN                 KEDUDUKAN
1.  Dr. AHMAD FAUZI, S.H., M.Si.      19720315 199803 1 004  Kepala Dinas            Penanggung Jawab
2.  BUDI SANTOSO, S.Kom.              19850612 201001 1 012  Sekretaris              Ketua
3.  SITI AMINAH, S.E.                 19870101 201101 2 003  Kasubag Umum            Sekretaris
4.  MOH. RIDWAN, S.Sos.               19900220 201503 1 001  Analis Kebijakan        Anggota

                                        KEPALA DINAS KEPENDUDUKAN DAN
                                        PENCATATAN SIPIL KABUPATEN SUMENEP,



                                        Dr. AHMAD FAUZI, S.H., M.Si.
                                        Pembina Utama Muda
                                        NIP. 19720315 199803 1 004
"""]

PAKTA_INDIVIDU = ["""PAKTA INTEGRITAS

Saya yang bertanda tangan di bawah ini :
Nama            : BUDI SANTOSO, S.Kom.
NIP             : 19850612 201001 1 012
Pangkat/Gol.    : Penata Tk. I (III/d)
Jabatan         : Sekretaris
Instansi        : Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep

Dalam rangka pembangunan Zona Integritas, dengan ini menyatakan bahwa saya:
1. Tidak melakukan praktik korupsi, kolusi dan nepotisme;
2. Tidak meminta atau menerima gratifikasi;
3. Melaporkan apabila mengetahui ada indikasi korupsi, kolusi dan nepotisme;
4. Menjadi teladan bagi lingkungan kerja.

                                        Sumenep, 6 Mei 2024
                                        Yang membuat pernyataan,



                                        BUDI SANTOSO, S.Kom.
                                        NIP. 19850612 201001 1 012
"""]

PAKTA_KOLEKTIF = ["""PEMERINTAH KABUPATEN SUMENEP
DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
Jalan Trunojoyo Nomor 124 Sumenep

PAKTA INTEGRITAS
PEGAWAI DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN SUMENEP

Kami yang bertanda tangan di bawah ini menyatakan tidak akan melakukan praktik korupsi,
kolusi dan nepotisme serta tidak menerima gratifikasi.

| No | Nama | NIP | Jabatan | Tanda Tangan |
| 1 | BUDI SANTOSO, S.Kom. | 19850612 201001 1 012 | Sekretaris | 1. ........ |
| 2 | SITI AMINAH, S.E. | 19870101 201101 2 003 | Kasubag Umum | 2. ........ |
| 3 | MOH. RIDWAN, S.Sos. | 19900220 201503 1 001 | Analis Kebijakan | 3. ........ |

                                        Sumenep, 2 Januari 2024
                                        KEPALA DINAS KEPENDUDUKAN DAN
                                        PENCATATAN SIPIL KABUPATEN SUMENEP,



                                        Dr. AHMAD FAUZI, S.H., M.Si.
                                        Pembina Utama Muda
                                        NIP. 19720315 199803 1 004
"""]

SOP = ["""PEMERINTAH KABUPATEN SUMENEP
DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU
Jl. Dr. Cipto Nomor 7 Sumenep

STANDAR OPERASIONAL PROSEDUR

Nomor SOP          : 188.4/12/SOP/435.114/2024
Tanggal Pembuatan  : 2 Februari 2024
Tanggal Revisi     : -
Tanggal Efektif    : 1 Maret 2024
Disahkan oleh      : Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu



                     Ir. SRI WAHYUNI, M.M.
                     NIP. 19700505 199503 2 002
Nama SOP           : Pelayanan Penerbitan Izin Usaha Mikro

Dasar Hukum:                          Kualifikasi Pelaksana:
1. Peraturan Pemerintah Nomor 5 Tahun 2021    1. Memahami peraturan perizinan
Keterkaitan:                          Peralatan/Perlengkapan:
SOP Verifikasi Berkas                 Komputer, printer
Peringatan:                           Pencatatan dan Pendataan:
Berkas tidak lengkap dikembalikan      Arsip elektronik
"""]

MONEV = ["""PEMERINTAH KABUPATEN SUMENEP
DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
Jalan Trunojoyo Nomor 124 Sumenep

LAPORAN PEMANTAUAN DAN EVALUASI
PEMBANGUNAN ZONA INTEGRITAS
TRIWULAN I TAHUN 2024

BAB I PENDAHULUAN
Laporan ini disusun oleh Tim Kerja Pembangunan Zona Integritas berdasarkan Keputusan
Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep Nomor 800/123/435.201/2024.
Kegiatan pada bulan Januari sampai dengan Maret 2024 meliputi sosialisasi dan rapat koordinasi
dengan Inspektorat Kabupaten Sumenep.
""", """BAB II HASIL PEMANTAUAN
1. Area Manajemen Perubahan: rencana kerja telah disusun.
2. Area Penataan Tatalaksana: 12 SOP telah ditetapkan.

                                        Sumenep, 5 April 2024
                                        Ketua Tim Kerja Pembangunan
                                        Zona Integritas,



                                        BUDI SANTOSO, S.Kom.
                                        Penata Tk. I (III/d)
                                        NIP. 19850612 201001 1 012
"""]

# an SK on a subject the vocabulary has no type for
SK_OTHER = ["""PEMERINTAH KABUPATEN SUMENEP
BADAN PENDAPATAN DAERAH
Jalan Adirasa Nomor 3 Sumenep

KEPUTUSAN KEPALA BADAN PENDAPATAN DAERAH KABUPATEN SUMENEP
NOMOR : 973/045/KEP/435.108/2024
TENTANG
PENUNJUKAN BENDAHARA PENERIMAAN PEMBANTU
TAHUN ANGGARAN 2024

DENGAN RAHMAT TUHAN YANG MAHA ESA
KEPALA BADAN PENDAPATAN DAERAH KABUPATEN SUMENEP,
Menimbang : bahwa perlu menunjuk bendahara penerimaan pembantu;
MEMUTUSKAN
Menetapkan : KESATU : Menunjuk bendahara penerimaan pembantu.

Ditetapkan di Sumenep
pada tanggal 8 Maret 2024
KEPALA BADAN PENDAPATAN DAERAH,


H. MOH. SALEH, S.E., M.M.
Pembina Tingkat I
NIP. 19680817 199203 1 006
"""]

SK_UPG = ["""PEMERINTAH KOTA SURABAYA
RUMAH SAKIT UMUM DAERAH BHAKTI DHARMA HUSADA
Jalan Kendung Nomor 115 Surabaya

KEPUTUSAN DIREKTUR RUMAH SAKIT UMUM DAERAH BHAKTI DHARMA HUSADA
NOMOR : 445/017/RSUD/I/2024
TENTANG
PEMBENTUKAN UNIT PENGENDALIAN GRATIFIKASI
DENGAN RAHMAT TUHAN YANG MAHA ESA
DIREKTUR RUMAH SAKIT UMUM DAERAH BHAKTI DHARMA HUSADA,
Menimbang : bahwa untuk mencegah gratifikasi perlu dibentuk Unit Pengendalian Gratifikasi;
MEMUTUSKAN
Menetapkan : Keputusan Direktur tentang Pembentukan Unit Pengendalian Gratifikasi.
Ditetapkan di Surabaya
pada tanggal 10 Januari 2024
DIREKTUR,


dr. RINA KARTIKA, Sp.PD., M.Kes.
NIP. 19750409 200312 2 005
"""]

NOTULEN = ["""NOTULEN RAPAT
Hari/Tanggal : Senin, 8 Januari 2024
Tempat       : Aula Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep
Acara        : Pembentukan Tim Kerja Pembangunan Zona Integritas
Pimpinan Rapat : Dr. Ahmad Fauzi, S.H., M.Si.
Peserta      : 25 orang (daftar hadir terlampir)
Hasil rapat: disepakati susunan Tim Kerja Pembangunan Zona Integritas.
"""]

MAKLUMAT = ["""PEMERINTAH KABUPATEN SUMENEP
DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU

MAKLUMAT PELAYANAN

DENGAN INI KAMI MENYATAKAN SANGGUP MENYELENGGARAKAN PELAYANAN SESUAI STANDAR PELAYANAN
YANG TELAH DITETAPKAN DAN APABILA TIDAK MENEPATI JANJI INI, KAMI SIAP MENERIMA SANKSI
SESUAI PERATURAN PERUNDANG-UNDANGAN YANG BERLAKU.

                                        Sumenep, Januari 2024
                                        KEPALA DINAS,


                                        Ir. SRI WAHYUNI, M.M.
                                        NIP. 19700505 199503 2 002
"""]

ALL = {"sk_tim_zi": SK_TIM_ZI, "pakta_individu": PAKTA_INDIVIDU, "pakta_kolektif": PAKTA_KOLEKTIF,
       "sop": SOP, "monev": MONEV, "sk_other": SK_OTHER, "sk_upg": SK_UPG, "notulen": NOTULEN,
       "maklumat": MAKLUMAT}


def extraction(pages: list[str], source: str = "text") -> Extraction:
    return Extraction(kind="pdf", pages=[Page(number=i + 1, text=t, source=source)
                                         for i, t in enumerate(pages)])


_SWAPS = [("I", "l"), ("O", "0"), ("0", "O"), ("1", "l"), ("m", "rn"), ("S", "5"), ("i", "l")]


def ocr_noise(text: str, seed: int, rate: float = 0.06) -> str:
    """Character confusions (I/l, O/0, 1/l, m/rn, S/5), doubled spaces and a few broken lines,
    deterministic per seed. Line breaks are only added inside long prose lines, so the document's
    structure (headings, signature block) survives as it does in a decent scan."""
    rnd = random.Random(seed)
    out = []
    for line in text.split("\n"):
        chars = []
        for ch in line:
            swapped = False
            for a, b in _SWAPS:
                if ch == a[0] and rnd.random() < rate:
                    chars.append(b)
                    swapped = True
                    break
            if not swapped:
                chars.append(ch)
            if ch == " " and rnd.random() < rate:
                chars.append(" ")
        line = "".join(chars)
        if len(line) > 70 and line.strip()[:1].islower() and rnd.random() < 0.3:
            cut = line.rfind(" ", 0, 60)
            if cut > 0:
                line = line[:cut] + "\n" + line[cut + 1:]
        out.append(line)
    return "\n".join(out)


def noisy(pages: list[str], seed: int, rate: float = 0.06) -> list[str]:
    return [ocr_noise(p, seed * 31 + i, rate) for i, p in enumerate(pages)]


def squash(s: str | None) -> str | None:
    return re.sub(r"\s+", " ", s).strip() if s else s
