"""OCR-noise normalisation helpers shared by the classifier and the field extractors.

Two different normalisations live here and must not be mixed up:
- `fold` builds a *matching key*: confusable characters collapse into one class on both sides of a
  comparison, so "PAKTA lNTEGRlTAS" and "PAKTA INTEGRITAS" get the same key. Never shown to users.
- `fix_digits` / `repair_ocr_words` *repair* text that is kept and reported (nomor, titles, names).
Everything is pure and cheap; vocabularies are read once from extractors/vocab/.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import yamlio

VOCAB_DIR = Path(__file__).parent / "vocab"


@lru_cache(maxsize=None)
def load_vocab(name: str) -> Any:
    with open(VOCAB_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yamlio.safe_load(fh)


# Letters and digits OCR swaps in both directions. Folding maps each group to one representative.
_FOLD_TABLE = str.maketrans({"0": "O", "1": "I", "|": "I", "!": "I", "L": "I", "5": "S",
                             "8": "B", "\u00c0": "A", "\u00c9": "E", "\u00c8": "E"})
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_WS = re.compile(r"[ \t\u00a0]+")


def fold(s: str) -> str:
    """Matching key of `s`: upper-case, OCR-confusable characters merged, punctuation to spaces."""
    s = s.upper().replace("RN", "M")
    s = s.translate(_FOLD_TABLE)
    return _NON_ALNUM.sub(" ", s).strip()


def collapse_ws(s: str) -> str:
    return _WS.sub(" ", s).strip()


@lru_cache(maxsize=1)
def _digit_map() -> dict[str, str]:
    return dict(load_vocab("patterns")["ocr"]["digit_map"])


def fix_digits(token: str) -> str:
    """Turn OCR letters back into digits inside a token that is mostly a number ("2O24", "l23").

    A token without any real digit is left alone: "I" may be a Roman month and "SK" a code.
    """
    if not token:
        return token
    dmap = _digit_map()
    real = sum(c.isdigit() for c in token)
    if real == 0 or real * 3 < len(token):
        return token
    if not all(c.isdigit() or c in dmap for c in token):
        return token
    return "".join(dmap.get(c, c) for c in token)


def fix_digit_runs(s: str) -> str:
    """Apply `fix_digits` to every alphanumeric run of `s`."""
    return re.sub(r"[0-9A-Za-z|!]+", lambda m: fix_digits(m.group(0)), s)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    words: set[str] = set(load_vocab("lexicon")["words"])
    for spec in load_vocab("doc_types")["types"].values():
        for ev in spec["evidence"]:
            words.update(re.findall(r"[A-Za-z]+", ev["phrase"].lower()))
    for variants in load_vocab("markers")["sections"].values():
        for v in variants:
            words.update(re.findall(r"[A-Za-z]+", v))
    table: dict[str, str] = {}
    ambiguous: set[str] = set()
    for w in words:
        if len(w) < 3:
            continue
        k = fold(w)
        if k in table and table[k] != w:
            ambiguous.add(k)
        table[k] = w
    for k in ambiguous:
        del table[k]
    return table


_TOKEN = re.compile(r"[A-Za-z0-9|!]*[A-Za-z][A-Za-z0-9|!]*|[A-Za-z0-9|!]+")


def _suspicious(tok: str) -> bool:
    """A token worth a lexicon look-up: it holds a character OCR confuses with another."""
    letters = [c for c in tok if c.isalpha()]
    if not letters:
        return False
    return any(c in "015|!lI" for c in tok) or "rn" in tok or "RN" in tok


def _styled(word: str, like: str) -> str:
    letters = [c for c in like if c.isalpha() and c not in "lI"]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if like[:1].isupper() or (like[:1] in "0l1|5" and len(like) > 1 and like[1:2].islower()):
        return word.capitalize()
    if letters and all(c.isupper() for c in letters):
        return word.upper()
    return word


def repair_ocr_words(text: str) -> str:
    """Replace words damaged by OCR confusions ("lNTEGRlTAS", "0PERASIONAL", "rnasyarakat") by the
    lexicon word they fold to. Only tokens with a confusable character are touched, and only when
    the folded key names exactly one known word, so numbers and unknown names are left alone.

    Page texts are remembered (the classifier repairs a page, then reads its SK subject from the
    repaired text, which is repaired again, then the field extractors repair the page once more):
    see `_REPAIRED`."""
    if len(text) < _MEMO_MIN_CHARS:
        return _repair(text)[0]
    with _REPAIRED_LOCK:
        hit = _REPAIRED.get(text)
        if hit is not None:
            _REPAIRED.move_to_end(text)
            return hit
    out, fixed = _repair(text)
    with _REPAIRED_LOCK:
        _REPAIRED[text] = out
        if fixed:
            # repairing the output again gives the output: the next pass is a look-up too
            _REPAIRED[out] = out
        while len(_REPAIRED) > _MEMO_SIZE:
            _REPAIRED.popitem(last=False)
    return out


# Page texts and their repair, least recently used first. Bounded: a run understands one
# document at a time per thread, so only the pages of the last few documents come back.
_REPAIRED: OrderedDict[str, str] = OrderedDict()
_REPAIRED_LOCK = threading.Lock()
_MEMO_SIZE = 512
_MEMO_MIN_CHARS = 200   # titles and names are repaired once; only pages come back


def _repair(text: str) -> tuple[str, bool]:
    """(repaired text, whether repairing it again changes nothing).

    A replaced word is usually stable, but not always: "!aporan" becomes "laporan" (nothing in
    "!a" says capital), and "laporan", whose "l" may be an OCR'd "I" or "L" before lower case,
    then becomes "Laporan". Tokens left alone stay alone, and a replacement made of token characters keeps
    the token's bounds, so the text is stable when every replacement is."""
    lex = _lexicon()
    fixed = True

    def sub(m: re.Match[str]) -> str:
        nonlocal fixed
        tok = m.group(0)
        if not _suspicious(tok):
            return tok
        word = lex.get(fold(tok))
        if not word:
            return tok
        out = _styled(word, tok)
        if fixed and not (_RUN.fullmatch(out) and (not _suspicious(out) or _styled(word, out) == out)):
            fixed = False
        return out

    return _TOKEN.sub(sub, text), fixed


