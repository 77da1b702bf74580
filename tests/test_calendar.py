"""Solar Hijri (Jalali) dates: the reading rule of check_transactions and the Jalali report periods (issue 17).

Reference conversions: 1403/01/01 (Nowruz 1403) = 2024-03-20 and 1403/12/30 = 2025-03-20 (1403 is a leap
year; Nowruz 1404 fell on 21 March 2025); 1403/05/12 = 2024-08-02; 1402/12/29 = 2024-03-19.
"""

import warnings

import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.calendar import jalali_period, jalali_to_gregorian, to_jalali
from crm_research.core.errors import CRMInputError
from crm_research.core.transactions import check_date, check_transactions


def check(data, **kwargs):
    return check_transactions(data, customer_col="c", date_col="d", **kwargs)


def test_known_conversions():
    assert jalali_to_gregorian("1403/01/01") == pd.Timestamp("2024-03-20")
    assert jalali_to_gregorian("1403/12/30") == pd.Timestamp("2025-03-20")
    assert jalali_to_gregorian(14030512) == pd.Timestamp("2024-08-02")
    assert jalali_to_gregorian("۱۴۰۲/۱۲/۲۹") == pd.Timestamp("2024-03-19")
    assert to_jalali(pd.Series(pd.to_datetime(["2024-03-20", "2024-03-19"]))).tolist() == ["1403/01/01", "1402/12/29"]


@pytest.mark.parametrize("written", [
    ["1403/05/12", "1403/05/20", "1402/12/29"],
    ["۱۴۰۳/۰۵/۱۲", "۱۴۰۳-۰۵-۲۰", "١٤٠٢/١٢/٢٩"],
    [14030512, 14030520, 14021229],
    ["1403/5/12 10:30", "1403/05/20", "1402/12/29"],
])
def test_solar_hijri_columns_are_read(written):
    log = pd.DataFrame({"c": [1, 1, 2], "d": written})
    out = check(log)
    assert out["d"].dt.strftime("%Y-%m-%d").tolist() == ["2024-08-02", "2024-08-10", "2024-03-19"]
    assert check(log, calendar="jalali")["d"].equals(out["d"])
    assert log["d"].tolist() == written  # input untouched


def test_bad_solar_hijri_input():
    with pytest.raises(CRMInputError, match=r"do not exist, e.g. '1402/12/30'.*1402 is not one"):
        check(pd.DataFrame({"c": [1, 2], "d": ["1402/12/30", "1403/12/30"]}))
    with pytest.raises(CRMInputError, match="do not exist"):
        check(pd.DataFrame({"c": [1], "d": ["1403/07/31"]}))  # Mehr has 30 days
    with pytest.raises(CRMInputError, match="mixes calendars"):
        check(pd.DataFrame({"c": [1, 2], "d": ["1403/05/12", "2024-08-02"]}))
    with pytest.raises(CRMInputError, match="mixes calendars"):
        check(pd.DataFrame({"c": [1, 2], "d": [14030512, 20240802]}))
    with pytest.raises(CRMInputError, match="should hold Solar Hijri dates"):
        check(pd.DataFrame({"c": [1, 2], "d": ["2024-08-02", "2024-08-03"]}), calendar="jalali")
    with pytest.raises(CRMInputError, match="outside the years 1800-2200"):
        check(pd.DataFrame({"c": [1], "d": ["1403/05/12"]}), calendar="gregorian")
    with pytest.raises(CRMInputError, match="'calendar'"):
        check(pd.DataFrame({"c": [1], "d": ["1403/05/12"]}), calendar="hijri")
    with pytest.raises(CRMInputError, match="'at'.*Solar Hijri date that exists"):
        check_date("1402/12/30")
    with pytest.raises(CRMInputError, match="not Solar Hijri dates"):
        jalali_to_gregorian("2024/08/02")


def test_analysis_date_in_solar_hijri():
    assert check_date("۱۴۰۳/۰۵/۱۲") == pd.Timestamp("2024-08-02")
    log = pd.DataFrame({"c": [1, 1, 2], "d": ["1403/05/12", "1403/05/20", "1402/12/29"]})
    assert len(check(log, at="1403/05/15", after_at="exclude")) == 2


def test_every_analysis_reads_solar_hijri_dates():
    company = crm.load_dataset("sample_company")
    tx = company.transactions
    jalali = tx.assign(order_date=to_jalali(tx["order_date"], persian_digits=True).to_numpy())
    a = crm.lifecycle_phases(tx, at="2024-06-30")
    b = crm.lifecycle_phases(jalali, at="1403/04/10")  # 1403/04/10 = 2024-06-30
    assert a.equals(b)
    ra = crm.rfm(tx, "customer_id", "order_date", "amount", at="2024-12-31")
    rb = crm.rfm(jalali, "customer_id", "order_date", "amount", at="1403/10/11")
    assert ra.equals(rb)


def test_future_dates_follow_the_after_at_rule():
    log = pd.DataFrame({"c": [1, 1, 2], "d": ["2024-01-05", "2099-01-01", "2024-02-01"]})
    with pytest.raises(CRMInputError, match=r"1 date\(s\) after today \(e.g. '2099-01-01', rows 1\)"):
        check(log)
    with pytest.warns(UserWarning, match="after today"):
        assert len(check(log, after_at="exclude")) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(check(log, at="2024-03-01", after_at="exclude")) == 2  # an explicit at: the usual rule
    company = crm.load_dataset("sample_company")
    tx = company.transactions.copy()
    tx.loc[tx.index[0], "order_date"] = pd.Timestamp("2099-01-01")
    with pytest.warns(UserWarning, match="after today"):  # lifecycle_kpis leaves later orders out
        kpis = crm.lifecycle_kpis(tx).to_frame()
    assert kpis.equals(crm.lifecycle_kpis(company.transactions.drop(index=tx.index[0])).to_frame())


def test_jalali_periods():
    dates = pd.to_datetime(["2024-03-19", "2024-03-20", "2024-06-20", "2024-08-02", "2025-03-20"])
    table = jalali_period(dates)
    assert table["period"].tolist() == ["1402-12", "1403-01", "1403-03", "1403-05", "1403-12"]
    assert table["month_name"].tolist()[1] == "Farvardin" and table["month_name_fa"].tolist()[1] == "فروردین"
    assert jalali_period(dates, freq="Q")["period"].tolist() == ["1402-Q4", "1403-Q1", "1403-Q1", "1403-Q2", "1403-Q4"]
    assert jalali_period(dates, freq="Y")["period"].tolist() == ["1402", "1403", "1403", "1403", "1403"]
    with pytest.raises(CRMInputError, match="'freq'"):
        jalali_period(dates, freq="W")
