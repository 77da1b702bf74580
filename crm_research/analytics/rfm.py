"""RFM analysis: recency, frequency and monetary value per customer, scored and segmented.

Two things live here:

* :func:`rfm` (and :func:`rfm_sql`, the same computation as one DuckDB query):
  the classic direct-marketing RFM table with quantile scores and named
  segments (:data:`RFM_SEGMENTS`);
* :func:`summarize_transactions`: the customer-by-sufficient-statistic table
  (``frequency``, ``recency``, ``T``, ``monetary_value``) in the conventions of
  the buy-till-you-die models of :mod:`crm_research.analytics.clv`, with an optional
  calibration/holdout split.

Both read a transaction log (one row per purchase) and check it first with
:func:`crm_research.core.transactions.check_transactions`: missing customer ids,
dates that cannot be read, negative or missing amounts, a customer column that
mixes numbers and text, and an analysis date ``at`` that falls before the data
raise a :class:`~crm_research.core.errors.CRMInputError` naming the rows
concerned; no row is ever dropped silently.  Both return DataFrames that state
how they were made (:class:`RFMTable`, :class:`TransactionSummary`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMInputError
from crm_research.core.transactions import CustomerTable, check_date, check_transactions
from crm_research.core.validation import (
    check_bool,
    check_choice,
    check_columns,
    check_int,
)

__all__ = ["rfm", "rfm_sql", "summarize_transactions", "RFM_SEGMENTS", "RFMTable", "TransactionSummary"]

# Days in one time unit of summarize_transactions.  "W" (weeks) is the unit of
# Fader, Hardie & Lee (2005) on CDNOW; "M" is an average Gregorian month.
TIME_UNITS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0}

# Monetary totals are rounded to this many decimals before scoring (see rfm()).
_MONEY_DECIMALS = 6

# The segment map: rules on the R score and the F score (both rescaled to 1..5).
# The grid is the one widely used in practice (e.g. in retail-analytics courses
# and the "RFM segments" maps of CRM vendors); every one of the 25 (R, F) cells
# belongs to exactly one segment, so every customer gets a name.
_SEGMENT_ROWS = [
    # segment, r_low, r_high, f_low, f_high, description, Persian name
    ("champions", 5, 5, 4, 5, "bought recently, buy often; reward them, ask for reviews", "قهرمانان"),
    ("loyal customers", 3, 4, 4, 5, "buy often and fairly recently; up-sell, loyalty programme", "مشتریان وفادار"),
    ("potential loyalists", 4, 5, 2, 3, "recent customers with a few purchases; offer membership",
     "وفاداران بالقوه"),
    ("new customers", 5, 5, 1, 1, "bought very recently, once; onboarding", "مشتریان جدید"),
    ("promising", 4, 4, 1, 1, "recent but only one purchase; build awareness", "امیدوارکننده"),
    ("need attention", 3, 3, 3, 3, "average recency and frequency; limited-time offers", "نیازمند توجه"),
    ("about to sleep", 3, 3, 1, 2, "below-average recency and frequency; reactivate", "در آستانه خواب"),
    ("at risk", 1, 2, 3, 4, "used to buy often, not seen for a while; win-back campaign", "در معرض خطر"),
    ("cannot lose them", 1, 2, 5, 5, "were the best customers, now absent; win them back first",
     "نباید از دست بروند"),
    ("hibernating", 1, 2, 1, 2, "long ago, rarely; low-cost reactivation or let go", "خفته"),
]

RFM_SEGMENTS = pd.DataFrame(
    _SEGMENT_ROWS, columns=["segment", "r_low", "r_high", "f_low", "f_high", "description", "segment_fa"]
)
"""The RFM segment rules: a customer whose R and F scores (rescaled to 1..5) fall in
``[r_low, r_high]`` and ``[f_low, f_high]`` gets ``segment``.  The ten rules
partition the 5 x 5 grid of (R, F) scores."""


def _segment_grid() -> np.ndarray:
    """5 x 5 array of segment names indexed by (r-1, f-1); checks that the rules partition the grid."""
    grid = np.full((5, 5), None, dtype=object)
    for row in RFM_SEGMENTS.itertuples(index=False):
        for r in range(row.r_low, row.r_high + 1):
            for f in range(row.f_low, row.f_high + 1):
                if grid[r - 1, f - 1] is not None:
                    raise RuntimeError(f"RFM_SEGMENTS overlap at R={r}, F={f}")
                grid[r - 1, f - 1] = row.segment
    if any(v is None for v in grid.ravel()):
        raise RuntimeError("RFM_SEGMENTS leave some (R, F) cells without a segment")
    return grid


# --------------------------------------------------------------------------- the log and the tables


class RFMTable(CustomerTable):
    """The table of :func:`rfm`: one row per customer, and the date the analysis was made.

    Attributes
    ----------
    analysis_date : pandas.Timestamp
        The ``at`` the recencies are measured to.
    """

    _metadata: ClassVar[list[str]] = ["analysis_date"]
    analysis_date: pd.Timestamp | None = None


class TransactionSummary(CustomerTable):
    """The table of :func:`summarize_transactions`, with the time unit and the periods it was built with.

    Attributes
    ----------
    time_unit : str
        Unit of ``recency``, ``T`` and ``duration_holdout``: "W", "D" or "M";
        :func:`crm_research.fit_bgnbd` reads it from here.
    days_per_unit : float
    calibration_end, observation_end : pandas.Timestamp
    n_new_in_holdout : int
        Customers whose first purchase came after the calibration end (left out).
    """

    _metadata: ClassVar[list[str]] = ["time_unit", "days_per_unit", "calibration_end", "observation_end",
                                      "n_new_in_holdout"]
    time_unit: str | None = None
    days_per_unit: float | None = None
    calibration_end: pd.Timestamp | None = None
    observation_end: pd.Timestamp | None = None
    n_new_in_holdout: int | None = None


def _log(transactions: Any, customer_col: str, date_col: str, amount_col: str | None, func: str,
         at: Any = None, at_name: str = "at", name: str = "transactions") -> pd.DataFrame:
    """The checked log as a new frame with columns customer, date, amount (0 without amounts)."""
    clean = check_transactions(transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                               at=at, at_name=at_name, name=name, func=func)
    return pd.DataFrame(
        {
            # .array keeps the id dtype (e.g. pandas' str dtype), which becomes the result's index
            "customer": clean[customer_col].array,
            "date": clean[date_col].to_numpy(),
            "amount": clean[amount_col].to_numpy() if amount_col is not None else 0.0,
        },
        index=clean.index,
    )


# --------------------------------------------------------------------------- RFM


def _scores(values: np.ndarray, bins: int, higher_is_better: bool) -> np.ndarray:
    """Quantile score 1..bins from the mid-rank of each value; tied values share one score.

    score = floor((2 * min_rank + n_tied - 2) * bins / (2 * n)) + 1, i.e. the
    equal-size group that the middle of the tie's rank range falls in.  Integer
    arithmetic, so the DuckDB query gives exactly the same scores.
    """
    n = len(values)
    key = values if higher_is_better else -values
    # one sort of the distinct values gives every tie group's first rank and size; the score is a function of
    # the value, so it is computed once per distinct value (3x faster than pandas' rank plus a value_counts map)
    distinct, which, n_tied = np.unique(key, return_inverse=True, return_counts=True)
    min_rank = np.cumsum(n_tied) - n_tied + 1
    return ((2 * min_rank + n_tied - 2) * bins // (2 * n) + 1)[which]


def _to_five(score, bins: int):
    """Map a score 1..bins linearly onto 1..5 (rounding halves up), so 1 -> 1 and bins -> 5.

    Integer arithmetic: 1 + floor(((s - 1) * 8 + bins - 1) / (2 * (bins - 1))); identity for bins = 5.
    """
    return 1 + ((score - 1) * 8 + bins - 1) // (2 * (bins - 1))


def _segments(r_score: np.ndarray, f_score: np.ndarray, bins: int) -> np.ndarray:
    grid = _segment_grid()
    # Rescale scores to 1..5 so the same rules serve terciles, quartiles or deciles.
    return grid[_to_five(r_score, bins) - 1, _to_five(f_score, bins) - 1]


def _check_bins(bins: Any, n_customers: int, func: str) -> int:
    bins = check_int(bins, "bins", func, min_value=2, max_value=9)
    if n_customers < bins:
        raise CRMInputError(
            f"The 'bins' parameter of {func} asks for {bins} score groups, but the data hold only "
            f"{n_customers} customer(s). Use fewer bins or more customers."
        )
    return bins


@renamed_arguments(now="at")
@positional_options
def rfm(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    *,
    at: Any = None,
    bins: int = 5,
    engine: str = "pandas",
) -> RFMTable:
    """Recency, frequency and monetary value of each customer, with quantile scores and a segment.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase (transaction log).  It is not modified.
    customer_col, date_col, amount_col : str
        Columns holding the customer id, the purchase date (dates, text or
        ``yyyymmdd`` integers; see :func:`~crm_research.core.transactions.check_transactions`)
        and the amount paid (>= 0).
    at : date-like, optional
        The date of the analysis (called ``now`` before 0.2).  Default: the day
        after the last transaction.  It may not come before any transaction.
    bins : int, default 5
        Number of score groups (5 = quintiles, as in most RFM practice); 2..9.
    engine : {"pandas", "duckdb"}
        ``"duckdb"`` runs the same computation as one SQL query (see :func:`rfm_sql`);
        the result is identical.

    Returns
    -------
    RFMTable
        A DataFrame with one row per customer, indexed by the customer id (index
        named ``customer_col``), sorted by it:

        - ``recency``: days from the last purchase to ``at`` (smaller is better);
        - ``frequency``: number of transactions (rows) of the customer;
        - ``monetary``: total amount spent (rounded to 6 decimals, so that sums added
          in a different order, as SQL does, give the same ties);
        - ``r_score``, ``f_score``, ``m_score``: 1..``bins`` (higher is better; recent
          customers get a high ``r_score``);
        - ``rfm_score``: the three scores as a code such as ``"545"``;
        - ``rfm_sum``: ``r_score + f_score + m_score``;
        - ``segment``: the name from :data:`RFM_SEGMENTS`.

        ``result.analysis_date`` holds the analysis date ``at``.

    Raises
    ------
    CRMInputError
        For unparseable or missing dates, negative or missing amounts, a customer
        column that mixes numbers and text, ``at`` before a transaction, or fewer
        customers than ``bins``.  The message gives the number of rows concerned
        and examples.

    Notes
    -----
    Scores are quantile groups of the customers' ranks.  With :math:`n` customers,
    a value whose tied group starts at rank :math:`m` (ranks 1..n, best last) and has
    :math:`t` members gets

    .. math:: \\text{score} = \\left\\lfloor \\frac{(2m + t - 2)\\,k}{2n} \\right\\rfloor + 1,

    i.e. the equal-size group (of :math:`k` = ``bins``) that the middle of its rank
    range falls in.  Without ties this is exactly "rank, then cut into :math:`k`
    equal groups" (``pandas.qcut`` of the ranks, SQL ``NTILE``); with ties, unlike
    ``rank(method="first")``, two customers with the same value always get the same
    score, so the groups may be unequal (many one-time buyers share a low F score).

    Segments follow the R-by-F grid of :data:`RFM_SEGMENTS`; with ``bins != 5`` the
    scores are first mapped linearly onto 1..5,
    :math:`s_5 = \\operatorname{round}(1 + 4(s-1)/(k-1))` (halves up), so the lowest and
    highest groups stay 1 and 5.  The monetary score is reported but, as in
    the common grid, does not enter the segment name.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    Bult, J. R., & Wansbeek, T. (1995). Optimal selection for direct mail.
    *Marketing Science*, 14(4), 378-394.

    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: Using iso-value
    curves for customer base analysis. *Journal of Marketing Research*, 42(4), 415-430.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("cdnow_transactions")
    >>> table = crm.rfm(tx, "customer_id", "date", "amount", at="1998-07-01")
    >>> table.analysis_date
    Timestamp('1998-07-01 00:00:00')
    >>> row = table.loc[1]  # customer 1: one purchase, on 1 January 1997
    >>> float(row["recency"]), int(row["frequency"]), row["rfm_score"], row["segment"]
    (546.0, 1, '121', 'hibernating')
    """
    return _rfm(transactions, customer_col, date_col, amount_col, at, bins, engine, "rfm", "transactions")


def _quiet_duckdb():
    """A private in-memory DuckDB connection that prints no progress bar into the caller's output."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        # In Jupyter without ipywidgets DuckDB refuses to change any progress-bar setting; it shows no
        # bar there either, so there is nothing to switch off.
        pass
    return con


