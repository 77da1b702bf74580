"""The one transaction-log check: every rule, with the message a student sees."""

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.core.transactions import CustomerTable, check_date, check_transactions


@pytest.fixture
def log():
    return pd.DataFrame({"cust": ["a", "a", "b", "c"],
                         "day": ["2024-01-05", "2024-02-01", "2024-01-10", "2024-03-01"],
                         "paid": [10.0, 20.0, 5.0, 7.5],
                         "note": ["x", "y", "z", "w"]})


def check(data, **kwargs):
    kwargs.setdefault("customer_col", "cust")
    kwargs.setdefault("date_col", "day")
    return check_transactions(data, **kwargs)


def test_clean_copy_keeps_every_column_and_index(log):
    before = log.copy()
    out = check(log, amount_col="paid")
    pd.testing.assert_frame_equal(log, before)  # the input is not modified
    assert out is not log and list(out.columns) == list(log.columns) and out.index.equals(log.index)
    assert out["day"].dtype == "datetime64[ns]" and out["paid"].dtype == "float64"
    assert out["day"].tolist() == pd.to_datetime(log["day"]).tolist()
    out.loc[0, "note"] = "changed"
    assert log.loc[0, "note"] == "x"


def test_missing_customer_ids_raise_never_dropped(log):
    bad = log.assign(cust=["a", None, "b", np.nan])
    with pytest.raises(CRMInputError, match=r"Column 'cust' of 'transactions' \(the 'customer_col' of f\) has "
                                            r"2 missing customer id\(s\) \(rows 1, 3\)"):
        check(bad, func="f")
    nullable = log.assign(cust=pd.array([1, 2, pd.NA, 4], dtype="Int64"))
    with pytest.raises(CRMInputError, match="1 missing customer id"):
        check(nullable)


def test_customer_ids_of_mixed_types_raise(log):
    bad = log.assign(cust=pd.Series([17, "17", "b", "c"], dtype=object))
    with pytest.raises(CRMInputError, match=r"mixes types \(number, str\): 1 row\(s\) hold a number \(rows 0"):
        check(bad)


@pytest.mark.parametrize("dates", [
    ["2024-01-05", "2024-02-01", "2024-01-10", "2024-03-01"],
    [20240105, 20240201, 20240110, 20240301],
    [20240105.0, 20240201.0, 20240110.0, 20240301.0],
    pd.Series([20240105, 20240201, 20240110, 20240301], dtype="Int64"),
    ["۲۰۲۴-۰۱-۰۵", "۲۰۲۴-۰۲-۰۱", "٢٠٢٤-٠١-١٠", "2024-03-01"],
    pd.Series([pd.Timestamp("2024-01-05"), "2024-02-01", 20240110, "01 March 2024"], dtype=object),
    pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-10", "2024-03-01"]).as_unit("s"),
])
def test_dates_in_every_accepted_form(log, dates):
    out = check(log.assign(day=dates))
    assert out["day"].tolist() == pd.to_datetime(log["day"]).tolist()


def test_yyyymmdd_integers_are_dates_not_nanoseconds(log):
    out = check(log.assign(day=[20240131, 20240201, 20240110, 20240301]))
    assert out.loc[0, "day"] == pd.Timestamp("2024-01-31")  # pd.to_datetime would give 1970-01-01 00:00:00.020240131


@pytest.mark.parametrize("bad, shown", [(20241301, "20241301"), (20240230, "20240230"), (1704067200, "1704067200"),
                                        (20240131.5, "20240131.5"), (-20240131, "-20240131")])
def test_integers_that_are_not_yyyymmdd_dates_raise(log, bad, shown):
    numbers = log.assign(day=[20240105, bad, 20240110, 20240301])
    with pytest.raises(CRMInputError, match=rf"'day'.*1 value\(s\) that cannot be read as dates, e.g. '{shown}'"
                                            r".*\(rows 1\).*yyyymmdd"):
        check(numbers)


