"""The Solar Hijri (Jalali) calendar: reading dates written in it and reporting by its months and years.

Iranian companies record dates as ``1403/05/12`` (often with Persian digits,
``۱۴۰۳/۰۵/۱۲``) or as integers ``14030512``.  The conversion is done by
`jdatetime <https://pypi.org/project/jdatetime/>`_, the Jalali calendar library
that django-jalali and most Iranian Python projects use: it follows the
arithmetic (33-year cycle) calendar that Iranian software uses and agrees with
the official calendar for the years a transaction log can hold (1300-1500 SH).
persiantools offers the same conversion but is a larger toolkit; one small,
widely used dependency is enough here.

**The rule for reading dates** (used by :func:`crm_research.core.transactions.check_transactions`
and so by every function that reads a transaction log or an analysis date):

* a date written with year 1200-1499 is a Solar Hijri date (no Gregorian
  transaction log has such years, and every Solar Hijri date of the last two
  centuries has one), converted to the Gregorian date;
* a date with a year 1800-2200 is Gregorian;
* ``calendar="jalali"`` or ``"gregorian"`` demands one of them, and a column
  that mixes the two calendars is an error, as is a Solar Hijri date that does
  not exist (``1402/12/30``: 1402 is not a leap year, so Esfand has 29 days).

Reports by Solar Hijri month or year use :func:`jalali_period`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.persian import has_eastern_digits, normalize_digits

__all__ = ["jalali_to_gregorian", "to_jalali", "jalali_period"]

FIRST_JALALI_YEAR = 1200
LAST_JALALI_YEAR = 1499
CALENDARS = ("auto", "gregorian", "jalali")

JALALI_MONTHS = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar",
                 "Dey", "Bahman", "Esfand")
JALALI_MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی",
                    "بهمن", "اسفند")

_TEXT = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})"
                   r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


def split_date_text(value) -> tuple[int, int, int, int, int, int] | None:
    """(year, month, day, hour, minute, second) of text written year-month-day, or None."""
    if not isinstance(value, str):
        return None
    text = normalize_digits(value) if has_eastern_digits(value) else value
    m = _TEXT.match(text)
    if m is None:
        return None
    return tuple(int(g) if g else 0 for g in m.groups())  # type: ignore[return-value]


def is_jalali_year(year) -> np.ndarray | bool:
    """True for years read as Solar Hijri (1200-1499)."""
    return (np.asarray(year) >= FIRST_JALALI_YEAR) & (np.asarray(year) <= LAST_JALALI_YEAR)


def _one(y: int, m: int, d: int, hh: int = 0, mi: int = 0, ss: int = 0):
    import jdatetime

    try:
        g = jdatetime.date(y, m, d).togregorian()
    except ValueError:
        return None
    if not (hh < 24 and mi < 60 and ss < 60):
        return None
    return pd.Timestamp(g.year, g.month, g.day, hh, mi, ss)


def convert_parts(parts: pd.DataFrame) -> pd.Series:
    """Gregorian timestamps (datetime64[us]) of Solar Hijri (y, m, d, hh, mi, ss) rows; NaT where no such date."""
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[us]")
    if len(parts):
        keys = [tuple(int(v) for v in row) for row in parts.to_numpy(dtype="int64")]
        cache = {k: _one(*k) for k in set(keys)}
        out[:] = pd.to_datetime(pd.Series([cache[k] for k in keys], index=parts.index, dtype=object)).astype(
            "datetime64[us]")
    return out


def jalali_to_gregorian(values) -> pd.Series | pd.Timestamp:
    """Gregorian dates of Solar Hijri dates written as text (Persian digits allowed) or yyyymmdd integers.

    Parameters
    ----------
    values : str, int or array-like
        ``"1403/05/12"``, ``"۱۴۰۳-۰۵-۱۲"``, ``"1403/05/12 14:30"`` or ``14030512``.

    Returns
    -------
    pandas.Timestamp or pandas.Series
        A Timestamp for one value, else a Series of ``datetime64[ns]``.

    Raises
    ------
    CRMInputError
        For a value that is not a Solar Hijri date (e.g. ``1402/12/30``: 1402 is not
        a leap year).

    Examples
    --------
    >>> jalali_to_gregorian("1403/05/12")
    Timestamp('2024-08-02 00:00:00')
    >>> jalali_to_gregorian(["۱۴۰۳/۰۱/۰۱", 14031230]).dt.strftime("%Y-%m-%d").tolist()
    ['2024-03-20', '2025-03-20']
    """
    scalar = np.ndim(values) == 0
    series = pd.Series([values] if scalar else list(values), dtype=object)
    rows = []
    for v in series:
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 10000101 <= v <= 99991231:
            v = int(v)
            rows.append((v // 10000, v // 100 % 100, v % 100, 0, 0, 0))
        else:
            rows.append(split_date_text(v))
    bad = [i for i, r in enumerate(rows) if r is None or not is_jalali_year(r[0])]
    if not bad:
        out = convert_parts(pd.DataFrame(rows, index=series.index))
        bad = [int(i) for i in np.flatnonzero(out.isna().to_numpy())]
    if bad:
        raise CRMInputError(
            f"jalali_to_gregorian: {len(bad)} value(s) are not Solar Hijri dates (year 1200-1499, existing month and "
            f"day), e.g. {series.iloc[bad[:3]].tolist()}. Write them as 1403/05/12 or 14030512; note that Esfand has "
            "30 days only in leap years (1403 is one, 1402 is not)."
        )
    out = out.astype("datetime64[ns]")
    return out.iloc[0] if scalar else out


def to_jalali(dates, *, persian_digits: bool = False) -> pd.Series:
    """Solar Hijri text ``yyyy/mm/dd`` of Gregorian dates.

    Examples
    --------
    >>> to_jalali(pd.Series(pd.to_datetime(["2024-08-02", "2025-03-20"]))).tolist()
    ['1403/05/12', '1403/12/30']
    >>> to_jalali(pd.Series(pd.to_datetime(["2024-08-02"])), persian_digits=True).tolist()
    ['۱۴۰۳/۰۵/۱۲']
    """
    import jdatetime

    from crm_research.core.persian import to_persian_digits

    series = pd.Series(pd.to_datetime(pd.Series(dates)))
    def fmt(ts):
        if pd.isna(ts):
            return None
        text = jdatetime.date.fromgregorian(date=ts.date()).strftime("%Y/%m/%d")
        return to_persian_digits(text) if persian_digits else text
    return series.map(fmt)


def jalali_period(dates, *, freq: str = "M") -> pd.DataFrame:
    """Solar Hijri year, quarter (season) and month of each date, for reports by the Iranian calendar.

    Parameters
    ----------
    dates : array-like of dates
        Gregorian dates (as every table of the toolkit holds them).
    freq : {"M", "Q", "Y"}, default "M"
        The period of the ``period`` label: ``"1403-05"``, ``"1403-Q2"`` or ``"1403"``.

    Returns
    -------
    pandas.DataFrame
        ``jalali_year``, ``jalali_quarter`` (1 = spring: Farvardin-Khordad),
        ``jalali_month``, ``month_name``, ``month_name_fa`` and ``period``, in the
        order of ``dates``.

    Examples
    --------
    >>> jalali_period(pd.to_datetime(["2024-08-02", "2025-03-20"]))["period"].tolist()
    ['1403-05', '1403-12']
    """
    import jdatetime

    if freq not in ("M", "Q", "Y"):
        raise CRMInputError(f"The 'freq' parameter of jalali_period must be 'M', 'Q' or 'Y'. Got {freq!r} instead.")
    series = pd.Series(pd.to_datetime(pd.Series(dates)).to_numpy())
    days = series.dt.normalize()
    cache = {d: jdatetime.date.fromgregorian(date=d.date()) for d in days.dropna().unique()}
    year = days.map(lambda d: cache[d].year if d in cache else np.nan)
    month = days.map(lambda d: cache[d].month if d in cache else np.nan)
    quarter = (month - 1) // 3 + 1
    out = pd.DataFrame({"jalali_year": year.astype("Int64"), "jalali_quarter": quarter.astype("Int64"),
                        "jalali_month": month.astype("Int64")})
    out["month_name"] = month.map(lambda m: JALALI_MONTHS[int(m) - 1] if m == m else None)
    out["month_name_fa"] = month.map(lambda m: JALALI_MONTHS_FA[int(m) - 1] if m == m else None)
    if freq == "M":
        label = out["jalali_year"].astype(str) + "-" + out["jalali_month"].map(lambda m: f"{m:02d}")
    elif freq == "Q":
        label = out["jalali_year"].astype(str) + "-Q" + out["jalali_quarter"].astype(str)
    else:
        label = out["jalali_year"].astype(str)
    out["period"] = label.where(out["jalali_year"].notna(), None)
    return out
