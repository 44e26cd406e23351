"""report.xlsx: sheets, headers, frozen headers, autofilter, rows, language, inert text."""
from __future__ import annotations

import openpyxl
import pytest

from pipeline.report.xlsx_report import write_xlsx
from pipeline.report.review import apply_decisions
from tests import reportfactory as rf

HEADERS = {
    "id": {
        "LKE": ["No", "Komponen/Pertanyaan", "Bobot", "Pilihan Jawaban", "Jawaban (usulan)", "Nilai",
                "Jawaban unit", "Nilai unit", "Penjelasan", "Eviden", "Status"],
        "Nilai Minimal": ["Nilai minimal", "Nilai", "Nilai unit", "Batas", "Terpenuhi", "Terpenuhi (jawaban unit)"],
        "Temuan": ["ID", "Kode", "Tingkat", "Indikator", "Dokumen", "Pesan", "Ditemukan", "Seharusnya",
                   "Halaman", "Tinjauan", "Kunci", "Kutipan halaman"],
        "Dokumen": ["Berkas", "Jenis", "Keyakinan", "Sumber teks", "Keyakinan OCR", "Nomor", "Tanggal",
                    "Penandatangan", "Indikator"],
    },
    "en": {
        "LKE": ["No", "Component/Question", "Weight", "Answer choices", "Answer (proposed)", "Score",
                "Unit's answer", "Unit's score", "Basis", "Evidence", "Status"],
        "Minimum scores": ["Minimum", "Score", "Unit's score", "Limit", "Met", "Met (unit's answers)"],
        "Flags": ["ID", "Code", "Severity", "Indicator", "Documents", "Message", "Found", "Expected", "Page",
                  "Review", "Key", "Page excerpt"],
        "Documents": ["Path", "Type", "Confidence", "Text source", "OCR confidence", "Number", "Date",
                      "Signatory", "Indicators"],
    },
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_sheets_headers_panes_filters_rows(tmp_path, lang):
    report = rf.build_report(lang)
    path = write_xlsx(report, tmp_path)
    assert path == tmp_path / "report.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(HEADERS[lang])
    for name, headers in HEADERS[lang].items():
        assert [c.value for c in wb[name][1]][:len(headers)] == headers
    assert wb["LKE"].freeze_panes == "C2"
    # the flags and documents sheets: one row each, frozen header, autofilter over all rows
    expected_rows = [len(report["flags"]), len(report["documents"])]
    for (name, headers), n in zip(list(HEADERS[lang].items())[2:], expected_rows):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(headers))
        assert ws.auto_filter.ref == f"A1:{last}{n + 1}"
        assert ws.max_row == n + 1
        for i in range(1, len(headers) + 1):
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width >= 8


def test_lke_rows_follow_the_indicators(tmp_path):
    """A report without questions (an older pack) still lists area → part → indicator rows."""
    report = rf.build_report()
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path))["LKE"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    codes = [r[0] for r in rows if r[0]]
    assert [c for c in codes if c in {i["code"] for i in report["indicators"]}] == \
        [i["code"] for i in report["indicators"]]
    first = next(r for r in rows if r[0] == "1.1")
    assert first[10] == "Ada temuan"
    assert "1. Manajemen Perubahan/1.1 Tim Kerja/SK Tim Kerja ZI 2024.pdf" in first[9].split("\n")
    missing = next(r for r in rows if r[0] == "5.3")
    assert missing[10] == "Tidak ada bukti" and missing[9] in (None, "")


def test_flags_sheet_has_review_and_keys(tmp_path):
    report = rf.build_report("en")
    first = report["flags"][0]
    apply_decisions(report, {first["key"]: {"decision": "waived", "reason": "still valid", "at": "2024-10-02"}})
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path))["Flags"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    r = rows[first["id"]]
    assert r[1] == first["code"] and r[2] == "Error" and r[8] == 3
    assert r[9] == "Waived: still valid (2024-10-02)"
    assert r[10] == first["key"]
    assert rows["F0002"][9] is None


def test_document_text_stays_text(tmp_path):
    report = rf.build_hostile_report()
    report["flags"][0]["message"] = '=HYPERLINK("http://example.invalid/x","klik")'
    report["documents"][0]["fields"]["nomor"] = "=1+1"
    report["flags"][1]["snippet"] = "bad\x00\x07chars"
    report["flags"][1]["message"] = "ctrl\x01chars"
    wb = openpyxl.load_workbook(write_xlsx(report, tmp_path))
    cell = wb["Temuan"]["F2"]
    assert cell.value == report["flags"][0]["message"] and cell.data_type == "s"
    nomor = wb["Dokumen"]["F2"]
    assert nomor.value == "=1+1" and nomor.data_type == "s"
    assert wb["Temuan"]["F3"].value == "ctrlchars"
    assert any(rf.XSS_SCRIPT in (c.value or "") for row in wb["Temuan"].iter_rows() for c in row
               if isinstance(c.value, str))


# ---------------------------------------------------------------- the LKE sheet computes like bukti

def _lke_report(tmp_path, **profile):
    from pipeline.report.json_report import build_report
    from rules.engine import evaluate
    from rules.pack import load_pack
    from tests import rulefactory as rfac
    docs = rfac.clean_folder()
    prof = rfac.profile(**profile)
    ev = evaluate(docs, prof, rfac.roster(), load_pack(None))
    return build_report(documents=docs, flags=ev.flags, indicators=ev.indicators, score=ev.score,
                        profile=prof, unit_label=prof.unit, period=prof.period, target=prof.target,
                        rule_pack="lke-2021", lang="id", evidence_dir=tmp_path, profile_warnings=[])


def _recalculated(path, tmp_path):
    """Open the workbook in LibreOffice (headless), let it compute every formula, read the values."""
    import shutil
    import subprocess
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: scripts/setup.sh --test installs it")
    out = tmp_path / "recalc"
    out.mkdir(exist_ok=True)
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300, env=env)
    return openpyxl.load_workbook(out / path.name, data_only=True)