def _rfm(transactions: Any, customer_col: str, date_col: str, amount_col: str, at: Any, bins: Any, engine: str,
         func: str, name: str) -> RFMTable:
    engine = check_choice(engine, "engine", ["pandas", "duckdb"], func)
    if engine == "duckdb" and isinstance(transactions, pd.DataFrame) and _sql_ready_frame(
            transactions, customer_col, date_col, amount_col):
        con = _quiet_duckdb()
        try:
            # DuckDB scans the caller's columns in place: no checked copy of the log in pandas, and no
            # three-column copy either when the frame's names are plain and unique (the scan reads only the
            # three columns the query names)
            plain_names = transactions.columns.is_unique and all(isinstance(c, str) for c in transactions.columns)
            con.register("crm_rfm_input", transactions if plain_names
                         else transactions[[customer_col, date_col, amount_col]])
            out = _rfm_in_sql(con, "crm_rfm_input", customer_col, date_col, amount_col, at, bins, func)
        finally:
            con.close()
        if out is not None:
            out.index = pd.Index(out.index.to_numpy()).astype(transactions[customer_col].dtype)
            out.index.name = customer_col
            return out
    log = _log(transactions, customer_col, date_col, amount_col, func, at=at, name=name)
    # Default: the day after the last transaction, so the most recent buyers get recency 1 day rather than 0.
    now = log["date"].max().normalize() + pd.Timedelta(days=1) if at is None else check_date(at, "at", func)
    n_customers = log["customer"].nunique()
    bins = _check_bins(bins, n_customers, func)
    if engine == "duckdb":
        con = _quiet_duckdb()
        try:
            con.register("crm_rfm_log", log)
            out = _rfm_query(con, "crm_rfm_log", "customer", "date", "amount", now, bins)
        finally:
            con.close()
        # Same index dtype as the pandas path (DuckDB hands back e.g. object for string ids).
        out.index = pd.Index(out.index.to_numpy()).astype(log["customer"].dtype)
        out.index.name = customer_col
        return RFMTable.of(out, analysis_date=now)

    grouped = log.groupby("customer", sort=True)
    last = grouped["date"].max()
    out = pd.DataFrame(
        {
            "recency": ((now - last) / pd.Timedelta(days=1)).astype("float64"),
            "frequency": grouped.size().astype("int64"),
            # Rounded so that both engines, which add in different orders, rank equal totals as ties.
            "monetary": grouped["amount"].sum().astype("float64").round(_MONEY_DECIMALS),
        }
    )
    out.index.name = customer_col
    out["r_score"] = _scores(out["recency"].to_numpy(), bins, higher_is_better=False)
    out["f_score"] = _scores(out["frequency"].to_numpy(), bins, higher_is_better=True)
    out["m_score"] = _scores(out["monetary"].to_numpy(), bins, higher_is_better=True)
    return RFMTable.of(_with_segments(out, bins), analysis_date=now)


