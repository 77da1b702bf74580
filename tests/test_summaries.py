"""Engine-neutral customer summaries (issue 17): DuckDB and Apache Spark (local mode) equal pandas.

The Spark tests start one local session for the module (small data: the sample company's 49,883 orders).
They need Java, which `make install-test` installs when it is missing.
"""

import duckdb
import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

CAL_END = "2024-06-30"


@pytest.fixture(scope="module")
def tx():
    orders = crm.load_dataset("sample_company").transactions
    return orders[["order_id", "customer_id", "order_date", "category", "amount"]].astype({"category": str})


@pytest.fixture(scope="module")
def db(tx):
    con = duckdb.connect()
    con.register("orders_df", tx)
    con.execute("CREATE TABLE orders AS SELECT * FROM orders_df")
    yield con
    con.close()


@pytest.fixture(scope="module")
def spark(tx):
    pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by `make install-test`")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("crm_research-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    assert pyspark.__version__
    frame = small(tx).assign(order_date=lambda d: d["order_date"].astype("datetime64[ns]"))
    session.createDataFrame(frame).createOrReplaceTempView("orders")
    yield session
    session.stop()


def small(tx):
    """The orders of the first 600 customers: enough for every summary, fast on a local Spark."""
    return tx[tx["customer_id"].isin(tx["customer_id"].drop_duplicates().iloc[:600])].reset_index(drop=True)


def assert_same(a, b):
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-9, check_index_type=False)


def test_btyd_summary_equals_pandas_on_duckdb(tx, db):
    expected = crm.summarize_transactions(tx, calibration_end=CAL_END)
    for source, con in ((tx, None), ("orders", db)):
        got = crm.btyd_summary(source, calibration_end=CAL_END, con=con)
        assert_same(got, expected)
        assert got.n_new_in_holdout == expected.n_new_in_holdout and got.time_unit == "W"
    days = crm.btyd_summary(tx, amount_col=None, time_unit="D")
    assert_same(days, crm.summarize_transactions(tx, amount_col=None, time_unit="D"))


def test_rfm_overview_kpis_and_transitions_equal_pandas(tx, db):
    assert crm.rfm_summary("orders", con=db).equals(crm.rfm(tx))
    assert crm.rfm_summary(tx, at="2025-01-31", bins=4).equals(crm.rfm(tx, at="2025-01-31", bins=4))
    overview = crm.customer_overview(tx)
    g = tx.groupby("customer_id")
    assert overview["orders"].equals(g.size().rename("orders").astype("int64"))
    assert np.allclose(overview["revenue"], g["amount"].sum())
    assert (overview["categories"] == g["category"].nunique()).all()
    assert (overview["last_order"] == g["order_date"].max()).all()
    kpis = crm.monthly_kpis(tx)
    with crm.CustomerDatabase.from_sample_company() as database:
        view = database.query("SELECT * FROM monthly_kpis").set_index("month")
    assert kpis["orders"].tolist() == view["orders"].tolist()
    assert kpis["new_customers"].tolist() == view["new_customers"].tolist()
    assert np.allclose(kpis["revenue"], view["revenue"])
    jalali = crm.monthly_kpis(tx, calendar="jalali")
    assert jalali["orders"].sum() == len(tx) and jalali["new_customers"].sum() == tx["customer_id"].nunique()
    months = crm.jalali_period(tx["order_date"])["period"]
    assert jalali["active_customers"].tolist() == tx.groupby(months.to_numpy())["customer_id"].nunique().tolist()
    trans = crm.category_transitions(tx, order_col="order_id")
    ordered = tx.sort_values(["customer_id", "order_date", "order_id"])
    nxt = ordered.groupby("customer_id")["category"].shift(-1)
    pairs = pd.DataFrame({"from_category": ordered["category"], "to_category": nxt}).dropna()
    expected = pairs.value_counts().sort_index()
    assert trans.set_index(["from_category", "to_category"])["transitions"].sort_index().tolist() == expected.tolist()


def test_same_summaries_on_spark(tx, spark):
    table = spark.table("orders")
    tx = small(tx)
    assert_same(crm.btyd_summary(table, calibration_end=CAL_END),
                crm.summarize_transactions(tx, calibration_end=CAL_END))
    assert crm.rfm_summary("orders", con=spark).equals(crm.rfm(tx))
    assert_same(crm.monthly_kpis(table), crm.monthly_kpis(tx))
    assert_same(crm.monthly_kpis(table, calendar="jalali"), crm.monthly_kpis(tx, calendar="jalali"))
    assert_same(crm.customer_overview(table), crm.customer_overview(tx))
    assert_same(crm.category_transitions(table, order_col="order_id"), crm.category_transitions(tx, order_col="order_id"))


def test_model_scoring_is_vectorised_for_pandas_udfs(tx):
    # a fitted model scores a batch of customers with plain arrays, as a Spark pandas UDF hands them over
    summary = crm.btyd_summary(tx, calibration_end=CAL_END)
    model = crm.fit_bgnbd(summary)
    batch = summary.iloc[:100]
    alive = model.p_alive(batch["frequency"].to_numpy(), batch["recency"].to_numpy(), batch["T"].to_numpy())
    assert np.allclose(alive, model.p_alive(batch).to_numpy())


def test_bad_input(tx, db):
    with pytest.raises(CRMInputError, match="holdout period has to lie inside the data"):
        crm.btyd_summary(tx, calibration_end="2030-01-01", observation_end="2030-06-30")
    with pytest.raises(CRMInputError, match="calibration_end.*must lie between"):
        crm.btyd_summary("orders", calibration_end="2019-01-01", con=db)
    with pytest.raises(CRMInputError, match="no table 'order'. Did you mean 'orders'"):
        crm.btyd_summary("order", con=db)
    with pytest.raises(CRMInputError, match="no table 'orders'. It holds no tables at all"):
        crm.btyd_summary("orders", con=duckdb.connect())  # a connection without the needed tables
    with pytest.raises(CRMInputError, match="no column 'amt'"):
        crm.rfm_summary("orders", amount_col="amt", con=db)
    with pytest.raises(CRMInputError, match="needs 'con'"):
        crm.monthly_kpis("orders")
    with pytest.raises(CRMInputError, match="'con' parameter"):
        crm.customer_overview("orders", con="duckdb://")
    db.execute("CREATE TABLE bad AS SELECT * FROM orders")
    db.execute("UPDATE bad SET amount = -1 WHERE order_id = (SELECT MIN(order_id) FROM bad)")
    with pytest.raises(CRMInputError, match="1 negative amount"):
        crm.btyd_summary("bad", con=db)
    with pytest.raises(CRMInputError, match="'calendar'"):
        crm.monthly_kpis(tx, calendar="hijri")
