"""Read-ahead: a re-check starts reading the files the store has not read before Prefect has
started, and the flow takes those extractions instead of reading the files again."""
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


def test_a_folder_never_seen_is_not_read_ahead(tmp_path, store, reads):
    root = _folder(tmp_path)
    ahead = read.start(root, store, limit=4, read=read.extract_file)
    assert ahead.planned.wait(30)
    assert ahead.futures == {} and reads == []


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
