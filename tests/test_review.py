"""Reviewer decisions (review.json, `bukti review`) and the Prefect artifacts built on them."""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.report import review
from pipeline.report.review import ack, apply_decisions, blocking_errors, load_decisions, review_main, waive
from tests import reportfactory as rf

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def report_dir(tmp_path):
    d = tmp_path / "bukti-report"
    d.mkdir()
    (d / "report.json").write_text(json.dumps(rf.build_report(), ensure_ascii=False), encoding="utf-8")
    return d


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = review_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_waive_then_apply_marks_flag_and_unblocks(report_dir):
    report = rf.build_report()
    assert blocking_errors(report) == 6
    target = report["flags"][0]
    assert target["severity"] == "error"
    waive(report_dir, target["key"], "  SK 2023 masih berlaku sampai diganti  ")
    decisions = load_decisions(report_dir)
    assert decisions[target["key"]]["decision"] == "waived"
    assert decisions[target["key"]]["reason"] == "SK 2023 masih berlaku sampai diganti"

    out = apply_decisions(report, decisions)
    assert out is report
    flag = next(f for f in report["flags"] if f["id"] == target["id"])
    assert flag["review"]["decision"] == "waived" and flag["review"]["at"]
    assert len(report["flags"]) == len(rf.FLAGS)  # still listed
    assert report["summary"]["waived"] == 1
    assert blocking_errors(report) == 5
    assert all(f["review"] is None for f in report["flags"] if f is not flag)


def test_ack_does_not_unblock_and_last_decision_wins(report_dir):
    report = rf.build_report()
    key = report["flags"][1]["key"]
    ack(report_dir, key)
    apply_decisions(report, load_decisions(report_dir))
    assert report["flags"][1]["review"]["decision"] == "acknowledged"
    assert blocking_errors(report) == 6 and report["summary"]["waived"] == 0
    waive(report_dir, key, "bukan masalah")
    apply_decisions(report, load_decisions(report_dir))
    assert report["flags"][1]["review"]["decision"] == "waived" and blocking_errors(report) == 5


def test_waiver_survives_renamed_files_and_renumbering(report_dir):
    first = rf.build_report()
    target = next(f for f in first["flags"] if f["code"] == "UNSIGNED")
    waive(report_dir, target["key"], "ditandatangani basah, pindaian menyusul")

    old = "1. Manajemen Perubahan/1.3 Monev/Laporan Monev Triwulan II.pdf"
    new = "Monev 2024/TW2 - laporan monev (final).pdf"
    rerun = rf.build_report(rename={old: new})
    rerun["flags"].insert(0, rerun["flags"].pop())  # a re-run may order and number flags differently
    for i, f in enumerate(rerun["flags"], start=1):
        f["id"] = f"F{i:04d}"
    apply_decisions(rerun, load_decisions(report_dir))
    waived = [f for f in rerun["flags"] if f["review"]]
    assert len(waived) == 1
    assert waived[0]["code"] == "UNSIGNED" and waived[0]["documents"] == [new]
    assert blocking_errors(rerun) == 5


def test_stale_decisions_are_kept_but_ignored(report_dir):
    waive(report_dir, "UNSIGNED:000000000000", "dokumen lama")
    report = apply_decisions(rf.build_report(), load_decisions(report_dir))
    assert report["summary"]["waived"] == 0
    assert "UNSIGNED:000000000000" in load_decisions(report_dir)


