import os
from pathlib import Path

from pipeline.discover import discover


def test_order_identity_and_links(tmp_path):
    root = tmp_path / "ev"
    (root / "b").mkdir(parents=True)
    (root / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (root / "b" / "z.txt").write_text("hello")
    (root / "unit.yaml").write_text("unit: X\n")          # the profile is not evidence
    (root / ".DS_Store").write_bytes(b"junk")
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF-1.4 secret")
    os.symlink(outside, root / "link-out.pdf")
    os.symlink(root, root / "b" / "loop")                  # a loop back to the root
    os.symlink(root / "a.pdf", root / "c-copy.pdf")        # a link inside the folder is read
    found = discover(root)
    paths = [f.path for f in found]
    assert paths == sorted(paths)
    assert "unit.yaml" not in paths and ".DS_Store" not in paths
    by_path = {f.path: f for f in found}
    assert by_path["a.pdf"].kind == "pdf" and len(by_path["a.pdf"].sha256) == 64
    assert by_path["link-out.pdf"].skipped and "outside" in by_path["link-out.pdf"].skipped
    assert by_path["c-copy.pdf"].sha256 == by_path["a.pdf"].sha256
    assert not any(p.startswith("b/loop/") for p in paths)


def _hash_counter(monkeypatch):
    from pipeline import discover as d
    calls = []
    real = d._sha256
    monkeypatch.setattr(d, "_sha256", lambda p: calls.append(Path(p).name) or real(p))
    return calls


def test_unchanged_files_are_not_read_again(tmp_path, monkeypatch):
    import time

    from pipeline.discover import identities
    root = tmp_path / "ev"
    root.mkdir()
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (root / name).write_bytes(b"%PDF-1.4\n" + name.encode() + b"\n%%EOF\n")
    calls = _hash_counter(monkeypatch)
    first = discover(root)
    known = dict(identities(first, time.time_ns() + 10**10))   # as if hashed well after the last change
    assert sorted(calls) == ["a.pdf", "b.pdf", "c.pdf"]
    calls.clear()
    again = discover(root, known)
    assert calls == [] and again == first
    # Rewritten with the same size and its mtime set back: the change time still moved.
    st = (root / "b.pdf").stat()
    (root / "b.pdf").write_bytes(b"%PDF-1.4\nB.pdf\n%%EOF\n")
    os.utime(root / "b.pdf", ns=(st.st_atime_ns, st.st_mtime_ns))
    (root / "d.pdf").write_bytes(b"%PDF-1.4\nnew\n%%EOF\n")
    later = {f.path: f for f in discover(root, known)}
    assert sorted(calls) == ["b.pdf", "d.pdf"]
    assert later["b.pdf"].sha256 != known[str(root / "b.pdf")].sha256


def test_racy_entries_are_read_again(tmp_path, monkeypatch):
    """A file changed within the clock granularity of its hashing is not trusted."""
    import time

    from pipeline.discover import identities
    root = tmp_path / "ev"
    root.mkdir()
    (root / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    calls = _hash_counter(monkeypatch)
    known = dict(identities(discover(root), time.time_ns()))   # hashed right as it was written
    calls.clear()
    discover(root, known)
    assert calls == ["a.pdf"]


def test_identities_survive_in_the_store(tmp_path):
    import time

    from pipeline.discover import identities
    from pipeline.store import Store
    root = tmp_path / "ev"
    root.mkdir()
    (root / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    items = identities(discover(root), time.time_ns())
    store.put_identities(str(root), items)
    assert store.get_identities(str(root)) == dict(items)
    store.put_identities(str(root), [])          # the folder emptied: nothing stays behind
    assert store.get_identities(str(root)) == {}
    store.close()
