import pytest

import crm_research as crm
from crm_research.core.persian import has_eastern_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [("۴", "4"), ("٣", "3"), ("۴٫۵", "4.5"), ("۱۲٬۳۴۵", "12345"), ("-۲", "-2"), ("abc", "abc")],
)
def test_normalize_digits(text, expected):
    assert crm.normalize_digits(text) == expected


def test_to_persian_digits_round_trips():
    text = crm.to_persian_digits(0.912, decimals=2)
    assert text == "۰٫۹۱"
    assert float(crm.normalize_digits(text)) == pytest.approx(0.91)
    assert crm.to_persian_digits(1402) == "۱۴۰۲"


def test_has_eastern_digits():
    assert has_eastern_digits("نمره ۵")
    assert has_eastern_digits("٥")
    assert not has_eastern_digits("score 5")


@pytest.mark.parametrize("value", [None, 3, 4.5, b"12"])
def test_issue16_normalize_digits_of_a_non_text_is_a_crm_error(value):
    from crm_research.core.errors import CRMInputError
    from crm_research.core.persian import normalize_digits

    with pytest.raises(CRMInputError, match="'text' parameter of normalize_digits"):
        normalize_digits(value)
