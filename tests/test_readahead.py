"""Read-ahead: a check starts reading the files the store has not read before Prefect has started,
and the flow takes those extractions (and, on a first run, the hashes) instead of reading the files
again."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from extractors.model import Extraction, Page
from pipeline import cli, read
from pipeline.discover import discover, identities
from pipeline.store import Store
from tests.test_ocr import render_text


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    s.close()


@pytest.fixture
def reads(monkeypatch):
    """(file name, thread name) of every real read."""
    seen, real = [], read.extract_file

    def spy(path, kind, settings=None):
        seen.append((Path(path).name, threading.current_thread().name))
        return real(path, kind, settings)

    monkeypatch.setattr(read, "extract_file", spy)
    return seen


def _folder(tmp_path) -> Path:
    root = tmp_path / "ev"
    root.mkdir()
    render_text().save(root / "sk_tim.png")
    render_text(["PAKTA INTEGRITAS", "Saya yang bertanda tangan di bawah ini"]).save(root / "pakta.png")
    return root


def _seen_before(root: Path, store: Store) -> None:
    """What a first run leaves in the store: identities and every file's extraction."""
    files = discover(root)
    store.put_identities(str(root), identities(files, time.time_ns() - 5 * 10**9))
    for f in files:
        store.put_extraction(f.sha256, Extraction(kind=f.kind, pages=[Page(1, "x" * 40, "ocr")]))


def test_only_files_the_store_has_not_read_are_read_ahead(tmp_path, store, reads):
    root = _folder(tmp_path)
    _seen_before(root, store)
    render_text(["KEPUTUSAN KEPALA DINAS", "NOMOR 800/999/435.201/2024"]).save(root / "sk_tim.png")
    ahead = read.start(root, store, limit=4, read=read.extract_file)
    assert ahead.planned.wait(30)
    changed = {f.path: f for f in discover(root)}["sk_tim.png"]
    extraction, cached = read.extract_cached(changed, store, ahead=ahead)
    assert not cached and "800/999/435.201/2024" in extraction.text
    # Read once, by read-ahead; the unchanged file not at all.
    assert [(name, thread.startswith("bukti-readahead")) for name, thread in reads] == [("sk_tim.png", True)]
    # The flow still stores what read-ahead read.
    assert store.get_extraction(changed.sha256) is not None


def test_a_first_run_reads_the_largest_files_ahead_and_hands_over_their_hashes(tmp_path, store, reads):
    root = _folder(tmp_path)
    (root / "catatan.txt").write_text("kecil")
    ahead = read.start(root, store, limit=1, read=read.extract_file)
    assert ahead.planned.wait(30) and ahead.discovered.wait(30)
    sizes = {p: p.stat().st_size for p in root.iterdir()}
    largest = max(sizes, key=sizes.get)
    assert [path for path, _ in ahead.futures] == [str(largest)]
    # Every file hashed once, here; the flow's discovery takes them without reading a byte.
    assert set(ahead.identities(root)) == {str(p) for p in root.iterdir()}
    assert ahead.identities(tmp_path) == {}   # another folder: nothing


def test_the_flows_discovery_does_not_hash_what_read_ahead_hashed(tmp_path, store, monkeypatch):
    from pipeline import check, discover as discover_module
    root = _folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    ahead = read.start(root, store, limit=4, read=lambda path, kind: Extraction(kind=kind))
    assert ahead.discovered.wait(30)
    hashed = []
    real = discover_module._sha256
    monkeypatch.setattr(discover_module, "_sha256", lambda path: hashed.append(path) or real(path))
    # Read-ahead's hashes are taken only while they hold: a file hashed within the clock's
    # granularity of its last write is hashed again (discover.Identity.still_valid).
    monkeypatch.setattr(discover_module, "_RACY_NS", 0)
    files = check.discover_files(str(root), url, ahead)
    assert hashed == [] and {f.path for f in files} == {"sk_tim.png", "pakta.png"}
    assert files == discover(root)
    # …and what it took is recorded for the next run like any discovery's.
    assert set(store.get_identities(str(root))) == {f.abspath for f in files}


def test_a_file_changed_after_a_first_run_read_it_ahead_is_read_afresh(tmp_path, store, reads, monkeypatch):
    from pipeline import check, discover as discover_module
    monkeypatch.setattr(discover_module, "_RACY_NS", 0)
    root = _folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    ahead = read.start(root, store, limit=4, read=read.extract_file)
    assert ahead.planned.wait(30)
    for future in ahead.futures.values():
        future.result(timeout=120)
    time.sleep(0.01)   # a new mtime even on a coarse clock
    render_text(["VERSI KEDUA", "NOMOR 800/555/435.201/2024"]).save(root / "sk_tim.png")
    now = {f.path: f for f in check.discover_files(str(root), url, ahead)}
    extraction, _ = read.extract_cached(now["sk_tim.png"], store, ahead=ahead)
    assert "800/555/435.201/2024" in extraction.text
    assert reads[-1][0] == "sk_tim.png" and not reads[-1][1].startswith("bukti-readahead")
    # The unchanged file is the one read ahead.
    read.extract_cached(now["pakta.png"], store, ahead=ahead)
    assert [name for name, _ in reads].count("pakta.png") == 1


