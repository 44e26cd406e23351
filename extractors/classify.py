"""Document type from evidence: title phrases of vocab/doc_types.yaml matched fuzzily on folded
text (so "PAKTA lNTEGRlTAS" and "STANDAR 0PERASIONAL PR0SEDUR" still count), weighted by where
they are found (an SK's TENTANG subject, the heading area, page 1, the rest). SK subjects only
count when the text has the structure of a Surat Keputusan; an SK on any other subject is
sk_other. Confidence grows with the best score and with its margin over the runner-up."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.model import Extraction
from extractors.textnorm import fold, load_vocab, repair_ocr_words


@dataclass(frozen=True)
class _Evidence:
    phrase: str      # folded
    weight: float


@lru_cache(maxsize=1)
def _cfg() -> dict:
    v = load_vocab("doc_types")
    types = {t: (spec["family"], [_Evidence(fold(e["phrase"]), float(e["weight"]))
                                  for e in spec["evidence"]])
             for t, spec in v["types"].items()}
    over = {t: tuple(spec["over"]) for t, spec in v["types"].items() if spec.get("over")}
    cues = [_Evidence(fold(c["phrase"]), float(c["weight"])) for c in v["sk_structure"]["cues"]]
    return {"match": v["match"], "regions": v["regions"], "types": types, "cues": cues, "over": over,
            "sk_needed": v["sk_structure"]["needed"], "sk_base": v["sk_structure"]["sk_other_base"],
            "lampiran": [fold(x) for x in v["sk_structure"].get("lampiran_opening", [])]}


def locate(phrase: str, text: str, threshold: float) -> tuple[float, int] | None:
    """(0..1 match strength, start offset in `text`) of `phrase` (folded) in `text`, or None.

    A character-level partial match alone is too lenient for long phrases that share a long tail
    ("RENCANA PEMBANGUNAN ZONA INTEGRITAS" inside "EVALUASI PEMBANGUNAN ZONA INTEGRITAS"), so every
    word of the phrase must also be found, fuzzily, in the aligned part of the text."""
    if not text or len(text) < max(4, len(phrase) // 2):
        return None
    al = fuzz.partial_ratio_alignment(phrase, text, score_cutoff=threshold)
    if al is None or not al.score:
        return None
    if " " in phrase:
        lo = text.rfind(" ", 0, max(0, al.dest_start)) + 1
        hi = text.find(" ", al.dest_end)
        window = text[lo:hi if hi >= 0 else len(text)].split()
        for word in phrase.split():
            if not any(fuzz.ratio(word, w) >= 75 for w in window):
                return None
    return 0.5 + 0.5 * (al.score - threshold) / (100.0 - threshold), al.dest_start


def _found(phrase: str, text: str, threshold: float) -> float:
    """0..1: how well `phrase` occurs in `text` (0 below the threshold)."""
    hit = locate(phrase, text, threshold)
    return hit[0] if hit else 0.0


def _regions(extraction: Extraction) -> dict[str, str]:
    """Folded text per region. The subject is left to `_subject` (it needs the line structure)."""
    pages = [p.text for p in extraction.pages if p.text and p.text.strip()]
    if not pages:
        return {}
    n = _cfg()["match"]["heading_lines"]
    first_lines = [ln for ln in pages[0].split("\n") if ln.strip()]
    # headings are written in capitals; mixed-case lines near the top are table rows or prose
    heading = [ln for ln in first_lines[:n] if _upperish(ln)]
    rest = [ln for ln in first_lines[:n] if not _upperish(ln)] + first_lines[n:]
    return {"heading": fold(" ".join(heading)), "first_page": fold(" ".join(rest)),
            "body": fold(" ".join(pages[1:]))}


def _upperish(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _subject(extraction: Extraction) -> str:
    """The folded TENTANG subject, read with the field extractor's title logic."""
    from extractors.fields._doc import DocText
    from extractors.fields.title import subject
    s = subject(DocText(extraction))
    return fold(s[0]) if s else ""


def scores(extraction: Extraction) -> dict[str, float]:
    """Evidence score per doc type (exposed for tests and for tuning the vocabulary)."""
    cfg = _cfg()
    thr = cfg["match"]["threshold"]
    regions = _regions(extraction)
    if not regions or len("".join(regions.values()).replace(" ", "")) < 8:
        return {}
    weights = cfg["regions"]

    def evidence_score(evs: list[_Evidence], where: dict[str, str]) -> float:
        total = 0.0
        for ev in evs:
            total += max((weights[r] * ev.weight * _found(ev.phrase, t, thr)
                          for r, t in where.items()), default=0.0)
        return total

    sk_struct = sum(ev.weight for ev in cfg["cues"]
                    if _found(ev.phrase, regions["heading"] + " " + regions["first_page"], thr)
                    or _found(ev.phrase, regions["body"], thr))
    opening = regions["heading"][:40]
    is_sk = sk_struct >= cfg["sk_needed"] or any(
        opening.startswith(x) or fuzz.ratio(opening[:len(x)], x) >= thr for x in cfg["lampiran"])
    subj = _subject(extraction) if is_sk else ""
    # An SK's subject names what it decides on ("TIM PENYUSUN LAPORAN KINERJA"), not what the text is
    doc_regions = {**regions, "heading": regions["heading"].replace(subj, " ")} if subj else regions
    out: dict[str, float] = {}
    for t, (family, evs) in cfg["types"].items():
        # "any": a type that comes both as a decree and as a document of its own
        if family == "sk" or (family == "any" and is_sk):
            if not is_sk:
                continue
            # the subject decides; the heading counts a little for SKs whose TENTANG was not read
            where = {"subject": subj} if subj else {"heading": regions["heading"]}
            out[t] = evidence_score(evs, where)
        else:
            s = evidence_score(evs, doc_regions)
            out[t] = s * (cfg["match"]["doc_damping_in_sk"] if is_sk else 1.0)
    if is_sk:
        out["sk_other"] = cfg["sk_base"] + 0.1 * sk_struct
    else:
        for t, damped in cfg["over"].items():
            # `t`'s own title in the heading: the types it is `over` only lent it words
            if any(_found(ev.phrase, regions["heading"], thr) for ev in cfg["types"][t][1]
                   if ev.weight >= cfg["match"]["title_weight"]):
                for d in damped:
                    if d in out:
                        out[d] *= cfg["match"]["over_damping"]
    return out


def classify(extraction: Extraction) -> tuple[str, float]:
    """(doc_type id, confidence in [0, 1]); ("unknown", 0.0) for empty or unrecognisable text."""
    if extraction is None or not extraction.pages:
        return "unknown", 0.0
    repaired = Extraction(kind=extraction.kind, pages=[
        type(p)(number=p.number, text=repair_ocr_words(p.text or ""), source=p.source)
        for p in extraction.pages])
    sc = scores(repaired)
    if not sc:
        return "unknown", 0.0
    ranked = sorted(sc.items(), key=lambda kv: kv[1], reverse=True)
    best_t, best = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    cfg = _cfg()["match"]
    if best < cfg["min_score"]:
        return "unknown", 0.0
    strength = 1.0 - math.exp(-best / cfg["confidence_scale"])
    margin = (best - runner) / best
    return best_t, round(min(1.0, strength * (0.4 + 0.6 * margin)), 3)
