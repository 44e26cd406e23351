"""`bukti nightly`: units found under ROOT, one sub-flow each, reports per unit and an index.

The check itself is replaced by a small flow here (the real one runs end to end in
tests/test_prefect_server.py), so this runs in seconds and tests the nightly wiring alone."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.discover import find_units
from pipeline.orchestration import nightly

ROOT = Path(__file__).resolve().parents[1]


def make_root(base: Path, names=("b-dinkes", "a-disdukcapil", "c-broken")) -> Path:
    root = base / "units"
    for n in names:
        (root / n).mkdir(parents=True)
        (root / n / "unit.yaml").write_text(f"unit: Unit {n}\nperiod: 2024\n")
    (root / "no-profile").mkdir()
    (root / ".hidden").mkdir()
    (root / ".hidden" / "unit.yaml").write_text("unit: x\n")
    (root / "stray.pdf").write_bytes(b"%PDF")
    return root


def test_find_units_only_profiled_subfolders(tmp_path):
    root = make_root(tmp_path)
    assert [p.name for p in find_units(root)] == ["a-disdukcapil", "b-dinkes", "c-broken"]


def test_index_html_is_self_contained_and_escaped(tmp_path):
    entries = [nightly.unit_entry("a", {"unit": "Dinas <A>", "summary": {
                   "documents": 3, "flags": {"error": 1, "warning": 0, "info": 2}, "indicators_ok": 4,
                   "indicators_total": 9}, "changes": {"new": ["k"], "resolved": []},
                   "flags": [{"severity": "error", "review": None}]}, "checked"),
               nightly.unit_entry("b", None, "failed", "ValueError: <boom>")]
    index = nightly.build_index(tmp_path, entries)
    nightly.write_index(index, tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Dinas &lt;A&gt;" in page and "&lt;boom&gt;" in page
    # only the dashboard's own script (allowed by its hash)
    assert page.count("<script") == 1 and "script-src 'sha256-" in page
    assert 'href="./a/report.html"' in page and "http:" not in page and "https:" not in page
    data = json.loads((tmp_path / "index.json").read_text())
    assert data["summary"] == {"units": 2, "checked": 1, "failed": 1, "units_with_errors": 1,
                               "flags": {"error": 1, "warning": 0, "info": 2}}
    assert data["units"][0]["changes"] == {"new": 1, "resolved": 0}


def test_nightly_flow_runs_a_subflow_per_unit(tmp_path, monkeypatch):
    from prefect import flow
    from prefect.runtime import flow_run

    import pipeline.orchestration.flow

    parents = []

    @flow(name="bukti-check", persist_result=False)
    def fake_check(evidence_dir, out_dir, profile=None, rules=None, lang="id", store=None):
        parents.append(flow_run.parent_flow_run_id)
        if evidence_dir.endswith("c-broken"):
            raise RuntimeError("unreadable profile")
        report = {"unit": Path(evidence_dir).name.upper(), "summary": {
            "documents": 2, "flags": {"error": 1 if "dinkes" in evidence_dir else 0, "warning": 1, "info": 0},
            "indicators_ok": 1, "indicators_total": 2}, "changes": None,
            "flags": [{"severity": "error"}] if "dinkes" in evidence_dir else []}
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "report.json").write_text(json.dumps(report))
        return pipeline.orchestration.flow.CheckResult(report)

    monkeypatch.setattr(pipeline.orchestration.flow, "check_flow", fake_check)
    root, out = make_root(tmp_path), tmp_path / "out"
    index = nightly.nightly_flow(str(root), str(out), store="none")
    assert [(u["folder"], u["status"]) for u in index["units"]] == [
        ("a-disdukcapil", "checked"), ("b-dinkes", "checked"), ("c-broken", "failed")]
    assert "unreadable profile" in index["units"][2]["error"]
    assert index["summary"]["units_with_errors"] == 1
    assert (out / "a-disdukcapil" / "report.json").is_file() and (out / "index.html").is_file()
    assert len(parents) == 3 and all(parents), "each unit must run as a sub-flow of the nightly run"


@pytest.mark.parametrize("setup,needle", [
    (lambda p: None, "not a folder"),
    (lambda p: p.mkdir(), "no unit folders"),
])
def test_cli_usage_errors_exit_2_in_one_line(tmp_path, setup, needle):
    root = tmp_path / "root"
    setup(root)
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "nightly", str(root), "--out",
                           str(tmp_path / "out"), "--lang", "en"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and needle in lines[0], proc.stderr


def test_cli_refuses_out_inside_root(tmp_path):
    root = make_root(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "nightly", str(root), "--out",
                           str(root / "reports"), "--lang", "en"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2 and "inside the evidence root" in proc.stderr
