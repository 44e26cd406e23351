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
    assert {f.code for f in ev.flags} >= {"MISSING_EVIDENCE", "INSUFFICIENT_EVIDENCE", "OUT_OF_PERIOD",
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
    assert len(by) == len(PACK.indicators)
    assert by["5.4"]["status"] == "missing" and by["5.4"]["evidence"] == []
    assert by["1.1"]["status"] == "flagged" and by["1.1"]["area"] == "Manajemen Perubahan"
    assert by["6.4"]["status"] == "ok" and by["6.4"]["flags"] == []
    ids = {f.id: f for f in ev.flags}
    assert all(ids[x].indicator == "1.1" or set(ids[x].documents) & set(by["1.1"]["evidence"])
               for x in by["1.1"]["flags"])
    assert rf.find(docs, "SK Tim ZI").indicators == ["1.1"]
    assert rf.find(docs, "Rekap Pengaduan").indicators == ["5.3", "6.3"]   # folder-hinted first
    assert rf.find(docs, "rusak").indicators == []


def test_score_estimate():
    clean = evaluate(rf.clean_folder(), rf.profile(), rf.roster(), PACK).score
    assert clean["label"] == "estimate" and clean["pengungkit"] == 60 and clean["pengungkit_max"] == 60
    assert clean["thresholds"] == {"WBBM": 85, "WBK": 75}
    ev = evaluate(messy_folder(), rf.profile(), rf.roster(), PACK)
    s = ev.score
    assert s == evaluate(messy_folder(), rf.profile(), rf.roster(), PACK).score
    area = {a["code"]: a for a in s["areas"]}
    # 1.1 (weight 1 of 9) flagged with errors → 0.25; 1.3 (2 of 9) flagged error → 0.25
    assert area["1"]["score"] == round(8 * (1 * .25 + 2 + 2 * .25 + 3 + 1) / 9, 2)
    # 5.4 (3 of 15) missing; 5.1 flagged by a warning only (DUPLICATE_NUMBER) → 0.75
    assert area["5"]["score"] == round(15 * (3 * .75 + 3 + 3 + 0 + 3) / 15, 2)
    assert s["pengungkit"] == round(sum(a["score"] for a in s["areas"]), 2) < 60
    assert s["total_if_hasil_max"] == round(s["pengungkit"] + 40, 2)


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
    assert next(i for i in en.indicators if i["code"] == "1.1")["title"] == "Working team"


def test_contract_dict_shape():
    ev = evaluate(messy_folder(), rf.profile(), rf.roster(), PACK)
    d = ev.flags[0].contract_dict()
    assert set(d) == {"id", "code", "severity", "documents", "indicator", "doc_type", "message", "evidence"}
    for i in ev.indicators:
        assert {"code", "area", "title", "status", "evidence", "flags"} <= set(i)
        assert i["status"] in ("ok", "flagged", "missing")
