"""RFM scoring and the transaction summary: hand-worked cases, SQL = pandas, and bad input."""

import duckdb
import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError


@pytest.fixture
def tiny():
    # Worked by hand below (now = 2024-01-11, quintiles).
    return pd.DataFrame(
        {
            "cust": ["A", "A", "B", "C", "C", "C", "D", "E", "E"],
            "day": ["2024-01-10", "2024-01-05", "2024-01-01", "2024-01-09", "2024-01-08", "2024-01-02",
                    "2023-12-01", "2024-01-03", "2024-01-04"],
            "paid": [10.0, 20.0, 5.0, 100.0, 50.0, 50.0, 40.0, 15.0, 15.0],
        }
    )


@pytest.fixture(scope="module")
def cdnow():
    return crm.load_dataset("cdnow_transactions")


def test_rfm_by_hand(tiny):
    out = crm.rfm(tiny, "cust", "day", "paid", at="2024-01-11")
    assert out.index.name == "cust" and list(out.index) == ["A", "B", "C", "D", "E"]
    assert out["recency"].tolist() == [1.0, 10.0, 2.0, 41.0, 7.0]
    assert out["frequency"].tolist() == [2, 1, 3, 1, 2]
    assert out["monetary"].tolist() == [30.0, 5.0, 200.0, 40.0, 30.0]
    # No ties in recency: scores are the ranks.  Frequency ties B = D (ranks 1-2) share
    # floor((2*1 + 2 - 2) * 5 / 10) + 1 = 2; A = E (ranks 3-4) share 4.
    assert out["r_score"].tolist() == [5, 2, 4, 1, 3]
    assert out["f_score"].tolist() == [4, 2, 5, 2, 4]
    assert out["m_score"].tolist() == [3, 1, 5, 4, 3]
    assert out["rfm_score"].tolist() == ["543", "221", "455", "124", "343"]
    assert out["rfm_sum"].tolist() == [12, 5, 14, 7, 10]
    assert out["segment"].tolist() == ["champions", "hibernating", "loyal customers", "hibernating",
                                       "loyal customers"]
    assert isinstance(out, crm.RFMTable) and out.analysis_date == pd.Timestamp("2024-01-11")
    assert not out.attrs  # the analysis date is declared, not hidden in attrs
    # a selection of rows still knows its analysis date
    assert out[out["segment"] == "champions"].analysis_date == pd.Timestamp("2024-01-11")


def test_default_at_is_the_day_after_the_last_purchase(tiny):
    out = crm.rfm(tiny, "cust", "day", "paid")
    assert out.analysis_date == pd.Timestamp("2024-01-11")
    assert out.loc["A", "recency"] == 1.0


def test_old_argument_name_now_still_works_with_a_future_warning(tiny):
    with pytest.warns(FutureWarning, match="'now' is now called 'at'"):
        old = crm.rfm(tiny, "cust", "day", "paid", now="2024-01-11")
    pd.testing.assert_frame_equal(old, crm.rfm(tiny, "cust", "day", "paid", at="2024-01-11"))
    with pytest.warns(FutureWarning):
        crm.rfm_sql(tiny, customer_col="cust", date_col="day", amount_col="paid", now="2024-01-11")


def test_scores_without_ties_form_equal_groups():
    rng = np.random.default_rng(1)
    tx = pd.DataFrame({"c": np.arange(1000), "d": pd.Timestamp("2024-01-01")
                       + pd.to_timedelta(rng.permutation(1000), unit="D"),
                       "a": rng.permutation(1000) + 1.0})
    out = crm.rfm(tx, "c", "d", "a", bins=5)
    assert out["r_score"].value_counts().tolist() == [200] * 5
    assert out["m_score"].value_counts().tolist() == [200] * 5
    # the cut matches pandas.qcut of the ranks
    q = pd.qcut(out["monetary"].rank(), 5, labels=False) + 1
    assert (q.to_numpy() == out["m_score"].to_numpy()).all()
    # all frequencies tie at 1: one shared score
    assert out["f_score"].nunique() == 1


def test_segment_rules_partition_the_grid():
    seg = crm.RFM_SEGMENTS
    cells = set()
    for row in seg.itertuples():
        for r in range(row.r_low, row.r_high + 1):
            for f in range(row.f_low, row.f_high + 1):
                assert (r, f) not in cells
                cells.add((r, f))
    assert len(cells) == 25
    assert {"champions", "loyal customers", "at risk", "hibernating"} <= set(seg["segment"])
    assert seg["segment_fa"].str.len().gt(0).all()