def test_time_zone_aware_dates_become_naive_utc(log):
    tehran = pd.to_datetime(["2024-01-05 03:30", "2024-02-01 12:00", "2024-01-10 00:00", "2024-03-01 23:00"])
    out = check(log.assign(day=tehran.tz_localize("Asia/Tehran")))
    assert out["day"].dt.tz is None
    assert out["day"].tolist() == (tehran - pd.Timedelta(hours=3, minutes=30)).tolist()
    # text with different offsets is put on one clock
    text = log.assign(day=["2024-01-05T03:30+03:30", "2024-01-05T00:00Z", "2024-01-05T01:00+01:00", "2024-01-05"])
    assert check(text)["day"].nunique() == 1
    # and so is the analysis date
    assert check_date(pd.Timestamp("2024-01-05 03:30", tz="Asia/Tehran")) == pd.Timestamp("2024-01-05")


def test_unreadable_and_missing_dates_are_counted_separately(log):
    bad = log.assign(day=["2024-01-05", "not a date", None, "31/31/2024"])
    with pytest.raises(CRMInputError, match=r"2 value\(s\) that cannot be read as dates, e.g. 'not a date', "
                                            r"'31/31/2024' \(rows 1, 3\) and 1 missing date\(s\) \(rows 2\)"):
        check(bad)
    with pytest.raises(CRMInputError, match="True/False"):
        check(log.assign(day=[True, False, True, True]))


def test_solar_hijri_years_are_refused_with_a_hint(log):
    # a Solar Hijri date among Gregorian ones: mixed calendars (issue 17); with calendar="gregorian" the old hint
    jalali = log.assign(day=["۱۴۰۲-۱۰-۱۵", "2024-02-01", "2024-01-10", "2024-03-01"])
    with pytest.raises(CRMInputError, match=r"mixes calendars: 1 Solar Hijri date\(s\).*rows 0"):
        check(jalali)
    with pytest.raises(CRMInputError, match=r"1 date\(s\) outside the years 1800-2200.*rows 0.*Solar Hijri"):
        check(jalali, calendar="gregorian")


def test_amounts_with_persian_digits_are_read(log):
    persian = log.assign(paid=["۱۰", "۲۰", "٥", "۷٫۵"])
    assert check(persian, amount_col="paid")["paid"].tolist() == [10.0, 20.0, 5.0, 7.5]
    with pytest.raises(CRMInputError, match=r"'paid'.*must be numeric. 1 value\(s\) are not, e.g. 'ten' \(rows 0\)"):
        check(log.assign(paid=["ten", "20", "5", "7"]), amount_col="paid")


def test_missing_and_infinite_amounts_raise(log):
    with pytest.raises(CRMInputError, match=r"2 missing or infinite amount\(s\) \(rows 1, 2\)"):
        check(log.assign(paid=[1.0, np.nan, np.inf, 2.0]), amount_col="paid")


def test_negative_amounts_raise_unless_kept(log):
    refunds = log.assign(paid=[10.0, -10.0, 5.0, -2.5])
    with pytest.raises(CRMInputError, match=r"2 negative amount\(s\), e.g. -10.0, -2.5 \(rows 1, 3\).*netted"):
        check(refunds, amount_col="paid")
    kept = check(refunds, amount_col="paid", negative="keep")
    assert kept["paid"].sum() == 2.5
    with pytest.raises(CRMInputError, match="'negative' parameter"):
        check(refunds, amount_col="paid", negative="drop")


def test_at_before_the_first_transaction_raises(log):
    with pytest.raises(CRMInputError, match=r"The 'at' parameter of f \(2023-12-31\) is before the first transaction "
                                            r"\(2024-01-05\)"):
        check(log, at="2023-12-31", func="f")
    with pytest.raises(CRMInputError, match=r"The 'observation_end' parameter"):
        check(log, at="2023-12-31", at_name="observation_end")
    with pytest.raises(CRMInputError, match="'at' parameter of check_transactions must be a date"):
        check(log, at="soon")


def test_transactions_after_at_are_rejected_or_excluded(log):
    with pytest.raises(CRMInputError, match=r"before 2 transaction\(s\) \(rows 1, 3"):
        check(log, at="2024-01-31")
    kept = check(log, at="2024-01-31", after_at="exclude")
    assert kept.index.tolist() == [0, 2]
    assert len(check(log, at=20240301)) == 4  # on the day itself counts as on or before
    with pytest.raises(CRMInputError, match="'after_at' parameter"):
        check(log, at="2024-01-31", after_at="ignore")


