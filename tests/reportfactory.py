"""Realistic report dicts (report.json schema "1" plus the agreed extensions) for the renderer and
review tests, so they do not depend on the extract/rules stages.

Flag keys follow the same recipe as rules.model.Flag.key (code + document sha256 + indicator), so a
report whose files were renamed keeps its keys, as a real re-run would.
"""
from __future__ import annotations

import copy
import hashlib
from typing import Any

UNIT = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep"
EVIDENCE_DIR = "/srv/zi/Dispendukcapil Sumenep 2024"

AREAS = [
    ("1", "Manajemen Perubahan", 8.0),
    ("2", "Penataan Tatalaksana", 7.0),
    ("3", "Penataan Sistem Manajemen SDM", 10.0),
    ("4", "Penguatan Akuntabilitas", 10.0),
    ("5", "Penguatan Pengawasan", 15.0),
    ("6", "Peningkatan Kualitas Pelayanan Publik", 10.0),
]

# code, area code, title, weight
INDICATORS = [
    ("1.1", "1", "Tim Kerja Pembangunan Zona Integritas", 2.0),
    ("1.2", "1", "Rencana Pembangunan Zona Integritas", 2.0),
    ("1.3", "1", "Pemantauan dan Evaluasi Pembangunan Zona Integritas", 2.0),
    ("1.4", "1", "Perubahan Pola Pikir dan Budaya Kerja", 2.0),
    ("2.1", "2", "Prosedur Kerja (SOP)", 3.5),
    ("2.2", "2", "Keterbukaan Informasi Publik", 3.5),
    ("3.1", "3", "Penegakan Aturan Disiplin, Kode Etik dan Kode Perilaku", 10.0),
    ("4.1", "4", "Manajemen Akuntabilitas Kinerja (Perjanjian Kinerja)", 10.0),
    ("5.1", "5", "Pengendalian Gratifikasi", 5.0),
    ("5.2", "5", "Pengaduan Masyarakat", 5.0),
    ("5.3", "5", "Whistle-Blowing System", 5.0),
    ("6.1", "6", "Standar Pelayanan", 5.0),
    ("6.2", "6", "Penilaian Kepuasan terhadap Pelayanan", 5.0),
]

HEAD = {"name": "Dr. Ahmad Fauzi, S.H., M.Si.", "nip": "197203151998031004",
        "jabatan": "Kepala Dinas Kependudukan dan Pencatatan Sipil"}

