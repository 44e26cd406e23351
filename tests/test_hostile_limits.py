"""Resource bombs: each is read in its own process and must stay within a memory bound.

Peak RSS (ru_maxrss) is per process, so every input gets a fresh interpreter; the baseline is taken
after the imports, and growth over it is what the input cost.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import hostile

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from extractors.extract import extract_file
from extractors.sniff import sniff
import extractors.pdf, extractors.images, extractors.docx_text  # imports are not the input's cost
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base = rss()
path = Path({path!r})
t = time.monotonic()
kind = sniff(path)
ex = extract_file(path, kind)
print(json.dumps({{"kind": kind, "code": ex.error_code, "reason": ex.error_reason, "pages": len(ex.pages),
                  "text": ex.text[:200], "growth_mb": rss() - base, "seconds": time.monotonic() - t}}))
"""

# (builder, expected error code or None, words of the reason, peak RSS growth bound in MB)
CASES = {
    "bomb.png": (hostile.decompression_bomb_png, "CORRUPT_FILE", "decompression bomb", 50),
    "huge-20000x20000.png": (hostile.huge_png, "CORRUPT_FILE", "too large", 50),
    # Decoded in full (60 MP RGB = 180 MB), then greyed and downscaled: bounded by the pixel limit.
    "wide-20000x3000.png": (hostile.wide_png, None, None, 300),
    # JPEG decodes at reduced scale (draft mode) straight into a small buffer.
    "wide-20000.jpg": (hostile.wide_jpeg, None, None, 120),
    "500-pages.pdf": (hostile.many_pages_pdf, None, None, 150),
    "zip-bomb.docx": (hostile.docx_zip_bomb, "CORRUPT_FILE", "zip bomb", 50),
    # One Flate image declared 46000x46000 in a 748-byte PDF: PDFium took 2.3 GB to render it.
    "image-46000x46000.pdf": (hostile.huge_image_pdf, "UNREADABLE", "megapixels", 50),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bomb_stays_within_memory_bound(tmp_path, name):
    build, code, reason, bound_mb = CASES[name]
    path = tmp_path / name
    path.write_bytes(build())
    proc = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), path=str(path))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["code"] == code, got
    if reason:
        assert reason in got["reason"], got
    else:
        assert "KEPUTUSAN" in got["text"] or "Halaman" in got["text"], got
    assert got["growth_mb"] < bound_mb, got
    if name == "500-pages.pdf":
        assert got["pages"] == 500 and got["seconds"] < 20, got
