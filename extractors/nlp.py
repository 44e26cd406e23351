"""The shared spaCy pipeline of the understand stage: one blank Indonesian ("id") pipeline, built on
first use, with

- an `ocr_norm` component writing `fold(token)` into `token.norm_`, so that Matcher patterns on
  NORM survive l/1/I, O/0, S/5 and rn/m confusions;
- Matchers with the section markers, jabatan heads and unit-name patterns of
  extractors/vocab/markers.yaml (fuzzy on NORM for long words, exact for short ones, because a
  one-edit fuzzy match on "nomor" or "an" hits ordinary words); the phrase patterns are only
  tried where one can start (`_PhraseStarts`).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractors.textnorm import fold, load_vocab

_LOCK = threading.Lock()
_NLP: Any = None


@dataclass(frozen=True)
class Marker:
    label: str          # "SECTION:MENIMBANG", "JABATAN", "UNIT"
    text: str
    start: int          # character offsets in the text given to `markers`
    end: int


# Remembered per token text: ocr_norm folds every token of every page, and the words of a
# folder's documents are few and repeat (Zipf)
@lru_cache(maxsize=65536)
def _norm_key(s: str) -> str:
    return fold(s).lower()


@lru_cache(maxsize=1)
def _near_misses() -> list[str]:
    return sorted({_norm_key(w) for w in load_vocab("markers").get("near_misses", [])})


def _word_spec(word: str) -> dict[str, Any]:
    key = _norm_key(word)
    if len(key) <= 5:
        return {"NORM": key}
    # known look-alikes are excluded: two edits turn "penetapan" into "menetapkan"
    near = [w for w in _near_misses() if w != key]
    if len(key) <= 8:
        return {"NORM": {"FUZZY1": key, "NOT_IN": near}}
    return {"NORM": {"FUZZY2": key, "NOT_IN": near}}


def _phrase_pattern(phrase: str) -> list[dict[str, Any]]:
    words = [w for w in re.split(r"[\s.]+", phrase) if w]
    pat: list[dict[str, Any]] = []
    for i, w in enumerate(words):
        if i:
            # punctuation or a line break may sit between the words of a marker
            pat.append({"IS_PUNCT": True, "OP": "?"})
            pat.append({"IS_SPACE": True, "OP": "?"})
        pat.append(_word_spec(w))
    return pat


# Tokenizer exceptions that only say "this whitespace is one token", which it is anyway
_PLAIN_WHITESPACE = frozenset({"\n", "\t", " "})


def _build() -> Any:
    from spacy.language import Language
    from spacy.matcher import Matcher

    if not Language.has_factory("ocr_norm"):
        @Language.component("ocr_norm")
        def ocr_norm(doc):  # type: ignore[no-untyped-def]
            for tok in doc:
                if not tok.is_space:
                    tok.norm_ = _norm_key(tok.text) or tok.text
            return doc

    from spacy.lang.id import Indonesian

    class _Defaults(Indonesian.Defaults):  # type: ignore[misc,valid-type]
        # spaCy's Indonesian exceptions list ~15,600 hyphenated reduplications ("anak-anak"):
        # loading them costs seconds per process and none of our patterns needs them whole.
        # The whitespace entries ("\n", "\t", " ") give the same single token the tokenizer
        # makes without them, but a special case hit stops spaCy from caching the rest of that
        # text's tokenization (has_special, spaCy #1250), and every page has a line break:
        # without them a page tokenizes ~2.5x faster (benchmarks/profile_understanding.py).
        tokenizer_exceptions = {k: v for k, v in Indonesian.Defaults.tokenizer_exceptions.items()
                                if "-" not in k and k not in _PLAIN_WHITESPACE}

    class _IndonesianLite(Indonesian):  # type: ignore[misc,valid-type]
        Defaults = _Defaults

    nlp = _IndonesianLite()
    nlp.add_pipe("ocr_norm")
    phrases = Matcher(nlp.vocab, validate=True)
    units = Matcher(nlp.vocab, validate=True)
    all_patterns = _patterns()
    for key, patterns, greedy in all_patterns:
        (units if greedy else phrases).add(key, patterns, greedy=greedy)
    # the Matcher's own default comparison, so that a start is judged as the Matcher judges it
    from spacy.matcher.levenshtein import levenshtein_compare
    starts = _PhraseStarts(nlp.vocab, [p for _, pats, greedy in all_patterns if not greedy for p in pats],
                           levenshtein_compare)
    nlp.user_data = {"phrases": phrases, "units": units, "starts": starts}  # type: ignore[attr-defined]
    return nlp


def _patterns() -> list[tuple[str, list[list[dict[str, Any]]], str | None]]:
    """(match key, Matcher patterns, greedy) of the markers in extractors/vocab/markers.yaml."""
    markers = load_vocab("markers")
    out: list[tuple[str, list[list[dict[str, Any]]], str | None]] = [
        (f"SECTION:{label}", [_phrase_pattern(v) for v in variants], None)
        for label, variants in markers["sections"].items()]
    out.append(("JABATAN", [_phrase_pattern(v) for v in markers["jabatan_heads"]], None))

    name_tok = {"TEXT": {"REGEX": r"^(?:[A-Z0-9][\w.\-']*|dan|serta|&|\n?[ \t]*|\.|dr\.?)$"},
                "OP": "*"}
    unit_patterns = []
    for head in markers["unit_heads"]:
        pat = [{"NORM": _norm_key(w)} for w in head.split()]
        pat[0]["TEXT"] = {"REGEX": r"^[A-Z]"}  # a unit name starts with a capital
        unit_patterns.append(pat + [name_tok])
    out.append(("UNIT", unit_patterns, "LONGEST"))
    return out


class _PhraseStarts:
    """Where a phrase pattern (section marker, jabatan head) can start, and how many tokens it
    can take from there.

    The Matcher tries every pattern's fuzzy first word on every token of a page (~20 edit
    distances per token, most of its time); the distances are a property of the word, so they
    are worked out once per distinct word here, and the Matcher only reads the few stretches of
    a page where a phrase can start. A first word is taken as a possible start on its fuzzy
    match alone, without its NOT_IN exceptions: a stretch too many costs a little time, never a
    match."""

    _MAX_WORDS = 200_000   # distinct words remembered before starting afresh (a long-lived server)

    def __init__(self, vocab: Any, patterns: list[list[dict[str, Any]]], fuzzy_compare: Any):
        self.vocab = vocab
        self.compare = fuzzy_compare
        self.heads: dict[tuple[str, int | None], int] = {}   # (first word, edits) -> longest pattern
        self.anywhere = False   # a first token this class cannot read: the Matcher reads it all
        for pat in patterns:
            spec = pat[0].get("NORM") if len(pat[0]) == 1 else None
            if isinstance(spec, str):
                head = (spec, None)
            elif isinstance(spec, dict) and set(spec) <= {"FUZZY", "FUZZY1", "FUZZY2", "NOT_IN"} \
                    and len(set(spec) - {"NOT_IN"}) == 1:
                op = next(k for k in spec if k.startswith("FUZZY"))
                head = (spec[op], int(op[5:] or -1))
            else:
                self.anywhere = True
                continue
            self.heads[head] = max(self.heads.get(head, 0), len(pat))
        self._reach: dict[int, int] = {}

    def reach(self, norm: int) -> int:
        """How many tokens a phrase starting at a token with this NORM (hash) can take; 0: none
        starts there. The test is the Matcher's own: equal, or `fuzzy_compare` within the edits."""
        n = self._reach.get(norm)
        if n is None:
            if len(self._reach) >= self._MAX_WORDS:
                self._reach = {}
            word = self.vocab.strings[norm]
            n = max((length for (key, edits), length in self.heads.items()
                     if word == key or (edits is not None and self.compare(word, key, edits))),
                    default=0)
            self._reach[norm] = n
        return n


