"""The engine: ordering and ids, indicator results, score estimate, languages."""
from __future__ import annotations

import copy
import random

from extractors.model import Signatory
from rules.engine import evaluate
from rules.pack import load_pack
from tests import rulefactory as rf

PACK = load_pack(None)


def messy_folder():
    docs = [d for d in rf.clean_folder() if "SK WBS" not in d.path and "Monev TW II.pdf" not in d.path]
    sk = rf.find(docs, "SK Tim ZI")
    sk.fields.tanggal = "2023-01-15"
    sk.fields.signatory = Signatory(name="Budi Santoso", nip="198502022010011002", place="Sumenep", date="2023-01-15")
    docs.append(rf.doc("x/rusak.pdf", error="CORRUPT_FILE", reason="encrypted"))
    docs.append(rf.doc("1. Manajemen Perubahan/1.1 Tim Kerja/SK UPG lama.pdf", "sk_upg",
                       nomor="800/016/435.201/2024", title="UNIT PENGENDALIAN GRATIFIKASI", tanggal="2024-02-01"))
    return docs


def test_flags_sorted_by_severity_code_path_with_ids():
    ev = evaluate(messy_folder(), rf.profile(), rf.roster(), PACK)
    rank = {"error": 0, "warning": 1, "info": 2}
    keys = [(rank[f.severity], f.code, f.documents[0] if f.documents else "") for f in ev.flags]
    assert keys == sorted(keys)
    assert [f.id for f in ev.flags] == [f"F{n:04d}" for n in range(1, len(ev.flags) + 1)]
    assert {f.code for f in ev.flags} >= {"MISSING_EVIDENCE", "OUT_OF_PERIOD",
                                           "SIGNATORY_MISMATCH", "CORRUPT_FILE", "MISFILED", "DUPLICATE_NUMBER"}


def test_deterministic_whatever_the_input_order():
    base = evaluate(messy_folder(), rf.profile(), rf.roster(), PACK)
    for seed in range(3):
        docs = messy_folder()
        random.Random(seed).shuffle(docs)
        ev = evaluate(docs, rf.profile(), rf.roster(), PACK)
        assert [(f.id, f.code, f.documents, f.message, f.key) for f in ev.flags] == \
               [(f.id, f.code, f.documents, f.message, f.key) for f in base.flags]
        assert ev.indicators == base.indicators and ev.score == base.score


def test_indicator_results_and_document_indicators():
    docs = messy_folder()
    ev = evaluate(docs, rf.profile(), rf.roster(), PACK)
    by = {i["code"]: i for i in ev.indicators}
    assert len(by) == len(PACK.indicators) == 42
    assert by["V.P.iv"]["status"] == "missing" and by["V.P.iv"]["evidence"] == []
    assert by["I.P.i"]["status"] == "flagged" and by["I.P.i"]["area"] == "Manajemen Perubahan"
    assert by["VI.P.iv"]["status"] == "ok" and by["VI.P.iv"]["flags"] == []
    assert (by["I.P.i"]["part"], by["I.P.i"]["bobot"]) == ("pemenuhan", 0.5)
    assert [q["id"] for q in by["I.P.i"]["questions"]] == ["I.P.i.a", "I.P.i.b"]
    ids = {f.id: f for f in ev.flags}
    assert all(ids[x].indicator == "I.P.i" or set(ids[x].documents) & set(by["I.P.i"]["evidence"])
               for x in by["I.P.i"]["flags"])
    assert rf.find(docs, "SK Tim ZI").indicators == ["I.P.i"]
    rekap = rf.find(docs, "Rekap Pengaduan").indicators
    assert rekap[0] == "V.P.iii" and "VI.P.iii" in rekap       # folder-hinted first
    assert rf.find(docs, "rusak").indicators == []


def _lke_arithmetic(ev):
    """The LKE's own sums, written out independently of rules/score.py."""
    values = {}
    for ind in PACK.indicators:
        scores = [ev.proposals[q.code].score or 0.0 for q in ind.questions]
        values[ind.code] = ind.weight * sum(scores) / len(scores)
    return values


