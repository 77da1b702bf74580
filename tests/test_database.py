"""The DuckDB customer database: loads, views equal pandas, and bad input leaves it untouched."""

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.data.database import DATABASE_TABLES, CustomerDatabase


@pytest.fixture(scope="module")
def company():
    return crm.generate_sample_company(n_customers=600, n_orders=5000, seed=7)


@pytest.fixture
def db(company):
    with CustomerDatabase.from_sample_company(company) as database:
        yield database


def test_row_counts_match_the_tables(db, company):
    counts = db.row_counts()
    for table in DATABASE_TABLES:
        assert counts[table] == len(getattr(company, table))


def test_customer_overview_equals_a_pandas_computation(db, company):
    view = db.customer_overview().set_index("customer_id")
    tx = company.transactions
    by_customer = tx.groupby("customer_id").agg(orders=("order_id", "size"), revenue=("amount", "sum"),
                                               first_order=("order_date", "min"))
    assert len(view) == len(company.customers)
    joined = view.join(by_customer.add_suffix("_pd"))
    np.testing.assert_array_equal(joined["orders"], joined["orders_pd"].fillna(0).astype(int))
    np.testing.assert_allclose(joined["revenue"], joined["revenue_pd"].fillna(0), rtol=1e-9)
    complaints = company.contacts.query("purpose == 'complaint'").groupby("customer_id").size()
    np.testing.assert_array_equal(view["complaints"], complaints.reindex(view.index, fill_value=0))
    pd.testing.assert_series_equal(view["email_opt_in"].astype(bool),
                                   company.customers.set_index("customer_id")["email_opt_in"].astype(bool),
                                   check_names=False)


def test_monthly_kpis_add_up(db, company):
    kpis = db.table("monthly_kpis")
    assert kpis["orders"].sum() == len(company.transactions)
    assert kpis["new_customers"].sum() == company.transactions["customer_id"].nunique()
    assert kpis["revenue"].sum() == pytest.approx(company.transactions["amount"].sum())


def test_file_database_persists_and_missing_file_is_reported(tmp_path, company):
    path = tmp_path / "crm.duckdb"
    CustomerDatabase.from_sample_company(company, path=path).close()
    with CustomerDatabase(path, create=False, read_only=True) as again:
        assert again.row_counts()["customers"] == len(company.customers)
    with pytest.raises(crm.CRMInputError, match="does not exist"):
        CustomerDatabase(tmp_path / "nope.duckdb", create=False)


def test_loading_csv_files_with_a_column_mapping(tmp_path, company):
    files = {}
    for table in ("customers", "transactions"):
        files[table] = tmp_path / f"{table}.csv"
        getattr(company, table).to_csv(files[table], index=False)
    renamed = company.transactions.rename(columns={"amount": "order_value"})
    renamed.to_csv(files["transactions"], index=False)
    db = CustomerDatabase.from_files(files, columns={"transactions": {"order_value": "amount"}})
    assert db.query("SELECT SUM(amount) AS s FROM transactions")["s"].iloc[0] == pytest.approx(
        company.transactions["amount"].sum())


def _unchanged(db, before):
    pd.testing.assert_series_equal(db.row_counts(), before)


def test_missing_column_names_table_and_column_and_rolls_back(db, company):
    before = db.row_counts()
    bad = company.transactions.drop(columns=["amount"])
    with pytest.raises(crm.CRMInputError, match="Table 'transactions' is missing column 'amount'"):
        db.load({"customers": company.customers.head(10), "transactions": bad})
    _unchanged(db, before)  # customers were not replaced by the 10-row frame either


def test_wrong_type_names_the_column_and_values(db, company):
    before = db.row_counts()
    bad = company.transactions.astype({"amount": object})
    bad.loc[bad.index[:2], "amount"] = "twelve"
    with pytest.raises(crm.CRMInputError, match=r"Column 'amount' of table 'transactions' must hold DOUBLE.*'twelve'"):
        db.load({"transactions": bad})
    _unchanged(db, before)
    assert company.transactions["amount"].dtype == float  # the caller's frame is untouched


def test_duplicate_primary_key_and_orphans(db, company):
    before = db.row_counts()
    dup = pd.concat([company.customers, company.customers.head(3)])
    with pytest.raises(crm.CRMInputError, match="Table 'customers' has 3 duplicate primary key.*customer_id"):
        db.load({"customers": dup})
    orphan = company.transactions.copy()
    orphan.loc[orphan.index[0], "customer_id"] = 999_999_999
    with pytest.raises(crm.CRMInputError, match="'customer_id' of table 'transactions' refers to customers.*999999999"):
        db.load({"transactions": orphan})
    _unchanged(db, before)


def test_unknown_table_missing_file_and_bad_category(db, company, tmp_path):
    with pytest.raises(crm.CRMInputError, match="'tables' parameter.*one of 'customers'"):
        db.load({"orders": company.transactions})
    with pytest.raises(crm.CRMInputError, match="file for table 'contacts' does not exist"):
        db.load({"contacts": tmp_path / "contacts.csv"})
    bad = company.contacts.astype({"channel": object})
    bad.loc[bad.index[0], "channel"] = "pigeon"
    with pytest.raises(crm.CRMInputError, match="'channel' of table 'contacts' has value.*'pigeon'"):
        db.load({"contacts": bad})
    with pytest.raises(crm.CRMInputError, match="query failed"):
        db.query("SELECT nonsense FROM customers")


