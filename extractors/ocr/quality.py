"""Whether text (a PDF text layer or Tesseract's output) carries real words, not glyph soup."""
from __future__ import annotations

import re
import unicodedata

from .. import limits

_MOJIBAKE = re.compile(r"[ÃÂâ€™œžŸ]{2,}|Ã.|â€")


def text_stats(text: str) -> tuple[int, float]:
    """(meaningful chars, share of non-space chars that are meaningful)."""
    good = bad = 0
    for ch in text:
        if ch.isspace():
            continue
        cat = unicodedata.category(ch)
        if ch == "\ufffd" or cat in ("Co", "Cn", "Cc", "Cs"):
            bad += 2  # replacement/private-use/control chars are worse than punctuation
        elif ch.isalnum():
            good += 1
        else:
            bad += 1
    total = good + bad
    return good, (good / total if total else 0.0)


def usable_text(text: str) -> bool:
    """Whether a text layer (or OCR output) carries real words, not glyph soup."""
    good, ratio = text_stats(text)
    if good < limits.MIN_TEXT_CHARS or ratio < 0.6:
        return False
    if len(_MOJIBAKE.findall(text)) > good / 50:
        return False
    # Fonts without a ToUnicode map give Latin letters that form no words: almost no
    # vowels, or almost nothing but. Indonesian and English sit near 40 % vowels.
    letters = [c for c in text.lower() if "a" <= c <= "z"]
    if len(letters) >= 40:
        vowels = sum(c in "aeiou" for c in letters) / len(letters)
        if not 0.2 <= vowels <= 0.65:
            return False
    return True
