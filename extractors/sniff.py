"""File type from content, never from the extension.

Evidence folders are full of files renamed by hand (a scan saved as .pdf that is
really a JPEG, a DOCX renamed .doc), so the name is not evidence of the type.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from PIL import Image

from .limits import SNIFF_BYTES

_IMAGE_MAGIC = (
    b"\xff\xd8\xff",            # JPEG
    b"\x89PNG\r\n\x1a\n",       # PNG
    b"II*\x00", b"MM\x00*",     # TIFF
    b"GIF87a", b"GIF89a",
    b"BM",                      # BMP
)

# Signatures of things we do not read, so that the UNSUPPORTED_FILE flag can say what it saw.
_OTHER_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (DOC/XLS/PPT)"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"{\\rtf", "RTF document"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"),
    (b"<?xml", "XML document"),
    (b"\x7fELF", "executable"),
    (b"MZ", "Windows executable"),
)

_FTYP_BRANDS = {
    b"qt  ": "QuickTime video",
    b"heic": "HEIC image", b"heix": "HEIC image", b"mif1": "HEIF image", b"msf1": "HEIF image",
    b"avif": "AVIF image",
    b"M4A ": "M4A audio",
    b"3gp4": "3GP video", b"3gp5": "3GP video", b"3g2a": "3GP video",
}


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(SNIFF_BYTES)


def _zip_kind(path: Path) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "unknown", "damaged ZIP archive"
    if "word/document.xml" in names:
        return "docx", "Word document"
    if "xl/workbook.xml" in names:
        return "unknown", "Excel workbook"
    if "ppt/presentation.xml" in names:
        return "unknown", "PowerPoint presentation"
    if "content.xml" in names and "mimetype" in names:
        return "unknown", "OpenDocument file"
    return "unknown", "ZIP archive"


# Formats with a real signature that scanners or phones produce. Headerless formats
# Pillow also opens (TGA, SPIDER …) would claim random binary data.
_PIL_FALLBACK = ["JPEG2000", "WEBP", "BMP", "PPM", "PCX", "ICO", "DIB", "SGI"]


def _pil_opens(path: Path) -> str | None:
    try:
        with Image.open(path, formats=_PIL_FALLBACK) as im:
            return im.format or "image"
    except Image.DecompressionBombError:
        return "image"  # an image nonetheless; extract reports the bomb
    except Exception:
        return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the end of the sample is still text.
        if e.start < len(head) - 4:
            return False
    return True


def _classify(path: Path) -> tuple[str, str]:
    try:
        head = _head(path)
    except OSError as e:
        return "unknown", f"unreadable file ({e.strerror or type(e).__name__})"
    if not head:
        return "empty", "empty file"
    # The PDF header may legally sit after some junk bytes (scanner firmware does this).
    if b"%PDF-" in head[:1024]:
        return "pdf", "PDF document"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image", "image"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        desc = _FTYP_BRANDS.get(brand, "MP4 video")
        return "unknown", desc
    if head[:4] == b"RIFF":
        return "unknown", {b"AVI ": "AVI video", b"WAVE": "WAV audio"}.get(head[8:12], "RIFF media")
    for magic, desc in _OTHER_MAGIC:
        if head.startswith(magic):
            return "unknown", desc
    fmt = _pil_opens(path)
    if fmt:
        return "image", fmt
    if _looks_like_text(head):
        lower = head[:512].lstrip().lower()
        if lower.startswith((b"<!doctype html", b"<html")):
            return "unknown", "HTML page"
        return "unknown", "plain text"
    return "unknown", "unrecognised binary data"


def sniff(path: Path) -> str:
    """'pdf' | 'image' | 'docx' | 'empty' | 'unknown', from the first few KB of content."""
    return _classify(Path(path))[0]


def describe(path: Path) -> str:
    """What the content looks like, in words, e.g. 'MP4 video', 'Excel workbook'."""
    return _classify(Path(path))[1]
