"""The one validation helper that every public function uses.

Every failure raises :class:`~crm_research.core.errors.CRMInputError` with a message
of the same shape (after scikit-learn's parameter validation)::

    The 'k' parameter of segment must be an int in the range [2, inf). Got 1 instead.

so a student always learns *which* argument, column or value was wrong and
*what* was expected.  None of these helpers modifies the caller's data: those
that clean data return a new DataFrame.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.persian import has_eastern_digits, normalize_digits

__all__ = [
    "CRMInputError",
    "param_error",
    "check_dataframe",
    "check_columns",
    "check_numeric_columns",
    "check_int",
    "check_number",
    "check_choice",
    "check_ci",
    "check_seed",
    "check_bool",
    "check_constructs",
    "check_scale",
    "closest_names",
    "examples_of",
]


def _where(name: str, func: str | None) -> str:
    return f"The '{name}' parameter of {func}" if func else f"The '{name}' parameter"


def param_error(name: str, expected: str, got: Any, func: str | None = None) -> CRMInputError:
    """Build the standard error: ``The 'name' parameter of func must be ... Got ... instead.``"""
    return CRMInputError(f"{_where(name, func)} must be {expected}. Got {got!r} instead.")


def closest_names(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Names in ``candidates`` that look like ``name`` (for "did you mean" hints)."""
    candidates = [str(c) for c in candidates]
    close = difflib.get_close_matches(str(name), candidates, n=n, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        close = [lowered[c] for c in difflib.get_close_matches(str(name).lower(), lowered, n=n, cutoff=0.6)]
    return close


def examples_of(values: Iterable[Any], n: int = 5) -> str:
    """Short text listing the first ``n`` values, for error messages."""
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    shown = ", ".join(repr(v) for v in values[:n])
    return shown + (f", ... ({len(values)} in all)" if len(values) > n else "")


def check_dataframe(data: Any, name: str = "data", func: str | None = None, min_rows: int = 1) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame with at least ``min_rows`` rows."""
    if not isinstance(data, pd.DataFrame):
        raise CRMInputError(
            f"{_where(name, func)} must be a pandas DataFrame. Got {type(data).__name__} instead."
        )
    if len(data) < min_rows:
        raise CRMInputError(
            f"{_where(name, func)} must have at least {min_rows} row(s). Got {len(data)} rows instead."
        )
    return data


def check_columns(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    name: str = "columns",
    func: str | None = None,
    min_count: int = 1,
    params: Sequence[str] | None = None,
) -> list[str]:
    """Check that every name in ``columns`` is a column of ``data``.

    Returns the columns as a list.  An unknown name is reported with the
    closest existing column names, so a typo is easy to spot.  ``params``,
    when given, holds the caller's parameter of each column (``["customer_col",
    "date_col"]``), so the error names the argument the user actually typed
    rather than ``name``.
    """
    if isinstance(columns, str):
        columns = [columns]
    try:
        columns = list(columns)
    except TypeError:
        raise CRMInputError(
            f"{_where(name, func)} must be a column name or a list of column names. Got {columns!r} instead."
        ) from None
    if len(columns) < min_count:
        raise CRMInputError(
            f"{_where(name, func)} must list at least {min_count} column(s). Got {len(columns)}: {columns!r}."
        )
    if params is not None and len(params) != len(columns):
        raise ValueError("check_columns: 'params' must give one parameter name per column")
    seen: set = set()
    repeated = set(data.columns[data.columns.duplicated()]) if not data.columns.is_unique else set()
    frame = name
    for i, col in enumerate(columns):
        if params is not None:
            name = params[i]
        if not isinstance(col, Hashable):  # e.g. items=[["A1", "A2"]]: one list too many
            raise CRMInputError(
                f"{_where(name, func)} must list column names; {col!r} is a {type(col).__name__}, not a name."
            )
        if col in seen:
            raise CRMInputError(f"{_where(name, func)} lists column {col!r} twice.")
        seen.add(col)
        if col in repeated:
            # data[col] would be a DataFrame, not a column, and every later step would misfire
            raise CRMInputError(
                f"{_where(name, func)} names column {col!r}, but the data have several columns of that name. "
                "Rename or drop the duplicates first."
            )
        if col not in data.columns:
            hint = closest_names(col, data.columns)
            where = f"'{frame}'" if params is not None and frame not in ("columns", name) else "the data"
            msg = f"{_where(name, func)} names column {col!r}, which is not in {where}."
            msg += f" Did you mean {' or '.join(map(repr, hint))}?" if hint else ""
            msg += f" Available columns: {examples_of(data.columns, 12)}."
            raise CRMInputError(msg)
    return columns


def _to_number(value: Any) -> Any:
    """Convert one cell to a float; text with Persian digits is read as a number."""
    # pd.NA is the missing value of pandas' "string"/"Int64" dtypes; it is missing, not text
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (numbers.Number, np.number)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return np.nan
        if has_eastern_digits(text):
            text = normalize_digits(text)
        try:
            return float(text)
        except ValueError:
            return value  # left as text; the caller reports it
    return value


def check_numeric_columns(
    data: pd.DataFrame,
    columns: Sequence[str],
    name: str = "data",
    func: str | None = None,
    allow_missing: bool = True,
    allow_constant: bool = True,
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Return a new float DataFrame of ``columns``, checked and cleaned.

    - Text cells holding numbers, including Persian or Arabic-Indic digits
      ("۴", "٣"), are converted to numbers.
    - Any other text ("agree") raises an error naming the column and examples.
    - A column that is entirely missing always raises; a constant column
      raises unless ``allow_constant``; missing values raise unless
      ``allow_missing``.
    - With ``scale=(low, high)``, values outside the scale raise an error that
      names the column and the offending values.
    """
    columns = check_columns(data, columns, name="columns", func=func)
    # numeric columns are converted as one block and every check is one vectorised pass over the block
    # (column by column in pandas it cost 4x pingouin's whole cronbach_alpha); the errors are then raised
    # column by column, in the order of ``columns``
    converted, non_numeric = {}, {}
    dtypes = dict(zip(data.columns, data.dtypes))  # one dict: a Series lookup per column cost as much as the data
    for col in columns:
        if not (pd.api.types.is_bool_dtype(dtypes[col]) or pd.api.types.is_numeric_dtype(dtypes[col])):
            # as object: with pyarrow installed, map() on a "string" column returns an arrow dtype with <NA>
            values = data[col].astype(object).map(_to_number)
            bad = values[values.map(lambda v: isinstance(v, str) or not isinstance(v, (float, int)))]
            if len(bad):
                non_numeric[col] = bad
            else:
                converted[col] = values.astype(float)
    numeric_cols = [c for c in columns if c not in converted and c not in non_numeric]
    block = np.full((len(data), len(columns)), np.nan)
    position = {col: j for j, col in enumerate(columns)}
    if numeric_cols:
        block[:, [position[c] for c in numeric_cols]] = data[numeric_cols].to_numpy(dtype=float, na_value=np.nan)
    for col, values in converted.items():
        block[:, position[col]] = values.to_numpy()
    out = pd.DataFrame(block, index=data.index, columns=list(columns))
    infinite = np.isinf(block)
    with np.errstate(invalid="ignore"):
        huge = (np.abs(block) > _LARGEST) & ~infinite
    missing = np.isnan(block)
    n_missing = missing.sum(axis=0)
    n_present = len(out) - n_missing
    with np.errstate(invalid="ignore"):
        constant = np.fmax.reduce(block, axis=0) == np.fmin.reduce(block, axis=0)  # NaN-skipping max/min
    outside = None
    if scale is not None:
        low, high = (int(b) if float(b).is_integer() else b for b in scale)
        with np.errstate(invalid="ignore"):
            outside = (block < low) | (block > high)
    flagged = infinite.any(axis=0) | huge.any(axis=0) | (n_missing == len(out))
    if not allow_missing:
        flagged |= n_missing > 0
    if not allow_constant:
        flagged |= constant | (n_present < 2)
    if outside is not None:
        flagged |= outside.any(axis=0)
    for j, col in enumerate(columns):
        if col in non_numeric:
            bad = non_numeric[col]
            raise CRMInputError(
                f"Column {col!r} of '{name}' must be numeric. Found {len(bad)} non-numeric value(s), "
                f"e.g. {examples_of(pd.unique(bad.astype(str)))} (rows {examples_of(bad.index)}). "
                "Recode text answers such as 'agree' to numbers first."
            )
        if not flagged[j]:
            continue
        values = out.iloc[:, j]
        if infinite[:, j].any():
            # an infinite answer is a data error (a division by zero upstream, an overflowing export),
            # not a missing value: dropping it silently would change n without a word
            raise CRMInputError(
                f"Column {col!r} of '{name}' has {int(infinite[:, j].sum())} infinite value(s) "
                f"(rows {examples_of(values.index[infinite[:, j]])}). Replace them with a number or with a "
                "missing value (NaN) explicitly."
            )
        if huge[:, j].any():
            # squares of such values overflow to inf, so variances, alpha and correlations become NaN
            raise CRMInputError(
                f"Column {col!r} of '{name}' has {int(huge[:, j].sum())} value(s) larger than {_LARGEST:.0e} in "
                f"size (e.g. {examples_of(pd.unique(values[huge[:, j]]), 3)}, rows "
                f"{examples_of(values.index[huge[:, j]])}); their squares overflow double precision, so "
                "variances and correlations would be NaN or infinite. Rescale the column (e.g. divide by 1e6) first."
            )
        if n_missing[j] == len(values):
            raise CRMInputError(f"Column {col!r} of '{name}' is entirely missing; remove it or supply data.")
        if n_missing[j] and not allow_missing:
            raise CRMInputError(
                f"Column {col!r} of '{name}' has {n_missing[j]} missing value(s) "
                f"(rows {examples_of(values.index[missing[:, j]])}); drop or impute them first."
            )
        if not allow_constant and n_present[j] < 2:
            raise CRMInputError(
                f"Column {col!r} of '{name}' has only {int(n_present[j])} non-missing value(s); "
                "a variance or correlation needs at least two respondents."
            )
        if not allow_constant and constant[j]:
            raise CRMInputError(
                f"Column {col!r} of '{name}' is constant (every answer is {float(values.dropna().iloc[0]):g}); "
                "it carries no information. Remove it."
            )
        if outside is not None and outside[:, j].any():
            bad_values = values[outside[:, j]]
            raise CRMInputError(
                f"Column {col!r} of '{name}' has {len(bad_values)} value(s) outside the declared scale "
                f"[{low}, {high}]: {examples_of(pd.unique(bad_values))} (rows {examples_of(bad_values.index)}). "
                "Fix the data, declare missing-value codes, or change 'scale'."
            )
    return out


