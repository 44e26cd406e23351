"""The run store: extraction cache (keyed by sha256 + extractor version), run history, migrations,
thread safety, and that a killed run keeps every extraction it had finished."""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from extractors.model import EXTRACTOR_VERSION, Extraction, Page, Word
from pipeline import store as st
from pipeline.discover import FoundFile

ROOT = Path(__file__).resolve().parents[1]


def make_extraction(text="Surat Keputusan", source="text", **kw) -> Extraction:
    words = [Word("Surat", 10, 20, 50, 12, 96.5)] if source == "ocr" else None
    return Extraction(kind="pdf", pages=[Page(1, text, source, 91.0 if source == "ocr" else None,
                                              words=words, **kw)])


@pytest.fixture
def store(tmp_path):
    s = st.Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    s.close()


def test_resolve_url(tmp_path, monkeypatch):
    monkeypatch.setenv("BUKTI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BUKTI_STORE", raising=False)
    assert st.resolve_url(None) == f"sqlite:///{tmp_path / 'home' / 'store.sqlite'}"
    assert st.resolve_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert st.resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert st.resolve_url("none") is None
    monkeypatch.setenv("BUKTI_STORE", str(tmp_path / "env.sqlite"))
    assert st.resolve_url(None) == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert st.resolve_url("off") is None