def test_review_json_format_and_atomicity(report_dir):
    assert load_decisions(report_dir) == {}
    waive(report_dir, "B:2", "alasan")
    ack(report_dir, "A:1")
    data = json.loads((report_dir / "review.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and list(data["decisions"]) == ["A:1", "B:2"]
    assert sorted(p.name for p in report_dir.iterdir()) == ["report.json", "review.json"]
    with pytest.raises(ValueError):
        waive(report_dir, "C:3", "   ")


def test_damaged_review_json_is_an_error_not_an_empty_set(report_dir):
    (report_dir / "review.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError):
        load_decisions(report_dir)
    code, _, err = run_cli("list", "--out", str(report_dir))
    assert code == 2 and err.count("\n") == 1


def test_cli_list(report_dir):
    report = rf.build_report()
    waive(report_dir, report["flags"][0]["key"], "sudah dikonfirmasi\nke Inspektorat")
    code, out, err = run_cli("list", "--out", str(report_dir))
    assert code == 0 and err == ""
    for f in report["flags"]:
        assert f["key"] in out and f["id"] in out
    line = next(l for l in out.splitlines() if l.startswith(report["flags"][0]["id"]))
    assert "Dikecualikan: sudah dikonfirmasi ke Inspektorat" in line  # newline in a reason stays on one line
    assert out.splitlines()[0].startswith("ID") and "KUNCI" in out.splitlines()[0]
    assert out.rstrip().endswith("12 temuan, 1 dikecualikan, 5 kesalahan yang belum dikecualikan.")
    code, out, _ = run_cli("list", "--out", str(report_dir), "--lang", "en")
    assert out.rstrip().endswith("12 flags, 1 waived, 5 errors not waived.")


def test_cli_waive_and_ack(report_dir):
    report = rf.build_report()
    key = report["flags"][2]["key"]
    code, out, err = run_cli("waive", key, "--reason", "unit lama sudah digabung", "--out", str(report_dir))
    assert (code, err) == (0, "") and key in out and "dikecualikan" in out
    assert load_decisions(report_dir)[key]["reason"] == "unit lama sudah digabung"
    key2 = report["flags"][3]["key"]
    code, out, _ = run_cli("ack", key2, "--out", str(report_dir), "--lang", "en")
    assert code == 0 and "acknowledged" in out
    assert load_decisions(report_dir)[key2]["decision"] == "acknowledged"


@pytest.mark.parametrize("argv, needle", [
    (["waive", "UNSIGNED:ffffffffffff", "--reason", "x"], "tidak dikenal"),
    (["ack", "NOPE", "--lang", "en"], "unknown flag key: NOPE"),
    (["waive", "KEY_IS_CHECKED_AFTER_REASON"], "--reason"),
    (["waive", "K", "--reason", "   "], "--reason"),
    (["frobnicate"], "invalid choice"),
])
def test_cli_usage_errors_exit_2_with_one_line(report_dir, argv, needle):
    code, out, err = run_cli(*argv, "--out", str(report_dir)) if argv[0] != "frobnicate" else run_cli(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err
    assert not (report_dir / "review.json").exists()


def test_cli_without_report_json(tmp_path):
    code, _, err = run_cli("list", "--out", str(tmp_path / "nowhere"), "--lang", "en")
    assert code == 2 and "no report.json" in err and err.count("\n") == 1


def test_cli_default_report_dir(report_dir, monkeypatch):
    monkeypatch.chdir(report_dir.parent)
    code, out, _ = run_cli("list")
    assert code == 0 and "F0001" in out


# --------------------------------------------------------------------------- Prefect artifacts

def test_publish_outside_a_flow_logs_and_skips(caplog):
    from pipeline.orchestration.artifacts import publish_artifacts

    with caplog.at_level(logging.INFO, logger="pipeline.orchestration.artifacts"):
        publish_artifacts(rf.build_report())
    assert "artifacts skipped" in caplog.text


def test_markdown_is_inert_and_keys_are_valid():
    from pipeline.orchestration.artifacts import flags_table, key_slug, summary_markdown

    md = summary_markdown(rf.build_hostile_report())
    assert "<script" not in md and "<img" not in md and "](" not in md
    assert key_slug("Dinas Kependudukan & Pencatatan Sipil — Kab. Sumenep") == \
        "dinas-kependudukan-pencatatan-sipil-kab-sumenep"
    assert key_slug("<<>>") == "unit"
    rows = flags_table(rf.build_report())
    assert [r["Tingkat"] for r in rows][:1] == ["Kesalahan"] and len(rows) == len(rf.FLAGS)
    assert list(flags_table(rf.build_report("en"))[0]) == ["ID", "Severity", "Code", "Indicator", "Documents",
                                                           "Message", "Review", "Key"]


PREFECT_SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    sys.path.insert(0, sys.argv[1])
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from pipeline.orchestration.artifacts import key_slug, publish_artifacts
    from pipeline.report.review import apply_decisions
    from tests.reportfactory import build_report

    report = build_report()
    apply_decisions(report, {report["flags"][0]["key"]: {"decision": "waived", "reason": "ok", "at": None}})

    @flow(name="bukti-artifacts-test")
    def check():
        publish_artifacts(report)

    check()
    slug = key_slug(report["unit"])

    async def read():
        async with get_client() as client:
            arts = await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"bukti-summary-{slug}", f"bukti-flags-{slug}"])))
            return [{"key": a.key, "type": a.type, "data": a.data,
                     "flow_run": str(a.flow_run_id) if a.flow_run_id else None} for a in arts]

    print("RESULT" + json.dumps(asyncio.run(read())))
