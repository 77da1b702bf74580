"""Customer analytics at scale: RFM (pandas and DuckDB) and the BG/NBD fit.

The transaction logs are synthetic (a fixed seed): 1,000,000 and 10,000,000 purchases by
100,000 and 1,000,000 customers over three years, with dates as datetime64 and amounts as
floats, i.e. the shape of a real order table.  Each log is built once, by the
"generate" row that precedes its RFM rows, so the RFM rows time the analysis only.
The BG/NBD row fits all 23,570 customers of the CDNOW master file (39-week calibration).
"""

import functools

import numpy as np
import pandas as pd

import crm_research as crm


@functools.cache
def _log(n_rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(2001)
    n_customers = n_rows // 10
    start = np.datetime64("2022-01-01")
    return pd.DataFrame(
        {
            "customer_id": rng.integers(1, n_customers + 1, n_rows),
            "order_date": start + rng.integers(0, 3 * 365, n_rows).astype("timedelta64[D]"),
            "amount": np.round(rng.gamma(2.0, 40.0, n_rows), 2),
        }
    )


def _generate(n_rows):
    def run():
        return len(_log(n_rows))

    return run


def _rfm(n_rows, engine):
    def run():
        crm.rfm(_log(n_rows), "customer_id", "order_date", "amount", engine=engine)
        return n_rows

    return run


def _plain_ntile(n_rows):
    """The lower bound the DuckDB routes are measured against: one plain query, no checks, NTILE scores."""
    def run():
        import duckdb

        con = duckdb.connect()
        con.register("tx", _log(n_rows))
        con.execute("""
            WITH c AS (SELECT customer_id, DATE '2025-01-01' - MAX(order_date) AS recency, COUNT(*) AS frequency,
                              SUM(amount) AS monetary FROM tx GROUP BY customer_id)
            SELECT *, NTILE(5) OVER (ORDER BY recency DESC) AS r, NTILE(5) OVER (ORDER BY frequency) AS f,
                   NTILE(5) OVER (ORDER BY monetary) AS m FROM c""").df()
        con.close()
        return n_rows

    return run


def _rfm_sql_table(n_rows):
    def run():
        import duckdb

        con = duckdb.connect()
        con.register("tx", _log(n_rows))
        crm.rfm_sql(con, table="tx")
        con.close()
        return n_rows

    return run


def _fit_cdnow_bgnbd():
    tx = crm.load_dataset("cdnow_transactions")
    summary = crm.summarize_transactions(tx, "customer_id", "date", "amount", calibration_end="1997-09-30")

    def run():
        crm.fit_bgnbd(summary)
        return len(summary)

    return run


BENCHMARKS = [
    ("rfm: generate synthetic log (setup, not RFM)", "1,000,000 transactions", _generate(1_000_000)),
    ("rfm (pandas)", "1,000,000 transactions", _rfm(1_000_000, "pandas")),
    ("rfm (duckdb SQL)", "1,000,000 transactions", _rfm(1_000_000, "duckdb")),
    ("rfm_sql on a DuckDB table", "1,000,000 transactions", _rfm_sql_table(1_000_000)),
    ("plain DuckDB NTILE query (lower bound)", "1,000,000 transactions", _plain_ntile(1_000_000)),
    ("rfm: generate synthetic log (setup, not RFM)", "10,000,000 transactions", _generate(10_000_000)),
    ("rfm (pandas)", "10,000,000 transactions", _rfm(10_000_000, "pandas")),
    ("rfm (duckdb SQL)", "10,000,000 transactions", _rfm(10_000_000, "duckdb")),
    ("rfm_sql on a DuckDB table", "10,000,000 transactions", _rfm_sql_table(10_000_000)),
    ("plain DuckDB NTILE query (lower bound)", "10,000,000 transactions", _plain_ntile(10_000_000)),
    ("clv: fit_bgnbd on the CDNOW master file", "23,570 customers", _fit_cdnow_bgnbd()),
]


# --- segmentation (crm.segment): choosing k on 100,000 customers -----------------------------


@functools.cache
def _customers(n: int) -> pd.DataFrame:
    """RFM-like features of n customers drawn from five latent segments (fixed seed)."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=n, n_features=3, centers=5, cluster_std=1.5, random_state=2001)
    return pd.DataFrame(X * [30.0, 2.0, 200.0] + [150.0, 8.0, 1500.0], columns=["recency", "frequency", "monetary"])


def _segment(n: int, method: str, n_boot: int, k=range(2, 11)):
    def run():
        crm.segment(_customers(n), ["recency", "frequency", "monetary"], k=k, method=method, seed=0, n_boot=n_boot)
        return n

    return run


BENCHMARKS += [
    ("segment: k-means selection k=2..10 (no bootstrap)", "100,000 customers", _segment(100_000, "kmeans", 0)),
    ("segment: GMM selection k=2..10 (no bootstrap)", "100,000 customers", _segment(100_000, "gmm", 0)),
    ("segment: k-means k=5, 20 bootstrap refits (stability)", "100,000 customers",
     _segment(100_000, "kmeans", 20, k=5)),
]


# --- issue 17: engine-neutral summaries (DuckDB, Spark local) and model fits on 1M customers -----------
# The 10M-order summary rows run with CRM_BENCH_10M=1, the Spark rows with CRM_BENCH_SPARK=1 (they need pyspark
# and Java, and a local Spark session takes tens of seconds to start).

import os  # noqa: E402


def _summary_duckdb(n_rows):
    def run():
        crm.btyd_summary(_log(n_rows), calibration_end="2024-06-30")
        return n_rows

    return run


@functools.cache
def _spark():
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master("local[2]").appName("crm_research-bench").config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "6g")  # the 10M-row pandas frame is sent to the driver
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate())


def _summary_spark(n_rows):
    def run():
        name = f"bench_orders_{n_rows}"
        spark = _spark()
        if not spark.catalog.tableExists(name):
            spark.createDataFrame(_log(n_rows)).createOrReplaceTempView(name)
        crm.btyd_summary(name, con=spark, calibration_end="2024-06-30")
        return n_rows

    return run


@functools.cache
def _btyd_customers(n: int) -> pd.DataFrame:
    """A calibration summary of n customers drawn from the Pareto/NBD at the CDNOW estimates (fixed seed).

    Purchase rate Gamma(0.55, 10.6), death rate Gamma(0.61, 11.7) per week, T uniform on 1-52 weeks;
    recency and T in weeks to 2 decimals (as cdnow_summary), so about a quarter of the histories are distinct.
    """
    rng = np.random.default_rng(17)
    T = np.round(rng.uniform(1, 52, n), 2)
    lam, mu = rng.gamma(0.55, 1 / 10.6, n), rng.gamma(0.61, 1 / 11.7, n)
    active = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * active)
    # the last of x uniform purchase times on (0, active) is active * U^(1/x)
    tx = np.where(x > 0, np.round(active * rng.random(n) ** (1 / np.maximum(x, 1)), 2), 0.0)
    return pd.DataFrame({"frequency": x, "recency": np.minimum(tx, T), "T": T})


def _fit(n, fit):
    def run():
        fit(_btyd_customers(n), time_unit="W")
        return n

    return run


def _fit_gamma_gamma(n):
    def run():
        data = _btyd_customers(n)
        rng = np.random.default_rng(18)
        # average spend of the repeat buyers: Gamma-Gamma at the CDNOW estimates (p 6.25, q 3.74, gamma 15.44)
        nu = rng.gamma(3.74, 1 / 15.44, n)
        spend = rng.gamma(6.25 * np.maximum(data["frequency"], 1), 1 / nu) / np.maximum(data["frequency"], 1)
        crm.fit_gamma_gamma(data.assign(monetary_value=np.where(data["frequency"] > 0, np.round(spend, 2), 0.0)))
        return n

    return run


def _fit_bgbb(n):
    def run():
        # six purchase opportunities, BG/BB at the donation estimates (alpha 1.204, beta 0.750, gamma 0.657,
        # delta 2.783): p ~ Beta(alpha, beta) per opportunity while alive, theta ~ Beta(gamma, delta) to die
        rng = np.random.default_rng(19)
        p, theta = rng.beta(1.204, 0.750, n), rng.beta(0.657, 2.783, n)
        alive = np.cumprod(rng.random((n, 6)) > theta[:, None], axis=1).astype(bool)
        buys = alive & (rng.random((n, 6)) < p[:, None])
        last = np.where(buys.any(axis=1), 6 - np.argmax(buys[:, ::-1], axis=1), 0)
        crm.fit_bgbb(pd.DataFrame({"frequency": buys.sum(axis=1), "recency": last, "n_periods": 6}))
        return n

    return run


def _fit_sbg(n, model):
    def run():
        # one cohort of n subscribers over 12 periods, churn probability Beta(0.668, 3.806) (FH 2007, high end)
        rng = np.random.default_rng(20)
        lifetime = rng.geometric(rng.beta(0.668, 3.806, n))
        crm.fit_sbg([(lifetime > t).sum() for t in range(13)], model=model)
        return n

    return run


BENCHMARKS += [
    ("btyd_summary (DuckDB via Ibis)", "1,000,000 transactions", _summary_duckdb(1_000_000)),
    ("fit_bgnbd", "1,000,000 customers", _fit(1_000_000, crm.fit_bgnbd)),
    ("fit_mbgnbd", "1,000,000 customers", _fit(1_000_000, crm.fit_mbgnbd)),
    ("fit_pareto_nbd", "1,000,000 customers", _fit(1_000_000, crm.fit_pareto_nbd)),
    ("fit_gamma_gamma (incl. simulating spend)", "1,000,000 customers", _fit_gamma_gamma(1_000_000)),
    ("fit_bgbb, 6 opportunities (incl. simulation)", "1,000,000 customers", _fit_bgbb(1_000_000)),
    ("fit_sbg, 12 periods (incl. simulation)", "1,000,000 customers", _fit_sbg(1_000_000, "sbg")),
    ("fit_sbg model='bdw', 12 periods (incl. simulation)", "1,000,000 customers", _fit_sbg(1_000_000, "bdw")),
]
if os.environ.get("CRM_BENCH_10M") == "1":
    BENCHMARKS += [("btyd_summary (DuckDB via Ibis)", "10,000,000 transactions", _summary_duckdb(10_000_000))]
if os.environ.get("CRM_BENCH_SPARK") == "1":
    BENCHMARKS += [("btyd_summary (Spark local[2] via Ibis)", "1,000,000 transactions", _summary_spark(1_000_000))]
    if os.environ.get("CRM_BENCH_10M") == "1":
        BENCHMARKS += [("btyd_summary (Spark local[2] via Ibis)", "10,000,000 transactions",
                        _summary_spark(10_000_000))]