def test_migrations_reach_head_and_head_constant_is_current(store):
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    cfg = Config()
    cfg.set_main_option("script_location", str(st.MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == st.HEAD
    with store.engine.connect() as conn:
        assert st.schema._current_revision(conn) == st.HEAD
    # Opening again is a no-op (no alembic run), and the file is in WAL mode.
    again = st.Store(store.url)
    with again.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    again.close()


def test_extraction_round_trip_and_version_invalidation(store):
    sha = "a" * 64
    ex = make_extraction(source="ocr")
    assert store.get_extraction(sha) is None
    assert store.put_extraction(sha, ex)
    got = store.get_extraction(sha)
    assert got == ex and got.pages[0].words[0].conf == 96.5
    # A new extractor version misses the cache; the old version's entry is still there until pruned.
    assert store.get_extraction(sha, version=EXTRACTOR_VERSION + "-next") is None
    store.put_extraction(sha, make_extraction("v2"), version=EXTRACTOR_VERSION + "-next")
    assert store.extraction_counts() == {EXTRACTOR_VERSION: 1, EXTRACTOR_VERSION + "-next": 1}
    assert store.prune_extractions(keep_version=EXTRACTOR_VERSION + "-next") == 1
    assert store.get_extraction(sha) is None
    assert store.get_extraction(sha, version=EXTRACTOR_VERSION + "-next").pages[0].text == "v2"
    # Writing the same key again replaces it rather than failing.
    store.put_extraction(sha, make_extraction("v3"), version=EXTRACTOR_VERSION + "-next")
    assert store.get_extraction(sha, version=EXTRACTOR_VERSION + "-next").pages[0].text == "v3"


def test_transient_failures_are_not_cached(store):
    assert not store.put_extraction("b" * 64, make_extraction(error="tesseract timed out"))
    internal = Extraction(kind="pdf", error_code="CORRUPT_FILE", error_reason="internal error while reading: X")
    assert not store.put_extraction("c" * 64, internal)
    corrupt = Extraction(kind="pdf", error_code="CORRUPT_FILE", error_reason="not a PDF")
    assert store.put_extraction("d" * 64, corrupt)  # the same bytes stay corrupt
    assert not store.put_extraction("", make_extraction())


def test_extract_cached_reads_each_file_once(store, tmp_path, monkeypatch):
    from pipeline import read
    calls = []

    def fake_extract(path, kind, settings=None):
        calls.append(path)
        return make_extraction(f"text of {path.name}")

    monkeypatch.setattr(read, "extract_file", fake_extract)
    f = tmp_path / "sk.pdf"
    f.write_bytes(b"%PDF-1.4 x")
    found = FoundFile("sk.pdf", str(f), "e" * 64, 10, "pdf")
    first, hit1 = read.extract_cached(found, store)
    second, hit2 = read.extract_cached(found, store)
    assert (hit1, hit2) == (False, True) and first == second and len(calls) == 1
    # Without a store every call extracts.
    read.extract_cached(found, None)
    assert len(calls) == 2


def test_broken_store_never_costs_the_document(tmp_path, monkeypatch):
    from pipeline import read

    class Broken:
        def get_extraction(self, sha):
            raise OSError("disk gone")

        def put_extraction(self, sha, ex):
            raise OSError("disk gone")

    monkeypatch.setattr(read, "extract_file", lambda p, k, settings=None: make_extraction())
    found = FoundFile("a.pdf", str(tmp_path / "a.pdf"), "f" * 64, 1, "pdf")
    ex, hit = read.extract_cached(found, Broken())
    assert ex.pages[0].text == "Surat Keputusan" and not hit


def report(unit, flags, generated="2024-10-01T00:00:00+00:00"):
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in flags:
        counts[f["severity"]] += 1
    return {"unit": unit, "rule_pack": "lke-2021", "generated_at": generated,
            "summary": {"documents": 3, "flags": counts}, "flags": flags}


def flag(key, code="UNIT_MISMATCH", severity="error", review=None):
    return {"id": "F0001", "key": key, "code": code, "severity": severity, "documents": ["b.pdf", "a.pdf"],
            "indicator": "1.1", "message": "m", "review": review}


def test_runs_flags_and_previous_report(store):
    assert store.previous_report("Dinas A") is None
    r1 = store.start_run(unit="Dinas A", evidence_dir="/e/a", out_dir="/o/a", rule_pack="lke-2021", lang="id")
    store.finish_run(r1, report("Dinas A", [flag("UNIT_MISMATCH:1"), flag("X:2", "UNSIGNED", "warning")]))
    other = store.start_run(unit="Dinas B", evidence_dir="/e/b")
    store.finish_run(other, report("Dinas B", [flag("Y:9")]))
    r2 = store.start_run(unit="Dinas A", evidence_dir="/e/a")
    prev = store.previous_report("Dinas A", before_run_id=r2)
    assert [f["key"] for f in prev["flags"]] == ["UNIT_MISMATCH:1", "X:2"]
    store.fail_run(r2, "KeyboardInterrupt: ")
    r3 = store.start_run(unit="Dinas A", evidence_dir="/e/a")
    # A failed run is no baseline: the comparison goes back to the last finished one.
    assert store.previous_report("Dinas A", before_run_id=r3)["flags"][0]["key"] == "UNIT_MISMATCH:1"
    store.finish_run(r3, report("Dinas A", [flag("X:2", "UNSIGNED", "warning", review={"status": "waived"})]))
    rows = store.list_runs("Dinas A")
    assert [(r["id"], r["status"]) for r in rows] == [(r3, "finished"), (r2, "failed"), (r1, "finished")]
    assert rows[2]["errors"] == 1 and rows[2]["warnings"] == 1 and rows[2]["documents"] == 3
    flags = store.run_flags(r3)
    assert flags[0]["status"] == "waived" and flags[0]["documents"] == ["a.pdf", "b.pdf"]
    assert store.run_flags(r1)[0]["status"] == "open"


def test_run_times_come_back_in_utc_on_every_backend(store):
    """SQLite keeps no offset: without the column type's help the dashboard's trend showed UTC
    times as if they were local ones."""
    import datetime as dt
    run = store.start_run(unit="Dinas A", evidence_dir="/e/a")
    store.finish_run(run, report("Dinas A", []))
    [row] = store.list_runs("Dinas A")
    assert row["started_at"].utcoffset() == dt.timedelta(0) == row["finished_at"].utcoffset()
    [point] = store.history("Dinas A")
    assert point["at"].endswith("+00:00")
    assert abs(dt.datetime.fromisoformat(point["at"]) - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)


def test_compare_with_previous_from_store(store):
    from pipeline.report import json_report as report_json
    r1 = store.start_run(unit="U", evidence_dir="/e")
    store.finish_run(r1, report("U", [flag("A:1"), flag("B:2")]))
    r2 = store.start_run(unit="U", evidence_dir="/e")
    now = report("U", [flag("B:2"), flag("C:3")])
    report_json.compare_with_previous(now, st.previous_report(store, "U", r2))
    assert now["changes"]["new"] == ["C:3"]
    assert [r["key"] for r in now["changes"]["resolved"]] == ["A:1"]


def test_threads_write_concurrently(store):
    errors = []

    def work(n):
        try:
            for i in range(25):
                sha = f"{n:02d}{i:02d}".ljust(64, "0")
                store.put_extraction(sha, make_extraction(f"{n}-{i}"))
                assert store.get_extraction(sha).pages[0].text == f"{n}-{i}"
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.extraction_counts()[EXTRACTOR_VERSION] == 200


def test_kill_9_keeps_completed_extractions(tmp_path):
    """Each extraction is committed when its document finishes, not at the end of the run."""
    db = tmp_path / "store.sqlite"
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(ROOT)!r})
from extractors.model import Extraction, Page
from pipeline.store import Store
s = Store("sqlite:///{db}")
for i in range(5):
    s.put_extraction(str(i) * 64, Extraction(kind="pdf", pages=[Page(1, f"page {{i}}", "ocr", 90.0)]))
