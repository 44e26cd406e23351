"""The unit's own LKE answers against its evidence: reading answer sheets as units really fill them,
CLAIM_UNSUPPORTED on inflated claims only, both scores in every report format."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from fixtures import answers as fa
from pipeline.answers import load_answers
from rules.engine import evaluate
from rules.model import Claim
from rules.pack import load_pack
from tests import rulefactory as rf

PACK = load_pack(None)
PATHS = [d.path for d in rf.clean_folder()]


def read(path: Path):
    return load_answers(path, PACK, PATHS)


# ---------------------------------------------------------------- reading sheets

def test_csv_in_windows_1252_with_semicolons_bad_rows_and_blank_lines(tmp_path):
    text = ("kode;jawaban;eviden;penjelasan\r\n"
            "I.P.i.a;Ya;SK Tim ZI.pdf;Tim dibentuk – Januari (Kepala Dinas menyetujui)\r\n"
            "\r\n"
            ";;;\r\n"
            "I.P.i.b;a;;\r\n"                       # lower case still an answer
            "II.P.i.c;F;;\r\n"                      # not an A-E answer
            "X.P.i.a;Ya;;\r\n"                      # no such question
            "I.R.i.a;87,5 %;;\r\n"                  # Indonesian decimal comma
            "I.P.i.a;Tidak;;\r\n"                   # answered twice
            "VI.P.iv.a;B;Laporan SKM 2024.pdf;\r\n")  # a file that is not in the folder
    path = tmp_path / "lke.csv"
    path.write_bytes(text.encode("cp1252"))
    got = read(path)
    assert {c: x.answer for c, x in got.claims.items()} == {"I.P.i.a": "Ya", "I.P.i.b": "A", "I.R.i.a": "87.5%",
                                                             "VI.P.iv.a": "B"}
    assert got.claims["I.P.i.a"].eviden == ["1. Manajemen Perubahan/1.1 Tim Kerja/SK Tim ZI.pdf"]
    assert got.claims["I.P.i.a"].penjelasan.startswith("Tim dibentuk – Januari")
    w = "\n".join(got.warnings)
    assert "not UTF-8, read as Windows-1252" in w
    assert "lke.csv:6: II.P.i.c: answer 'F' does not fit A/B/C/D/E" in w
    assert "lke.csv:7: unknown question code 'X.P.i.a'" in w
    assert "lke.csv:9: I.P.i.a answered twice" in w
    assert "lke.csv:10: VI.P.iv.a: eviden 'Laporan SKM 2024.pdf' is not in the evidence folder" in w


def test_xlsx_with_title_rows_merged_cells_formulas_and_extra_columns(tmp_path):
    path = fa.write_xlsx([{"kode": "I.P.i.a", "jawaban": "Ya", "eviden": "", "penjelasan": ""},
                          {"kode": "I.P.ii.a", "jawaban": "Ya", "eviden": "", "penjelasan": ""},
                          {"kode": "I.R.i.b", "jawaban": 0.6, "eviden": "", "penjelasan": ""}],
                         tmp_path / "lke.xlsx", title_rows=2, extra_columns=True)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.merge_cells("A1:F1")                       # a merged title, as units lay their sheets out
    ws["B5"] = '=IF(1=1,"Ya","Tidak")'            # a formula never calculated: no saved value
    ws.append([])                                 # an empty row
    ws.append(["II.P.i.b", "C", None, None, "=1/0", "catatan"])
    wb.save(path)
    got = read(path)
    assert {c: x.answer for c, x in got.claims.items()} == {"I.P.i.a": "Ya", "I.R.i.b": "60%", "II.P.i.b": "C"}
    assert got.warnings == []                     # an uncalculated formula is an unanswered question


def test_not_an_answer_sheet_gives_a_warning_not_a_crash(tmp_path):
    for name, data in (("lke.xlsx", b"PK\x03\x04 not really a zip"), ("lke.csv", b"nama,nip\nBudi,1\n"),
                       ("lke.xlsx", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        got = read(path)
        assert got.claims == {} and len(got.warnings) == 1, got.warnings


def test_bukti_own_lke_sheet_filled_and_fed_back(tmp_path):
    from pipeline.report.xlsx_report import write_xlsx
    report = _report(tmp_path, rf.clean_folder(), {})
    path = write_xlsx(report, tmp_path / "out")
    # untouched, the sheet is read with bukti's proposals as the answers
    got = read(path)
    assert got.claims["II.P.i.b"].answer == "B" and "I.R.i.a" not in got.claims and got.warnings == []
    # a reviewer fills the unit's column: only that column counts
    wb = openpyxl.load_workbook(path)
    ws = wb["LKE"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    rows["II.P.i.c"][6].value = "A"
    rows["I.R.i.a"][6].value = 0.5
    wb.save(path)
    got = read(path)
    assert {c: x.answer for c, x in got.claims.items()} == {"II.P.i.c": "A", "I.R.i.a": "50%"}


# ---------------------------------------------------------------- holding claims against evidence

def _report(tmp_path, docs, claims):
    from pipeline.report.json_report import build_report
    prof = rf.profile()
    ev = evaluate(docs, prof, rf.roster(), PACK, claims=claims)
    return build_report(documents=docs, flags=ev.flags, indicators=ev.indicators, score=ev.score, profile=prof,
                        unit_label=prof.unit, period=prof.period, target=prof.target, rule_pack="lke-2021",
                        lang="id", evidence_dir=tmp_path, profile_warnings=[])


def claims(**answers):
    return {code.replace("_", "."): Claim(question=code.replace("_", "."), answer=a) for code, a in answers.items()}


def test_claims_at_or_below_the_evidence_raise_nothing():
    got = evaluate(rf.clean_folder(), rf.profile(), rf.roster(), PACK,
                   claims=claims(I_P_i_a="Ya", II_P_i_b="B", II_P_i_c="E", V_P_iv_a="B", I_R_i_a="100%"))
    assert not [f for f in got.flags if f.code == "CLAIM_UNSUPPORTED"]


def test_a_claim_above_the_evidence_is_flagged_with_criterion_and_what_is_missing():
    docs = rf.clean_folder()
    sop = next(d for d in docs if d.doc_type == "sop")
    upg = rf.find(docs, "SK UPG")
    c = claims(II_P_i_c="A", I_R_i_a="100%")
    c["II.P.i.c"].eviden = [sop.path, upg.path]     # an SOP is part of the answer; an SK UPG is not
    ev = evaluate(docs, rf.profile(), rf.roster(), PACK, claims=c)
    [f] = [f for f in ev.flags if f.code == "CLAIM_UNSUPPORTED"]
    assert (f.severity, f.indicator, f.found, f.expected) == ("error", "II.P.i", "II.P.i.c = E", "II.P.i.c = A")
    assert f.documents == sorted([sop.path, upg.path])
    assert "seluruh SOP utama telah dievaluasi" in f.message
    assert "laporan_evaluasi" in f.message or "Laporan evaluasi" in f.message
    assert f"{upg.path}: sk_upg → V.P.i" in f.message       # what the listed file really is
    assert f"{sop.path}:" not in f.message
    q = {q["id"]: q for i in ev.indicators for q in i["questions"]}
    assert q["II.P.i.c"]["claim_status"] == "unsupported" and q["II.P.i.c"]["claim_flags"] == [f.id]
    assert q["I.R.i.a"]["claim_status"] == "not_verified"
    assert ev.score["claimed"]["pengungkit"] > 0


def test_a_listed_file_with_an_error_is_named_in_the_flag():
    docs = rf.clean_folder()
    sk = rf.find(docs, "SK WBS")
    sk.fields.tanggal = "2019-03-01"      # older than the 3 years a policy decree may be: rejected
    c = claims(V_P_iv_a="A")
    c["V.P.iv.a"].eviden = [sk.path]
    ev = evaluate(docs, rf.profile(), rf.roster(), PACK, claims=c)
    [f] = [f for f in ev.flags if f.code == "CLAIM_UNSUPPORTED"]
    assert f"{sk.path}: OUT_OF_PERIOD" in f.message and f.found == "V.P.iv.a = C"


def test_a_waiver_applies_to_a_claim_like_to_any_flag(tmp_path):
    from pipeline.report.review import apply_decisions
    report = _report(tmp_path, rf.clean_folder(), claims(II_P_i_c="A"))
    [f] = [f for f in report["flags"] if f["code"] == "CLAIM_UNSUPPORTED"]
    apply_decisions(report, {f["key"]: {"decision": "waived", "reason": "evaluasi SOP di Inspektorat"}})
    assert f["review"]["decision"] == "waived" and report["summary"]["waived"] == 1


# ---------------------------------------------------------------- end to end: a generated folder

@pytest.fixture(scope="module")
def inflated_run(tmp_path_factory):
    from fixtures.folders import build_unit_folder
    from pipeline.check import run_check   # the check without Prefect: rules and reports are the point
    base = tmp_path_factory.mktemp("claims")
    folder = base / "unit"
    manifest = build_unit_folder(folder, seed=4242, answers="inflated", formats=("text_pdf", "docx"))
    out = base / "report"
    run_check(None, folder, out)
    return manifest, json.loads((out / "report.json").read_text(encoding="utf-8")), out


def test_every_inflated_claim_is_flagged_and_no_honest_one(inflated_run):
    manifest, report, _ = inflated_run
    flagged = sorted(f["evidence"]["expected"].split(" = ")[0] for f in report["flags"]
                     if f["code"] == "CLAIM_UNSUPPORTED")
    assert flagged == manifest["claims_unsupported"] and len(flagged) == 10
    q = {q["id"]: q for i in report["indicators"] for q in i["questions"]}
    assert q[fa.INFLATED_FIGURE[0]]["claim_status"] == "not_verified"
    assert report["answers"] == {"source": "lke.csv", "claims": len({r["kode"] for r in fa.inflated_answers(manifest)})}


def test_both_scores_and_the_failing_minimum_in_every_format(inflated_run):
    from pipeline.orchestration.artifacts import summary_markdown
    _, report, out = inflated_run
    s = report["score"]
    assert s["claimed"]["pengungkit"] > s["pengungkit"] and s["claimed"]["first_failing"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Jawaban unit dibanding data dukung" in html and "Klaim tidak didukung" in html
    wb = openpyxl.load_workbook(out / "report.xlsx")
    header = [c.value for c in wb["LKE"][1]]
    assert header.index("Jawaban unit") == header.index("Nilai") + 1
    rows = {r[0]: r for r in wb["LKE"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["II.P.i.c"][6] == "A" and rows["II.P.i.c"][4] == "E" and rows["II.P.i.c"][10] == "klaim tidak didukung"
    assert "Nilai unit" in [c.value for c in wb["Nilai Minimal"][1]]
    md = summary_markdown(report)
    assert "Jawaban unit dibanding data dukung" in md and "Menurut jawaban unit:" in md


def test_a_malformed_answer_workbook_gives_warnings_and_a_finished_report(tmp_path):
    """Title rows, a merged title, extra columns, a bad code, an answer of the wrong type and an
    empty row, in the workbook at the top of a real folder: the run finishes and says why."""
    import shutil

    from fixtures.build_example import EXAMPLE_DIR
    from pipeline.check import exit_code, run_check
    folder = tmp_path / "unit"
    shutil.copytree(EXAMPLE_DIR, folder)
    (folder / "lke.csv").unlink()
    path = fa.write_xlsx([{"kode": "I.P.i.a", "jawaban": "Ya", "eviden": "", "penjelasan": ""},
                          {"kode": "I.P.9.z", "jawaban": "Ya", "eviden": "", "penjelasan": ""},
                          {"kode": "II.P.i.c", "jawaban": "Sudah", "eviden": "", "penjelasan": ""},
                          {"kode": "", "jawaban": "", "eviden": "", "penjelasan": ""},
                          {"kode": "II.P.i.c", "jawaban": "A", "eviden": "SOP yang hilang.pdf", "penjelasan": ""}],
                         folder / "lke.xlsx", title_rows=2, extra_columns=True)
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("A1:F1")
    wb.save(path)
    out = tmp_path / "report"
    rc = exit_code(run_check(None, folder, out))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert rc == 1 and report["answers"] == {"source": "lke.xlsx", "claims": 2}
    w = "\n".join(report["profile_warnings"])
    assert "lke.xlsx:5: unknown question code 'I.P.9.z'" in w
    assert "lke.xlsx:6: II.P.i.c: answer 'Sudah' does not fit A/B/C/D/E" in w
    assert "lke.xlsx:8: II.P.i.c: eviden 'SOP yang hilang.pdf' is not in the evidence folder" in w
    assert [f["evidence"]["expected"] for f in report["flags"] if f["code"] == "CLAIM_UNSUPPORTED"] == ["II.P.i.c = A"]
    assert not any(d["path"] == "lke.xlsx" for d in report["documents"])    # the answers are not evidence
    assert (out / "report.html").is_file() and (out / "report.xlsx").is_file()