def test_columns_and_frame_are_checked(log):
    with pytest.raises(CRMInputError, match="Did you mean 'paid'"):
        check(log, amount_col="piad")
    with pytest.raises(CRMInputError, match="must be a pandas DataFrame"):
        check(log.to_dict())
    with pytest.raises(CRMInputError, match="at least 1 row"):
        check(log.head(0))


def test_a_log_without_dates_checks_ids_and_amounts_only(log):
    undated = log.drop(columns="day")
    out = check(undated, date_col=None, amount_col="paid")
    pd.testing.assert_frame_equal(out, undated)
    with pytest.raises(CRMInputError, match="2 missing customer id"):
        check(undated.assign(cust=["a", None, "b", None]), date_col=None)
    with pytest.raises(CRMInputError, match="negative amount"):
        check(undated.assign(paid=[1.0, -2.0, 3.0, 4.0]), date_col=None, amount_col="paid")
    with pytest.raises(CRMInputError, match="'at' parameter of check_transactions is an analysis date; it needs "
                                            "a date column"):
        check(undated, date_col=None, at="2024-01-31")
    with pytest.raises(TypeError):  # 'no dates' is said explicitly, never assumed
        check_transactions(undated, customer_col="cust")


def test_check_date_reads_the_same_forms():
    assert check_date("2024-01-31") == check_date(20240131) == check_date("۲۰۲۴-۰۱-۳۱") == pd.Timestamp("2024-01-31")
    for bad in (None, "yesterday", 20241340, True, np.nan):
        with pytest.raises(CRMInputError, match="'cutoff' parameter of g"):
            check_date(bad, "cutoff", "g")


def test_customer_tables_carry_their_declared_fields():
    class Visits(CustomerTable):
        _metadata = ["analysis_date"]
        analysis_date = None

    t = Visits.of(pd.DataFrame({"visits": [3, 1]}, index=["a", "b"]), analysis_date=pd.Timestamp("2024-01-31"))
    assert isinstance(t, pd.DataFrame) and not t.attrs
    for derived in (t[t["visits"] > 1], t.copy(), t.assign(more=1), t.reset_index()):
        assert derived.analysis_date == pd.Timestamp("2024-01-31")
    with pytest.raises(TypeError, match="needs exactly the fields"):
        Visits.of(t, when=1)


def test_every_transaction_reader_of_the_package_uses_this_check():
    # one validator: the analyses that read a log all go through check_transactions
    from pathlib import Path

    root = Path(crm.__file__).parent
    readers = ["analytics/rfm.py", "analytics/clv.py", "analytics/churn.py", "frameworks/lifecycle.py",
               "frameworks/payne.py", "frameworks/programmes.py", "frameworks/winer.py", "frameworks/idic.py"]
    for rel in readers:
        text = (root / rel).read_text(encoding="utf-8")
        assert "check_transactions(" in text, rel
        if rel != "frameworks/payne.py":  # payne also reads delivery dates and the monthly KPI table
            assert "pd.to_datetime(" not in text, rel


# -- issue 16: amounts ----------------------------------------------------------------------------


def test_issue16_huge_amounts_are_refused_not_infinite():
    import crm_research as crm

    log = pd.DataFrame({"customer_id": [1, 1, 3, 4, 5, 6], "order_date": pd.date_range("2024-01-01", periods=6),
                        "amount": [1e308, 1e308, 20.0, 30.0, 40.0, 50.0]})
    with pytest.raises(CRMInputError, match="too large to add up"):
        crm.rfm(log)
    with pytest.raises(CRMInputError, match="too large to add up"):
        crm.summarize_transactions(log)


def test_issue16_negative_amounts_in_lifecycle_kpis_follow_the_negative_rule():
    import crm_research as crm

    log = pd.DataFrame({"customer_id": [1, 1, 2], "order_date": pd.to_datetime(["2024-01-01", "2024-02-01",
                                                                               "2024-03-01"]),
                        "amount": [100.0, -50.0, 70.0], "category": ["a", "b", "a"]})
    with pytest.raises(CRMInputError, match="negative amount"):
        crm.lifecycle_kpis(log)
    with pytest.raises(CRMInputError, match="negative amount"):
        crm.lifecycle_phases(log, at="2024-04-01")
