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
    assert [x.code for x in a.areas] == ["1", "2", "3", "4", "5", "6"]
    assert [x.weight for x in a.areas] == [8, 7, 10, 10, 15, 10]
    assert sum(x.weight for x in a.areas) == 60


def test_bundled_pack_switches_on_every_flag_code_with_messages():
    ensure_loaded()
    pack = load_pack(None)
    assert set(REGISTRY) == set(FLAG_SEVERITY)
    assert {c.code for c in pack.enabled_checks()} == set(FLAG_SEVERITY)
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
          - code: "1"
            indicators:
              - code: "1.1"
                evidence: [{doc_types: [sk_tim_zi], min: 2}]
              - code: "1.5"
                remove: true
        messages:
          SIGNATORY_MISMATCH:
            default: {id: "Bukan kepala: {found}", en: "Not the head: {found}"}
    """)
    pack = load_pack(str(path))
    assert pack.checks["SIGNATORY_MISMATCH"].severity == "error"
    assert not pack.checks["MISFILED"].enabled
    assert pack.indicator("1.5") is None and pack.indicator("1.1").evidence[0].min == 2
    assert pack.indicator("1.1").title == "Penyusunan Tim Kerja"     # kept from the parent
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
    got = {(f.code, f.indicator) for f in wbbm.flags}
    assert got == {("INSUFFICIENT_EVIDENCE", "2.1")}   # WBBM wants three SOPs
    # a scan good enough for WBK is not for WBBM
    scan = rf.doc("scan/sk.jpg", "sk_other", kind="image", ocr=60.0, nomor="800/099/435.201/2024")
    assert not [f for f in evaluate(docs + [scan], rf.profile(), rf.roster(), load_pack(None)).flags]
    wbbm = evaluate(docs + [scan], rf.profile(target="WBBM"), rf.roster(), load_pack(None))
    assert "UNREADABLE" in {f.code for f in wbbm.flags}


def test_wbbm_wants_a_survey_each_semester():
    docs = rf.clean_folder()
    late = rf.profile(target="WBBM", check_date=__import__("datetime").date(2025, 1, 15))
    ev = evaluate(docs, late, rf.roster(), load_pack(None))
    assert ("INSUFFICIENT_EVIDENCE", "6.4") in {(f.code, f.indicator) for f in ev.flags}
    wbk = evaluate(docs, rf.profile(check_date=late.check_date), rf.roster(), load_pack(None))
    assert ("INSUFFICIENT_EVIDENCE", "6.4") not in {(f.code, f.indicator) for f in wbk.flags}
