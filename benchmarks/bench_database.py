"""The customer database (Winer's step 1) at one million orders, and the analyses built on it.

The 1M-order company is generated once, on first use, outside the timed calls: the
benchmark times building the DuckDB database, querying the ``customer_overview`` view,
and the database-wide analyses of the framework modules.
"""

from functools import lru_cache

import crm_research as crm


@lru_cache(maxsize=1)
def _company():
    return crm.generate_sample_company(n_customers=100_000, n_orders=1_000_000, seed=2001)


@lru_cache(maxsize=1)
def _database():
    return crm.CustomerDatabase.from_sample_company(_company())


def _build():
    company = _company()  # cached: only the load into DuckDB is timed after the first call
    db = crm.CustomerDatabase.from_sample_company(company)
    n = int(db.row_counts().sum())
    db.close()
    return n


def _overview():
    return len(_database().customer_overview())


def _monthly():
    _database().table("monthly_kpis")
    return len(_company().transactions)  # orders aggregated


def _duplicates():
    return len(crm.resolve_duplicates(_company().customers).entities)


def _lifecycle():
    return len(crm.lifecycle_kpis(_company().transactions, freq="Q").kpis) and len(_company().transactions)


def _data_quality():
    return len(crm.data_quality_report(_database(), duplicates=False))


def _warm():
    _company()
    _database()
    return None


BENCHMARKS = [
    ("database: generate the 1M-order company (setup, cached)", "100,000 customers, 1M orders", _warm),
    ("database: build CustomerDatabase (load + checks)", "1M orders, all 5 tables", _build),
    ("database: query customer_overview", "100,000 customers, 1M orders", _overview),
    ("database: query monthly_kpis", "1M orders", _monthly),
    ("idic: resolve_duplicates", "100,000 customer records", _duplicates),
    ("lifecycle: lifecycle_kpis (quarterly)", "1M orders", _lifecycle),
    ("payne: data_quality_report (no dedup)", "100,000 customers", _data_quality),
]