def test_duckdb_engine_equals_pandas(cdnow):
    a = crm.rfm(cdnow, "customer_id", "date", "amount")
    b = crm.rfm(cdnow, "customer_id", "date", "amount", engine="duckdb")
    # exactly equal, not just close: summation order must not change any tie or score
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True)
    assert a.equals(b) and a.index.dtype == b.index.dtype
    assert len(a) == 23570


def test_duckdb_engine_equals_pandas_with_many_ties_and_other_bins():
    rng = np.random.default_rng(7)
    n = 20_000
    tx = pd.DataFrame({"c": rng.integers(0, 3000, n).astype(str),
                       "d": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
                       "a": rng.choice([0.1, 0.2, 0.3, 9.99, 19.99], n)})
    for bins in (2, 3, 4, 5, 9):
        a = crm.rfm(tx, "c", "d", "a", bins=bins)
        b = crm.rfm(tx, "c", "d", "a", bins=bins, engine="duckdb")
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True)


@pytest.mark.parametrize("bins, five", [(2, [1, 5]), (3, [1, 3, 5]), (4, [1, 2, 4, 5]), (5, [1, 2, 3, 4, 5]),
                                        (9, [1, 2, 2, 3, 3, 4, 4, 5, 5])])
def test_scores_map_onto_the_five_point_segment_grid(bins, five):
    from crm_research.analytics.rfm import _to_five

    assert _to_five(np.arange(1, bins + 1), bins).tolist() == five


def test_quartile_scores_still_find_champions():
    rng = np.random.default_rng(3)
    n = 4000
    tx = pd.DataFrame({"c": rng.integers(0, 800, n),
                       "d": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
                       "a": rng.gamma(2.0, 10.0, n)})
    out = crm.rfm(tx, "c", "d", "a", bins=4)
    top = out[(out["r_score"] == 4) & (out["f_score"] == 4)]
    assert len(top) > 0 and (top["segment"] == "champions").all()


def test_rfm_sql_on_a_connection_table(tiny):
    con = duckdb.connect()
    con.register("src", tiny)
    con.execute("CREATE TABLE orders AS SELECT cust, CAST(day AS DATE) AS day, paid FROM src")
    out = crm.rfm_sql(con, table="orders", customer_col="cust", date_col="day", amount_col="paid", at="2024-01-11")
    ref = crm.rfm(tiny, "cust", "day", "paid", at="2024-01-11")
    pd.testing.assert_frame_equal(out, ref)
    # and with a DataFrame it runs through DuckDB as well
    pd.testing.assert_frame_equal(crm.rfm_sql(tiny, customer_col="cust", date_col="day", amount_col="paid"),
                                  crm.rfm(tiny, "cust", "day", "paid"))


def test_rfm_sql_on_a_customer_database_like_object(tiny):
    class Database:  # what crm.CustomerDatabase offers: a DuckDB `connection` with a transactions table
        def __init__(self):
            self.connection = duckdb.connect()
            self.connection.register("src", tiny.rename(columns={"cust": "customer_id", "day": "order_date",
                                                                 "paid": "amount"}))
            self.connection.execute("CREATE TABLE transactions AS SELECT * FROM src")

    out = crm.rfm_sql(Database(), at="2024-01-11")
    ref = crm.rfm(tiny, "cust", "day", "paid", at="2024-01-11")
    assert out["rfm_score"].tolist() == ref["rfm_score"].tolist()
    assert out["segment"].tolist() == ref["segment"].tolist()
    with pytest.raises(CRMInputError, match="'con_or_data' parameter"):
        crm.rfm_sql([1, 2, 3], table="t")


def test_rfm_sql_reports_bad_rows_and_tables(tiny):
    con = duckdb.connect()
    bad = tiny.copy()
    bad.loc[[2, 4], "paid"] = -1.0
    con.register("bad", bad)
    with pytest.raises(CRMInputError, match="2 negative amount"):
        crm.rfm_sql(con, table="bad", customer_col="cust", date_col="day", amount_col="paid")
    with pytest.raises(CRMInputError, match="does not hold"):
        crm.rfm_sql(con, table="nope", customer_col="cust", date_col="day", amount_col="paid")
    with pytest.raises(CRMInputError, match="'table' parameter"):
        crm.rfm_sql(con, table="x; DROP TABLE y", customer_col="cust", date_col="day", amount_col="paid")
    con.register("good", tiny)
    with pytest.raises(CRMInputError, match="before the first transaction"):
        crm.rfm_sql(con, table="good", customer_col="cust", date_col="day", amount_col="paid", at="2020-01-01")
    with pytest.raises(CRMInputError, match="'paidx'"):
        crm.rfm_sql(con, table="good", customer_col="cust", date_col="day", amount_col="paidx")


