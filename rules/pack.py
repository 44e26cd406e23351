"""Rule packs: the LKE as data. A pack is a YAML file or a folder of YAML files (format in
rules/README.md); it may `extends:` another pack and override parts of it. Everything is
validated on load so that a broken pack fails before any document is read."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from extractors import yamlio

from .questions import ANSWER_TYPES, PERCENT, NeedError, Question, parse_need
from .vocab import Severity

BUNDLED_DIR = Path(__file__).parent
BUNDLED = {"lke-2021": BUNDLED_DIR / "lke2021"}
DEFAULT_PACK = "lke-2021"
TARGETS = ("WBK", "WBBM")
PERIODS = ("quarter", "semester", "year")
PEMENUHAN, REFORM = "pemenuhan", "reform"
# The minima a predicate may set (thresholds.<target>.<minimum>), in the order the report lists them.
MINIMA = ("total", "pengungkit", "area_min_pct", "birokrasi_bersih_akuntabel", "ipak", "capaian_kinerja",
          "ipkp", "requires")
PARTS = (PEMENUHAN, REFORM)
# Where the sources of the LKE disagree, the first reading is the default and the other an option:
#   area_min_scope: "area" (each area >= 60 %/75 % of its weight) or "part" (each of its two parts);
#   hasil_scoring:  "linear" (IPAK/IPKP weight x index / 4, as the minima imply) or "bands".
SCORING_OPTIONS = {"area_min_scope": "area", "hasil_scoring": "linear"}
_OPTION_VALUES = {"area_min_scope": ("area", "part"), "hasil_scoring": ("linear", "bands")}
_MAX_EXTENDS = 8


class PackError(Exception):
    """A rule pack that cannot be used; str() is one line naming the file and key."""


@dataclass
class Requirement:
    """One kind of data dukung an indicator needs."""
    doc_types: list[str]
    min: int = 1
    per: str | None = None               # quarter | semester | year: one per period ended
    keywords: list[str] = field(default_factory=list)
    in_period: bool = True               # only documents dated in the period count toward `min`
    missing_severity: str | None = None  # overrides MISSING_EVIDENCE severity (keyword-only evidence)
    flag_missing: bool = True            # false: absence only shows as status "missing" (no flag)
    label: str | None = None
    by_target: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_target(self, target: str) -> "Requirement":
        over = self.by_target.get(target)
        if not over:
            return self
        data = {k: getattr(self, k) for k in ("doc_types", "min", "per", "keywords", "in_period",
                                              "missing_severity", "flag_missing", "label")}
        data.update(over)
        return Requirement(**data)


@dataclass
class Indicator:
    code: str
    title: str
    area_code: str
    weight: float = 1.0                  # the LKE's bobot: absolute, part of the area's weight
    hints: list[str] = field(default_factory=list)
    evidence: list[Requirement] = field(default_factory=list)
    title_en: str | None = None
    part: str = PEMENUHAN                # pemenuhan | reform
    legacy_codes: list[str] = field(default_factory=list)   # pre-2021 numbering ("1.1"): folders, waivers
    questions: list[Question] = field(default_factory=list)
    data_dukung: list[str] = field(default_factory=list)

    def doc_types(self) -> set[str]:
        """Every document type that counts for this indicator: its data dukung and what its
        questions' answers name."""
        return {t for r in self.evidence for t in r.doc_types} | {t for q in self.questions for t in q.doc_types()}


@dataclass
class Area:
    code: str
    title: str
    weight: float
    abbrev: str | None = None
    hints: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    title_en: str | None = None
    number: int | None = None            # folders "1. Manajemen Perubahan" name area I by its number
    parts: dict[str, float] = field(default_factory=dict)   # pemenuhan/reform → weight

    def indicator_by_number(self, n: int) -> Indicator | None:
        """The indicator a folder "<area number>.<n>" names (the pre-2021 numbering units still use)."""
        want = f"{self.number}.{n}"
        return next((i for i in self.indicators if want in i.legacy_codes), None)


@dataclass
class CheckConfig:
    code: str
    enabled: bool = True
    severity: str = "error"
    params: dict[str, Any] = field(default_factory=dict)
    by_target: dict[str, dict[str, Any]] = field(default_factory=dict)

    def params_for(self, target: str) -> dict[str, Any]:
        return {**self.params, **self.by_target.get(target, {})}