# Largest magnitude accepted in a numeric column: its square (1e300) and a sum of squares over
# millions of rows stay finite in double precision (max ~1.8e308).
_LARGEST = 1e150


def check_int(
    value: Any,
    name: str,
    func: str | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> int:
    """Check that ``value`` is an integer in ``[min_value, max_value]``."""
    lo = "-inf" if min_value is None else min_value
    hi = "inf" if max_value is None else max_value
    expected = f"an int in the range [{lo}, {hi}]" if max_value is not None else f"an int in the range [{lo}, inf)"
    if min_value is None and max_value is None:
        expected = "an int"
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise param_error(name, expected, value, func)
    value = int(value)
    if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
        raise param_error(name, expected, value, func)
    return value


def check_number(
    value: Any,
    name: str,
    func: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    inclusive: tuple[bool, bool] = (True, True),
) -> float:
    """Check that ``value`` is a real number within the given bounds."""
    left = "[" if inclusive[0] else "("
    right = "]" if inclusive[1] else ")"
    lo = "-inf" if min_value is None else min_value
    hi = "inf" if max_value is None else max_value
    expected = f"a number in the range {left}{lo}, {hi}{right}"
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
        raise param_error(name, expected, value, func)
    try:  # float(), not np.isnan: a Python int beyond int64 (found by Hypothesis) made np.isnan a TypeError
        value = float(value)
    except (OverflowError, TypeError, ValueError):
        raise param_error(name, expected, value, func) from None
    if math.isnan(value):
        raise param_error(name, expected, value, func)
    if min_value is not None and (value < min_value or (not inclusive[0] and value == min_value)):
        raise param_error(name, expected, value, func)
    if max_value is not None and (value > max_value or (not inclusive[1] and value == max_value)):
        raise param_error(name, expected, value, func)
    return value


def check_choice(value: Any, name: str, choices: Iterable[Any], func: str | None = None) -> Any:
    """Check that ``value`` is one of ``choices`` (strings are compared case-insensitively)."""
    choices = list(choices)
    if isinstance(value, str):
        for c in choices:
            if isinstance(c, str) and c.lower() == value.lower():
                return c
    elif value in choices:
        return value
    raise param_error(name, f"one of {examples_of(choices, 20)}", value, func)


def check_bool(value: Any, name: str, func: str | None = None) -> bool:
    """Check that ``value`` is True or False."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise param_error(name, "True or False", value, func)


def check_ci(ci: Any, func: str | None = None, name: str = "ci") -> float:
    """Check a confidence level such as 0.95 (strictly between 0 and 1)."""
    return check_number(ci, name, func, 0.0, 1.0, inclusive=(False, False))


def check_seed(seed: Any, func: str | None = None, name: str = "seed") -> int | None:
    """Check a random seed: None or a non-negative int."""
    if seed is None:
        return None
    return check_int(seed, name, func, min_value=0)


def check_scale(scale: Any, func: str | None = None, name: str = "scale") -> tuple[float, float]:
    """Check a Likert scale given as ``(min, max)`` with ``min < max``."""
    try:
        low, high = scale
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise param_error(name, "a pair (min, max) such as (1, 5)", scale, func) from None
    if not low < high:
        raise param_error(name, "a pair (min, max) with min < max", scale, func)
    return low, high


def check_constructs(
    data: pd.DataFrame,
    constructs: Any,
    func: str | None = None,
    name: str = "constructs",
    min_items: int = 1,
) -> dict[str, list[str]]:
    """Check a mapping of construct name to item columns.

    Every construct needs at least ``min_items`` items, every item must be a
    column of ``data``, and no item may belong to two constructs.
    """
    if not isinstance(constructs, Mapping) or not constructs:
        raise param_error(name, "a non-empty dict mapping construct name to a list of item columns",
                          type(constructs).__name__, func)
    owner: dict[str, str] = {}
    out: dict[str, list[str]] = {}
    for construct, items in constructs.items():
        if str(construct) in out:  # 1 and "1" would merge into one construct below
            raise CRMInputError(f"Construct {construct!r} is listed twice in '{name}' (names are compared as text).")
        if isinstance(items, str):
            items = [items]
        items = list(items) if items is not None else []
        if len(items) < min_items:
            raise CRMInputError(
                f"Construct {construct!r} in '{name}' has {len(items)} item(s); at least {min_items} needed."
            )
        for item in items:
            if item in owner:
                raise CRMInputError(
                    f"Item {item!r} is listed under both construct {owner[item]!r} and {construct!r} "
                    f"in '{name}'; an item may measure only one construct."
                )
            owner[item] = construct
        check_columns(data, items, name=f"{name}[{construct!r}]", func=func)
        out[str(construct)] = items
    return out