def _with_segments(out: pd.DataFrame, bins: int) -> pd.DataFrame:
    """Add rfm_score, rfm_sum and segment to the per-customer scores (both engines: one rule)."""
    # bins <= 9, so the three digits can be formed arithmetically (string concatenation is slow).
    out["rfm_score"] = (100 * out["r_score"] + 10 * out["f_score"] + out["m_score"]).astype("string")
    out["rfm_sum"] = out["r_score"] + out["f_score"] + out["m_score"]
    out["segment"] = pd.Series(
        _segments(out["r_score"].to_numpy(), out["f_score"].to_numpy(), bins), index=out.index
    ).astype("string")
    return out


_SQL_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
_SQL_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                     "UBIGINT", "FLOAT", "DOUBLE")


def _sql_ready_frame(data: pd.DataFrame, customer_col: str, date_col: str, amount_col: str) -> bool:
    """Whether a DataFrame's three columns have the types the in-database checks of :func:`_rfm_in_sql` cover."""
    try:
        ids, dates, amounts = data[customer_col], data[date_col], data[amount_col]
    except (KeyError, TypeError):
        return False
    if any(isinstance(col, pd.DataFrame) for col in (ids, dates, amounts)):
        return False  # a repeated column name: the checked path names it
    naive_dates = pd.api.types.is_datetime64_dtype(dates.dtype) and getattr(dates.dtype, "tz", None) is None
    return (naive_dates and pd.api.types.is_numeric_dtype(amounts.dtype)
            and not pd.api.types.is_bool_dtype(amounts.dtype)
            and (pd.api.types.is_integer_dtype(ids.dtype) or pd.api.types.is_string_dtype(ids.dtype))
            and ids.dtype != object)


