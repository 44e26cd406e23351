"""What the understand stage remembers or skips to save time gives what the plain computation
gives: the tokenizer without spaCy's whitespace exceptions, the phrase Matcher read only where a
phrase can start, the memo of repaired page texts, and the DocText shared by the classifier and
the field extractors."""
from __future__ import annotations

import dataclasses

import pytest

from extractors import nlp, textnorm
from extractors.classify import classify
from extractors.fields import _doc, extract_fields
from extractors.fields._doc import DocText
from extractors.model import Extraction, Page
from tests.test_fields_data import ALL, extraction, noisy

# the '!' OCR puts for an 'l' gives a lower-case word that a second repair capitalises
UNSTABLE = ("LAMPIRAN KEPUTUSAN\n!aporan pelaksanaan kegiatan pembangunan zona integritas "
            "di lingkungan dinas kependudukan dan pencatatan sipil, |Aporan kedua\n" * 3)
ODD_SPACES = ["", " ", "\n", "\t", " Kepala Dinas", "Kepala\n\nDinas", "Kepala \n Dinas\t\tKota",
              "a.n. Kepala\r\nDinas", "No. 12\u00a0Tahun\n\n\nS.Kom.\n \n", "Dr. med Budi\n",
              "TENTANG\f\nPEMBENTUKAN", "  dua  spasi  \n\t\n"]


def _texts() -> list[str]:
    out = list(ODD_SPACES) + [UNSTABLE]
    for pages in ALL.values():
        out += pages
        for seed in (1, 2, 3):
            out += noisy(pages, seed, rate=0.1)
    return out


def _clear() -> None:
    nlp.markers.cache_clear()
    _doc._text_lines.cache_clear()
    with textnorm._REPAIRED_LOCK:
        textnorm._REPAIRED.clear()


def test_tokenizer_without_whitespace_exceptions_tokenizes_as_spacy_does():
    from spacy.lang.id import Indonesian
    from spacy.tokenizer import Tokenizer

    ours = nlp.get_nlp().tokenizer
    rules = {k: v for k, v in Indonesian.Defaults.tokenizer_exceptions.items() if "-" not in k}
    assert nlp._PLAIN_WHITESPACE <= rules.keys() and not nlp._PLAIN_WHITESPACE & ours.rules.keys()
    ref = Tokenizer(ours.vocab, rules=rules, prefix_search=ours.prefix_search,
                    suffix_search=ours.suffix_search, infix_finditer=ours.infix_finditer,
                    token_match=ours.token_match, url_match=ours.url_match)

    def tokens(doc):
        return [(t.text, t.whitespace_, t.is_space, t.is_punct, t.norm_, t.lower_) for t in doc]

    texts = [textnorm.repair_ocr_words(t) for t in _texts()]
    for _ in range(2):   # the second round reads what the first left in the tokenizers' caches
        for text in texts:
            assert tokens(ours(text)) == tokens(ref(text)), text


def test_markers_are_those_of_one_matcher_over_the_whole_page():
    from spacy.matcher import Matcher

    pipeline = nlp.get_nlp()
    whole = Matcher(pipeline.vocab, validate=True)
    for key, patterns, greedy in nlp._patterns():
        whole.add(key, patterns, greedy=greedy)
    assert not pipeline.user_data["starts"].anywhere
    found = 0
    for text in _texts():
        doc = pipeline(textnorm.repair_ocr_words(text))
        expected = list(whole(doc))
        assert nlp._matches(pipeline, doc) == expected, text   # the same matches, in the same order
        found += len(expected)
    assert found > 300


def test_repair_memo_gives_the_uncached_repair():
    texts = _texts()
    assert textnorm._repair(textnorm._repair(UNSTABLE)[0])[0] != textnorm._repair(UNSTABLE)[0]
    _clear()
    for _ in range(2):
        for text in texts:
            once = textnorm._repair(text)[0]
            assert textnorm.repair_ocr_words(text) == once
            assert textnorm.repair_ocr_words(once) == textnorm._repair(once)[0]


def _lines(doc: DocText) -> tuple:
    return doc.pages, [dataclasses.astuple(ln) for ln in doc.lines]


def _classify_view(ex: Extraction) -> Extraction:
    """The extraction as the classifier hands it to DocText (repaired, without word boxes)."""
    return Extraction(kind=ex.kind, pages=[Page(number=p.number, text=textnorm.repair_ocr_words(p.text),
                                                source=p.source) for p in ex.pages])


@pytest.mark.parametrize("name", sorted(ALL))
def test_doctext_cache_gives_the_uncached_doctext(name):
    for pages in (ALL[name], noisy(ALL[name], 7, rate=0.1), [UNSTABLE]):
        ex = extraction(pages)
        for view in (ex, _classify_view(ex)):
            _clear()
            cold = _lines(DocText(view))
            _clear()
            DocText(_classify_view(ex))   # what the classifier leaves behind
            DocText(ex)
            assert _lines(DocText(view)) == cold


def test_unstable_repair_is_not_taken_from_the_cache():
    ex = extraction([UNSTABLE])
    _clear()
    fields_view = DocText(ex)
    classify_view = DocText(_classify_view(ex))
    assert "!aporan" not in fields_view.pages[0][1]
    assert fields_view.pages != classify_view.pages   # "laporan" once, "Laporan" twice repaired


@pytest.mark.parametrize("name", sorted(ALL))
def test_understanding_is_the_same_cold_and_warm(name):
    ex = extraction(noisy(ALL[name], 3, rate=0.1))
    _clear()
    t, conf = classify(ex)
    cold = (t, conf, dataclasses.asdict(extract_fields(ex, t)))
    hits = _doc._text_lines.cache_info().hits
    t, conf = classify(ex)
    assert (t, conf, dataclasses.asdict(extract_fields(ex, t))) == cold
    assert _doc._text_lines.cache_info().hits > hits


def test_sk_subject_and_fields_share_one_reading():
    ex = extraction(ALL["sk_tim_zi"])
    _clear()
    doc_type, _ = classify(ex)          # reads the SK's subject from a DocText
    assert doc_type == "sk_tim_zi"
    before = _doc._text_lines.cache_info()
    extract_fields(ex, doc_type)
    after = _doc._text_lines.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)
