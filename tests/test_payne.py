"""Payne's five processes as a scorecard on the customer database, against the ground truth."""

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError


@pytest.fixture(scope="module")
def company():
    return crm.load_dataset("sample_company")


@pytest.fixture(scope="module")
def card(company):
    db = crm.CustomerDatabase.from_sample_company(company)
    segs = company.truth["persons"][["customer_id", "segment"]]
    return crm.payne_scorecard(db, segments=segs)


def test_headline_has_the_five_processes(card):
    head = card.to_frame()
    assert head["process"].tolist() == list(crm.PAYNE_PROCESSES["process"])
    assert head["value"].notna().all()
    text = str(card.summary())
    assert "Information management" in text and "ارزیابی عملکرد" in text


def test_strategy_portfolio_adds_up(card, company):
    s = card.strategy
    assert s["share_of_customers"].sum() == pytest.approx(1.0)
    assert s["share_of_revenue"].sum() == pytest.approx(1.0)
    # segments are the true latent segments of the primary records: their sizes match the truth
    truth = company.truth["persons"]["segment"].astype(str).value_counts()
    assert s.set_index("segment")["customers"].to_dict() == truth.to_dict()


def test_value_creation_matches_delivery_truth(card, company):
    # on-time = not late; the truth records the days late of every order
    tx = company.transactions.merge(company.truth["orders"], on="order_id")
    seg = company.truth["persons"].set_index("customer_id")["segment"].astype(str)
    shipped = tx[(tx["channel"] != "store") & tx["customer_id"].isin(seg.index)]
    truth_rate = (shipped["days_late"] == 0).groupby(shipped["customer_id"].map(seg)).mean()
    got = card.value.set_index("segment")["on_time_rate"]
    np.testing.assert_allclose(got.loc[truth_rate.index], truth_rate, rtol=1e-12)


def test_multichannel_cost_ratios_are_the_primers(card, company):
    ratios = card.cost_ratios.set_index("comparison")["observed"]
    # the generator uses the primer's ratios: 10x and 20x
    assert ratios["store / contact_centre"] == pytest.approx(10.0)
    assert ratios["contact_centre / web"] == pytest.approx(20.0)
    assert card.order_channels["share_of_orders"].sum() == pytest.approx(1.0)


def test_data_quality_report_against_truth(company):
    db = crm.CustomerDatabase.from_sample_company(company)
    dq = crm.data_quality_report(db).set_index("check")
    cu = company.customers
    assert dq.loc["email present", "value"] == pytest.approx(cu["email"].notna().mean())
    n_dup_truth = company.truth["records"]["is_duplicate"].sum()
    # measured: 142 of the 146 true duplicates are found (the other four carry no contact data)
    assert dq.loc["duplicate records", "value"] * len(cu) == pytest.approx(n_dup_truth, abs=6)
    can_email = (cu["email_opt_in"] & cu["email"].notna()).mean()
    assert dq.loc["may be e-mailed", "value"] == pytest.approx(can_email)
    assert dq.loc["delivered before ordered", "value"] == 0
    # staleness: compare with a direct pandas count of the last activity
    at = company.transactions["order_date"].max()
    last = pd.concat([company.transactions[["customer_id", "order_date"]].set_axis(["c", "d"], axis=1),
                      company.contacts[["customer_id", "contact_date"]].set_axis(["c", "d"], axis=1),
                      company.web_sessions[["customer_id", "session_date"]].set_axis(["c", "d"], axis=1)])
    last = last[last["d"] <= at].groupby("c")["d"].max().reindex(cu["customer_id"])
    stale = (last.isna() | (last <= at - pd.Timedelta(days=365))).mean()
    assert dq.loc["no activity in 365 days", "value"] == pytest.approx(stale)


def test_performance_trend(card, company):
    p = card.performance
    assert p["revenue"].sum() == pytest.approx(company.transactions["amount"].sum())
    assert np.isnan(p["revenue_12m_growth"].iloc[:23]).all()
    assert np.isfinite(p["revenue_12m_growth"].iloc[-1])


def test_payne_errors(company):
    with pytest.raises(CRMInputError, match="CustomerDatabase"):
        crm.payne_scorecard(company.customers)
    db = crm.CustomerDatabase.from_sample_company(company)
    with pytest.raises(CRMInputError, match="margin"):
        crm.payne_scorecard(db, margin=2)
    with pytest.raises(CRMInputError, match="segments"):
        crm.payne_scorecard(db, segments=pd.DataFrame({"customer_id": [1], "seg": ["a"]}))


def test_review_windows_end_at_the_reference_date(company):
    # review: "last 12 months" and "active in the last 180 days" counted every order after 'at'
    # too, so a scorecard at mid-2023 reported growth of +3480% for the gold tier
    db = crm.CustomerDatabase.from_sample_company(company)
    at = pd.Timestamp("2023-06-30")
    card = crm.payne_scorecard(db, at=at, duplicates=False)
    tiers = crm.value_tiers(db.customer_overview(), "revenue").customers
    gold = set(tiers.loc[tiers["tier"] == "gold", "customer_id"])
    tx = company.transactions[company.transactions["customer_id"].isin(gold)]
    d = tx["order_date"]
    last = tx.loc[(d > at - pd.DateOffset(years=1)) & (d <= at), "amount"].sum()
    before = tx.loc[(d > at - pd.DateOffset(years=2)) & (d <= at - pd.DateOffset(years=1)), "amount"].sum()
    active = tx.loc[(d > at - pd.Timedelta(days=180)) & (d <= at), "customer_id"].nunique() / len(gold)
    row = card.strategy.set_index("segment").loc["gold"]
    assert row["growth"] == pytest.approx(last / before - 1, rel=1e-9)
    assert row["active_share"] == pytest.approx(active, rel=1e-12)
    with pytest.raises(CRMInputError, match=r"'at' parameter of payne_scorecard \(2021-06-30\) is before the first"):
        crm.payne_scorecard(db, at="2021-06-30")  # used to fail with a bare IndexError
    with pytest.raises(CRMInputError, match="'at' parameter of data_quality_report must be a date"):
        crm.data_quality_report(db, at="last spring", duplicates=False)
    assert card.at == at


def test_review_segments_listing_a_customer_twice_are_refused(company):
    db = crm.CustomerDatabase.from_sample_company(company)
    segs = company.truth["persons"][["customer_id", "segment"]]
    twice = pd.concat([segs, segs.head(1)], ignore_index=True)  # used to double that customer's revenue
    with pytest.raises(CRMInputError, match="must list each customer once"):
        crm.payne_scorecard(db, segments=twice, duplicates=False)


def test_review_stale_days_must_be_whole(company):
    db = crm.CustomerDatabase.from_sample_company(company)
    with pytest.raises(CRMInputError, match="'stale_days' parameter of data_quality_report must be an int"):
        crm.data_quality_report(db, stale_days=90.5, duplicates=False)
