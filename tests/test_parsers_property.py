"""Property tests of the pure parsers the checks also use."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.fields import parse_date, parse_nip, parse_nomor, validate_nip

MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember"]
ABBR = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

FORMATS = [
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day:02d} {MONTHS[d.month - 1].upper()} {d.year}",
    lambda d: f"{d.day} {ABBR[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {ABBR[d.month - 1]}. {d.year}",
    lambda d: f"Sumenep, {d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"Ditetapkan di Sumenep pada tanggal {d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.day}-{ROMAN[d.month - 1]}-{d.year}",
]
dates = st.dates(min_value=date(1945, 1, 1), max_value=date(2100, 12, 31))
fast = settings(max_examples=100, deadline=None)


@fast
@given(dates, st.sampled_from(range(len(FORMATS))))
def test_parse_date_round_trips(d, k):
    assert parse_date(FORMATS[k](d)) == d


@fast
@given(st.text())
def test_parse_date_never_raises(s):
    assert parse_date(s) is None or isinstance(parse_date(s), date)


@fast
@given(st.text())
def test_parse_nomor_never_raises_and_is_idempotent(s):
    once = parse_nomor(s)
    if once is not None:
        assert parse_nomor(once) == once
        assert " " not in once


nomor_parts = st.tuples(st.integers(0, 9999).map(str), st.lists(st.one_of(st.integers(0, 9999).map(str),
                                 st.sampled_from(["KEP", "SK", "RSUD", "I", "XII", "435.201",
                                                  "100.3.3.2", "DPMPTSP"])),
                       min_size=1, max_size=5)).map(lambda t: [t[0], *t[1]])


@fast
@given(nomor_parts, st.sampled_from(["/", " / ", "/ "]), st.sampled_from(["", "Nomor : ", "NOMOR: ", "No. "]))
def test_parse_nomor_normalises_spacing_and_labels(parts, sep, label):
    clean = "/".join(parts)
    assert parse_nomor(label + sep.join(parts)) == clean


@st.composite
def valid_nips(draw):
    birth = draw(st.dates(min_value=date(1955, 1, 1), max_value=date(2000, 12, 31)))
    tmt_year = draw(st.integers(birth.year + 19, min(birth.year + 40, date.today().year - 1)))
    tmt_month = draw(st.integers(1, 12))
    gender = draw(st.sampled_from("12"))
    seq = draw(st.integers(1, 999))
    return f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{gender}{seq:03d}"


@fast
@given(valid_nips())
def test_valid_nips_pass(nip):
    assert validate_nip(nip) == []
    spaced = f"NIP. {nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert parse_nip(spaced) == nip


@fast
@given(st.text(alphabet="0123456789", min_size=18, max_size=18), st.sampled_from([4, 12]))
def test_month_13_fails(digits, at):
    nip = digits[:at] + "13" + digits[at + 2:]
    assert validate_nip(nip)


@fast
@given(valid_nips(), st.sampled_from("03456789"))
def test_bad_gender_fails(nip, g):
    assert any("gender" in p for p in validate_nip(nip[:14] + g + nip[15:]))


@fast
@given(st.text(alphabet="0123456789", min_size=1, max_size=30).filter(lambda s: len(s) != 18))
def test_wrong_length_fails(digits):
    assert validate_nip(digits)


@fast
@given(st.text())
def test_nip_functions_never_raise(s):
    p = parse_nip(s)
    assert p is None or p.isdigit()
    assert isinstance(validate_nip(s), list)
