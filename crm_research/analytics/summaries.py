"""Customer summaries written once and run where the data live: DuckDB (default), Apache Spark or a warehouse.

The per-customer tables every customer-base model starts from -- the buy-till-you-die
summary (frequency, recency, T, monetary value, with a calibration/holdout split),
the RFM values and scores, the customer overview, monthly KPIs (by the Gregorian or the
Solar Hijri calendar) and category transitions (cross-selling) -- are
aggregations of the order log.  A retailer with hundreds of millions of orders keeps
them in a warehouse or a Spark cluster; the aggregation must run there and only the
small per-customer table come back, to be fitted in numpy (:func:`crm_research.fit_bgnbd`
and its family).

The queries are written once as `Ibis <https://ibis-project.org>`_ expressions.  Ibis
compiles one expression to the SQL dialect of about twenty engines (DuckDB, Spark SQL,
BigQuery, Snowflake, PostgreSQL, ...), so the same code runs on all of them; the
alternatives were hand-written SQL per dialect (date arithmetic and window functions
differ) or the pandas API on Spark (Spark only).  DuckDB, embedded and without a
server, is the default engine.

``transactions`` may be

* a pandas DataFrame (checked by :func:`~crm_research.core.transactions.check_transactions`
  and run on an in-memory DuckDB);
* an Ibis table of any backend;
* a Spark DataFrame (run on its session);
* the name of a table, with ``con`` a DuckDB connection, an Ibis backend or a
  SparkSession.

Each function returns the same pandas table as its pandas counterpart
(:func:`crm_research.summarize_transactions`, :func:`crm_research.rfm`), tested on the
sample company on DuckDB and on Spark in local mode.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from crm_research.analytics.rfm import (
    _MONEY_DECIMALS,
    TIME_UNITS,
    RFMTable,
    TransactionSummary,
    _check_bins,
    _scores,
    _segments,
    calibration_cut,
)
from crm_research.core.calendar import jalali_period
from crm_research.core.errors import CRMInputError
from crm_research.core.transactions import check_date, check_transactions
from crm_research.core.validation import check_choice, closest_names, examples_of

__all__ = ["btyd_summary", "rfm_summary", "customer_overview", "monthly_kpis", "category_transitions"]

_views = itertools.count()


# --------------------------------------------------------------------------- the engine


def _is_spark(obj: Any, kind: str) -> bool:
    cls = type(obj)
    return cls.__module__.startswith("pyspark") and cls.__name__ == kind


def _backend(con: Any, func: str):
    """An Ibis backend for ``con`` (None: a new in-memory DuckDB)."""
    import ibis

    if con is None:
        return ibis.duckdb.connect()
    if isinstance(con, ibis.BaseBackend):
        return con
    if _is_spark(con, "SparkSession"):
        return ibis.pyspark.connect(con)
    if type(con).__module__.startswith(("duckdb", "_duckdb")):
        return ibis.duckdb.from_connection(con)
    raise CRMInputError(f"The 'con' parameter of {func} must be a DuckDB connection, an Ibis backend or a "
                        f"SparkSession. Got {type(con).__name__} instead.")


def _source(transactions: Any, con: Any, cols: dict[str, str | None], func: str, **check):
    """(ibis table, backend) with the columns renamed to the roles of ``cols`` (customer, date, ...)."""
    import ibis

    needed = {role: col for role, col in cols.items() if col is not None}
    if isinstance(transactions, pd.DataFrame):
        if con is not None:
            raise CRMInputError(f"{func}: 'con' is for a table held by an engine; a pandas DataFrame runs on DuckDB "
                                "by itself. Pass the table's name with 'con', or leave 'con' out.")
        clean = check_transactions(transactions, customer_col=cols["customer"], date_col=cols["date"],
                                   amount_col=cols.get("amount"), func=func, **check)
        frame = pd.DataFrame({role: clean[col].to_numpy() for role, col in needed.items()})
        if "category" in frame:
            frame["category"] = frame["category"].astype(str)
        backend = _backend(None, func)
        return backend, ibis.memtable(frame)
    if isinstance(transactions, ibis.Table):
        table = transactions
        backend = transactions._find_backend() if con is None else _backend(con, func)
    elif _is_spark(transactions, "DataFrame"):
        name = f"crm_summary_{next(_views)}"
        transactions.createOrReplaceTempView(name)
        backend = _backend(transactions.sparkSession, func)
        table = backend.table(name)
    elif isinstance(transactions, str):
        if con is None:
            raise CRMInputError(f"{func}: a table name ({transactions!r}) needs 'con', the connection that holds it.")
        backend = _backend(con, func)
        raw = getattr(backend, "con", None) if backend.name == "duckdb" else None
        if raw is not None:
            # read the catalogue with DuckDB's own SQL: Ibis's list_tables/table need a DuckDB API that
            # DuckDB 2 removed (fetch_arrow_table); execution itself works on both
            present = [r[0] for r in raw.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        else:
            present = list(backend.list_tables())
        if transactions not in present:
            hint = closest_names(transactions, present)
            raise CRMInputError(
                f"{func}: the connection has no table {transactions!r}."
                + (f" Did you mean {hint[0]!r}?" if hint else "")
                + (f" Its tables: {examples_of(present, 12)}." if present else
                   " It holds no tables at all: connect to the database (or Spark session) where the orders are, "
                   "or register the order table in it first."))
        if raw is not None:
            from ibis.backends.sql.datatypes import DuckDBType

            quoted = '"' + transactions.replace('"', '""') + '"'  # an existing table's name, quoted
            schema = ibis.schema({r[0]: DuckDBType.from_string(r[1])
                                  for r in raw.execute(f"DESCRIBE {quoted}").fetchall()})
            table = ibis.table(schema, name=transactions)
        else:
            table = backend.table(transactions)
    else:
        raise CRMInputError(f"The 'transactions' parameter of {func} must be a pandas DataFrame, an Ibis table, a "
                            f"Spark DataFrame or a table name. Got {type(transactions).__name__} instead.")
    missing = [col for col in needed.values() if col not in table.columns]
    if missing:
        hint = closest_names(missing[0], list(table.columns))
        raise CRMInputError(f"{func}: the table has no column {missing[0]!r}."
                            + (f" Did you mean {hint[0]!r}?" if hint else "")
                            + f" Its columns: {examples_of(list(table.columns), 12)}.")
    table = table.select(**{role: table[col] for role, col in needed.items()})
    if not table["date"].type().is_temporal():
        raise CRMInputError(f"{func}: column {cols['date']!r} must hold dates or timestamps in the engine; it is "
                            f"{table['date'].type()}. Cast it there (e.g. TO_DATE) first.")
    table = table.mutate(date=table["date"].cast("timestamp"))
    if "category" in needed:
        table = table.mutate(category=table["category"].cast("string"))
    _check_engine_table(backend, table, cols, func)
    return backend, table


def _check_engine_table(backend, table, cols, func) -> None:
    """The checks of check_transactions that matter for a summary, as one aggregate query on the engine."""
    aggs = {"n": table.count(), "null_customer": table["customer"].isnull().sum(),
            "null_date": table["date"].isnull().sum()}
    if "amount" in table.columns:
        aggs["null_amount"] = table["amount"].isnull().sum()
        aggs["negative_amount"] = (table["amount"] < 0).sum()
    row = backend.execute(table.aggregate(**aggs)).iloc[0]
    if row["n"] == 0:
        raise CRMInputError(f"{func}: the transaction table is empty.")
    for key, role, what in (("null_customer", "customer", "missing customer id(s)"),
                            ("null_date", "date", "missing date(s)"), ("null_amount", "amount", "missing amount(s)"),
                            ("negative_amount", "amount", "negative amount(s) (net returns against their orders "
                                                          "first)")):
        if key in row and int(row[key] or 0):
            raise CRMInputError(f"{func}: column {cols[role]!r} has {int(row[key])} {what}; they are never dropped "
                                "silently.")


def _days(a, b):
    """Days from timestamp b to a, as a float expression (engine-neutral: epoch seconds)."""
    return (a.epoch_seconds() - b.epoch_seconds()).cast("float64") / 86400.0


def _date_range(backend, table) -> tuple[pd.Timestamp, pd.Timestamp]:
    row = backend.execute(table.aggregate(first=table["date"].min(), last=table["date"].max())).iloc[0]
    return pd.Timestamp(row["first"]).tz_localize(None), pd.Timestamp(row["last"]).tz_localize(None)


# --------------------------------------------------------------------------- BTYD summary


def btyd_summary(
    transactions: Any,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    *,
    calibration_end: Any = None,
    observation_end: Any = None,
    time_unit: str = "W",
    con: Any = None,
) -> TransactionSummary:
    """The buy-till-you-die summary of :func:`crm_research.summarize_transactions`, computed by the engine.

    Parameters
    ----------
    transactions : pandas.DataFrame, Ibis table, Spark DataFrame or str
        The order log, or the name of a table in ``con``.
    customer_col, date_col, amount_col : str
        Columns; ``amount_col=None`` leaves out the monetary columns.
    calibration_end, observation_end : date-like, optional
        As in :func:`~crm_research.summarize_transactions` (purchases of one customer
        on one day count as one purchase, their amounts added).
    time_unit : {"W", "D", "M"}, default "W"
    con : DuckDB connection, Ibis backend or SparkSession, optional
        The engine holding ``transactions`` when it is a table name.

    Returns
    -------
    TransactionSummary
        Equal to ``summarize_transactions`` on the same data: ``frequency``,
        ``recency``, ``T``, ``monetary_value`` and, with ``calibration_end``,
        ``frequency_holdout``, ``monetary_value_holdout``, ``duration_holdout``.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("sample_company").transactions
    >>> s = crm.btyd_summary(tx, calibration_end="2024-06-30")
    >>> bool((s - crm.summarize_transactions(tx, calibration_end="2024-06-30")).abs().max().max() < 1e-9)
    True

    On Spark (``spark`` a SparkSession holding a table ``orders``):
    ``crm.btyd_summary("orders", con=spark, calibration_end="2024-06-30")``.
    """
    func = "btyd_summary"
    time_unit = check_choice(time_unit, "time_unit", list(TIME_UNITS), func)
    backend, table = _source(transactions, con, {"customer": customer_col, "date": date_col, "amount": amount_col},
                             func, at=observation_end, at_name="observation_end")
    first_date, last_date = _date_range(backend, table)
    obs_end = last_date.normalize() if observation_end is None else check_date(observation_end, "observation_end",
                                                                               func)
    if last_date > obs_end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1):
        raise CRMInputError(f"{func}: the table has transactions after the observation end {obs_end.date()} (the "
                            f"latest on {last_date.date()}). Pass a later observation_end or filter the table.")
    cal_end = calibration_cut(calibration_end, first_date, last_date, obs_end, func)
    days = TIME_UNITS[time_unit]
    # one purchase per customer and day, amounts added
    day = table["date"].truncate("D")
    keys = {"customer": table["customer"], "day": day}
    daily = table.group_by(**keys).aggregate(
        **({"amount": table["amount"].sum()} if amount_col is not None else {"n_rows": table.count()}))
    cal = daily.filter(daily["day"] <= cal_end)
    per = cal.group_by("customer").aggregate(first=cal["day"].min(), last=cal["day"].max(), n=cal.count(),
                                             **({"total": cal["amount"].sum()} if amount_col is not None else {}))
    if amount_col is not None:
        firsts = cal.join(per, [cal["customer"] == per["customer"], cal["day"] == per["first"]]).select(
            customer=cal["customer"], first_amount=cal["amount"])
        per = per.join(firsts, "customer")
    fields = {"first": per["first"].cast("date"), "last": per["last"].cast("date"), "n": per["n"]}
    if amount_col is not None:
        fields["repeat_total"] = per["total"] - per["first_amount"]
    if calibration_end is not None:
        hold = daily.filter((daily["day"] > cal_end) & (daily["day"] <= obs_end))
        hold_agg = hold.group_by("customer").aggregate(
            frequency_holdout=hold.count(),
            **({"monetary_value_holdout": hold["amount"].mean()} if amount_col is not None else {}))
        new = hold.anti_join(per, "customer").select("customer").distinct().count()
    # Dates come back as calendar dates and the arithmetic is done here: epoch arithmetic in the engine would
    # depend on the session's time zone (Spark) and its daylight-saving shifts.
    got = backend.execute(per.select(customer=per["customer"], **fields)).set_index("customer").sort_index()
    first, last = pd.to_datetime(got["first"]), pd.to_datetime(got["last"])
    unit = pd.Timedelta(days=days)
    out = pd.DataFrame({"frequency": (got["n"] - 1).astype("int64"),
                        "recency": ((last - first) / unit).astype("float64"),
                        "T": ((cal_end - first) / unit).astype("float64")}, index=got.index)
    out.index.name = customer_col
    if amount_col is not None:
        repeats = got["repeat_total"].astype("float64")
        out["monetary_value"] = np.where(out["frequency"] > 0, repeats / out["frequency"].clip(lower=1), 0.0)
    n_new = 0
    if calibration_end is not None:
        hold_df = backend.execute(hold_agg).set_index("customer")
        out["frequency_holdout"] = hold_df["frequency_holdout"].reindex(out.index).fillna(0).astype("int64")
        if amount_col is not None:
            out["monetary_value_holdout"] = hold_df["monetary_value_holdout"].reindex(out.index).fillna(0.0).astype(
                "float64")
        out["duration_holdout"] = float((obs_end - cal_end) / pd.Timedelta(days=days))
        n_new = int(backend.execute(new))
    return TransactionSummary.of(out, time_unit=time_unit, days_per_unit=days, calibration_end=cal_end,
                                 observation_end=obs_end, n_new_in_holdout=n_new)


# --------------------------------------------------------------------------- RFM


def rfm_summary(
    transactions: Any,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    *,
    at: Any = None,
    bins: int = 5,
    con: Any = None,
) -> RFMTable:
    """RFM values computed by the engine and scored as :func:`crm_research.rfm` scores them.

    Recency (days from the last order to ``at``), frequency (orders) and monetary
    value (total spend) are aggregated where the data live; the per-customer table
    comes back and is scored into ``bins`` quantile groups and named segments with
    the same rules as ``crm.rfm`` (so the two tables are equal).

    Parameters
    ----------
    transactions : pandas.DataFrame, Ibis table, Spark DataFrame or str
    customer_col, date_col, amount_col : str
    at : date-like, optional
        The analysis date; default the day after the last order.  Orders after it are
        an error.
    bins : int, default 5
    con : DuckDB connection, Ibis backend or SparkSession, optional

    Returns
    -------
    RFMTable
        As :func:`crm_research.rfm`.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("sample_company").transactions
    >>> crm.rfm_summary(tx).equals(crm.rfm(tx))
    True
    """
    func = "rfm_summary"
    backend, table = _source(transactions, con, {"customer": customer_col, "date": date_col, "amount": amount_col},
                             func, at=at)
    first_date, last_date = _date_range(backend, table)
    now = last_date.normalize() + pd.Timedelta(days=1) if at is None else check_date(at, "at", func)
    if last_date > now:
        raise CRMInputError(f"The 'at' parameter of {func} ({now}) is before some transactions (the latest on "
                            f"{last_date}). Pass a later 'at', or filter the table to the orders on or before it.")
    if first_date > now:
        raise CRMInputError(f"The 'at' parameter of {func} ({now.date()}) is before the first transaction.")
    agg = table.group_by("customer").aggregate(last=table["date"].max(), frequency=table.count(),
                                               monetary=table["amount"].sum())
    got = backend.execute(agg).set_index("customer").sort_index()
    bins = _check_bins(bins, len(got), func)
    out = pd.DataFrame({
        "recency": ((now - pd.to_datetime(got["last"]).dt.tz_localize(None)) / pd.Timedelta(days=1)).astype("float64"),
        "frequency": got["frequency"].astype("int64"),
        "monetary": got["monetary"].astype("float64").round(_MONEY_DECIMALS),
    }, index=got.index)
    out.index.name = customer_col
    out["r_score"] = _scores(out["recency"].to_numpy(), bins, higher_is_better=False)
    out["f_score"] = _scores(out["frequency"].to_numpy(), bins, higher_is_better=True)
    out["m_score"] = _scores(out["monetary"].to_numpy(), bins, higher_is_better=True)
    out["rfm_score"] = (100 * out["r_score"] + 10 * out["f_score"] + out["m_score"]).astype("string")
    out["rfm_sum"] = out["r_score"] + out["f_score"] + out["m_score"]
    out["segment"] = pd.Series(_segments(out["r_score"].to_numpy(), out["f_score"].to_numpy(), bins),
                               index=out.index).astype("string")
    return RFMTable.of(out, analysis_date=now)


# --------------------------------------------------------------------------- overview, KPIs, transitions


def customer_overview(
    transactions: Any,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    category_col: str | None = "category",
    *,
    con: Any = None,
) -> pd.DataFrame:
    """One row per customer: ``first_order``, ``last_order``, ``orders``, ``revenue`` (and ``categories``).

    The order part of the ``customer_overview`` view of :class:`~crm_research.CustomerDatabase`,
    computed by the engine.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("sample_company").transactions
    >>> crm.customer_overview(tx).columns.tolist()
    ['first_order', 'last_order', 'orders', 'revenue', 'categories']
    """
    func = "customer_overview"
    backend, table = _source(transactions, con, {"customer": customer_col, "date": date_col, "amount": amount_col,
                                                 "category": category_col}, func)
    aggs = {"first_order": table["date"].min(), "last_order": table["date"].max(), "orders": table.count(),
            "revenue": table["amount"].sum()}
    if category_col is not None:
        aggs["categories"] = table["category"].nunique()
    out = backend.execute(table.group_by("customer").aggregate(**aggs)).set_index("customer").sort_index()
    out.index.name = customer_col
    for col in ("first_order", "last_order"):
        out[col] = pd.to_datetime(out[col]).dt.tz_localize(None).astype("datetime64[ns]")
    out["orders"] = out["orders"].astype("int64")
    out["revenue"] = out["revenue"].astype("float64")
    if category_col is not None:
        out["categories"] = out["categories"].astype("int64")
    return out


def monthly_kpis(
    transactions: Any,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    *,
    calendar: str = "gregorian",
    con: Any = None,
) -> pd.DataFrame:
    """Orders, revenue, active and new customers per month, by the Gregorian or the Solar Hijri calendar.

    Parameters
    ----------
    transactions : pandas.DataFrame, Ibis table, Spark DataFrame or str
    customer_col, date_col, amount_col : str
    calendar : {"gregorian", "jalali"}, default "gregorian"
        ``"jalali"`` reports by Solar Hijri month (``1403-05`` = Mordad 1403): the
        engine maps each distinct day to its month through a small table made
        here, so only the days, not the orders, leave the engine.
    con : DuckDB connection, Ibis backend or SparkSession, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by ``month`` (the first day, or the Solar Hijri label): ``orders``,
        ``revenue``, ``active_customers``, ``new_customers`` (first order that month),
        as the ``monthly_kpis`` view of :class:`~crm_research.CustomerDatabase`.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("sample_company").transactions
    >>> crm.monthly_kpis(tx, calendar="jalali").index[:2].tolist()
    ['1400-10', '1400-11']
    """
    import ibis

    func = "monthly_kpis"
    calendar = check_choice(calendar, "calendar", ["gregorian", "jalali"], func)
    backend, table = _source(transactions, con, {"customer": customer_col, "date": date_col, "amount": amount_col},
                             func)
    if calendar == "gregorian":
        table = table.mutate(month=table["date"].truncate("M").cast("date"))
    else:
        day = table["date"].truncate("D").cast("date")
        table = table.mutate(day=day)
        days = backend.execute(table.select("day").distinct())["day"]
        mapping = pd.DataFrame({"day": pd.to_datetime(days).dt.date.to_numpy(),
                                "month": jalali_period(pd.to_datetime(days), freq="M")["period"].to_numpy()})
        lookup = ibis.memtable(mapping, schema={"day": "date", "month": "string"})
        table = table.join(lookup, "day")
    first = table.group_by("customer").aggregate(first_month=table["month"].min())
    joined = table.join(first, "customer")
    out = backend.execute(joined.group_by("month").aggregate(
        orders=joined.count(), revenue=joined["amount"].sum(), active_customers=joined["customer"].nunique(),
        new_customers=joined["customer"].nunique(where=joined["month"] == joined["first_month"]),
    )).set_index("month").sort_index()
    if calendar == "gregorian":
        out.index = pd.DatetimeIndex(pd.to_datetime(out.index), name="month")
    for col in ("orders", "active_customers", "new_customers"):
        out[col] = out[col].astype("int64")
    out["revenue"] = out["revenue"].astype("float64")
    return out


def category_transitions(
    transactions: Any,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    category_col: str = "category",
    *,
    order_col: str | None = None,
    con: Any = None,
) -> pd.DataFrame:
    """Cross-selling: how often a customer's next order is in each category, given the category of this one.

    Orders of a customer are put in date order (``order_col`` breaks ties of one day;
    without it, ties are broken by category, so the count does not depend on the
    engine's row order) and each consecutive pair counts one transition.

    Returns
    -------
    pandas.DataFrame
        Long table ``from_category``, ``to_category``, ``transitions`` and
        ``share`` (of the transitions leaving ``from_category``): the empirical
        transition matrix of the next-category model.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("sample_company").transactions
    >>> t = crm.category_transitions(tx, order_col="order_id")
    >>> bool(abs(t.groupby("from_category")["share"].sum() - 1).max() < 1e-12)
    True
    """
    import ibis

    func = "category_transitions"
    cols = {"customer": customer_col, "date": date_col, "category": category_col, "order": order_col}
    backend, table = _source(transactions, con, cols, func)
    order_by = [table["date"]] + ([table["order"]] if order_col is not None else [table["category"]])
    window = ibis.window(group_by=table["customer"], order_by=order_by)
    steps = table.mutate(to_category=table["category"].lead().over(window))
    steps = steps.filter(steps["to_category"].notnull())
    counts = backend.execute(steps.group_by(from_category=steps["category"], to_category=steps["to_category"])
                             .aggregate(transitions=steps.count()))
    counts = counts.sort_values(["from_category", "to_category"], kind="mergesort").reset_index(drop=True)
    counts["transitions"] = counts["transitions"].astype("int64")
    counts["share"] = counts["transitions"] / counts.groupby("from_category")["transitions"].transform("sum")
    return counts