def _rfm_in_sql(con, table: str, customer_col: str, date_col: str, amount_col: str, at: Any, bins: Any,
                func: str) -> RFMTable | None:
    """RFM run where the data are, when one aggregate query shows the log passes every transaction check.

    The checks of :func:`crm_research.core.transactions.check_transactions` (ids and dates present, amounts
    present, finite, not negative and summable, dates from 1800 on and not after today or ``at``) are
    evaluated as aggregates in DuckDB; only when all hold does the RFM query run on the table itself, so
    the log is never copied into pandas (that copy cost more time and memory than the query). Anything
    else returns None and the caller takes the checked path, which reports the fault with its rows.
    """
    kinds = {row[0]: str(row[1]).upper() for row in con.execute(f"DESCRIBE {table}").fetchall()}
    id_type, date_type, amount_type = (kinds.get(customer_col, ""), kinds.get(date_col, ""),
                                       kinds.get(amount_col, ""))
    if (date_type not in _SQL_DATE_TYPES or not (amount_type in _SQL_NUMBER_TYPES or amount_type.startswith("DECIMAL"))
            or not (id_type in _SQL_NUMBER_TYPES or id_type == "VARCHAR")):
        return None
    c, d, a = _quote(customer_col), _quote(date_col), _quote(amount_col)
    blank = f"COUNT(*) FILTER (WHERE trim({c}) = '')" if id_type == "VARCHAR" else "0"
    n, n_id, n_date, n_amount, n_blank, first, last, low, big, bad = con.execute(f"""
        SELECT COUNT(*), COUNT({c}), COUNT({d}), COUNT({a}), {blank}, MIN({d}), MAX({d}),
               MIN(CAST({a} AS DOUBLE)), MAX(ABS(CAST({a} AS DOUBLE))),
               COUNT(*) FILTER (WHERE isnan(CAST({a} AS DOUBLE)) OR isinf(CAST({a} AS DOUBLE)))
        FROM {table}""").fetchone()
    if not n or not (n == n_id == n_date == n_amount) or n_blank or bad or low < 0:
        return None
    if not np.isfinite(float(big) ** 2 * n):
        return None
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() + pd.Timedelta(days=2)
    if first.year < 1800 or last >= today:
        return None
    if at is None:
        now = last.normalize() + pd.Timedelta(days=1)
    else:
        now = check_date(at, "at", func)
        if not first <= last <= now:
            return None
    # the number of customers is the length of the aggregate: no COUNT(DISTINCT) pass over the log
    bins = check_int(bins, "bins", func, min_value=2, max_value=9)
    out = _rfm_query(con, table, customer_col, date_col, amount_col, now, bins)
    _check_bins(bins, len(out), func)
    out.index.name = customer_col
    return RFMTable.of(out, analysis_date=now)


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _rfm_query(con, table: str, customer: str, date: str, amount: str, now: pd.Timestamp, bins: int) -> pd.DataFrame:
    """The per-customer aggregates in the database, then the scores by the pandas engine's own rule.

    The log (millions of rows) is reduced where it is; the scores of the customers (one row each) are
    :func:`_scores` in numpy, which is faster than the same tie rule as window functions in DuckDB (a
    ``COUNT(*) OVER (PARTITION BY x)`` per score cost more than the aggregation) and is one rule, not two.
    """
    c, d, a = _quote(customer), _quote(date), _quote(amount)
    now_sql = f"TIMESTAMP '{now.strftime('%Y-%m-%d %H:%M:%S.%f')}'"
    columns = con.execute(f"""
        SELECT {c} AS customer,
               CAST(epoch_us({now_sql} - MAX(CAST({d} AS TIMESTAMP))) AS DOUBLE) / 86400000000.0 AS recency,
               CAST(COUNT(*) AS BIGINT) AS frequency,
               ROUND(CAST(SUM(CAST({a} AS DOUBLE)) AS DOUBLE), {_MONEY_DECIMALS}) AS monetary
        FROM {table}
        GROUP BY {c}
        ORDER BY {c}
    """).fetchnumpy()
    out = pd.DataFrame({"recency": np.asarray(columns["recency"], dtype="float64"),
                        "frequency": np.asarray(columns["frequency"], dtype="int64"),
                        "monetary": np.asarray(columns["monetary"], dtype="float64")},
                       index=pd.Index(np.asarray(columns["customer"]), name="customer"))
    out["r_score"] = _scores(out["recency"].to_numpy(), bins, higher_is_better=False)
    out["f_score"] = _scores(out["frequency"].to_numpy(), bins, higher_is_better=True)
    out["m_score"] = _scores(out["monetary"].to_numpy(), bins, higher_is_better=True)
    return _with_segments(out, bins)


