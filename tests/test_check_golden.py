"""End to end: the bundled example folder through a real Prefect run (`bukti check`), and an unseen,
differently seeded folder through the same check without Prefect (pipeline.check.run_check).
Every planted defect is flagged, nothing else is, and report.json keeps the contract."""
import hashlib
import json
import os
from pathlib import Path

import jsonschema
import pytest

from pipeline import cli
from pipeline.report.json_report import validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_unit"


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def flag_set(report_or_manifest) -> set[tuple[str, tuple[str, ...]]]:
    return {(f["code"], tuple(sorted(f["documents"]))) for f in report_or_manifest["flags"]}


def run_check(folder: Path, out: Path, *extra) -> tuple[int, dict]:
    rc = cli.main(["check", str(folder), "--out", str(out), *extra])
    return rc, json.loads((out / "report.json").read_text(encoding="utf-8"))


def run_core(folder: Path, out: Path, lang: str = "id") -> tuple[int, dict]:
    from pipeline.check import exit_code
    from pipeline.check import run_check as check_core
    rc = exit_code(check_core(None, folder, out, lang=lang))
    return rc, json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("example-report")
    before = tree_digest(EXAMPLE)
    rc, report = run_check(EXAMPLE, out)
    assert tree_digest(EXAMPLE) == before, "the evidence folder must be read-only"
    return rc, report, out


@pytest.fixture(scope="module")
def unseen_run(tmp_path_factory):
    from fixtures.folders import build_unit_folder
    base = tmp_path_factory.mktemp("unseen")
    folder = base / "unit"
    manifest = build_unit_folder(folder, seed=917)
    out = base / "report"
    rc, report = run_core(folder, out, lang="en")
    return rc, report, manifest


def test_example_flags_exactly_the_planted_defects(example_run):
    rc, report, _ = example_run
    expected = json.loads((ROOT / "fixtures" / "example_unit.expected.json").read_text(encoding="utf-8"))
    assert flag_set(report) == flag_set(expected)
    assert rc == 1  # planted defects include error-severity flags


def test_example_report_validates(example_run):
    _, report, out = example_run
    validate(report)
    assert (out / "report.html").stat().st_size > 1000
    assert (out / "report.xlsx").stat().st_size > 1000


def test_unseen_folder_flags_and_schema(unseen_run):
    rc, report, manifest = unseen_run
    validate(report)
    assert flag_set(report) == flag_set(manifest)
    assert report["flags"] and all(f["message"] for f in report["flags"])


def test_unseen_folder_fields_match_truth(unseen_run):
    _, report, manifest = unseen_run
    docs = {d["path"]: d for d in report["documents"]}
    for truth_doc in manifest["documents"]:
        truth = truth_doc.get("truth")
        if not truth:
            continue
        got = docs[truth_doc["path"]]
        assert got["doc_type"] == truth["doc_type"], truth_doc["path"]


def test_schema_rejects_broken_report(example_run):
    _, report, _ = example_run
    broken = json.loads(json.dumps(report))
    broken["flags"].append({"id": "F9999", "code": "NOT_A_CODE", "severity": "error", "documents": [],
                            "indicator": None, "doc_type": None, "message": "x",
                            "evidence": {"found": None, "expected": None, "page": None}})
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    no_summary = json.loads(json.dumps(report))
    del no_summary["summary"]
    with pytest.raises(jsonschema.ValidationError):
        validate(no_summary)