# path, doc_type, confidence, text_source, ocr_conf, nomor, tanggal, title, indicators, signed
DOCUMENTS = [
    ("1. Manajemen Perubahan/1.1 Tim Kerja/SK Tim Kerja ZI 2024.pdf", "sk_tim_zi", 0.97, "text", None,
     "800/012/435.201/2024", "2024-01-15", "Pembentukan Tim Kerja Pembangunan Zona Integritas", ["1.1"], True),
    ("1. Manajemen Perubahan/1.1 Tim Kerja/Notulen Pemilihan Anggota Tim.pdf", "notulen_rapat", 0.88, "ocr",
     84.5, None, "2024-01-10", "Notulen Rapat Pemilihan Anggota Tim Kerja ZI", ["1.1"], True),
    ("1. Manajemen Perubahan/1.2 Rencana/Rencana Kerja ZI 2024.docx", "rencana_kerja_zi", 0.93, "text", None,
     None, "2024-01-22", "Rencana Kerja Pembangunan Zona Integritas Tahun 2024", ["1.2"], True),
    ("1. Manajemen Perubahan/1.3 Monev/Laporan Monev Triwulan I.pdf", "laporan_monev", 0.95, "text", None,
     "800/077/435.201/2024", "2024-04-05", "Laporan Pemantauan dan Evaluasi Triwulan I", ["1.3"], True),
    ("1. Manajemen Perubahan/1.3 Monev/Laporan Monev Triwulan II.pdf", "laporan_monev", 0.91, "mixed", 71.0,
     "800/077/435.201/2024", "2024-07-08", "Laporan Pemantauan dan Evaluasi Triwulan II", ["1.3"], False),
    ("1. Manajemen Perubahan/1.4 Budaya Kerja/SK Agen Perubahan.pdf", "sk_agen_perubahan", 0.96, "text", None,
     "800/019/435.201/2023", "2023-02-01", "Penetapan Agen Perubahan", ["1.4"], True),
    ("1. Manajemen Perubahan/Pakta Integritas Pegawai.pdf", "pakta_integritas", 0.9, "ocr", 88.2,
     None, "2024-01-29", "Pakta Integritas", ["1.4"], True),
    ("2. Tatalaksana/SOP/SOP Penerbitan KTP-el.pdf", "sop", 0.94, "text", None,
     "SOP/003/435.201/2024", "2024-02-12", "SOP Penerbitan KTP Elektronik", ["2.1"], True),
    ("2. Tatalaksana/SOP/SK Penetapan SOP.pdf", "sk_sop", 0.92, "text", None,
     "800/031/435.201/2024", "2024-02-10", "Penetapan Standar Operasional Prosedur", ["2.1"], True),
    ("3. SDM/SK Kode Etik Pegawai.pdf", "sk_other", 0.62, "text", None,
     "800/040/435.201/2024", "2024-03-01", "Kode Etik dan Kode Perilaku Pegawai", ["3.1"], True),
    ("4. Akuntabilitas/Perjanjian Kinerja 2024.pdf", "perjanjian_kinerja", 0.98, "text", None,
     None, "2024-01-03", "Perjanjian Kinerja Tahun 2024", ["4.1"], True),
    ("5. Pengawasan/SK UPG.pdf", "sk_upg", 0.95, "text", None,
     "800/015/435.201/2024", "2024-01-18", "Pembentukan Unit Pengendalian Gratifikasi", ["5.1"], True),
    ("5. Pengawasan/SK Pengelola Pengaduan.jpg", "sk_pengaduan", 0.81, "ocr", 42.3,
     None, None, None, ["5.2"], False),
    ("6. Pelayanan Publik/Maklumat Pelayanan.pdf", "maklumat_pelayanan", 0.97, "text", None,
     None, "2024-01-15", "Maklumat Pelayanan", ["6.1"], True),
    ("6. Pelayanan Publik/SK Standar Pelayanan.pdf", "sk_standar_pelayanan", 0.96, "text", None,
     "800/016/435.201/2024", "2024-01-15", "Penetapan Standar Pelayanan", ["6.1"], True),
    ("scan lama/SK Tim Kerja ZI 2024 (copy).pdf", "sk_tim_zi", 0.97, "text", None,
     "800/012/435.201/2024", "2024-01-15", "Pembentukan Tim Kerja Pembangunan Zona Integritas", [], True),
]

# code, severity, document indices, indicator, doc_type, message, found, expected, page, snippet
FLAGS = [
    ("OUT_OF_PERIOD", "error", [5], "1.4", "sk_agen_perubahan",
     "SK Agen Perubahan bertanggal 1 Februari 2023, di luar periode penilaian 2024.",
     "2023-02-01", "2024-01-01 s.d. 2024-10-01", 3,
     "Ditetapkan di Sumenep pada tanggal 1 Februari 2023 KEPALA DINAS KEPENDUDUKAN"),
    ("UNSIGNED", "error", [4], "1.3", "laporan_monev",
     "Laporan Monev Triwulan II tidak memuat blok tanda tangan (nama dan NIP penandatangan tidak ditemukan).",
     None, "nama, NIP, tempat dan tanggal penandatanganan", 6, None),
    ("UNIT_MISMATCH", "error", [7], "2.1", "sop",
     "SOP menyebut unit lain: \u201cDinas Kependudukan dan Pencatatan Sipil Kabupaten Pamekasan\u201d.",
     "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Pamekasan", UNIT, 1,
     "PEMERINTAH KABUPATEN PAMEKASAN DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL Jl. Jokotole No. 1"),
    ("MISSING_EVIDENCE", "error", [], "5.3", "sk_wbs",
     "Indikator 5.3 memerlukan SK Whistle-Blowing System, tetapi dokumen itu tidak ditemukan di folder.",
     None, "sk_wbs", None, None),
    ("UNREADABLE", "error", [12], "5.2", "sk_pengaduan",
     "Teks hasil OCR tidak cukup terbaca untuk diperiksa (keyakinan OCR 42,3).",
     "42.3", ">= 60", 1, "KEP UTU AN KE PA LA D1NAS ... NOM0R : 8OO/ ... /435.2O1/2O24"),
    ("TEMPLATE_PLACEHOLDER", "error", [2], "1.2", "rencana_kerja_zi",
     "Rencana Kerja masih memuat teks templat yang belum diisi: \u201c[NAMA UNIT]\u201d.",
     "[NAMA UNIT]", None, 2, "Rencana Kerja Pembangunan Zona Integritas pada [NAMA UNIT] Tahun 20.."),
    ("SIGNATORY_MISMATCH", "warning", [9], "3.1", "sk_other",
     "Ditandatangani oleh Sekretaris Dinas, bukan Kepala Dinas yang tercatat.",
     "Drs. Moh. Hasan, M.M. (NIP 196811021994031007)", "Dr. Ahmad Fauzi, S.H., M.Si. (NIP 197203151998031004)",
     4, "a.n. KEPALA DINAS Sekretaris, Drs. Moh. Hasan, M.M."),
    ("INVALID_NIP", "warning", [1], "1.1", "notulen_rapat",
     "NIP \u201c19850230 201001 1 002\u201d memuat tanggal lahir yang tidak mungkin (30 Februari).",
     "198502302010011002", "18 digit dengan tanggal lahir yang sah", 2, "Siti Aminah, S.Sos. NIP 19850230 201001 1 002"),
    ("DUPLICATE_NUMBER", "warning", [3, 4], "1.3", "laporan_monev",
     "Dua dokumen berbeda memakai nomor yang sama 800/077/435.201/2024.",
     "800/077/435.201/2024", "nomor berbeda untuk setiap dokumen", None, None),
    ("COVERAGE_GAP", "warning", [6], "1.4", "pakta_integritas",
     "Pakta Integritas ditandatangani 41 dari 47 pegawai dalam daftar pegawai.",
     "41 pegawai", "47 pegawai", None, None),
    ("MISFILED", "info", [15], None, "sk_tim_zi",
     "Dokumen berada di folder yang tidak sesuai dengan indikator mana pun.",
     "scan lama", "1. Manajemen Perubahan/1.1 Tim Kerja", None, None),
    ("DUPLICATE_FILE", "info", [0, 15], "1.1", "sk_tim_zi",
     "Isi berkas identik tersimpan dengan dua nama.",
     None, None, None, None),
]