def test_input_is_not_modified(tiny):
    before = tiny.copy()
    crm.rfm(tiny, "cust", "day", "paid")
    crm.summarize_transactions(tiny, "cust", "day", "paid", calibration_end="2024-01-05")
    pd.testing.assert_frame_equal(tiny, before)


# --------------------------------------------------------------------------- bad input


def test_unparseable_dates_are_reported_with_rows(tiny):
    bad = tiny.copy()
    bad.loc[[1, 6], "day"] = ["31/31/2024", "yesterday"]
    with pytest.raises(CRMInputError, match=r"2 value\(s\) that cannot be read as dates.*rows 1, 6"):
        crm.rfm(bad, "cust", "day", "paid")


def test_missing_and_negative_amounts_are_reported(tiny):
    bad = tiny.copy()
    bad.loc[3, "paid"] = np.nan
    with pytest.raises(CRMInputError, match=r"'paid'.*1 missing or infinite amount.*rows 3"):
        crm.rfm(bad, "cust", "day", "paid")
    bad = tiny.copy()
    bad.loc[[0, 5], "paid"] = [-10.0, -2.0]
    with pytest.raises(CRMInputError, match=r"2 negative amount.*-10.0.*rows 0, 5"):
        crm.summarize_transactions(bad, "cust", "day", "paid")
    bad = tiny.astype({"paid": object})
    bad.loc[2, "paid"] = "five"
    with pytest.raises(CRMInputError, match="'five'"):
        crm.rfm(bad, "cust", "day", "paid")


def test_mixed_customer_types_are_reported(tiny):
    bad = tiny.astype({"cust": object})
    bad.loc[[0, 1], "cust"] = 17
    with pytest.raises(CRMInputError, match=r"mixes types.*2 row\(s\).*rows 0, 1"):
        crm.rfm(bad, "cust", "day", "paid")


def test_at_before_the_data_is_reported(tiny):
    with pytest.raises(CRMInputError, match="'at' parameter of rfm .* before the first transaction"):
        crm.rfm(tiny, "cust", "day", "paid", at="2023-01-01")
    with pytest.raises(CRMInputError, match=r"before 5 transaction\(s\)"):
        crm.rfm(tiny, "cust", "day", "paid", at="2024-01-03")


def test_too_few_customers_for_bins(tiny):
    with pytest.raises(CRMInputError, match="asks for 6 score groups.*only 5 customer"):
        crm.rfm(tiny, "cust", "day", "paid", bins=6)
    with pytest.raises(CRMInputError, match="'bins' parameter"):
        crm.rfm(tiny, "cust", "day", "paid", bins=1)


def test_unknown_column_gets_a_hint(tiny):
    with pytest.raises(CRMInputError, match="Did you mean 'paid'"):
        crm.rfm(tiny, "cust", "day", "piad")


def test_yyyymmdd_integer_dates_are_read_as_dates():
    # before 0.2 rfm refused them; the lifecycle functions read them as nanoseconds since 1970
    tx = pd.DataFrame({"c": [1, 2], "d": [19970101, 19970102], "a": [1.0, 2.0]})
    out = crm.rfm(tx, "c", "d", "a", bins=2)
    assert out.analysis_date == pd.Timestamp("1997-01-03")
    assert out["recency"].tolist() == [2.0, 1.0]
    with pytest.raises(CRMInputError, match="'d'.*cannot be read as dates.*852076800.*yyyymmdd"):
        crm.rfm(tx.assign(d=[19970101, 852076800]), "c", "d", "a", bins=2)


# --------------------------------------------------------------------------- summarize_transactions


