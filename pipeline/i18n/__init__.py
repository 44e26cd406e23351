"""User-facing strings and formats, Indonesian by default and English with --lang en: the YAML
catalogues beside this file (`cli.yaml`: `{key: {id, en}}`; `ui.yaml`: `{id: {key}, en: {key}}`),
numbers, dates and values as a reviewer reads them, and the verdict sentences of the score.
The CLI, report.html, report.xlsx, the Prefect artifact and `bukti review` all take them here."""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from extractors import yamlio

LANGS = ("id", "en")


@lru_cache(maxsize=None)
def catalogue(name: str) -> dict[str, dict[str, str]]:
    return yamlio.safe_load((Path(__file__).parent / f"{name}.yaml").read_text(encoding="utf-8"))


def text(name: str, key: str, lang: str = "id", /, **params) -> str:
    entry = catalogue(name)[key]
    template = entry.get(lang) or entry["id"]
    return template.format(**params) if params else template


_MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}


def ui_strings(lang: str | None) -> dict[str, Any]:
    """The reports' strings (ui.yaml) for `lang`, Indonesian for anything but "en"."""
    return catalogue("ui")["en" if lang == "en" else "id"]


def report_lang(report: dict[str, Any]) -> str:
    return "en" if report.get("lang") == "en" else "id"


def fmt_num(value: Any, lang: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "id" else text


def fmt_datetime(iso: str | None, lang: str) -> str:
    if not iso:
        return "—"
    try:
        dt = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    month = _MONTHS[lang][dt.month - 1]
    clock = f"{dt.hour:02d}.{dt.minute:02d}" if lang == "id" else f"{dt.hour:02d}:{dt.minute:02d}"
    tz = ""
    if dt.utcoffset() is not None:
        tz = " " + dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:]
    return f"{dt.day} {month} {dt.year}, {clock}{tz}"


def fmt_value(value: Any) -> str:
    """found/expected may be any JSON value; show it as a plain line of text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def minimum_label(m: dict[str, Any], s: dict[str, Any]) -> str:
    label = s[f"min_{m['id']}"]
    if m["id"] == "area_min_pct":
        label = f"{label}: {m.get('subject')} {m.get('area') or ''}".strip()
    return label


def minimum_sentence(m: dict[str, Any] | None, target: str, s: dict[str, Any], lang: str) -> str:
    """The verdict in one sentence: the first minimum that fails, or that none fails."""
    if m is None:
        return s["verdict_none_failing"].format(target=target)
    if m["id"] == "requires":
        return s["verdict_requires"].format(target=target, limit=m["limit"])
    if m["id"] == "area_min_pct":
        return s["verdict_area"].format(area=m.get("area") or m.get("subject"), value=fmt_num(m["estimate"], lang),
                                        target=target, limit=fmt_num(m["limit"], lang))
    return s["verdict_minimum"].format(label=s[f"min_{m['id']}"], value=fmt_num(m["estimate"], lang, 2),
                                       target=target, limit=fmt_num(m["limit"], lang, 2))


def score_line(report: dict[str, Any], lang: str) -> str | None:
    """One line for the terminal and the Prefect artifact: the estimate and the verdict."""
    score = report.get("score") or {}
    if score.get("pengungkit") is None:
        return None
    s = ui_strings(lang)
    line = s["score_line"].format(value=fmt_num(score["pengungkit"], lang, 2),
                                  max=fmt_num(score.get("pengungkit_max", 60), lang))
    if score.get("minima"):
        line += " " + minimum_sentence(score.get("first_failing"), score.get("target") or "", s, lang)
    return line


def minimum_row(m: dict[str, Any], s: dict[str, Any], lang: str) -> dict[str, Any]:
    """One minimum as a reviewer reads it: label, estimate and limit formatted (areas in %),
    and met (True / False / None for an input not given). report.html and the artifact use it."""
    pct = " %" if m["id"] == "area_min_pct" else ""
    digits = 1 if pct else 2

    def fmt(v: Any) -> str:
        return v if isinstance(v, str) else fmt_num(v, lang, digits) + pct
    return {"label": minimum_label(m, s),
            "value": s["xl_unknown"] if m["estimate"] is None else fmt(m["estimate"]),
            "limit": fmt(m["limit"]), "met": m["met"]}
