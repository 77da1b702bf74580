"""Persian (Farsi) text helpers: digits, numbers and right-to-left labels.

Survey data collected in Iran often arrives with Persian digits (۰۱۲۳۴۵۶۷۸۹) or
Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩), a Persian decimal separator (٫) and thousands
separator (٬).  :func:`normalize_digits` turns such text into ASCII so that
pandas can read it as numbers; :func:`to_persian_digits` goes the other way for
reports.
"""

from __future__ import annotations

import re

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError

__all__ = ["normalize_digits", "to_persian_digits"]

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_TO_ASCII = str.maketrans(
    PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + "٫٬−",
    "0123456789" * 2 + ".,-",
)
_TO_PERSIAN = str.maketrans("0123456789.,-", PERSIAN_DIGITS + "٫٬−")
_HAS_EASTERN_DIGIT = re.compile(f"[{PERSIAN_DIGITS}{ARABIC_INDIC_DIGITS}]")


def has_eastern_digits(text: str) -> bool:
    """True when ``text`` contains a Persian or Arabic-Indic digit."""
    return bool(_HAS_EASTERN_DIGIT.search(text))


def normalize_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits and separators with ASCII ones.

    Examples
    --------
    >>> normalize_digits("۴٫۵")
    '4.5'
    >>> normalize_digits("٣")
    '3'
    """
    if not isinstance(text, str):
        raise CRMInputError(f"The 'text' parameter of normalize_digits must be a str. Got {text!r} "
                            f"({type(text).__name__}) instead.")
    return text.translate(_TO_ASCII).replace(",", "")


@positional_options
def to_persian_digits(value, *, decimals: int | None = None) -> str:
    """Format a number (or any text) with Persian digits.

    Parameters
    ----------
    value : number or str
        What to format.  Numbers are formatted first (with ``decimals`` places
        when given), then their digits are replaced.
    decimals : int, optional
        Number of decimal places for numbers.

    Examples
    --------
    >>> to_persian_digits(0.912, decimals=2)
    '۰٫۹۱'
    """
    if decimals is not None and not isinstance(value, str):
        value = f"{value:.{decimals}f}"
    return str(value).translate(_TO_PERSIAN)
