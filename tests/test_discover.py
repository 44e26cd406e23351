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