""")


def test_artifacts_inside_a_real_flow(tmp_path):
    # A subprocess, so the ephemeral Prefect server, its database and settings live in tmp_path
    # and nothing of them leaks into other tests. Slow (~10-35 s): this is the only such test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    proc = subprocess.run([sys.executable, "-c", PREFECT_SCRIPT, str(ROOT)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT"))
    arts = {a["key"]: a for a in json.loads(line[len("RESULT"):])}
    slug = "dinas-kependudukan-dan-pencatatan-sipil-kabupaten-sumenep"
    summary, table = arts[f"bukti-summary-{slug}"], arts[f"bukti-flags-{slug}"]
    assert summary["type"] == "markdown" and summary["flow_run"]
    assert "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep" in summary["data"]
    assert "**5**" in summary["data"]  # blocking errors after the waiver
    assert table["type"] == "table"
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert len(rows) == len(rf.FLAGS)
    assert {r["Kode"] for r in rows} == {f[0] for f in rf.FLAGS}
    assert [r["Tinjauan"] for r in rows if r["ID"] == "F0001"] == ["Dikecualikan"]


def test_waiver_recorded_under_the_pre_2021_indicator_code_still_applies(tmp_path):
    """A unit waived "OUT_OF_PERIOD on 1.1" before the pack followed the LKE 2021 codes; the same
    flag is now on I.P.i and keeps its waiver, and is not reported as new."""
    import hashlib

    from pipeline.report.json_report import build_report, compare_with_previous
    from rules.engine import evaluate
    from rules.pack import load_pack
    from tests import rulefactory as rfac
    docs = rfac.clean_folder()
    rfac.find(docs, "SK Tim ZI").fields.tanggal = "2023-01-15"
    prof = rfac.profile()
    ev = evaluate(docs, prof, rfac.roster(), load_pack(None))
    [flag] = [f for f in ev.flags if f.code == "OUT_OF_PERIOD"]
    assert flag.indicator == "I.P.i"
    basis = "|".join([flag.code, ",".join(sorted(flag.doc_sha256)), "1.1", str(flag.expected)])
    old_key = f"{flag.code}:{hashlib.sha256(basis.encode()).hexdigest()[:12]}"   # as the old build wrote it
    assert old_key in flag.legacy_keys and old_key != flag.key
    report = build_report(documents=docs, flags=ev.flags, indicators=ev.indicators, score=ev.score,
                          profile=prof, unit_label=prof.unit, period=prof.period, target=prof.target,
                          rule_pack="lke-2021", lang="id", evidence_dir=tmp_path, profile_warnings=[])
    apply_decisions(report, {old_key: {"decision": "waived", "reason": "SK lama masih berlaku", "at": "2024-10-02"}})
    entry = next(f for f in report["flags"] if f["code"] == "OUT_OF_PERIOD")
    assert entry["review"]["decision"] == "waived" and report["summary"]["waived"] == 1
    previous = {"generated_at": "2024-10-01", "flags": [{**entry, "key": old_key}]}
    compare_with_previous(report, previous)
    assert entry["key"] not in report["changes"]["new"] and report["changes"]["resolved"] == []