def _sha(path: str, salt: str = "") -> str:
    # Content identity is what survives renames, so it must not depend on the path once built;
    # the factory derives it from the ORIGINAL path only.
    return hashlib.sha256(("content of " + path + salt).encode()).hexdigest()


def flag_key(code: str, shas: list[str], indicator: str | None, found: Any, expected: Any) -> str:
    """Mirror of rules.model.Flag.key."""
    basis = "|".join([code, ",".join(sorted(shas)), indicator or "",
                      str(expected if shas else found)])
    return f"{code}:{hashlib.sha256(basis.encode()).hexdigest()[:12]}"


def build_report(lang: str = "id", *, with_changes: bool = True, with_score: bool = True,
                 evidence_dir: str = EVIDENCE_DIR, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """A Dispendukcapil Sumenep 2024 WBK report. `rename` maps original paths to new ones while
    keeping their content hashes (a folder reorganised between runs)."""
    rename = rename or {}
    paths = [rename.get(d[0], d[0]) for d in DOCUMENTS]
    shas = [_sha(d[0]) for d in DOCUMENTS]

    flags: list[dict[str, Any]] = []
    for i, (code, sev, docs, ind, dtype, msg, found, exp, page, snip) in enumerate(FLAGS, start=1):
        fid = f"F{i:04d}"
        flags.append({
            "id": fid, "key": flag_key(code, [shas[d] for d in docs], ind, found, exp),
            "code": code, "severity": sev, "documents": sorted(paths[d] for d in docs),
            "indicator": ind, "doc_type": dtype, "message": msg,
            "evidence": {"found": found, "expected": exp, "page": page},
            "snippet": snip, "review": None,
        })

    documents = []
    for (path, dtype, conf, src, ocr, nomor, tgl, title, inds, signed), p, sha in zip(DOCUMENTS, paths, shas):
        documents.append({
            "path": p, "sha256": sha, "pages": 1 + len(path) % 7,
            "doc_type": dtype, "doc_type_confidence": conf, "text_source": src, "ocr_confidence": ocr,
            "fields": {"nomor": nomor, "tanggal": tgl, "title": title,
                       "unit": UNIT if dtype != "sop" else
                       "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Pamekasan",
                       "signatory": dict(HEAD) if signed else None, "people": []},
            "indicators": list(inds),
            "flags": sorted(f["id"] for f in flags if p in f["documents"]),
        })
    documents.sort(key=lambda d: d["path"])

    area_names = {c: n for c, n, _ in AREAS}
    indicators = []
    for code, area_code, title, weight in INDICATORS:
        evidence = sorted(d["path"] for d in documents if code in d["indicators"])
        fids = sorted(f["id"] for f in flags if f["indicator"] == code)
        status = "missing" if not evidence else ("flagged" if fids else "ok")
        indicators.append({"code": code, "area": area_names[area_code], "area_code": area_code,
                           "title": title, "weight": weight, "status": status,
                           "evidence": evidence, "flags": fids})

    counts = {"error": 0, "warning": 0, "info": 0}
    for f in flags:
        counts[f["severity"]] += 1

    report: dict[str, Any] = {
        "schema_version": "1",
        "unit": UNIT, "period": 2024, "target": "WBK", "rule_pack": "lke-2021",
        "generated_at": "2024-10-01T08:30:00+07:00",
        "lang": lang, "evidence_dir": evidence_dir,
        "documents": documents, "indicators": indicators, "flags": flags,
        "summary": {"documents": len(documents), "flags": counts,
                    "indicators_ok": sum(1 for i in indicators if i["status"] == "ok"),
                    "indicators_total": len(indicators), "waived": 0},
        "score": None, "changes": None,
    }
    if with_score:
        area_scores = {"1": 5.6, "2": 4.1, "3": 7.5, "4": 8.5, "5": 7.0, "6": 8.0}
        report["score"] = {
            "label": "estimate", "pengungkit": round(sum(area_scores.values()), 2), "pengungkit_max": 60,
            "thresholds": {"WBK": 75, "WBBM": 85},
            "areas": [{"code": c, "name": n, "weight": w, "score": area_scores[c]} for c, n, w in AREAS],
            "note": ("Perkiraan dari kelengkapan data dukung saja; komponen Hasil (40) berasal dari survei "
                     "di luar folder dan tidak dinilai." if lang == "id" else
                     "Estimated from evidence completeness only; the Hasil component (40) comes from "
                     "surveys outside the folder and is not scored."),
        }
    if with_changes:
        report["changes"] = {
            "previous_generated_at": "2024-09-24T08:30:00+07:00",
            "new": [flags[1]["key"], flags[7]["key"]],
            "resolved": [{"key": "OUT_OF_PERIOD:0a1b2c3d4e5f", "code": "OUT_OF_PERIOD",
                          "message": "Perjanjian Kinerja bertanggal 2023, di luar periode penilaian 2024.",
                          "documents": ["4. Akuntabilitas/Perjanjian Kinerja 2023.pdf"]}],
        }
    return report


XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
# Variants with an observable effect, so the browser test can tell whether anything executed.
XSS_MARK_SCRIPT = "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
XSS_MARK_IMG = "\"'><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
XSS_CLOSE = "</script><script>document.documentElement.setAttribute('data-pwned','close')</script>"


def build_hostile_report(lang: str = "id") -> dict[str, Any]:
    """A report whose document-derived text tries to inject markup everywhere it can reach."""
    r = build_report(lang)
    payload = XSS_SCRIPT + XSS_IMG + XSS_MARK_SCRIPT + XSS_MARK_IMG + XSS_CLOSE
    evil_path = f"5. Pengawasan/{XSS_IMG} {XSS_SCRIPT}.pdf"
    old_path = "5. Pengawasan/SK UPG.pdf"
    r = copy.deepcopy(r)
    for d in r["documents"]:
        if d["path"] == old_path:
            d["path"] = evil_path
            d["fields"]["title"] = payload
            d["fields"]["nomor"] = XSS_IMG
            d["fields"]["signatory"] = {"name": XSS_MARK_IMG, "nip": XSS_SCRIPT, "jabatan": XSS_CLOSE}
    for i in r["indicators"]:
        i["evidence"] = sorted(evil_path if p == old_path else p for p in i["evidence"])
    r["unit"] = "Dispendukcapil " + XSS_SCRIPT
    evil = {"id": "F0099", "key": "UNIT_MISMATCH:deadbeef0001", "code": "UNIT_MISMATCH", "severity": "error",
            "documents": [evil_path], "indicator": "5.1", "doc_type": "sk_upg",
            "message": "Unit lain: " + payload,
            "evidence": {"found": XSS_MARK_SCRIPT, "expected": XSS_IMG, "page": 1},
            "snippet": payload,
            "review": {"decision": "waived", "reason": XSS_MARK_IMG + XSS_CLOSE, "at": "2024-10-01T09:00:00+07:00"}}
    r["flags"].append(evil)
    r["summary"]["flags"]["error"] += 1
    r["summary"]["waived"] = 1
    for i in r["indicators"]:
        if i["code"] == "5.1":
            i["flags"].append("F0099")
            i["status"] = "flagged"
    for d in r["documents"]:
        if d["path"] == evil_path:
            d["flags"].append("F0099")
    r["changes"]["resolved"].append({"key": "X:1", "code": "UNSIGNED", "message": payload,
                                     "documents": [evil_path]})
    r["score"]["note"] = payload
    return r
