"""Who signed, and with which NIP."""
from __future__ import annotations

from collections import defaultdict

from ..context import CheckContext
from ..model import Look
from ..registry import REGISTRY, check
from ..vocab import FlagCode
from ..text import name_score, nip_digits, same_person, strip_titles


@check(FlagCode.UNSIGNED, params={
    "doc_types": [],
    "require": ["name", "nip", "place_or_date"],
    "require_by_doc_type": {},       # doc type → its own list (e.g. notulen: name only)
    "date_from_tanggal": False,      # accept fields.tanggal as the date of signing
})
def unsigned(ctx: CheckContext):
    for doc, need, missing in _signature_gaps(ctx, ctx.params):
        if doc.fields.signature_unread:
            continue   # the block's region was not read reliably: UNVERIFIABLE asks a person to look
        sig = doc.fields.signatory
        # found: the parts of the block that were read (the message names the missing ones)
        present = [part for part in need if part not in missing]
        yield ctx.flag(documents=[doc], found=present or None, expected=need, page=sig.page if sig else None,
                       look=_signature_look(doc), missing=missing,
                       variant="none" if len(missing) == len(need) else "partial")


def _signature_look(doc, page: int | None = None) -> Look | None:
    """The signature block: on its page, else the closing part of the last page, where it belongs."""
    sig = doc.fields.signatory
    pages = doc.extraction.pages
    page = page or (sig.page if sig else None) or (pages[-1].number if pages else None)
    parts = (sig.name, sig.nip, sig.jabatan, sig.place) if sig else ()
    return Look.at("signature", page, *parts)


def _signature_gaps(ctx: CheckContext, p: dict):
    """(document, parts required, parts missing) for every document of p's types that lacks a
    part of its signature block."""
    for doc in ctx.docs_of(*p["doc_types"]):
        sig = doc.fields.signatory
        need = p["require_by_doc_type"].get(doc.doc_type, p["require"])
        missing = []
        if "name" in need and not (sig and sig.name):
            missing.append("name")
        if "nip" in need and not (sig and sig.nip):
            missing.append("nip")
        if "place_or_date" in need and not (sig and (sig.place or sig.date)) and not (
                p["date_from_tanggal"] and doc.fields.tanggal):
            missing.append("place_or_date")
        if missing:
            yield doc, need, missing


@check(FlagCode.UNVERIFIABLE)
def unverifiable(ctx: CheckContext):
    """What a content check could not decide because the part of the page it needs was not read
    reliably: a signature block on a scan or photo (under a stamp, badly lit) whose name or NIP
    OCR did not recover (UNSIGNED's question), a signature NIP that looks invalid only in digits
    OCR was unsure of (INVALID_NIP's). Never an error: the report says which page a person must
    look at. Decided with those checks' own parameters, so they never disagree on a document."""
    p = _params_of(ctx, FlagCode.UNSIGNED)
    if p is not None:
        for doc, need, missing in _signature_gaps(ctx, p):
            unread = doc.fields.signature_unread
            if unread:
                yield ctx.flag(documents=[doc], found=unread.raw or "", expected=need, page=unread.page,
                               look=_signature_look(doc, unread.page), variant="signature", region=unread.value,
                               missing=missing)
    p = _params_of(ctx, FlagCode.INVALID_NIP)
    if p is not None:
        for doc in ctx.docs:
            _, doubtful = _nip_problems(doc, p["min_digit_confidence"])
            if doubtful:
                b = doubtful[0]
                yield ctx.flag(documents=[doc], found=b["nip"], expected=None, page=b["page"],
                               look=Look.at("nip", b["page"], b["nip"]), variant="nip", nip=b["nip"], signer=b["name"] or "")


def _params_of(ctx: CheckContext, code: str) -> dict | None:
    """The parameters another check runs with here; None when the pack switched it off."""
    cfg = next((c for c in ctx.pack.enabled_checks() if c.code == code), None)
    return None if cfg is None else {**REGISTRY[code].defaults, **cfg.params_for(ctx.target)}


def _is_head(sig_name, sig_nip, head, threshold) -> tuple[bool, bool]:
    """(is the head, NIP differs although the name is the head's)."""
    hn, sn = nip_digits(head.nip), nip_digits(sig_nip)
    if hn and sn and hn == sn:
        return True, False
    if name_score(sig_name, head.name) >= threshold:
        return True, bool(hn and sn and hn != sn)
    return False, False


