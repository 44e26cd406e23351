"""The mechanism a report is about (fields.subject): one id of vocab/subjects.yaml, read from the
title, else from the first lines of page 1; None when no subject is named."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.classify import locate
from extractors.fields._doc import DocText
from extractors.textnorm import fold, load_vocab


@lru_cache(maxsize=1)
def _cfg() -> dict:
    v = load_vocab("subjects")
    return {"applies_to": frozenset(v["applies_to"]), "threshold": float(v["threshold"]),
            "head_lines": int(v["head_lines"]),
            "subjects": [(sid, bool(spec.get("fallback")), [fold(p) for p in spec["phrases"]])
                         for sid, spec in v["subjects"].items()]}


def applies_to(doc_type: str) -> bool:
    return doc_type in _cfg()["applies_to"]


def _position(phrase: str, text: str, threshold: float) -> int | None:
    if " " not in phrase:
        # one word (mostly acronyms): a whole word, exactly ("SOP" is not "STOP", "KIP" not "SKIP",
        # "PENGADUAN" not "PENGADAAN")
        m = re.search(rf"\b{re.escape(phrase)}\b", text)
        return m.start() if m else None
    hit = locate(phrase, text, threshold)
    return hit[1] if hit else None


def subject_in(text: str) -> str | None:
    """The subject named first in `text` (fallback subjects only when no other is named)."""
    cfg = _cfg()
    folded = fold(text)
    best: tuple[bool, int, str] | None = None
    for sid, fallback, phrases in cfg["subjects"]:
        starts = [p for p in (_position(ph, folded, cfg["threshold"]) for ph in phrases) if p is not None]
        if starts:
            cand = (fallback, min(starts), sid)
            best = cand if best is None or cand < best else best
    return best[2] if best else None


def find_subject(doc: DocText, doc_type: str, title: str | None) -> str | None:
    if not applies_to(doc_type):
        return None
    if title:
        return subject_in(title)
    if doc.first_page is None:
        return None
    lines = doc.nonblank(doc.page_lines(doc.first_page))[:_cfg()["head_lines"]]
    return subject_in(" ".join(ln.text for ln in lines))
