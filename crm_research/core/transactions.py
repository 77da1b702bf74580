"""Transaction logs: the one check every customer analysis runs first.

A transaction log has one row per purchase: a customer id, a date and usually an
amount.  RFM, the buy-till-you-die summary, churn, the lifecycle phases, Payne's
scorecard, the CRM programmes and Winer's steps all read one, and all of them
call :func:`check_transactions`, so a log is read by the same rules everywhere:

* **customer ids** must be present (a missing id raises; no row is ever dropped
  silently) and of one kind (17 and "17" would be two customers);
* **dates** may be datetimes, text (ISO 8601 such as ``"2024-01-31"`` first, then
  other common layouts; Persian or Arabic-Indic digits are read), or integers
  written ``yyyymmdd`` (``20240131`` is 31 January 2024, never nanoseconds since
  1970).  Time-zone-aware dates are converted to UTC and the zone is dropped;
  dates without a zone are taken as they are.  So every date is a naive UTC
  timestamp.  To count days on a local calendar instead, convert first, e.g.
  ``data[col].dt.tz_convert("Asia/Tehran").dt.tz_localize(None)``;
* **Solar Hijri dates** (``"1403/05/12"``, ``"۱۴۰۳/۰۵/۱۲"``, ``14030512``) are
  recognised by their year (1200-1499) and converted to Gregorian dates; a
  column mixing the two calendars, or naming a Solar Hijri day that does not
  exist, raises (the rule is in :mod:`crm_research.core.calendar`);
* **dates after today** cannot be transactions: without an analysis date ``at``
  they follow the ``after_at`` rule (raise, or left out with a warning), so one
  order mistyped as 2099 cannot move every customer's recency;
* **amounts** must be numbers (text with Persian digits such as ``"۱۲۰۰"`` is
  read); missing and infinite amounts raise, and so do negative amounts unless
  the caller keeps them (``negative="keep"``, for refunds that the analysis
  nets against purchases);
* **the analysis date** ``at`` may not come before the first transaction;
  transactions after it raise (``after_at="reject"``) or are left out
  (``after_at="exclude"``, for an assessment "as it stood on" a past date).

Per-customer tables computed from a log are :class:`CustomerTable` DataFrames
that state how they were made (the analysis date, the churn rule, the time
unit) as declared attributes, not as entries of ``DataFrame.attrs``.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd

from crm_research.core.calendar import CALENDARS, convert_parts, is_jalali_year, split_date_text
from crm_research.core.errors import CRMInputError
from crm_research.core.persian import has_eastern_digits, normalize_digits
from crm_research.core.results import DeclaredTable
from crm_research.core.validation import (
    _to_number,
    check_choice,
    check_columns,
    check_dataframe,
    examples_of,
    param_error,
)

# check_date is the validation helper the analytics layers call for a single date argument (like
# core.validation's check_* helpers, not part of the top-level API)
__all__ = ["check_transactions", "CustomerTable"]

# Dates before this year are refused: they are typing errors, or Solar Hijri (Jalali)
# years such as 1402 read as if they were Gregorian.
_FIRST_YEAR = 1800
_LAST_YEAR = 2200  # well inside the nanosecond range of pandas (which ends in 2262)

_DATE_EXAMPLE = "a date such as '2024-01-31'"
_NO_SUCH_JALALI = ("a Solar Hijri date that exists: the month 1-12, the day 1-31 in months 1-6, 1-30 in months "
                   "7-11, and 1-29 in Esfand (30 in leap years such as 1403; 1402 is not one)")


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _from_yyyymmdd(values: pd.Series) -> pd.Series:
    """Dates of numbers written yyyymmdd; NaT where a number is not such a date."""
    numbers_ = values.astype("float64")
    whole = np.isfinite(numbers_) & (numbers_ == np.floor(numbers_)) & (numbers_ >= 10000101) & (numbers_ <= 99991231)
    text = numbers_.where(whole, 0).astype("int64").astype(str).where(whole, "")
    return pd.to_datetime(text, format="%Y%m%d", errors="coerce").astype("datetime64[us]")


def _from_text(values: pd.Series) -> pd.Series:
    """Dates of text cells (and datetime objects): ISO 8601 vectorised, then the slower mixed parser."""
    values = values.map(lambda v: normalize_digits(v) if isinstance(v, str) and has_eastern_digits(v) else v)

    def read(part: pd.Series, fmt: str) -> pd.Series:
        # utc=True converts zone-aware values to UTC and takes naive ones as they are
        out = pd.to_datetime(part, errors="coerce", format=fmt, utc=True)
        return out.dt.tz_localize(None).astype("datetime64[us]")

    parsed = read(values, "ISO8601")
    retry = parsed.isna()
    if retry.any():
        parsed[retry] = read(values[retry], "mixed")
    return parsed


def _jalali_parts(values: pd.Series) -> pd.DataFrame:
    """(y, m, d, hh, mi, ss) of the cells written with a Solar Hijri year (1200-1499); other rows are absent."""
    rows = {}
    for idx, v in values.items():
        if isinstance(v, (numbers.Real, np.number)) and not isinstance(v, (bool, np.bool_)):
            if np.isfinite(v) and v == np.floor(v) and 10000101 <= v <= 99991231:
                v = int(v)
                parts = (v // 10000, v // 100 % 100, v % 100, 0, 0, 0)
            else:
                continue
        else:
            parts = split_date_text(v)
        if parts is not None and is_jalali_year(parts[0]):
            rows[idx] = parts
    return pd.DataFrame.from_dict(rows, orient="index", columns=["y", "m", "d", "hh", "mi", "ss"])


def _read_dates_calendar(series: pd.Series, calendar: str = "auto") -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates read by the calendar rule of :mod:`crm_research.core.calendar`.

    Returns ``(parsed, jalali, invalid_jalali)``: the dates (datetime64[us], naive
    UTC, NaT where unreadable), which cells were written in the Solar Hijri
    calendar, and which of those name no existing Solar Hijri day.
    """
    none = pd.Series(False, index=series.index)
    if calendar == "gregorian" or pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_bool_dtype(series):
        return _read_dates(series), none, none
    values = series.astype(object)
    parts = _jalali_parts(values)
    if parts.empty:
        return _read_dates(series), none, none
    jalali = pd.Series(series.index.isin(parts.index), index=series.index)
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    if (~jalali).any():
        parsed[~jalali] = _read_dates(values[~jalali])
    converted = convert_parts(parts)
    parsed[converted.index] = converted
    invalid = jalali & parsed.isna()
    return parsed, jalali, invalid


