"""Text on its way to a terminal: names and values from the input shown, never obeyed.

A unit name, a file name or a reviewer's reason can hold control characters (ESC starts terminal
escape sequences that recolour, retitle or rewrite the screen; CR overwrites a line; BEL rings).
They are shown as visible escapes (`\\x1b`), so the line still tells what the input contained.
"""
from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls (tab and newline included: every caller prints one line per value) and the
# bidirectional overrides that reorder what a line appears to say.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """`text` with every control character replaced by its visible escape."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def without_controls(text: str) -> str:
    """`text` with each control character turned into a space (for values kept in reports: an
    XLSX file cannot hold them at all, and a CR between two words still separates them)."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