@renamed_arguments(now="at")
@positional_options
def rfm_sql(
    con_or_data: Any,
    *,
    table: str | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    at: Any = None,
    bins: int = 5,
) -> RFMTable:
    """RFM computed as one DuckDB SQL query, over a DataFrame or a table of a DuckDB database.

    Parameters
    ----------
    con_or_data : pandas.DataFrame, duckdb.DuckDBPyConnection or CustomerDatabase
        A transaction log, an open DuckDB connection that holds the table named by
        ``table``, or any object with a DuckDB ``connection`` attribute, such as
        :class:`crm_research.CustomerDatabase`.
    table : str, optional
        Table (or view) name, required with a connection; ``schema.table`` is allowed.
        For a customer database it defaults to ``"transactions"``.
    customer_col, date_col, amount_col, at, bins
        As in :func:`rfm` (``at`` was called ``now`` before 0.2).

    Returns
    -------
    RFMTable
        Exactly the table :func:`rfm` returns (same columns, scores and segments).

    Notes
    -----
    The log is aggregated to one row per customer in DuckDB; the scores then follow the tie rule of
    :func:`rfm` (``(2 * min_rank + n_tied - 2) * k // (2 * n) + 1``) on those rows.
    A database table is checked by the rules of :func:`rfm` before the query runs:
    missing customers, unreadable dates and missing or negative amounts are
    counted and reported with example row numbers (from 0, in the table's order).

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    Examples
    --------
    >>> import duckdb, crm_research as crm
    >>> con = duckdb.connect()
    >>> con = con.register("tx", crm.load_dataset("cdnow_transactions"))
    >>> crm.rfm_sql(con, table="tx", date_col="date")[["recency", "frequency", "monetary", "segment"]].head(3)
                 recency  frequency  monetary      segment
    customer_id
    1              546.0          1     11.77  hibernating
    2              535.0          2     89.00      at risk
    3               34.0          6    156.46    champions
    """
    func = "rfm_sql"
    if isinstance(con_or_data, pd.DataFrame):
        return _rfm(con_or_data, customer_col, date_col, amount_col, at, bins, "duckdb", func, "transactions")
    import duckdb

    inner = getattr(con_or_data, "connection", None)
    if isinstance(inner, duckdb.DuckDBPyConnection):  # a CustomerDatabase (duck-typed: no import needed)
        con_or_data = inner
        table = "transactions" if table is None else table
    if not isinstance(con_or_data, duckdb.DuckDBPyConnection):
        raise CRMInputError(
            f"The 'con_or_data' parameter of {func} must be a pandas DataFrame, a duckdb connection or a "
            "CustomerDatabase. "
            f"Got {type(con_or_data).__name__} instead."
        )
    con = con_or_data
    if not isinstance(table, str) or not _IDENT.match(table):
        raise CRMInputError(
            f"The 'table' parameter of {func} must name a table of the connection (letters, digits, '_', "
            f"optionally 'schema.table'). Got {table!r} instead."
        )
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    except duckdb.Error:
        raise CRMInputError(f"The 'table' parameter of {func} names {table!r}, which the connection does not hold.") \
            from None
    check_columns(pd.DataFrame(columns=columns), [customer_col, date_col, amount_col], name="columns", func=func,
                  params=["customer_col", "date_col", "amount_col"])
    # A clean, typed table is checked and scored in the database; otherwise the three columns are read and
    # checked by the same rules as a DataFrame (row labels count from 0, in the table's order), which names
    # the faulty rows, and the query then runs on the checked log.
    out = _rfm_in_sql(con, table, customer_col, date_col, amount_col, at, bins, func)
    if out is not None:
        return out
    log = con.execute(f"SELECT {_quote(customer_col)}, {_quote(date_col)}, {_quote(amount_col)} FROM {table}").df()
    return _rfm(log, customer_col, date_col, amount_col, at, bins, "duckdb", func, table)


