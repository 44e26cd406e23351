"""Progress of a check: plain lines off a terminal, a rich bar on one, counts from any thread."""
import io
import threading

from pipeline import progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_every_ten_files_and_a_final_line():
    out = io.StringIO()
    rep = progress.PlainReporter(out, every=10)
    rep.begin("Dinas A", 25)
    for i in range(25):
        rep.document_done("Dinas A", pages=2, ocr_pages=1 if i % 5 == 0 else 0, cached=i < 3)
    rep.end("Dinas A")
    lines = out.getvalue().splitlines()
    assert lines[0] == "[Dinas A] 25 files"
    assert lines[1].startswith("[Dinas A] 10/25 files, 20 pages (2 OCR, 3 files from cache)")
    assert lines[2].startswith("[Dinas A] 20/25 files")
    assert lines[3].startswith("[Dinas A] done: 25/25 files, 50 pages (5 OCR, 3 files from cache)")
    assert len(lines) == 4


def test_counts_are_safe_across_threads_and_units():
    rep = progress.Reporter()
    rep.begin("A", 400)
    rep.begin("B", 400)
    threads = [threading.Thread(target=lambda u=u: [rep.document_done(u, pages=3) for _ in range(100)])
               for u in ("A", "B") for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (rep.units["A"].done, rep.units["A"].pages, rep.units["B"].done) == (400, 1200, 400)
    rep.document_done("never begun")  # ignored, not an error


def test_stream_kind_picks_the_reporter_and_use_restores_the_default():
    assert isinstance(progress.for_stream(io.StringIO()), progress.PlainReporter)
    tty = FakeTTY()
    rep = progress.for_stream(tty)
    assert isinstance(rep, progress.RichReporter)
    default = progress.current()
    with progress.use(rep):
        assert progress.current() is rep
        rep.begin("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep", 2)
        rep.document_done("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep", pages=4, ocr_pages=4)
        rep.document_done("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep", pages=1)
        rep.end("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep")
    assert progress.current() is default
    shown = tty.getvalue()
    assert "5 pages (4 OCR" in shown and rep.progress.tasks[0].completed == 2