@dataclass
class RulePack:
    id: str
    name: str
    source: str
    areas: list[Area]
    checks: dict[str, CheckConfig]
    messages: dict[str, Any]
    doc_type_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    scoring: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, dict[str, str]] = field(default_factory=dict)   # code → {id, en} for messages
    hasil: dict[str, Any] = field(default_factory=dict)               # Hasil components and weights
    scoring_options: dict[str, Any] = field(default_factory=dict)
    extends: list[str] = field(default_factory=list)   # ids of the packs this one builds on

    @property
    def indicators(self) -> list[Indicator]:
        return [i for a in self.areas for i in a.indicators]

    @property
    def questions(self) -> list[Question]:
        return [q for i in self.indicators for q in i.questions]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def legacy_map(self) -> dict[str, str]:
        """Pre-2021 indicator code → today's ("1.5" → "I.P.iv"), for waivers and old reports."""
        return {old: i.code for i in self.indicators for old in i.legacy_codes}

    def option(self, name: str) -> Any:
        """A scoring option of the pack (`scoring_options:`), with the LKE's first reading as default."""
        return {**SCORING_OPTIONS, **self.scoring_options}.get(name)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def area(self, code: str) -> Area | None:
        return next((a for a in self.areas if a.code == code), None)

    def enabled_checks(self) -> list[CheckConfig]:
        return [c for c in self.checks.values() if c.enabled]


# ---------------------------------------------------------------- loading

def load_pack(name_or_path: str | None = None) -> RulePack:
    raw, sources = _load_raw(name_or_path or DEFAULT_PACK, depth=0)
    return _build(raw, sources)


def _resolve(ref: str, base: Path | None) -> Path:
    if ref in BUNDLED:
        return BUNDLED[ref]
    p = Path(ref)
    if not p.is_absolute() and base is not None:
        p = base / p
    if p.exists():
        return p
    raise PackError(f"unknown rule pack {ref!r}: not a bundled pack ({', '.join(BUNDLED)}) "
                    f"nor an existing YAML file or folder")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:   # a stream: only the size bound is read
            data = yamlio.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise PackError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise PackError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise PackError(f"{path}: not UTF-8 text") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PackError(f"{path}: top level must be a mapping, not {type(data).__name__}")
    return data


def _load_raw(ref: str, depth: int, base: Path | None = None) -> tuple[dict, dict[str, str]]:
    """The pack's merged dict and, per key path, the file that last set it (for error messages)."""
    if depth > _MAX_EXTENDS:
        raise PackError(f"{ref}: extends: chain deeper than {_MAX_EXTENDS} (a cycle?)")
    path = _resolve(ref, base)
    raw, sources = _read_folder(path) if path.is_dir() else _read_file(path)
    parent_ref = raw.pop("extends", None)
    if parent_ref is None:
        return raw, sources
    if not isinstance(parent_ref, str):
        raise PackError(f"{sources.get('extends', path)}: extends: must be a pack name or path")
    parent, parent_sources = _load_raw(parent_ref, depth + 1, path if path.is_dir() else path.parent)
    merged = _merge_pack(parent, raw, sources.get("", str(path)))
    chain = list(parent.get("_extends", [])) + [parent.get("id", parent_ref)]
    merged["_extends"] = chain
    return merged, {**parent_sources, **sources}


def _read_file(path: Path) -> tuple[dict, dict[str, str]]:
    data = _read_yaml(path)
    sources = {"": str(path)}
    for key in data:
        sources[key] = str(path)
    for i, area in enumerate(data.get("areas") or []):
        if isinstance(area, dict):
            sources[f"areas.{area.get('code', i)}"] = str(path)
    return data, sources