def test_a_read_not_started_yet_is_left_to_the_runs_reader(tmp_path, store):
    root = _folder(tmp_path)
    gate = threading.Event()

    def slow(path, kind):
        gate.wait(30)
        return Extraction(kind=kind, pages=[Page(1, "dibaca lebih dulu " * 3, "ocr")])

    ahead = read.ReadAhead(root, store, limit=2, read=slow)
    ahead.executor = read.ThreadPoolExecutor(max_workers=1)   # one at a time: the second waits
    ahead.thread.start()
    assert ahead.planned.wait(30)
    files = {f.abspath: f for f in discover(root)}
    running, waiting = [files[path] for path, _ in ahead.futures]
    assert ahead.take(waiting) is None    # not started: cancelled, read by the caller
    gate.set()
    assert "dibaca lebih dulu" in ahead.take(running).text
    ahead.stop()


def test_a_first_check_reads_ahead_and_reports_as_without_it(tmp_path, reads, monkeypatch):
    import json
    root = _folder(tmp_path)
    (root / "unit.yaml").write_text("unit: Dinas Kependudukan dan Pencatatan Sipil\n", encoding="utf-8")

    def check(name: str) -> dict:
        out = tmp_path / name
        assert cli.main(["check", str(root), "--out", str(out), "--store", str(tmp_path / f"{name}.sqlite")]) in (0, 1)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        report.pop("generated_at")
        return report

    ahead = check("ahead")
    assert sorted((name, thread.startswith("bukti-readahead")) for name, thread in reads) == [
        ("pakta.png", True), ("sk_tim.png", True)]
    reads.clear()
    monkeypatch.setattr(cli, "_start_readahead", lambda *args: None)
    assert check("plain") == ahead
    assert sorted(name for name, thread in reads if not thread.startswith("bukti-readahead")) == [
        "pakta.png", "sk_tim.png"]


def test_a_file_changed_again_after_read_ahead_is_read_afresh(tmp_path, store, reads):
    root = _folder(tmp_path)
    _seen_before(root, store)
    render_text(["VERSI KEDUA"]).save(root / "sk_tim.png")
    ahead = read.start(root, store, limit=4, read=read.extract_file)
    assert ahead.planned.wait(30)
    render_text(["VERSI KETIGA", "NOMOR 800/777/435.201/2024"]).save(root / "sk_tim.png")
    now = {f.path: f for f in discover(root)}["sk_tim.png"]
    extraction, _ = read.extract_cached(now, store, ahead=ahead)
    assert "800/777/435.201/2024" in extraction.text
    assert reads[-1][0] == "sk_tim.png" and not reads[-1][1].startswith("bukti-readahead")


def test_re_check_reads_the_changed_file_ahead_of_the_flow(tmp_path, reads):
    root = _folder(tmp_path)
    (root / "unit.yaml").write_text("unit: Dinas Kependudukan dan Pencatatan Sipil\n", encoding="utf-8")
    store_path, out = tmp_path / "store.sqlite", tmp_path / "out"
    args = ["check", str(root), "--out", str(out), "--store", str(store_path)]
    assert cli.main(args) in (0, 1)
    first = sorted(name for name, _ in reads)
    reads.clear()
    render_text(["PAKTA INTEGRITAS", "Saya yang bertanda tangan", "Tahun 2025"]).save(root / "pakta.png")
    assert cli.main(args) in (0, 1)
    assert first == ["pakta.png", "sk_tim.png"]
    assert [(name, thread.startswith("bukti-readahead")) for name, thread in reads] == [("pakta.png", True)]
    report = (out / "report.json").read_text(encoding="utf-8")
    assert "pakta.png" in report


def test_a_read_ahead_that_fails_costs_only_speed(tmp_path, store, monkeypatch):
    from pipeline import check
    root = _folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"

    def broken(root):
        raise RuntimeError("store gone")

    monkeypatch.setattr(store, "get_identities", broken)
    ahead = read.start(root, store, limit=4, read=read.extract_file)
    assert ahead.planned.wait(30) and ahead.futures == {} and ahead.identities(root) == {}
    files = check.discover_files(str(root), url, ahead)   # the flow hashes the folder itself
    assert files == discover(root)
    assert read.extract_cached(files[0], None, ahead=ahead)[0].text