@check(FlagCode.SIGNATORY_MISMATCH, params={
    "doc_types": [],
    # a type where an employee may sign for themselves (individual pakta integritas)
    "self_signed_doc_types": [],
    "name_threshold": 88.0,
})
def signatory_mismatch(ctx: CheckContext):
    p, head = ctx.params, ctx.profile.head
    has_head = bool(head and (head.name or head.nip))
    seen_as_head = defaultdict(list)   # normalised head name → (nip, doc)
    for doc in ctx.docs_of(*p["doc_types"]):
        sig = doc.fields.signatory
        if not sig or not (sig.name or sig.nip):
            continue   # UNSIGNED says it
        if doc.doc_type in p["self_signed_doc_types"] and any(
                same_person(sig.name, sig.nip, x.name, x.nip, p["name_threshold"]) for x in doc.fields.people):
            continue
        who = ", ".join(x for x in (sig.name, sig.nip) if x)
        if has_head:
            is_head, nip_differs = _is_head(sig.name, sig.nip, head, p["name_threshold"])
            expected = ", ".join(x for x in (head.name, head.nip) if x)
            if nip_differs:
                yield ctx.flag(documents=[doc], found=who, expected=expected, page=sig.page,
                               look=Look.at("signature", sig.page, sig.name, sig.nip), variant="nip_differs", signer=sig.name or "", nip=sig.nip or "",
                               head_nip=head.nip or "")
            elif not is_head:
                yield ctx.flag(documents=[doc], found=who, expected=expected, page=sig.page,
                               look=Look.at("signature", sig.page, sig.name, sig.nip), variant="default", signer=who, jabatan=sig.jabatan or "")
        if sig.name:
            seen_as_head[strip_titles(sig.name)].append((nip_digits(sig.nip), doc))
    if has_head and head.nip:
        return   # each document was already compared with the NIP of record
    # Without a head of record, the same signer should carry the same NIP everywhere.
    for name, entries in sorted(seen_as_head.items()):
        nips = sorted({n for n, _ in entries if n})
        if len(nips) > 1:
            docs = [d for _, d in entries]
            yield ctx.flag(documents=docs, found=nips, expected=None, variant="inconsistent",
                           signer=name, nips=nips)


def _nip_problems(doc, min_conf: float) -> tuple[list[dict], list[dict]]:
    """(invalid NIPs, NIPs that look invalid only where OCR was unsure of the digits). An OCR'd
    NIP (signatory or member list) whose offending digits (the birth date, the TMT …) were read with less than
    `min_conf` is more likely misread ("200461" for "200401" under a stamp) than wrong."""
    from extractors.fields.nip import problem_digits, validate_nip

    bad, doubtful, seen = [], [], set()
    sig = doc.fields.signatory
    people = [(sig.name, sig.nip, sig.page, sig.nip_conf)] if sig else []
    people += [(x.name, x.nip, x.page, x.nip_conf) for x in doc.fields.people]
    for name, nip, page, confs in people:
        if not nip or nip in seen:
            continue
        seen.add(nip)
        problems = validate_nip(nip)
        if not problems:
            continue
        entry = {"name": name, "nip": nip, "problems": list(problems), "page": page}
        unsure = bool(confs) and all(min(confs[i] for i in problem_digits(pr) if i < len(confs)) < min_conf
                                     for pr in problems)
        (doubtful if unsure else bad).append(entry)
    return bad, doubtful


@check(FlagCode.INVALID_NIP, params={"min_digit_confidence": 90.0})
def invalid_nip(ctx: CheckContext):
    for doc in ctx.docs:
        bad, _ = _nip_problems(doc, ctx.params["min_digit_confidence"])
        if bad:
            yield ctx.flag(documents=[doc], found=[f"{b['nip']} ({b['name'] or '?'})" for b in bad],
                           expected="18 digits: birth date, appointment month, gender 1/2, sequence",
                           page=bad[0]["page"], look=Look.at("nip", bad[0]["page"], bad[0]["nip"]), details="; ".join(
                               f"{b['nip']} ({b['name'] or '?'}): {', '.join(b['problems'])}" for b in bad))