# --------------------------------------------------------------------------- BTYD summary


def calibration_cut(calibration_end: Any, first_date: pd.Timestamp, last_date: pd.Timestamp,
                    obs_end: pd.Timestamp, func: str) -> pd.Timestamp:
    """The calibration end of a BTYD summary (``obs_end`` when none is given), checked once for every engine.

    It must lie inside the data and before the last transaction: a holdout period after the data
    would hold no purchases, and every holdout comparison would silently read zeros.
    """
    if calibration_end is None:
        return obs_end
    cal_end = check_date(calibration_end, "calibration_end", func)
    if cal_end < first_date.normalize() or cal_end > obs_end:
        raise CRMInputError(
            f"The 'calibration_end' parameter of {func} ({cal_end.date()}) must lie between the first "
            f"transaction ({first_date.date()}) and the observation end ({obs_end.date()}): the holdout "
            "period has to lie inside the data.")
    if cal_end >= last_date.normalize():
        raise CRMInputError(
            f"The 'calibration_end' parameter of {func} ({cal_end.date()}) is on or after the last transaction "
            f"({last_date.date()}), so the holdout period holds no transactions: the holdout period has to lie "
            "inside the data. Choose an earlier calibration_end.")
    return cal_end


@positional_options
def summarize_transactions(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    *,
    calibration_end: Any = None,
    observation_end: Any = None,
    time_unit: str = "W",
    same_day_as_one: bool = True,
) -> TransactionSummary:
    """Frequency, recency, age and average repeat spend per customer (buy-till-you-die conventions).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase.  It is not modified.
    customer_col, date_col : str
        Customer id and purchase date columns.
    amount_col : str or None
        Amount column; ``None`` leaves out the monetary columns.
    calibration_end : date-like, optional
        End (inclusive) of the calibration period.  Without it, the whole log is the
        calibration period and it ends at ``observation_end``.  With it, purchases
        after it form the holdout period and customers whose first purchase comes
        after it are left out (they were not yet customers; their number is in
        ``result.n_new_in_holdout``).
    observation_end : date-like, optional
        End (inclusive) of the observation period, i.e. the analysis date; default:
        the last transaction date.  A transaction after it is an error.
    time_unit : {"W", "D", "M"}
        Unit of ``recency`` and ``T``: weeks (as in Fader, Hardie & Lee 2005), days,
        or average months (30.44 days).
    same_day_as_one : bool, default True
        Count several transactions of a customer on one day as one purchase, with
        their amounts added.  This is how the CDNOW summary of Fader, Hardie & Lee
        (2005) was built (it reproduces their 2,357-customer table exactly) and what
        the ``lifetimes`` package does; ``False`` counts every row.

    Returns
    -------
    TransactionSummary
        A DataFrame with one row per customer, indexed by the customer id, sorted by it:

        - ``frequency``: number of *repeat* purchases in the calibration period
          (all purchases minus the first);
        - ``recency``: time from the first to the last purchase (0 if no repeat purchase);
        - ``T``: time from the first purchase to the end of the calibration period;
        - ``monetary_value``: mean amount of the repeat purchases (0 if there are none;
          the first purchase is excluded, as in the Gamma-Gamma model);
        - with ``calibration_end``: ``frequency_holdout`` (purchases in the holdout
          period), ``monetary_value_holdout`` (their mean amount, 0 if none) and
          ``duration_holdout`` (length of the holdout period, in ``time_unit``).

        Its attributes ``time_unit``, ``days_per_unit``, ``calibration_end``,
        ``observation_end`` and ``n_new_in_holdout`` record how it was built;
        :func:`crm_research.fit_bgnbd` reads the time unit from it.

    Notes
    -----
    For customer :math:`i` with purchases at :math:`t_{i0} < t_{i1} \\le \\dots \\le t_{ix}`
    before the calibration end :math:`\\tau`:
    :math:`x = ` number of repeat purchases, :math:`t_x = t_{ix} - t_{i0}`,
    :math:`T = \\tau - t_{i0}` and :math:`\\bar z` is the mean amount of purchases
    1..x.  Times are day differences divided by the days in ``time_unit``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: An alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

    Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("cdnow_transactions")
    >>> s = crm.summarize_transactions(tx, "customer_id", "date", "amount", calibration_end="1997-09-30")
    """
    func = "summarize_transactions"
    time_unit = check_choice(time_unit, "time_unit", list(TIME_UNITS), func)
    same_day_as_one = check_bool(same_day_as_one, "same_day_as_one", func)
    log = _log(transactions, customer_col, date_col, amount_col, func, at=observation_end, at_name="observation_end")
    first_date, last_date = log["date"].min(), log["date"].max()
    obs_end = last_date if observation_end is None else check_date(observation_end, "observation_end", func)
    cal_end = calibration_cut(calibration_end, first_date, last_date, obs_end, func)
    if same_day_as_one:
        log = log.assign(date=log["date"].dt.normalize())
        log = log.groupby(["customer", "date"], sort=False, as_index=False)["amount"].sum()
    days = TIME_UNITS[time_unit]
    log = log.sort_values(["customer", "date"], kind="mergesort")
    cal = log[log["date"] <= cal_end]
    grouped = cal.groupby("customer", sort=True)
    first = grouped["date"].min()
    n_purchases = grouped.size()
    # The first purchase is the one that makes a customer: drop it from the monetary mean.
    first_row = ~cal.duplicated("customer", keep="first")
    repeats = cal[~first_row]
    repeat_amount = repeats.groupby("customer")["amount"].mean()
    unit = pd.Timedelta(days=days)
    out = pd.DataFrame(
        {
            "frequency": (n_purchases - 1).astype("int64"),
            "recency": ((grouped["date"].max() - first) / unit).astype("float64"),
            "T": ((cal_end - first) / unit).astype("float64"),
        }
    )
    if amount_col is not None:
        out["monetary_value"] = repeat_amount.reindex(out.index).fillna(0.0).astype("float64")
    n_new = 0
    if calibration_end is not None:
        hold = log[log["date"] > cal_end]
        n_new = int(hold.loc[~hold["customer"].isin(out.index), "customer"].nunique())
        hold = hold[hold["customer"].isin(out.index)]
        hg = hold.groupby("customer")
        out["frequency_holdout"] = hg.size().reindex(out.index).fillna(0).astype("int64")
        if amount_col is not None:
            out["monetary_value_holdout"] = hg["amount"].mean().reindex(out.index).fillna(0.0).astype("float64")
        out["duration_holdout"] = float((obs_end - cal_end) / unit)
    out.index.name = customer_col
    return TransactionSummary.of(out, time_unit=time_unit, days_per_unit=days, calibration_end=cal_end,
                                 observation_end=obs_end, n_new_in_holdout=n_new)