def test_score_is_the_lke_arithmetic_of_the_proposed_answers():
    ev = evaluate(messy_folder(), rf.profile(), rf.roster(), PACK)
    s = ev.score
    values = _lke_arithmetic(ev)
    area = {a["code"]: a for a in s["areas"]}
    for a in PACK.areas:
        assert area[a.code]["score"] == round(sum(values[i.code] for i in a.indicators), 2)
        for part in ("pemenuhan", "reform"):
            assert area[a.code]["parts"][part]["score"] == round(
                sum(values[i.code] for i in a.indicators if i.part == part), 2)
    assert s["pengungkit"] == round(sum(a["score"] for a in s["areas"]), 2) < 60
    assert s["label"] == "estimate" and s["pengungkit_max"] == 60
    assert s["thresholds"] == {"WBBM": 85, "WBK": 75}
    assert s["total"] is None                       # no Hasil inputs in the profile
    assert s["questions"]["total"] == 110 and s["questions"]["needs_input"] > 0
    # the SK Tim ZI is out of period: rejected evidence, so the team question is not carried
    p = ev.proposals["I.P.i.a"]
    assert p.answer == "Tidak" and "SK Tim ZI" in " ".join(
        next(q for i in ev.indicators for q in i["questions"] if q["id"] == "I.P.i.a")["basis"].split())


def test_pemenuhan_documents_without_evaluation_say_so_question_by_question():
    ev = evaluate(rf.clean_folder(), rf.profile(), rf.roster(), PACK)
    q = {q["id"]: q for i in ev.indicators for q in i["questions"]}
    assert q["II.P.i.b"]["proposed"] == "B"                  # SOPs are there
    assert q["II.P.i.c"]["proposed"] == "E"                  # never evaluated
    assert "laporan_evaluasi" in q["II.P.i.c"]["basis"] or "Laporan evaluasi" in q["II.P.i.c"]["basis"]
    assert q["V.P.iv.a"]["proposed"] == "B" and q["V.P.iv.b"]["proposed"] == "C"
    assert q["I.R.i.a"]["proposed"] is None and q["I.R.i.a"]["needs_input"]
    assert ev.score["pengungkit"] < 40
    failing = ev.score["first_failing"]
    assert failing and failing["met"] is False


def test_minima_with_hasil_inputs():
    prof = rf.profile(hasil={"ipak": 3.7, "ipkp": 3.3, "capaian_kinerja": "B"}, previous_predicate=None)
    s = evaluate(rf.clean_folder(), prof, rf.roster(), PACK).score
    m = {(x["id"], x["subject"]): x for x in s["minima"]}
    assert m[("ipak", None)]["estimate"] == round(17.5 * 3.7 / 4, 2) and m[("ipak", None)]["met"]
    assert m[("ipkp", None)]["estimate"] == round(17.5 * 3.3 / 4, 2) and m[("ipkp", None)]["met"]
    assert m[("capaian_kinerja", None)]["estimate"] == 3.75
    assert s["total"] == round(s["pengungkit"] + 17.5 * 3.7 / 4 + 17.5 * 3.3 / 4 + 3.75, 2)
    assert m[("total", None)]["met"] is False
    assert len([x for x in s["minima"] if x["id"] == "area_min_pct"]) == 6
    wbbm = evaluate(rf.clean_folder(), rf.profile(target="WBBM", previous_predicate="WBK"), rf.roster(), PACK).score
    assert next(x for x in wbbm["minima"] if x["id"] == "requires")["met"] is True


def test_english_messages():
    docs = messy_folder()
    en = evaluate(copy.deepcopy(docs), rf.profile(), rf.roster(), PACK, lang="en")
    id_ = evaluate(docs, rf.profile(), rf.roster(), PACK, lang="id")
    assert [f.id for f in en.flags] == [f.id for f in id_.flags]
    oop = next(f for f in en.flags if f.code == "OUT_OF_PERIOD")
    assert oop.message.startswith("ZI team decree dated 2023-01-15, outside the assessment period 2024")
    assert next(f for f in id_.flags if f.code == "OUT_OF_PERIOD").message.startswith(
        "SK Tim Kerja ZI bertanggal 2023-01-15")
    assert all("?" not in f.message.replace("?)", "") for f in en.flags + id_.flags), \
        [f.message for f in en.flags + id_.flags if "?" in f.message]
    assert next(i for i in en.indicators if i["code"] == "I.P.i")["title"] == "Working team"


def test_contract_dict_shape():
    ev = evaluate(messy_folder(), rf.profile(), rf.roster(), PACK)
    d = ev.flags[0].contract_dict()
    assert set(d) == {"id", "code", "severity", "documents", "indicator", "doc_type", "message", "evidence"}
    for i in ev.indicators:
        assert {"code", "area", "title", "status", "evidence", "flags"} <= set(i)
        assert i["status"] in ("ok", "flagged", "missing")