def _read_folder(path: Path) -> tuple[dict, dict[str, str]]:
    main = path / "pack.yaml"
    if not main.is_file():
        raise PackError(f"{path}: a pack folder needs a pack.yaml")
    data, sources = _read_file(main)
    # Every other top-level *.yaml contributes its own top-level keys (checks.yaml → checks: …).
    for extra in sorted(path.glob("*.yaml")):
        if extra.name == "pack.yaml":
            continue
        part = _read_yaml(extra)
        for key, value in part.items():
            if key in data and isinstance(data[key], dict) and isinstance(value, dict):
                data[key] = _deep_merge(data[key], value)
            elif key in data:
                raise PackError(f"{extra}: {key}: already set in {sources[key]}")
            else:
                data[key] = value
            sources[key] = str(extra)
    area_dir = path / "areas"
    if area_dir.is_dir():
        areas = list(data.get("areas") or [])
        for f in sorted(area_dir.glob("*.yaml")):
            area = _read_yaml(f)
            areas.append(area)
            sources[f"areas.{area.get('code', f.stem)}"] = str(f)
        data["areas"] = areas
        sources.setdefault("areas", str(area_dir))
    return data, sources


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _merge_by_code(base: list, over: list, where: str, nested: str | None = None) -> list:
    out = [copy.deepcopy(x) for x in base]
    index = {x.get("code"): i for i, x in enumerate(out) if isinstance(x, dict)}
    for item in over:
        if not isinstance(item, dict) or "code" not in item:
            raise PackError(f"{where}: every entry needs a code")
        code = str(item["code"])
        if item.get("remove"):
            out = [x for x in out if str(x.get("code")) != code]
            index = {x.get("code"): i for i, x in enumerate(out)}
            continue
        if item["code"] in index:
            cur = out[index[item["code"]]]
            for k, v in item.items():
                if k == nested and isinstance(v, list):
                    cur[k] = _merge_by_code(cur.get(k) or [], v, f"{where}.{code}.{k}")
                else:
                    cur[k] = copy.deepcopy(v)
        else:
            out.append(copy.deepcopy(item))
            index[item["code"]] = len(out) - 1
    return out


def _merge_pack(parent: dict, child: dict, where: str) -> dict:
    out = copy.deepcopy(parent)
    for key, value in child.items():
        if key == "areas":
            out["areas"] = _merge_by_code(parent.get("areas") or [], value or [], f"{where}: areas",
                                          nested="indicators")
        elif key in out:
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# ---------------------------------------------------------------- validation

_REQ_KEYS = {"doc_types", "min", "per", "keywords", "in_period", "missing_severity", "flag_missing", "label",
             "by_target"}
_IND_KEYS = {"code", "title", "title_en", "weight", "bobot", "hints", "evidence", "remove", "note", "part",
             "legacy_codes", "questions", "data_dukung"}
_AREA_KEYS = {"code", "title", "title_en", "weight", "abbrev", "hints", "indicators", "remove", "note",
              "number", "parts"}
_Q_KEYS = {"id", "text", "answer_type", "criteria", "evidence_for", "inputs", "data_dukung", "note"}
_CHECK_KEYS = {"enabled", "severity", "params", "by_target", "note"}
_TOP_KEYS = {"id", "name", "version", "description", "thresholds", "defaults", "scoring", "areas",
             "checks", "messages", "terms", "doc_types", "units", "_extends", "note", "hasil",
             "scoring_options"}
SEVERITIES = tuple(Severity)