_RUN = re.compile(r"[A-Za-z0-9|!]+")


@lru_cache(maxsize=1)
def _case_words() -> tuple[frozenset[str], frozenset[str]]:
    tc = load_vocab("markers")["title_case"]
    return frozenset(w.lower() for w in tc["lower"]), frozenset(w.upper() for w in tc["upper"])


def title_case(s: str) -> str:
    """"DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" -> "Dinas Kependudukan dan Pencatatan Sipil"."""
    lower, upper = _case_words()
    out = []
    for i, w in enumerate(collapse_ws(s).split(" ")):
        bare = w.strip(",.;:()")
        if bare.upper() in upper:
            out.append(w.upper())
        elif i > 0 and w.lower() in lower:
            out.append(w.lower())
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


@lru_cache(maxsize=1)
def _gelar() -> dict[str, str]:
    return {fold(g): g for g in load_vocab("markers")["gelar_canonical"]}


@lru_cache(maxsize=1)
def _gelar_known() -> frozenset[str]:
    return frozenset(load_vocab("markers")["gelar_canonical"])


_CAPS_FIX = str.maketrans({"l": "I", "0": "O", "1": "I", "5": "S", "|": "I"})


def _caps_word(w: str, min_letters: int) -> str:
    if min_letters <= 1 and w in ("l", "|"):
        return "I"  # "TRIWULAN |": a lone bar between capitals is the Roman one
    letters = [c for c in w if c.isalpha() and c != "l"]
    if len(letters) >= min_letters and all(c.isupper() for c in letters) \
            and sum(c.isdigit() for c in w) * 2 < len(w):
        return w.translate(_CAPS_FIX)
    return w


_WORD = re.compile(r"[A-Za-z0-9|][A-Za-z0-9|.]*")


def repair_caps(text: str, min_letters: int = 2) -> str:
    """Inside upper-case words, the digits and the lower-case l that OCR puts for letters become
    letters ("FAUZl" -> "FAUZI", "SANTOS0" -> "SANTOSO", "Dl" -> "DI" with min_letters=1)."""
    return _WORD.sub(lambda m: _caps_word(m.group(0), min_letters), text)


def repair_name(name: str) -> str:
    """Undo OCR confusions in a person's name as written: academic titles are put back in their
    usual spelling ("5.Kom." -> "S.Kom.", "M.Sl." -> "M.Si."), then `repair_caps`. Names are in
    no lexicon, so this is all that can be done without a roster."""
    gelar = _gelar()

    known = _gelar_known()

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if w in known:  # "dr." (physician) and "Dr." (doctorate) fold alike but differ
            return w
        return gelar.get(fold(w)) or _caps_word(w, 2)

    return _WORD.sub(word, name)
