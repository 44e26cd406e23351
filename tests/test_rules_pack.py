"""Rule packs: the bundled one, custom ones, and the errors a broken one must give."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from rules.engine import evaluate
from rules.pack import PackError, load_pack
from rules.registry import REGISTRY, ensure_loaded
from rules.vocab import DOC_TYPES, FLAG_SEVERITY
from tests import rulefactory as rf

VOCAB = Path(__file__).resolve().parents[2] / "shared" / "spec" / "vocabulary.yaml"


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_bundled_pack_by_default_and_by_name():
    a, b = load_pack(None), load_pack("lke-2021")
    assert a.id == b.id == "lke-2021"
    assert [x.code for x in a.areas] == ["I", "II", "III", "IV", "V", "VI"]
    assert [x.number for x in a.areas] == [1, 2, 3, 4, 5, 6]
    assert [x.weight for x in a.areas] == [8, 7, 10, 10, 15, 10]
    assert sum(x.weight for x in a.areas) == 60


def test_bundled_pack_is_the_lke_2021():
    """PermenPAN-RB 90/2021: Pemenuhan 30 + Reform 30, each area half and half, 42 indicators with
    their absolute bobot, 110 questions of known answer types."""
    from rules.questions import ANSWER_TYPES
    pack = load_pack(None)
    by_part = {p: sum(i.weight for i in pack.indicators if i.part == p) for p in ("pemenuhan", "reform")}
    assert by_part == pytest.approx({"pemenuhan": 30, "reform": 30})
    for area in pack.areas:
        for part in ("pemenuhan", "reform"):
            got = sum(i.weight for i in area.indicators if i.part == part)
            assert got == pytest.approx(area.parts[part]) == pytest.approx(area.weight / 2), (area.code, part)
    assert len(pack.indicators) == 42
    assert sum(1 for i in pack.indicators if i.part == "reform") == 17
    assert len(pack.questions) == 110
    assert {q.answer_type for q in pack.questions} <= set(ANSWER_TYPES)
    assert len({q.code for q in pack.questions}) == 110
    # SPBE is 2.00 of Tatalaksana's 3.50 Pemenuhan; the pakta is evidence of I.P.iv (no "1.5")
    assert pack.indicator("II.P.ii").weight == 2.0 and pack.indicator("II.P.i").weight == 1.0
    assert "pakta_integritas" in pack.indicator("I.P.iv").doc_types()
    assert pack.legacy_map()["1.5"] == "I.P.iv"
    # the one frequency the LKE grades: four surveys a year for A
    q = pack.question("VI.P.iv.a")
    assert q.evidence_for["A"].text() == "laporan_skm*4" and q.evidence_for["D"].text() == "laporan_skm"


def test_no_lke_flag_depends_on_a_frequency_the_lke_does_not_state():
    pack = load_pack(None)
    for ind in pack.indicators:
        for req in ind.evidence:
            for tgt in (None, "WBK", "WBBM"):
                r = req.for_target(tgt) if tgt else req
                assert r.per is None and r.min <= 1, (ind.code, r)


def test_bundled_pack_switches_on_every_flag_code_with_messages():
    ensure_loaded()
    pack = load_pack(None)
    # Contract codes no check raises yet: CLAIM_UNSUPPORTED needs the unit's own answers (issue 14).
    pending = {"CLAIM_UNSUPPORTED"} - set(REGISTRY)
    assert set(REGISTRY) == set(FLAG_SEVERITY) - pending
    assert {c.code for c in pack.enabled_checks()} == set(FLAG_SEVERITY) - pending
    for code, cfg in pack.checks.items():
        assert cfg.severity == FLAG_SEVERITY[code]
        entry = pack.messages[code]
        for variant in ([entry] if "id" in entry else entry.values()):
            assert variant["id"] and variant["en"]


@pytest.mark.parametrize("path", [VOCAB, Path(__file__).resolve().parents[1] / "rules" / "vocabulary.yaml"])
def test_vocab_copy_matches_the_contract(path):
    if not path.exists():
        pytest.skip(f"{path} not present")
    vocab = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(DOC_TYPES) == set(vocab["doc_types"])
    assert FLAG_SEVERITY == {k: v["severity"] for k, v in vocab["flags"].items()}


@pytest.mark.parametrize("path", [VOCAB, Path(__file__).resolve().parents[1] / "rules" / "vocabulary.yaml"])
def test_flag_code_and_severity_enums_are_the_contract(path):
    from rules.vocab import FlagCode, Severity
    if not path.exists():
        pytest.skip(f"{path} not present")
    flags = yaml.safe_load(path.read_text(encoding="utf-8"))["flags"]
    assert [c.value for c in FlagCode] == list(flags) and all(c.name == c.value for c in FlagCode)
    assert {s.value for s in Severity} == {v["severity"] for v in flags.values()}
    assert set(FLAG_SEVERITY) == set(FlagCode) and all(isinstance(v, Severity) for v in FLAG_SEVERITY.values())


def test_unknown_pack():
    with pytest.raises(PackError, match="unknown rule pack 'lke-1999'"):
        load_pack("lke-1999")


@pytest.mark.parametrize("body,match", [
    ("id: x\nareas: [", "not valid YAML"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("extends: lke-2021\nchecks:\n  NO_SUCH_CHECK: {}\n", r"checks\.NO_SUCH_CHECK: unknown check"),
    ("extends: lke-2021\nchecks:\n  UNREADABLE:\n    params: {min_confidence: 3}\n",
     r"checks\.UNREADABLE\.params\.min_confidence: unknown parameter"),
    ("extends: lke-2021\nchecks:\n  UNREADABLE:\n    params: {min_ocr_confidence: high}\n",
     r"checks\.UNREADABLE\.params\.min_ocr_confidence: expected"),
    ("extends: lke-2021\nchecks:\n  UNSIGNED: {severity: fatal}\n", r"checks\.UNSIGNED\.severity"),
    ("extends: lke-2021\nchecks:\n  TEMPLATE_PLACEHOLDER:\n    params: {patterns: [{name: a, regex: '[x'}]}\n",
     "bad regex"),
    ("name: no id\nareas: []\n", r"id: missing"),
    ("id: x\nareas:\n  - {code: '1', title: A, weight: 8, indicators: [{code: '1.1', title: T, "
     "evidence: [{doc_types: [sk_nonsense]}]}]}\n", "unknown doc type 'sk_nonsense'"),
    ("id: x\nareas:\n  - {code: '1', title: A, indicators: []}\n", r"areas\.1\.weight: missing"),
    ("id: x\nareas:\n  - {code: '1', title: A, weight: 8, indicators: [{code: '1.1', title: T, "
     "evidence: [{doc_types: [sop], per: month}]}]}\n", r"per: must be one of"),
    ("id: x\nareas:\n  - {code: '1', title: A, weight: 8, indicators: []}\nchecks: {UNSIGNED: {}}\n",
     r"messages\.UNSIGNED: missing"),
    ("extends: lke-2021\nbogus: 1\n", r"bogus: unknown key"),
])
def test_pack_errors_name_file_and_key(tmp_path, body, match):
    path = write(tmp_path, body, "custom.yaml")
    with pytest.raises(PackError, match=match) as exc:
        load_pack(str(path))
    assert "\n" not in str(exc.value)
    assert "custom.yaml" in str(exc.value)


def test_folder_pack_error_names_the_file_inside(tmp_path):
    write(tmp_path, "id: mine\nextends: lke-2021\n", "p/pack.yaml")
    write(tmp_path, "checks:\n  UNSIGNED:\n    params: {nope: 1}\n", "p/checks.yaml")
    with pytest.raises(PackError, match=r"checks\.yaml: checks\.UNSIGNED\.params\.nope"):
        load_pack(str(tmp_path / "p"))


def test_custom_pack_overrides_a_parameter(tmp_path):
    path = write(tmp_path, """
        id: inspektorat-sumenep
        extends: lke-2021
        checks:
          UNREADABLE:
            params: {min_ocr_confidence: 90}
    """)
    pack = load_pack(str(path))
    assert pack.id == "inspektorat-sumenep" and pack.extends == ["lke-2021"]
    assert pack.checks["UNREADABLE"].params["min_ocr_confidence"] == 90
    assert pack.checks["UNREADABLE"].params["min_chars"] == 80          # inherited
    assert len(pack.indicators) == len(load_pack(None).indicators)
    docs = rf.clean_folder() + [rf.doc("scan/sk.jpg", "sk_other", kind="image", ocr=80.0,
                                       nomor="800/099/435.201/2024")]
    base = evaluate(docs, rf.profile(), rf.roster(), load_pack(None))
    strict = evaluate(docs, rf.profile(), rf.roster(), pack)
    assert not [f for f in base.flags if f.code == "UNREADABLE"]
    assert [f.code for f in strict.flags] == ["UNREADABLE"]


def test_custom_pack_severity_switch_off_and_indicator_override(tmp_path):
    path = write(tmp_path, """
        id: strict
        extends: lke-2021
        checks:
          SIGNATORY_MISMATCH: {severity: error}
          MISFILED: {enabled: false}
        areas:
          - code: I
            indicators:
              - code: I.P.i
                evidence: [{doc_types: [sk_tim_zi], min: 2}]
              - code: I.R.i
                remove: true
        messages:
          SIGNATORY_MISMATCH:
            default: {id: "Bukan kepala: {found}", en: "Not the head: {found}"}
    """)
    pack = load_pack(str(path))
    assert pack.checks["SIGNATORY_MISMATCH"].severity == "error"
    assert not pack.checks["MISFILED"].enabled
    assert pack.indicator("I.R.i") is None and pack.indicator("I.P.i").evidence[0].min == 2
    assert pack.indicator("I.P.i").title == "Penyusunan Tim Kerja"     # kept from the parent
    assert [q.id for q in pack.indicator("I.P.i").questions] == ["a", "b"]
    assert pack.messages["SIGNATORY_MISMATCH"]["nip_differs"]["id"]  # variants kept
    from extractors.model import Signatory
    docs = rf.clean_folder()
    sk = rf.find(docs, "SK Tim ZI")
    sk.fields.signatory = Signatory(name="Budi Santoso", nip="198502022010011002", place="Sumenep", date="2024-01-08")
    sk.path = "1. Manajemen Perubahan/1.4 Budaya/SK Tim ZI.pdf"
    ev = evaluate(docs, rf.profile(), rf.roster(), pack)
    assert [(f.code, f.severity) for f in ev.flags] == [("INSUFFICIENT_EVIDENCE", "error"),
                                                         ("SIGNATORY_MISMATCH", "error")]
    assert ev.flags[1].message.startswith("Bukan kepala: Budi Santoso")


def test_readme_example_pack_loads(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "rules" / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n# inspektorat-strict.yaml")[1].split("```")[0]
    pack = load_pack(str(write(tmp_path, "# inspektorat-strict.yaml" + block, "strict.yaml")))
    assert pack.extends == ["lke-2021"]


def test_extends_cycle(tmp_path):
    write(tmp_path, "id: a\nextends: b.yaml\n", "a.yaml")
    write(tmp_path, "id: b\nextends: a.yaml\n", "b.yaml")
    with pytest.raises(PackError, match="deeper"):
        load_pack(str(tmp_path / "a.yaml"))


def test_wbbm_is_stricter_than_wbk():
    docs = rf.clean_folder()
    wbk = evaluate(docs, rf.profile(), rf.roster(), load_pack(None))
    wbbm = evaluate(docs, rf.profile(target="WBBM"), rf.roster(), load_pack(None))
    assert wbk.flags == []
    assert wbbm.flags == []      # the LKE asks WBBM for no more documents, only higher minima
    assert wbbm.score["minima"] != wbk.score["minima"]
    # a scan good enough for WBK is not for WBBM
    scan = rf.doc("scan/sk.jpg", "sk_other", kind="image", ocr=60.0, nomor="800/099/435.201/2024")
    assert not [f for f in evaluate(docs + [scan], rf.profile(), rf.roster(), load_pack(None)).flags]
    wbbm = evaluate(docs + [scan], rf.profile(target="WBBM"), rf.roster(), load_pack(None))
    assert "UNREADABLE" in {f.code for f in wbbm.flags}


def test_survey_frequency_is_graded_not_flagged():
    """VI.P.iv.a: A needs four surveys a year (WBK and WBBM alike); fewer lower the answer, no flag."""
    docs = rf.clean_folder()
    for target in ("WBK", "WBBM"):
        ev = evaluate(docs, rf.profile(target=target), rf.roster(), load_pack(None))
        assert "INSUFFICIENT_EVIDENCE" not in {f.code for f in ev.flags}
        n = sum(1 for d in docs if d.doc_type == "laporan_skm")
        assert ev.proposals["VI.P.iv.a"].answer == {1: "D", 2: "C", 3: "B"}.get(n, "A")