class _V:
    """Validation helper that knows which file set which key."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources

    def fail(self, key: str, reason: str) -> None:
        parts = key.split(".")
        src = None
        for n in range(len(parts), 0, -1):
            src = self.sources.get(".".join(parts[:n]))
            if src:
                break
        raise PackError(f"{src or self.sources.get('', '?')}: {key}: {reason}")

    def need(self, d: dict, key: str, kind: type | tuple, where: str) -> Any:
        if key not in d or d[key] is None:
            self.fail(f"{where}.{key}" if where else key, "missing")
        return self.typed(d[key], kind, f"{where}.{key}" if where else key)

    def typed(self, value: Any, kind: type | tuple, where: str) -> Any:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, bool) and bool not in kinds:
            self.fail(where, f"expected {'/'.join(k.__name__ for k in kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            self.fail(where, f"expected {'/'.join(k.__name__ for k in kinds)}, got {value!r}")
        return value

    def keys(self, d: dict, allowed: set[str], where: str) -> None:
        for k in d:
            if k not in allowed:
                self.fail(f"{where}.{k}" if where else str(k), f"unknown key (allowed: {', '.join(sorted(allowed - {'_extends'}))})")

    def str_list(self, value: Any, where: str) -> list[str]:
        self.typed(value, list, where)
        for i, x in enumerate(value):
            self.typed(x, str, f"{where}[{i}]")
        return list(value)


def _build(raw: dict, sources: dict[str, str]) -> RulePack:
    from .registry import REGISTRY, ensure_loaded

    ensure_loaded()
    v = _V(sources)
    v.keys(raw, _TOP_KEYS, "")
    pack_id = v.need(raw, "id", str, "")
    name = raw.get("name") or pack_id
    doc_labels = raw.get("doc_types") or {}
    v.typed(doc_labels, dict, "doc_types")
    known_types = set(doc_labels) | _vocab_doc_types()

    areas: list[Area] = []
    seen_ind: set[str] = set()
    for ai, a in enumerate(v.need(raw, "areas", list, "")):
        where = f"areas.{a.get('code', ai) if isinstance(a, dict) else ai}"
        v.typed(a, dict, where)
        v.keys(a, _AREA_KEYS, where)
        code = str(v.need(a, "code", (str, int), where))
        inds = []
        for ii, ind in enumerate(v.need(a, "indicators", list, where)):
            iw = f"{where}.indicators.{ind.get('code', ii) if isinstance(ind, dict) else ii}"
            v.typed(ind, dict, iw)
            v.keys(ind, _IND_KEYS, iw)
            icode = str(v.need(ind, "code", (str, int, float), iw))
            if icode in seen_ind:
                v.fail(iw, "indicator code used twice")
            seen_ind.add(icode)
            reqs = []
            for ri, r in enumerate(ind.get("evidence") or []):
                rw = f"{iw}.evidence[{ri}]"
                v.typed(r, dict, rw)
                v.keys(r, _REQ_KEYS, rw)
                types = v.str_list(v.need(r, "doc_types", list, rw), f"{rw}.doc_types")
                for t in types:
                    if known_types and t not in known_types:
                        v.fail(f"{rw}.doc_types", f"unknown doc type {t!r}")
                by_target = r.get("by_target") or {}
                _check_by_target(v, by_target, f"{rw}.by_target", _REQ_KEYS - {"by_target"})
                req = Requirement(doc_types=types, min=v.typed(r.get("min", 1), int, f"{rw}.min"),
                                  per=r.get("per"), keywords=v.str_list(r.get("keywords") or [], f"{rw}.keywords"),
                                  in_period=bool(r.get("in_period", True)),
                                  missing_severity=r.get("missing_severity"), label=r.get("label"),
                                  flag_missing=bool(v.typed(r.get("flag_missing", True), bool, f"{rw}.flag_missing")),
                                  by_target=by_target)
                for tgt in [None, *by_target]:
                    rr = req.for_target(tgt) if tgt else req
                    if rr.per is not None and rr.per not in PERIODS:
                        v.fail(f"{rw}.per", f"must be one of {', '.join(PERIODS)}")
                    if rr.missing_severity is not None and rr.missing_severity not in SEVERITIES:
                        v.fail(f"{rw}.missing_severity", f"must be one of {', '.join(SEVERITIES)}")
                    if not isinstance(rr.min, int) or rr.min < 0:
                        v.fail(f"{rw}.min", "must be a whole number >= 0")
                reqs.append(req)
            part = ind.get("part", PEMENUHAN)
            if part not in PARTS:
                v.fail(f"{iw}.part", f"must be one of {', '.join(PARTS)}")
            bobot = ind.get("bobot", ind.get("weight", 1))
            inds.append(Indicator(code=icode, title=v.need(ind, "title", str, iw), area_code=code,
                                  weight=float(v.typed(bobot, float, f"{iw}.bobot")),
                                  hints=v.str_list(ind.get("hints") or [], f"{iw}.hints"),
                                  evidence=reqs, title_en=ind.get("title_en"), part=part,
                                  legacy_codes=v.str_list(ind.get("legacy_codes") or [], f"{iw}.legacy_codes"),
                                  data_dukung=v.str_list(ind.get("data_dukung") or [], f"{iw}.data_dukung"),
                                  questions=_questions(v, ind.get("questions") or [], icode, iw, known_types)))
        parts = v.typed(a.get("parts") or {}, dict, f"{where}.parts")
        for p, w in parts.items():
            if p not in PARTS:
                v.fail(f"{where}.parts.{p}", f"must be one of {', '.join(PARTS)}")
            v.typed(w, float, f"{where}.parts.{p}")
        number = a.get("number")
        if number is not None:
            v.typed(number, int, f"{where}.number")
        elif code.isdigit():
            number = int(code)    # packs written before the LKE's Roman codes: "1" is area 1
        areas.append(Area(code=code, title=v.need(a, "title", str, where),
                          weight=float(v.need(a, "weight", float, where)), abbrev=a.get("abbrev"),
                          hints=v.str_list(a.get("hints") or [], f"{where}.hints"), indicators=inds,
                          title_en=a.get("title_en"), number=number,
                          parts={p: float(w) for p, w in parts.items()}))
    if not areas:
        v.fail("areas", "a pack needs at least one area")

    checks: dict[str, CheckConfig] = {}
    for code, cfg in (v.typed(raw.get("checks") or {}, dict, "checks")).items():
        where = f"checks.{code}"
        if code not in REGISTRY:
            v.fail(where, f"unknown check (known: {', '.join(sorted(REGISTRY))})")
        spec = REGISTRY[code]
        if cfg is None or isinstance(cfg, bool):
            cfg = {"enabled": cfg is not False}
        v.typed(cfg, dict, where)
        v.keys(cfg, _CHECK_KEYS, where)
        sev = cfg.get("severity", spec.severity)
        if sev not in SEVERITIES:
            v.fail(f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}")
        params = dict(spec.defaults)
        given = v.typed(cfg.get("params") or {}, dict, f"{where}.params")
        _check_params(v, spec, given, f"{where}.params")
        params.update(given)
        by_target = cfg.get("by_target") or {}
        v.typed(by_target, dict, f"{where}.by_target")
        for tgt, over in by_target.items():
            if tgt not in TARGETS:
                v.fail(f"{where}.by_target.{tgt}", f"target must be one of {', '.join(TARGETS)}")
            v.typed(over, dict, f"{where}.by_target.{tgt}")
            _check_params(v, spec, over, f"{where}.by_target.{tgt}")
        if spec.validate:
            for tgt in [None, *by_target]:
                problem = spec.validate({**params, **(by_target.get(tgt) or {})})
                if problem:
                    v.fail(f"{where}.params", problem)
        checks[code] = CheckConfig(code=code, enabled=bool(cfg.get("enabled", True)), severity=sev,
                                   params=params, by_target=by_target)

    messages = v.typed(raw.get("messages") or {}, dict, "messages")
    for code, cfg in checks.items():
        if cfg.enabled and code not in messages:
            v.fail(f"messages.{code}", "missing (every enabled check needs id/en templates)")
    for code, m in messages.items():
        _check_message(v, m, f"messages.{code}")

    thresholds = v.typed(raw.get("thresholds") or {}, dict, "thresholds")
    for tgt, t in thresholds.items():
        if tgt not in TARGETS:
            v.fail(f"thresholds.{tgt}", f"target must be one of {', '.join(TARGETS)}")
        v.typed(t, dict, f"thresholds.{tgt}")
        v.need(t, "total", float, f"thresholds.{tgt}")
        for k, val in t.items():
            kw = f"thresholds.{tgt}.{k}"
            if k not in MINIMA:
                v.fail(kw, f"unknown minimum (known: {', '.join(MINIMA)})")
            if k == "requires":
                if val not in TARGETS:
                    v.fail(kw, f"must be one of {', '.join(TARGETS)}")
            else:
                v.typed(val, float, kw)

    options = v.typed(raw.get("scoring_options") or {}, dict, "scoring_options")
    for k, val in options.items():
        if k not in _OPTION_VALUES:
            v.fail(f"scoring_options.{k}", f"unknown option (known: {', '.join(sorted(_OPTION_VALUES))})")
        if val not in _OPTION_VALUES[k]:
            v.fail(f"scoring_options.{k}", f"must be one of {', '.join(_OPTION_VALUES[k])}")

    return RulePack(id=pack_id, name=str(name), source=sources.get("", ""), areas=areas, checks=checks,
                    messages=messages, doc_type_labels=doc_labels, thresholds=thresholds,
                    scoring=v.typed(raw.get("scoring") or {}, dict, "scoring"),
                    units=v.typed(raw.get("units") or {}, dict, "units"),
                    defaults=_check_defaults(v, raw.get("defaults") or {}),
                    terms=v.typed(raw.get("terms") or {}, dict, "terms"),
                    hasil=v.typed(raw.get("hasil") or {}, dict, "hasil"), scoring_options=options,
                    extends=list(raw.get("_extends") or []))


def _questions(v: _V, raw: Any, icode: str, iw: str, known_types: set[str]) -> list[Question]:
    v.typed(raw, list, f"{iw}.questions")
    out: list[Question] = []
    for qi, q in enumerate(raw):
        qw = f"{iw}.questions.{q.get('id', qi) if isinstance(q, dict) else qi}"
        v.typed(q, dict, qw)
        v.keys(q, _Q_KEYS, qw)
        qid = str(v.need(q, "id", str, qw))
        if any(x.id == qid for x in out):
            v.fail(qw, "question id used twice")
        atype = v.need(q, "answer_type", str, qw)
        if atype not in ANSWER_TYPES:
            v.fail(f"{qw}.answer_type", f"unknown answer type (known: {', '.join(ANSWER_TYPES)})")
        criteria = v.typed(q.get("criteria") or {}, dict, f"{qw}.criteria")
        question = Question(code=f"{icode}.{qid}", id=qid, text=v.need(q, "text", str, qw), answer_type=atype,
                            criteria=criteria, inputs=v.str_list(q.get("inputs") or [], f"{qw}.inputs"),
                            data_dukung=v.str_list(q.get("data_dukung") or [], f"{qw}.data_dukung"))
        if atype != PERCENT and set(criteria) - set(question.answers):
            v.fail(f"{qw}.criteria", f"answers must be {', '.join(question.answers)}")
        given = v.typed(q.get("evidence_for") or {}, dict, f"{qw}.evidence_for")
        for answer in question.answers:          # kept best first whatever order the YAML has
            if answer not in given:
                continue
            try:
                question.evidence_for[answer] = parse_need(given[answer], known_types)
            except NeedError as exc:
                v.fail(f"{qw}.evidence_for.{answer}", str(exc))
        for answer in set(given) - set(question.answers):
            v.fail(f"{qw}.evidence_for.{answer}", f"not an answer of {atype}")
        if question.lowest in question.evidence_for:
            v.fail(f"{qw}.evidence_for.{question.lowest}", "the lowest answer needs no evidence")
        out.append(question)
    return out


# Pack-wide numbers read by the engine and checks, with the smallest value that makes sense. Other
# keys pass through: a pack may carry settings for checks this version does not know yet.
_DEFAULTS = {"hasil_max": (float, 0), "subject_chars": (int, 1), "report_grace_days": (int, 0)}


def _check_defaults(v: _V, defaults: Any) -> dict:
    """`defaults:` with each known key's type checked here, so that a wrong one is exit 2 naming
    it rather than a TypeError in the middle of a run."""
    v.typed(defaults, dict, "defaults")
    for key, (kind, least) in _DEFAULTS.items():
        if key not in defaults:
            continue
        value = v.typed(defaults[key], kind, f"defaults.{key}")
        if value < least:
            v.fail(f"defaults.{key}", f"must be >= {least}, got {value!r}")
    return defaults


def _check_by_target(v: _V, by_target: Any, where: str, allowed: set[str]) -> None:
    v.typed(by_target, dict, where)
    for tgt, over in by_target.items():
        if tgt not in TARGETS:
            v.fail(f"{where}.{tgt}", f"target must be one of {', '.join(TARGETS)}")
        v.typed(over, dict, f"{where}.{tgt}")
        v.keys(over, allowed, f"{where}.{tgt}")


def _check_params(v: _V, spec: Any, given: dict, where: str) -> None:
    for k, val in given.items():
        if k not in spec.defaults:
            v.fail(f"{where}.{k}", f"unknown parameter (known: {', '.join(sorted(spec.defaults)) or 'none'})")
        default = spec.defaults[k]
        if default is None or val is None:
            continue
        if isinstance(default, bool):
            v.typed(val, bool, f"{where}.{k}")
        elif isinstance(default, (int, float)):
            v.typed(val, float, f"{where}.{k}")
        else:
            v.typed(val, type(default), f"{where}.{k}")


def _check_message(v: _V, m: Any, where: str) -> None:
    v.typed(m, dict, where)
    if "id" in m or "en" in m:
        for lang in ("id", "en"):
            v.typed(m.get(lang), str, f"{where}.{lang}")
        return
    if "default" not in m:
        v.fail(where, "needs id/en templates or variants with a default")
    for variant, t in m.items():
        _check_message(v, t, f"{where}.{variant}")


def _vocab_doc_types() -> set[str]:
    from .vocab import DOC_TYPES
    return set(DOC_TYPES)