def test_summary_by_hand(tiny):
    s = crm.summarize_transactions(tiny, "cust", "day", "paid", calibration_end="2024-01-05",
                                   observation_end="2024-01-12", time_unit="D")
    # D's first purchase is before the split; A, B, C, E too (all first purchases <= Jan 5).
    assert list(s.index) == ["A", "B", "C", "D", "E"]
    assert s["frequency"].tolist() == [0, 0, 0, 0, 1]
    assert s["recency"].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert s["T"].tolist() == [0.0, 4.0, 3.0, 35.0, 2.0]
    assert s["monetary_value"].tolist() == [0.0, 0.0, 0.0, 0.0, 15.0]  # first purchase excluded
    assert s["frequency_holdout"].tolist() == [1, 0, 2, 0, 0]
    assert s["monetary_value_holdout"].tolist() == [10.0, 0.0, 75.0, 0.0, 0.0]
    assert (s["duration_holdout"] == 7.0).all()
    assert isinstance(s, crm.TransactionSummary) and s.time_unit == "D" and s.days_per_unit == 1.0
    assert (s.calibration_end, s.observation_end) == (pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-12"))
    assert not s.attrs


def test_summary_same_day_purchases(tiny):
    two = pd.concat([tiny, pd.DataFrame({"cust": ["A"], "day": ["2024-01-10"], "paid": [5.0]})], ignore_index=True)
    merged = crm.summarize_transactions(two, "cust", "day", "paid", time_unit="D")
    each = crm.summarize_transactions(two, "cust", "day", "paid", time_unit="D", same_day_as_one=False)
    assert merged.loc["A", "frequency"] == 1 and merged.loc["A", "monetary_value"] == 15.0
    assert each.loc["A", "frequency"] == 2 and each.loc["A", "monetary_value"] == 7.5


def test_summary_reports_new_customers_in_holdout():
    tx = pd.DataFrame({"c": [1, 1, 2], "d": ["2024-01-01", "2024-02-01", "2024-03-01"], "a": [1.0, 2.0, 3.0]})
    s = crm.summarize_transactions(tx, "c", "d", "a", calibration_end="2024-01-31")
    assert list(s.index) == [1] and s.n_new_in_holdout == 1
    with pytest.raises(CRMInputError, match="'calibration_end'"):
        crm.summarize_transactions(tx, "c", "d", "a", calibration_end="2025-01-01")
    # inside [first, observation_end] but on the last purchase day: the holdout would be empty
    with pytest.raises(CRMInputError, match="holdout period holds no transactions"):
        crm.summarize_transactions(tx, "c", "d", "a", calibration_end="2024-03-01", observation_end="2024-06-30")
    with pytest.raises(CRMInputError, match="'time_unit'"):
        crm.summarize_transactions(tx, "c", "d", "a", time_unit="Y")


def test_rfm_sql_on_the_customer_database_equals_pandas():
    db = crm.CustomerDatabase.from_sample_company()
    in_sql = crm.rfm_sql(db)  # its 'transactions' table: customer_id, order_date, amount
    in_pandas = crm.rfm(crm.load_dataset("sample_company/transactions"))
    # the ids come back in the database's type (BIGINT -> int64; the CSV loader gives Int64)
    pd.testing.assert_frame_equal(in_sql.reset_index(drop=True), in_pandas.reset_index(drop=True), check_exact=True)
    assert (in_sql.index.to_numpy() == in_pandas.index.to_numpy()).all()


def test_review_amounts_written_with_persian_digits_are_read(tiny):
    # review: the validation helper reads "۵۰" as 50 everywhere else, but rfm rejected it as non-numeric
    persian = tiny.assign(paid=tiny["paid"].map(lambda v: str(v).translate(str.maketrans("0123456789",
                                                                                           "۰۱۲۳۴۵۶۷۸۹"))))
    expected = crm.rfm(tiny, "cust", "day", "paid")
    pd.testing.assert_frame_equal(crm.rfm(persian, "cust", "day", "paid"), expected)
    with pytest.raises(CRMInputError, match="'paid'.*must be numeric.*'ten'"):
        crm.rfm(tiny.assign(paid=["ten"] + persian["paid"].tolist()[1:]), "cust", "day", "paid")


def test_duckdb_routes_score_a_clean_log_in_the_database(monkeypatch):
    # issue 19: a clean, typed log is checked by aggregates and scored where it is, never copied into pandas;
    # the result is the pandas engine's. A faulty log takes the checked path and its error names the rows.
    import duckdb

    from crm_research.analytics import rfm as rfm_module

    tx = crm.load_dataset("cdnow_transactions")
    def no_pandas_copy(*args, **kwargs):
        raise AssertionError("the clean log was copied into pandas")

    monkeypatch.setattr(rfm_module, "_log", no_pandas_copy)
    fast = crm.rfm(tx, "customer_id", "date", "amount", engine="duckdb")
    con = duckdb.connect()
    con.register("tx", tx)
    in_db = crm.rfm_sql(con, table="tx", date_col="date")
    monkeypatch.undo()
    reference = crm.rfm(tx, "customer_id", "date", "amount", engine="pandas")
    pd.testing.assert_frame_equal(pd.DataFrame(fast), pd.DataFrame(reference))
    pd.testing.assert_frame_equal(pd.DataFrame(in_db), pd.DataFrame(reference), check_index_type=False)
    assert fast.analysis_date == reference.analysis_date
    bad = tx.copy()
    bad.loc[bad.index[3], "amount"] = -5.0
    with pytest.raises(CRMInputError, match=r"negative amount.*rows 3"):
        crm.rfm(bad, "customer_id", "date", "amount", engine="duckdb")
    con.register("bad", bad)
    with pytest.raises(CRMInputError, match=r"negative amount.*rows 3"):
        crm.rfm_sql(con, table="bad", date_col="date")