def _matches(nlp: Any, doc: Any) -> list[tuple[int, int, int]]:
    """(match id, start, end) of every marker in `doc`, as one Matcher holding all the patterns
    returns them: the phrase matches in the order found, then the unit names (greedy).

    The phrase Matcher reads only the stretches where a phrase can start (`_PhraseStarts`):
    every match lies in one stretch, stretches do not overlap and are read in order, and no
    phrase pattern looks beyond its own tokens, so the matches and their order are the ones a
    read of the whole page gives."""
    from spacy.attrs import NORM

    phrases, units, starts = (nlp.user_data[k] for k in ("phrases", "units", "starts"))
    if starts.anywhere:
        return list(phrases(doc)) + list(units(doc))
    out: list[tuple[int, int, int]] = []
    n = len(doc)
    a = b = 0
    for i, norm in enumerate(doc.to_array(NORM).tolist()):
        reach = starts.reach(norm)
        if not reach:
            continue
        if i >= b:
            if b > a:
                out += [(key, s + a, e + a) for key, s, e in phrases(doc[a:b])]
            a = i
        b = max(b, min(n, i + reach))
    if b > a:
        out += [(key, s + a, e + a) for key, s, e in phrases(doc[a:b])]
    return out + list(units(doc))


def get_nlp() -> Any:
    """The pipeline, built once per process (thread-safe)."""
    global _NLP
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                _NLP = _build()
    return _NLP


@lru_cache(maxsize=64)
def markers(text: str) -> tuple[Marker, ...]:
    """Section markers, jabatan heads and unit-name candidates found in `text`, in order.

    Cached per text because several field extractors look at the same page.
    """
    nlp = get_nlp()
    out = []
    for offset, chunk in chunks(text):
        doc = nlp(chunk)
        for match_id, start, end in _matches(nlp, doc):
            span = doc[start:end]
            out.append(Marker(nlp.vocab.strings[match_id], span.text, offset + span.start_char,
                              offset + span.end_char))
    out.sort(key=lambda m: (m.start, -m.end))
    return tuple(out)


# spaCy refuses texts over nlp.max_length (1 M characters): a DOCX of a 400-page annex was read,
# then reported CORRUPT_FILE. Raising the limit would hold one Doc of millions of tokens; instead
# the text is read in pieces cut where a paragraph (else a line, else a space) ends, so no marker
# — all of them live within a few lines — is cut in two.
CHUNK_CHARS = 200_000


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) covering `text` in order, each piece at most `size` characters."""
    out = []
    start = 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = next((c for c in (window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
                    if c > size // 2), size - 1)
        end = start + cut + 1
        out.append((start, text[start:end]))
        start = end
    out.append((start, text[start:]))
    return out