print("written", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL and "written" in proc.stdout, proc.stderr
    s = st.Store(f"sqlite:///{db}")
    assert [s.get_extraction(str(i) * 64).pages[0].text for i in range(5)] == [f"page {i}" for i in range(5)]
    s.close()


def test_check_store_reports_bad_stores_in_one_line(tmp_path):
    with pytest.raises(st.StoreError) as err:
        st.check_store("postgresql+nosuchdriver://u@127.0.0.1/db")
    assert "postgresql" in err.value.message("en")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(st.StoreError) as err:
        st.check_store(str(blocker / "sub" / "store.sqlite"))
    assert "run store" in err.value.message("en") and "\n" not in err.value.message("en")
    assert st.check_store("none") is None


def test_cli_store_flag_bad_value_exits_2(tmp_path):
    (tmp_path / "ev").mkdir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "check", str(tmp_path / "ev"), "--out",
                           str(tmp_path / "o"), "--store", str(blocker / "x" / "s.sqlite"), "--lang", "en"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "BUKTI_HOME": str(tmp_path / "home")})
    assert proc.returncode == 2, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "run store" in lines[0]


def test_understanding_cache_round_trip_keyed_by_code(store, monkeypatch):
    from extractors.model import Fields, Mention, Person, Signatory
    fields = Fields(nomor="800/1/2024", tanggal="2024-01-15", title="Tim ZI", unit="Dinas A",
                    signatory=Signatory(name="Dr. A", nip="197203151998031004", date="2024-01-15", page=2),
                    people=[Person("B", None, "Ketua", 1)], dates=[Mention("2024-01-15", 1, "15 Januari 2024")])
    store.put_understanding("a" * 64, "sk_tim_zi", 0.97, fields)
    assert store.get_understanding("a" * 64) == ("sk_tim_zi", 0.97, fields)
    # Any change to the understand code (its fingerprint) misses the cache.
    monkeypatch.setattr(st.cache, "_understanding_version", "something-else")
    assert store.get_understanding("a" * 64) is None


def test_understand_uses_the_cache(store, tmp_path, monkeypatch):
    from pipeline import understand
    calls = []
    monkeypatch.setattr(understand, "classify", lambda ex: calls.append(1) or ("sop", 0.9))
    monkeypatch.setattr(understand, "extract_fields", lambda ex, t: __import__("extractors.model").model.Fields(nomor="1"))
    found = FoundFile("a.pdf", str(tmp_path / "a.pdf"), "9" * 64, 1, "pdf")
    first = understand.understand(found, make_extraction(), store)
    second = understand.understand(found, make_extraction(), store)
    assert len(calls) == 1 and (second.doc_type, second.fields.nomor) == ("sop", "1") == (first.doc_type, "1")
    # A page that failed is not a stable input: neither cached nor served from the cache.
    understand.understand(found, make_extraction(error="timeout"), store)
    assert len(calls) == 2


def test_word_boxes_are_kept_apart_and_loaded_only_when_asked(store):
    """A warm re-check reads text alone; the understand stage gets the word boxes back."""
    shas = [c * 64 for c in "cde"]
    store.put_extraction(shas[0], make_extraction("Surat Keputusan", source="ocr"))
    store.put_extraction(shas[1], make_extraction("Laporan"))
    assert store.cached_shas(shas) == set(shas[:2])
    light = store.get_extractions(shas)
    assert set(light) == set(shas[:2])
    assert light[shas[0]].pages[0].text == "Surat Keputusan" and light[shas[0]].pages[0].words is None
    full = store.get_extractions(shas, words=True)
    assert full[shas[0]] == make_extraction("Surat Keputusan", source="ocr")
    assert store.get_extraction(shas[0], words=False).pages[0].words is None
    assert store.get_extraction(shas[0]).pages[0].words[0].text == "Surat"


def test_rows_of_older_builds_still_read(store):
    """Rows written before migration 0003 hold the word boxes inside `data`."""
    import zlib
    import sqlalchemy as sa
    ex = make_extraction(source="ocr")
    data = zlib.compress(json.dumps(ex.to_dict()).encode())
    with store.engine.begin() as conn:
        conn.execute(sa.insert(st.schema.extractions).values(
            sha256="f" * 64, extractor_version=EXTRACTOR_VERSION, kind="pdf", pages=1, ocr_pages=1,
            data=data, words=None, created_at=st.schema._now()))
    assert store.get_extraction("f" * 64) == ex


def test_warm_understand_fetches_word_boxes_when_the_code_changed(store, tmp_path, monkeypatch):
    """An extraction served without boxes, not yet understood by this code: the field layer
    still sees the OCR word boxes."""
    from pipeline import understand
    seen = []
    monkeypatch.setattr(understand, "classify", lambda ex: ("sop", 0.9))
    monkeypatch.setattr(understand, "extract_fields",
                        lambda ex, t: seen.append(ex.pages[0].words) or __import__("extractors.model").model.Fields())
    sha = "7" * 64
    store.put_extraction(sha, make_extraction(source="ocr"))
    found = FoundFile("a.pdf", str(tmp_path / "a.pdf"), sha, 1, "pdf")
    doc = understand.understand(found, store.get_extraction(sha, words=False), store)
    assert doc.doc_type == "sop" and seen[0][0].text == "Surat"