def test_lke_sheet_tree_and_live_formulas(tmp_path):
    report = _lke_report(tmp_path, hasil={"ipak": 3.7, "ipkp": 3.3, "capaian_kinerja": "B"})
    path = write_xlsx(report, tmp_path / "out")
    ws = openpyxl.load_workbook(path)["LKE"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    questions = [q for i in report["indicators"] for q in i["questions"]]
    assert len(questions) == 110 and all(q["id"] in rows for q in questions)
    assert len([c for c in rows if c.count(".") == 2]) == 42 and {"I", "VI", "I.P", "VI.R"} <= set(rows)
    q = rows["VI.P.iv.a"]
    assert q[3].value == "A/B/C/D/E" and q[5].value.startswith("=") and q[4].value in "ABCDE"
    assert rows["I.R.i.a"][4].value is None and rows["I.R.i.a"][10].value == "perlu isian unit"
    assert rows["I.P.i"][5].value.startswith("=C") and "AVERAGE" in rows["I.P.i"][5].value
    # LibreOffice computes the same Pengungkit, parts and total as bukti
    calc = _recalculated(path, tmp_path)["LKE"]
    values = {r[1]: r[5] for r in calc.iter_rows(min_row=2, values_only=True) if r[0] is None}
    s = report["score"]
    assert values["Komponen Pengungkit"] == pytest.approx(s["pengungkit"], abs=0.02)
    assert values["Jumlah Pemenuhan"] == pytest.approx(s["parts"]["pemenuhan"], abs=0.02)
    assert values["Nilai Total"] == pytest.approx(s["total"], abs=0.02)
    minima = _recalculated(path, tmp_path)["Nilai Minimal"]
    met = {r[0]: r[4] for r in minima.iter_rows(min_row=2, values_only=True)}
    assert met["Nilai Pengungkit"] == ("ya" if s["pengungkit"] >= 40 else "tidak")


def test_a_reviewer_changing_an_answer_moves_the_score(tmp_path):
    report = _lke_report(tmp_path)
    path = write_xlsx(report, tmp_path / "out")
    before = {r[1]: r[5] for r in _recalculated(path, tmp_path)["LKE"].iter_rows(min_row=2, values_only=True)
              if r[0] is None}
    wb = openpyxl.load_workbook(path)
    ws = wb["LKE"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "II.P.i.c")
    assert row[4].value == "E"
    row[4].value = "a"                        # typed by hand, lower case: still scores as A
    pct = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "I.R.i.a")
    pct[4].value = 0.5                        # the unit's figure for a percentage question
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    after = {r[1]: r[5] for r in _recalculated(edited, tmp_path)["LKE"].iter_rows(min_row=2, values_only=True)
             if r[0] is None}
    # II.P.i (bobot 1, three questions): E→A adds 1/3; I.R.i (bobot 2, two questions): 0→0.5 adds 0.5
    assert after["Komponen Pengungkit"] - before["Komponen Pengungkit"] == pytest.approx(1 / 3 + 0.5, abs=0.01)