def test_review_load_accepts_table_names_in_any_case():
    # review: check_choice accepted "Customers" but load then looked up the schema with it -> bare KeyError
    company = crm.load_dataset("sample_company")
    db = crm.CustomerDatabase()
    db.load({"Customers": company.customers.head(50)})
    assert db.row_counts()["customers"] == 50


def test_review_failed_from_files_leaves_no_database_file(tmp_path):
    target = tmp_path / "crm.duckdb"
    with pytest.raises(CRMInputError, match="does not exist"):
        crm.CustomerDatabase.from_files({"customers": tmp_path / "missing.csv"}, path=target)
    assert not target.exists()  # used to leave an empty, half-built database behind


def test_review_file_rename_of_an_unknown_column_is_a_crm_error(tmp_path):
    company = crm.load_dataset("sample_company")
    csv = tmp_path / "customers.csv"
    company.customers.head(20).to_csv(csv, index=False)
    # used to escape as duckdb's BinderException
    with pytest.raises(CRMInputError, match="renames column 'customer_nr', which is not in 'customers.csv'"):
        crm.CustomerDatabase.from_files({"customers": csv}, columns={"customers": {"customer_nr": "customer_id"}})


# -- issue 16: SQL injection through the columns mapping -------------------------------------------


@pytest.mark.parametrize("target", [
    'amount"; COPY (SELECT * FROM customers) TO \'out.csv\'; --',
    'amount"; COMMIT; DROP TABLE customers; --',
    "amount\" ; CREATE TABLE pwned AS SELECT * FROM read_csv('/etc/passwd'); --",
])
def test_issue16_columns_mapping_cannot_inject_sql(tmp_path, company, target, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = CustomerDatabase.from_sample_company(company)
    csv = tmp_path / "tx.csv"
    company.transactions.rename(columns={"amount": "order_value"}).to_csv(csv, index=False)
    with pytest.raises(CRMInputError, match="not a column of the table"):
        db.load({"transactions": csv}, columns={"transactions": {"order_value": target}})
    with pytest.raises(CRMInputError, match="not a column of the table"):
        db.load({"transactions": company.transactions}, columns={"transactions": {"amount": target}})
    assert db.row_counts()["customers"] == len(company.customers)
    assert not (tmp_path / "out.csv").exists()
    assert "pwned" not in db.query("SELECT table_name FROM information_schema.tables")["table_name"].tolist()


def test_issue16_quoted_source_column_names_are_identifiers(tmp_path, company):
    # A real column whose name holds a double quote is renamed as a name, not executed.
    csv = tmp_path / "tx.csv"
    company.transactions.rename(columns={"amount": 'order "value"'}).to_csv(csv, index=False)
    db = CustomerDatabase.from_files({"customers": _write(company.customers, tmp_path / "c.csv"), "transactions": csv},
                                     columns={"transactions": {'order "value"': "amount"}})
    assert db.row_counts()["transactions"] == len(company.transactions)


def _write(frame, path):
    frame.to_csv(path, index=False)
    return path
def test_solar_hijri_dates_load_as_gregorian(tmp_path, company):
    # issue 17: dates written in the Solar Hijri calendar (Persian digits too) are stored as Gregorian dates
    from crm_research.core.calendar import to_jalali

    files = {"customers": tmp_path / "customers.csv", "transactions": tmp_path / "transactions.csv"}
    company.customers.to_csv(files["customers"], index=False)
    tx = company.transactions
    jalali = tx.assign(order_date=to_jalali(tx["order_date"], persian_digits=True).to_numpy(),
                       promised_delivery_date=to_jalali(tx["promised_delivery_date"]).to_numpy(),
                       actual_delivery_date=to_jalali(tx["actual_delivery_date"]).to_numpy())
    jalali.to_csv(files["transactions"], index=False)
    db = CustomerDatabase.from_files(files)
    stored = db.query("SELECT order_id, order_date FROM transactions ORDER BY order_id")
    expected = tx.sort_values("order_id")["order_date"].dt.date.astype(str).tolist()
    assert stored["order_date"].astype(str).tolist() == expected
    late = db.query("SELECT COUNT(*) AS n FROM transactions WHERE actual_delivery_date > promised_delivery_date")
    assert late["n"].iloc[0] == (tx["actual_delivery_date"] > tx["promised_delivery_date"]).sum()
    db.close()
    with CustomerDatabase() as again:  # customers from a DataFrame (dates typed): the calendar reads text only
        again.load({"customers": company.customers, "transactions": files["transactions"]}, calendar="jalali")
        assert again.row_counts()["transactions"] == len(company.transactions)
    with pytest.raises(CRMInputError, match="should hold Solar Hijri dates"):
        CustomerDatabase.from_files(files, calendar="jalali")  # customers.csv is Gregorian
    with pytest.raises(CRMInputError, match="outside the years 1800-2200"):
        CustomerDatabase.from_files(files, calendar="gregorian")
    bad = jalali.copy()
    bad.loc[bad.index[0], "order_date"] = "1402/12/30"
    bad.to_csv(files["transactions"], index=False)
    with pytest.raises(CRMInputError, match=r"Column 'order_date' of table 'transactions' has 1 Solar Hijri"):
        CustomerDatabase.from_files(files)
    mixed = jalali.copy()
    mixed.loc[mixed.index[0], "order_date"] = "2024-01-05"
    with CustomerDatabase.from_sample_company(company) as db2:
        before = db2.row_counts()
        with pytest.raises(CRMInputError, match="mixes calendars"):
            db2.load({"transactions": mixed})
        pd.testing.assert_series_equal(db2.row_counts(), before)