def _read_dates(series: pd.Series) -> pd.Series:
    """datetime64[us] (naive UTC) with NaT for every cell that is missing or cannot be read.

    Microseconds, not nanoseconds, so that a year such as 1402 is read and can be reported.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.astype("datetime64[us]")
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return _from_yyyymmdd(pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index))
    values = series.astype(object)
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    present = values.map(lambda v: v is not None and v is not pd.NA and not (isinstance(v, float) and np.isnan(v)))
    is_number = values.map(_is_number) & present
    is_bool = values.map(lambda v: isinstance(v, (bool, np.bool_)))
    if is_number.any():
        parsed[is_number] = _from_yyyymmdd(values[is_number].astype("float64"))
    text = present & ~is_number & ~is_bool
    if text.any():
        parsed[text] = _from_text(values[text])
    return parsed


def _outside_years(parsed: pd.Series) -> pd.Series:
    return parsed.notna() & ((parsed.dt.year < _FIRST_YEAR) | (parsed.dt.year > _LAST_YEAR))


def check_date(value: Any, name: str = "at", func: str = "check_date", calendar: str = "auto") -> pd.Timestamp:
    """Read one date argument by the rules of :func:`check_transactions`.

    Parameters
    ----------
    value : date-like
        A datetime, text (Persian digits allowed) or a ``yyyymmdd`` integer; a year
        1200-1499 is a Solar Hijri date (``"1403/05/12"``, ``14030512``).
    name, func : str
        The argument and the function it belongs to, for the error message.
    calendar : {"auto", "gregorian", "jalali"}, default "auto"
        The calendar rule of :mod:`crm_research.core.calendar`.

    Returns
    -------
    pandas.Timestamp
        Naive UTC (a zone-aware value is converted to UTC first).

    Examples
    --------
    >>> check_date(20240131)
    Timestamp('2024-01-31 00:00:00')
    >>> check_date("۲۰۲۴-۰۱-۳۱")
    Timestamp('2024-01-31 00:00:00')
    >>> check_date("2024-01-31T03:30+03:30")
    Timestamp('2024-01-31 00:00:00')
    >>> check_date("۱۴۰۳/۰۵/۱۲")  # Solar Hijri
    Timestamp('2024-08-02 00:00:00')
    """
    calendar = check_choice(calendar, "calendar", list(CALENDARS), func)
    if value is None or isinstance(value, (bool, np.bool_)) or (not isinstance(value, str) and pd.isna(value)):
        raise param_error(name, _DATE_EXAMPLE, value, func)
    if isinstance(value, pd.Timestamp) and value.tz is None and _FIRST_YEAR <= value.year <= _LAST_YEAR:
        return value
    try:
        parsed, jalali, invalid = _read_dates_calendar(pd.Series([value], dtype=object), calendar)
    except (TypeError, ValueError, OverflowError):
        parsed = pd.Series([pd.NaT], dtype="datetime64[us]")
        jalali = invalid = pd.Series([False])
    if invalid.iloc[0]:
        raise param_error(name, _NO_SUCH_JALALI, value, func)
    if calendar == "jalali" and not jalali.iloc[0] and not isinstance(value, (pd.Timestamp, np.datetime64)) \
            and not hasattr(value, "year"):
        raise param_error(name, "a Solar Hijri date such as '1403/05/12' (calendar='jalali')", value, func)
    if _outside_years(parsed).iloc[0]:
        raise param_error(name, f"a date between the years {_FIRST_YEAR} and {_LAST_YEAR} "
                          "(a year such as 1402 is a Solar Hijri date: convert it to the Gregorian calendar)",
                          value, func)
    if pd.isna(parsed.iloc[0]):
        raise param_error(name, _DATE_EXAMPLE + " or an integer 20240131", value, func)
    return parsed.astype("datetime64[ns]").iloc[0]


def check_date_column(series: pd.Series, where: str, calendar: str = "auto") -> pd.Series:
    """Read a column of dates by the rules of :func:`check_transactions` (``where`` names it in messages).

    Returns ``datetime64[ns]`` naive UTC; raises :class:`CRMInputError` for unreadable
    or missing dates, Solar Hijri days that do not exist, or mixed calendars.

    Examples
    --------
    >>> check_date_column(pd.Series(["1403/05/12"]), "Column 'd'").dt.date.astype(str).tolist()
    ['2024-08-02']
    """
    calendar = check_choice(calendar, "calendar", list(CALENDARS))
    return _check_dates(series, where, calendar)


def _where(col: str, role: str, name: str, func: str) -> str:
    return f"Column {col!r} of {name!r} (the '{role}' of {func})"


def _check_ids(series: pd.Series, where: str) -> None:
    missing = series.isna()
    if missing.any():
        raise CRMInputError(
            f"{where} has {int(missing.sum())} missing customer id(s) (rows {examples_of(series.index[missing])}). "
            "Every transaction needs a customer; fill or remove these rows first (they are never dropped silently)."
        )
    if series.dtype == object:
        kinds = series.map(lambda v: "number" if _is_number(v) else type(v).__name__)
        if kinds.nunique() > 1:
            minority = kinds.value_counts().index[-1]
            rows = series.index[kinds == minority]
            raise CRMInputError(
                f"{where} mixes types ({', '.join(sorted(kinds.unique()))}): {len(rows)} row(s) hold a {minority} "
                f"(rows {examples_of(rows)}, values {examples_of(series[rows].tolist())}). The same customer "
                "written as 17 and '17' would count as two customers; convert the ids to one type first, "
                "e.g. data[col].astype(str)."
            )


def _check_dates(series: pd.Series, where: str, calendar: str = "auto") -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        raise CRMInputError(f"{where} must hold dates; it holds True/False values.")
    parsed, jalali, invalid = _read_dates_calendar(series, calendar)
    if invalid.any():
        raise CRMInputError(
            f"{where} has {int(invalid.sum())} Solar Hijri date(s) that do not exist, e.g. "
            f"{examples_of(series[invalid].astype(str).unique().tolist())} (rows {examples_of(series.index[invalid])}). "
            + _NO_SUCH_JALALI[0].upper() + _NO_SUCH_JALALI[1:] + "."
        )
    gregorian = parsed.notna() & ~jalali
    if jalali.any() and gregorian.any():
        raise CRMInputError(
            f"{where} mixes calendars: {int(jalali.sum())} Solar Hijri date(s) (e.g. "
            f"{examples_of(series[jalali].astype(str).unique().tolist())}, rows {examples_of(series.index[jalali])}) "
            f"and {int(gregorian.sum())} Gregorian date(s) (e.g. "
            f"{examples_of(series[gregorian].astype(str).unique().tolist())}, rows "
            f"{examples_of(series.index[gregorian])}). Write every date of a column in one calendar."
        )
    if calendar == "jalali" and gregorian.any() and not pd.api.types.is_datetime64_any_dtype(series):
        raise CRMInputError(
            f"{where} should hold Solar Hijri dates (calendar='jalali'), but {int(gregorian.sum())} value(s) have a "
            f"Gregorian year, e.g. {examples_of(series[gregorian].astype(str).unique().tolist())} (rows "
            f"{examples_of(series.index[gregorian])}). Use calendar='auto' or 'gregorian' for Gregorian dates."
        )
    out_of_range = _outside_years(parsed)
    if out_of_range.any():
        raise CRMInputError(
            f"{where} has {int(out_of_range.sum())} date(s) outside the years {_FIRST_YEAR}-{_LAST_YEAR}, e.g. "
            f"{examples_of(series[out_of_range].astype(str).unique().tolist())} "
            f"(rows {examples_of(series.index[out_of_range])}). A year such as 1402 is a Solar Hijri (Jalali) "
            "date; convert it to the Gregorian calendar first."
        )
    bad = parsed.isna()
    if bad.any():
        was_missing = series.isna()
        unreadable, missing = bad & ~was_missing, bad & was_missing
        parts = []
        if unreadable.any():
            parts.append(
                f"{int(unreadable.sum())} value(s) that cannot be read as dates, e.g. "
                f"{examples_of(series[unreadable].astype(str).unique().tolist())} "
                f"(rows {examples_of(series.index[unreadable])})"
            )
        if missing.any():
            parts.append(f"{int(missing.sum())} missing date(s) (rows {examples_of(series.index[missing])})")
        advice = ""
        if unreadable.any() and pd.api.types.is_numeric_dtype(series):
            advice = (" Numbers are read as yyyymmdd dates (20240131 = 31 January 2024); convert other numbers "
                      "first, e.g. pd.to_datetime(data[col], unit='s') for seconds since 1970.")
        raise CRMInputError(f"{where} has " + " and ".join(parts) + "." + advice)
    return parsed.astype("datetime64[ns]")


def _check_amounts(series: pd.Series, where: str, negative: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)
    else:
        # text amounts (a CSV, a Persian spreadsheet: "۱۲۰۰") are read as the validation helpers read them
        converted = series.astype(object).map(lambda v: v if isinstance(v, (bool, np.bool_)) else _to_number(v))
        bad = converted.map(lambda v: not isinstance(v, float))
        if bad.any():
            raise CRMInputError(
                f"{where} must be numeric. {int(bad.sum())} value(s) are not, e.g. "
                f"{examples_of(series[bad].astype(str).unique().tolist())} (rows {examples_of(series.index[bad])})."
            )
        values = converted.astype("float64")
    missing = values.isna() | np.isinf(values)
    if missing.any():
        raise CRMInputError(
            f"{where} has {int(missing.sum())} missing or infinite amount(s) (rows {examples_of(series.index[missing])}). "
            "Fill or remove them explicitly first; they are never dropped silently."
        )
    with np.errstate(over="ignore"):
        overflow = not np.isfinite(np.square(values.to_numpy()).sum())
    if overflow:
        # totals (monetary value) and the spread of amounts (the gamma-gamma model of CLV) would be
        # infinite: an amount near 1e308 is an export or unit error, never money
        big = values.abs().nlargest(3)
        raise CRMInputError(
            f"{where} holds amounts too large to add up in double precision, e.g. {examples_of(big.tolist(), 3)} "
            f"(rows {examples_of(big.index)}); totals would be infinite. Check the units or the export "
            "(divide by 1e6 for millions) first."
        )
    below = values < 0
    if negative == "reject" and below.any():
        raise CRMInputError(
            f"{where} has {int(below.sum())} negative amount(s), e.g. {examples_of(values[below].tolist())} "
            f"(rows {examples_of(series.index[below])}). Returns and refunds must be netted against their purchases "
            "(or removed) before the analysis."
        )
    return values


def check_transactions(
    data: pd.DataFrame,
    *,
    customer_col: str,
    date_col: str | None,
    amount_col: str | None = None,
    at: Any = None,
    after_at: str = "reject",
    negative: str = "reject",
    at_name: str = "at",
    name: str = "transactions",
    func: str = "check_transactions",
    calendar: str = "auto",
) -> pd.DataFrame:
    """Check a transaction log and return a clean copy: ids present, dates parsed, amounts numeric.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per transaction.  It is not modified.
    customer_col, date_col : str
        The customer id and the transaction date.  ``date_col=None`` (said
        explicitly) checks a log without dates, such as order lines by category;
        ``at`` then cannot be given.
    amount_col : str, optional
        The amount paid; ``None`` when the analysis needs no amounts.
    at : date-like, optional
        The analysis date (see :func:`check_date` for what is read).  It may not
        come before the first transaction.
    after_at : {"reject", "exclude"}, default "reject"
        What happens to transactions dated after ``at``: a
        :class:`~crm_research.core.errors.CRMInputError` naming them, or leaving
        them out of the returned copy (an assessment as the data stood on ``at``).
    negative : {"reject", "keep"}, default "reject"
        Negative amounts (returns, refunds) raise, or are kept for the caller to net.
    at_name, name, func : str
        How the messages name the analysis-date argument, the log and the calling function.
    calendar : {"auto", "gregorian", "jalali"}, default "auto"
        How text and integer dates are read (:mod:`crm_research.core.calendar`):
        by default a year 1200-1499 is Solar Hijri and is converted, 1800-2200 is
        Gregorian, and a column mixing the two is an error; ``"jalali"`` demands
        Solar Hijri dates, ``"gregorian"`` refuses them.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` (same columns and index) in which ``date_col`` (if
        any) is ``datetime64[ns]`` naive UTC and ``amount_col`` is ``float64``; with
        ``after_at="exclude"``, only the rows dated on or before ``at``.

    Raises
    ------
    CRMInputError
        For a missing column, a missing customer id, ids mixing numbers and text,
        a date that is missing or cannot be read (including integers that are not
        ``yyyymmdd`` dates and years outside 1800-2200), an amount that is text,
        missing, infinite or (by default) negative, ``at`` before the first
        transaction, or (by default) transactions after ``at``.  The message names
        the column, the count and example rows.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer": ["a", "a", "b"],
    ...                     "day": [20240105, 20240201, 20240110],
    ...                     "paid": ["۱۲۰۰", "80", "45.5"]})
    >>> clean = check_transactions(log, customer_col="customer", date_col="day", amount_col="paid")
    >>> clean["day"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-01-05', '2024-02-01', '2024-01-10']
    >>> clean["paid"].tolist()
    [1200.0, 80.0, 45.5]
    >>> len(check_transactions(log, customer_col="customer", date_col="day", at="2024-01-31", after_at="exclude"))
    2
    >>> log["day"].tolist()  # the input is untouched
    [20240105, 20240201, 20240110]
    """
    check_dataframe(data, name, func)
    roles = [(c, p) for c, p in ((customer_col, "customer_col"), (date_col, "date_col"), (amount_col, "amount_col"))
             if c is not None]
    check_columns(data, [c for c, _ in roles], name="columns", func=func, params=[p for _, p in roles])
    after_at = check_choice(after_at, "after_at", ["reject", "exclude"], func)
    negative = check_choice(negative, "negative", ["reject", "keep"], func)
    if at is not None and date_col is None:
        raise CRMInputError(f"The {at_name!r} parameter of {func} is an analysis date; it needs a date column "
                            "('date_col' is None).")
    _check_ids(data[customer_col], _where(customer_col, "customer_col", name, func))
    out = data.copy()
    calendar = check_choice(calendar, "calendar", list(CALENDARS), func)
    if date_col is not None:
        dates = _check_dates(data[date_col], _where(date_col, "date_col", name, func), calendar)
        out[date_col] = dates
        if at is None:
            # Without an analysis date the log's own last date serves as one in most analyses, so one
            # mistyped future date (2099) would move every recency: dates after today follow the after_at rule.
            today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() + pd.Timedelta(days=2)
            future = dates >= today
            if future.any():
                where = _where(date_col, "date_col", name, func)
                text = (f"{where} has {int(future.sum())} date(s) after today (e.g. "
                        f"{examples_of(dates[future].dt.date.astype(str).unique().tolist())}, rows "
                        f"{examples_of(dates.index[future])}): transactions cannot have happened yet. Correct them")
                if after_at == "reject":
                    raise CRMInputError(text + ", or remove them, first.")
                warnings.warn(text + "; they are left out of the analysis.", UserWarning, stacklevel=3)
                out, dates = out[~future.to_numpy()], dates[~future]
    if amount_col is not None:
        out[amount_col] = _check_amounts(data[amount_col], _where(amount_col, "amount_col", name, func), negative)
    if at is not None:
        at = check_date(at, at_name, func, calendar="auto" if calendar == "jalali" else calendar)
        first, last = dates.min(), dates.max()
        if at < first:
            raise CRMInputError(
                f"The {at_name!r} parameter of {func} ({at.date()}) is before the first transaction ({first.date()}). "
                f"{at_name!r} is the date of the analysis; it must come on or after the purchases it summarises."
            )
        after = dates > at
        if after.any():
            if after_at == "reject":
                raise CRMInputError(
                    f"The {at_name!r} parameter of {func} ({at}) is before {int(after.sum())} transaction(s) "
                    f"(rows {examples_of(dates.index[after])}, the latest on {last}). Pass a later {at_name!r}, "
                    "or filter the transactions to those on or before it first."
                )
            out = out[~after.to_numpy()]
    return out


class CustomerTable(DeclaredTable):
    """A per-customer table (usually computed from a transaction log) that states how it was made.

    A :class:`~crm_research.core.results.DeclaredTable`: each subclass lists its
    declared attributes (the analysis date, the churn rule, the time unit) in
    ``_metadata`` and gives each a class-level default; build one with :meth:`of`.

    Examples
    --------
    >>> class Spend(CustomerTable):
    ...     _metadata = ["currency"]
    ...     currency = None
    >>> Spend.of(pd.DataFrame({"spend": [120.0]}, index=["a"]), currency="IRR").head(1).currency
    'IRR'
    """
