"""report.xlsx: sheets, headers, frozen headers, autofilter, rows, language, inert text."""
from __future__ import annotations

import openpyxl
import pytest

from pipeline.report_xlsx import write_xlsx
from pipeline.review import apply_decisions
from tests import reportfactory as rf

HEADERS = {
    "id": {
        "LKE": ["Area", "Kode indikator", "Indikator", "Bobot", "Status", "Data dukung", "Kode temuan"],
        "Temuan": ["ID", "Kode", "Tingkat", "Indikator", "Dokumen", "Pesan", "Ditemukan", "Seharusnya",
                   "Halaman", "Tinjauan", "Kunci"],
        "Dokumen": ["Berkas", "Jenis", "Keyakinan", "Sumber teks", "Keyakinan OCR", "Nomor", "Tanggal",
                    "Penandatangan", "Indikator"],
    },
    "en": {
        "LKE": ["Area", "Indicator code", "Indicator", "Weight", "Status", "Evidence files", "Flag codes"],
        "Flags": ["ID", "Code", "Severity", "Indicator", "Documents", "Message", "Found", "Expected", "Page",
                  "Review", "Key"],
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
    expected_rows = [len(report["indicators"]), len(report["flags"]), len(report["documents"])]
    for (name, headers), n in zip(HEADERS[lang].items(), expected_rows):
        ws = wb[name]
        assert [c.value for c in ws[1]] == headers
        assert ws.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(headers))
        assert ws.auto_filter.ref == f"A1:{last}{n + 1}"
        assert ws.max_row == n + 1
        for i in range(1, len(headers) + 1):
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width >= 8


def test_lke_rows_follow_the_indicators(tmp_path):
    report = rf.build_report()
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path))["LKE"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [i["code"] for i in report["indicators"]]
    first = rows[0]
    assert first[0] == "1. Manajemen Perubahan" and first[3] == 2
    assert first[4] == "Ada temuan"
    assert "1. Manajemen Perubahan/1.1 Tim Kerja/SK Tim Kerja ZI 2024.pdf" in first[5].split("\n")
    assert first[6] == "DUPLICATE_FILE, INVALID_NIP"
    missing = [r for r in rows if r[1] == "5.3"][0]
    assert missing[4] == "Tidak ada bukti" and missing[5] is None


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
