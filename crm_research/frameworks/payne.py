"""Payne & Frow's five cross-functional CRM processes as a scorecard on the customer database.

Payne and Frow (2005) describe CRM as five processes that have to work together:
strategy development (توسعهٔ استراتژی), value creation (ایجاد ارزش), multichannel integration
(ادغام چندکاناله), information management (مدیریت اطلاعات) and performance
assessment (ارزیابی عملکرد).  :func:`payne_scorecard` measures each one on a
:class:`~crm_research.data.database.CustomerDatabase`:

1. strategy development — the segment portfolio (size, revenue, growth, activity);
2. value creation — value to the firm against value to the customer, per segment;
3. multichannel integration — channel mix and cost per contact, with the primer's
   cost ratios;
4. information management — :func:`data_quality_report` (completeness, duplicates,
   staleness, consent coverage);
5. performance assessment — monthly KPI trends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.transactions import check_date, check_transactions
from crm_research.core.validation import (
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    examples_of,
    param_error,
)

__all__ = ["PAYNE_PROCESSES", "data_quality_report", "payne_scorecard", "PayneScorecard"]

PAYNE_PROCESSES = pd.DataFrame({
    "process": ["strategy_development", "value_creation", "multichannel_integration", "information_management",
                "performance_assessment"],
    "process_fa": ["توسعهٔ استراتژی", "ایجاد ارزش", "ادغام چندکاناله", "مدیریت اطلاعات", "ارزیابی عملکرد"],
    "question": [
        "Which customers do we serve, and which segments carry the business?",
        "What value do we give customers, and what value do they give us?",
        "Which channels do customers use, and what does each contact cost?",
        "Is the customer data complete, unique, current and usable (consent)?",
        "Are the CRM results improving over time?",
    ],
})


def _check_db(db, func):
    from crm_research.data.database import CustomerDatabase

    if not isinstance(db, CustomerDatabase):
        raise param_error("db", "a crm.CustomerDatabase", type(db).__name__, func)
    n = db.query("SELECT COUNT(*) AS n FROM customers")["n"].iloc[0]
    if n == 0:
        raise CRMInputError(f"The database passed to {func} has no customers; load data first.")


def _orders(db: Any, at: Any, func: str, extra: str = "") -> tuple[pd.DataFrame, pd.Timestamp]:
    """The database's orders up to ``at``, checked, and ``at`` itself (default: the last order date)."""
    tx = db.query(f"SELECT customer_id, order_date, amount{extra} FROM transactions")
    at = None if at is None else check_date(at, "at", func)
    # the scorecard describes the business as it stood on 'at': later orders are left out
    clean = check_transactions(tx, customer_col="customer_id", date_col="order_date", amount_col="amount", at=at,
                               after_at="exclude", func=func)
    return clean, clean["order_date"].max() if at is None else at


@positional_options
def data_quality_report(db: Any, *, at: Any = None, stale_days: int = 365, duplicates: bool = True) -> pd.DataFrame:
    """Information-management checks of a customer database: completeness, duplicates, staleness, consent.

    Parameters
    ----------
    db : crm.CustomerDatabase
    at : date, optional
        Reference date for staleness (default: the last order date); on or after the first order.
    stale_days : int, default 365
        A customer with no order, contact or web session in this many days is *stale*.
    duplicates : bool, default True
        Run :func:`crm.resolve_duplicates` to count duplicate records.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``dimension`` (completeness / uniqueness / currency /
        consent / validity), ``check``, ``value`` (a share, 0-1, or a count),
        ``detail``.

    Notes
    -----
    The dimensions follow the data-quality literature (Wang & Strong, 1996):
    completeness = non-missing share of each customer column; uniqueness = share of
    records that duplicate another person's record; currency = share of customers
    with recent activity; consent coverage = share who may be contacted by e-mail,
    by SMS, and by either; validity = orders delivered before they were placed.

    References
    ----------
    Wang, R. Y., & Strong, D. M. (1996). Beyond accuracy: What data quality means to data
    consumers. *Journal of Management Information Systems*, 12(4), 5-33.

    Payne, A., & Frow, P. (2005). A strategic framework for customer relationship
    management. *Journal of Marketing*, 69(4), 167-176.
    """
    func = "data_quality_report"
    _check_db(db, func)
    _, at = _orders(db, at, func)
    stale_days = check_int(stale_days, "stale_days", func, min_value=1)  # 1.5 days was truncated silently
    cu = db.table("customers")
    rows = []
    for col in ["first_name", "last_name", "email", "phone", "region", "age_band", "gender"]:
        rows.append({"dimension": "completeness", "check": f"{col} present", "value": float(cu[col].notna().mean()),
                     "detail": f"{int(cu[col].isna().sum())} missing of {len(cu)}"})
    if duplicates:
        from crm_research.frameworks.idic import resolve_duplicates

        ent = resolve_duplicates(cu).entities
        n_dup = len(ent) - ent["entity_id"].nunique()
        rows.append({"dimension": "uniqueness", "check": "duplicate records", "value": n_dup / len(cu),
                     "detail": f"{n_dup} records belong to a person with another record"})
    recent = db.query(
        """SELECT COUNT(*) AS n FROM customers c WHERE
           EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.customer_id AND t.order_date > ?::DATE - ?::INTEGER
                   AND t.order_date <= ?::DATE)
           OR EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.customer_id AND k.contact_date > ?::DATE - ?::INTEGER
                   AND k.contact_date <= ?::DATE)
           OR EXISTS (SELECT 1 FROM web_sessions w WHERE w.customer_id = c.customer_id
                   AND w.session_date > ?::DATE - ?::INTEGER AND w.session_date <= ?::DATE)""",
        [at.date(), stale_days, at.date()] * 3)["n"].iloc[0]
    rows.append({"dimension": "currency", "check": f"no activity in {stale_days} days", "value": 1 - recent / len(cu),
                 "detail": f"{len(cu) - recent} stale records at {at.date()}"})
    consent = db.table("contactable_customers")
    for col, label in (("can_email", "may be e-mailed"), ("can_sms", "may be sent SMS")):
        rows.append({"dimension": "consent", "check": label, "value": float(consent[col].mean()),
                     "detail": f"{int(consent[col].sum())} of {len(consent)}"})
    either = consent["can_email"] | consent["can_sms"]
    rows.append({"dimension": "consent", "check": "reachable on no marketing channel", "value": float(1 - either.mean()),
                 "detail": f"{int((~either).sum())} customers"})
    bad = db.query("SELECT COUNT(*) AS n FROM transactions WHERE actual_delivery_date < order_date")["n"].iloc[0]
    rows.append({"dimension": "validity", "check": "delivered before ordered", "value": float(bad),
                 "detail": "orders (should be 0)"})
    return pd.DataFrame(rows)


@dataclass(repr=False, eq=False)
class PayneScorecard(Result):
    """The five processes of Payne & Frow measured on a customer database.

    Attributes
    ----------
    headline, strategy, value, channels, cost_ratios, information, performance, order_channels : pandas.DataFrame
        See :func:`payne_scorecard`.
    at : pandas.Timestamp
        The reference date of the scorecard.
    """

    title: ClassVar[str] = "Payne's five CRM processes: scorecard"
    headline: pd.DataFrame
    strategy: pd.DataFrame
    value: pd.DataFrame
    channels: pd.DataFrame
    cost_ratios: pd.DataFrame
    information: pd.DataFrame
    performance: pd.DataFrame
    order_channels: pd.DataFrame
    at: pd.Timestamp | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.headline.copy()

    def _summary_tables(self):
        return [("Scorecard", self.headline),
                ("1. Strategy development: segment portfolio", self.strategy),
                ("2. Value creation: value to the firm vs value to the customer", self.value),
                ("3. Multichannel integration: contacts and cost by channel", self.channels),
                ("3. Cost ratios against the primer", self.cost_ratios),
                ("3. Orders by sales channel", self.order_channels),
                ("4. Information management: data quality", self.information),
                ("5. Performance assessment: last 12 months", self.performance.tail(12))]

    def plot(self, ax=None):
        """Four panels: segment portfolio, value map, channel cost, monthly revenue."""
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
        s = self.strategy
        axes[0, 0].bar(s["segment"].astype(str), s["share_of_revenue"], color="#4C72B0", label="revenue")
        axes[0, 0].plot(s["segment"].astype(str), s["share_of_customers"], "o", color="#C44E52", label="customers")
        axes[0, 0].set_title("1. Strategy: segment portfolio (توسعهٔ استراتژی)")
        axes[0, 0].legend()
        v = self.value
        axes[0, 1].scatter(v["on_time_rate"], v["net_value_per_customer"], s=80)
        for _, r in v.iterrows():
            axes[0, 1].annotate(str(r["segment"]), (r["on_time_rate"], r["net_value_per_customer"]), fontsize=8)
        axes[0, 1].set_xlabel("value to the customer: on-time delivery rate")
        axes[0, 1].set_ylabel("value to the firm: net value per customer")
        axes[0, 1].set_title("2. Value creation (ایجاد ارزش)")
        c = self.channels
        labels = c["channel"].astype(str) + " / " + c["initiated_by"].astype(str)
        axes[1, 0].barh(labels, c["cost_per_contact"], color="#55A868")
        axes[1, 0].set_xscale("log")
        axes[1, 0].set_xlabel("cost per contact (log scale)")
        axes[1, 0].set_title("3. Multichannel integration (ادغام چندکاناله)")
        p = self.performance
        axes[1, 1].plot(p["month"], p["revenue"], marker=".")
        axes[1, 1].set_title("5. Performance: monthly revenue (ارزیابی عملکرد)")
        axes[1, 1].tick_params(axis="x", rotation=45)
        fig.tight_layout()
        return fig


@positional_options
def payne_scorecard(db: Any, segments: pd.DataFrame | None = None, segment_col: str = "segment", *,
                    margin: float = 0.25, at: Any = None, duplicates: bool = True) -> PayneScorecard:
    """Measure Payne & Frow's five CRM processes on a customer database.

    Parameters
    ----------
    db : crm.CustomerDatabase
    segments : pandas.DataFrame, optional
        ``customer_id`` and ``segment_col`` (e.g. from ``crm.segment``).  Default:
        value tiers gold / silver / bronze of revenue (:func:`crm.value_tiers`).
    segment_col : str, default "segment"
    margin : float, default 0.25
        Gross margin on revenue, for the value to the firm.
    at : date, optional
        Reference date (default: the last order date), on or after the first order.
        Orders after it are left out: the scorecard shows the business as it stood then.
    duplicates : bool, default True
        Count duplicate records in the data-quality report.

    Returns
    -------
    PayneScorecard
        ``headline`` (one row per process: ``process``, ``process_fa``, ``kpi``,
        ``value``), ``strategy`` (``segment``, ``customers``, ``share_of_customers``,
        ``revenue``, ``share_of_revenue``, ``revenue_per_customer``, ``active_share``
        (ordered in the last 180 days), ``growth`` (revenue of the last 12 months over
        the 12 before, minus 1)), ``value`` (``segment``, ``revenue_per_customer``,
        ``contact_cost_per_customer``, ``net_value_per_customer`` = margin * revenue -
        contact cost, ``on_time_rate``, ``complaints_per_100_orders``,
        ``offer_acceptance``), ``channels`` (:func:`crm.channel_report` of the contacts),
        ``order_channels`` (``channel``, ``share_of_orders``), ``cost_ratios``
        (``comparison``, ``observed``, ``primer``), ``information``
        (:func:`data_quality_report`), ``performance`` (monthly ``orders``, ``revenue``,
        ``active_customers``, ``new_customers``, ``revenue_12m_growth``).

    Notes
    -----
    Cost ratios compare customer-initiated contacts: store / contact centre (the
    primer: about 10) and contact centre / web self-service (about 20); complaints
    are left out because they cost more on every channel.

    References
    ----------
    Payne, A., & Frow, P. (2005). A strategic framework for customer relationship
    management. *Journal of Marketing*, 69(4), 167-176.

    Payne, A. (2012). *Handbook of CRM: Achieving Excellence in Customer Management*.
    Routledge.

    Examples
    --------
    >>> import crm_research as crm
    >>> db = crm.CustomerDatabase.from_sample_company()
    >>> card = crm.payne_scorecard(db)
    >>> card.to_frame()["process"].tolist()[0]
    'strategy_development'
    """
    from crm_research.frameworks.idic import channel_report, value_tiers

    func = "payne_scorecard"
    _check_db(db, func)
    margin = check_number(margin, "margin", func, 0.0, 1.0)
    tx, at = _orders(db, at, func, extra=", channel, promised_delivery_date, actual_delivery_date")
    ov = db.customer_overview()
    if segments is None:
        tiers = value_tiers(ov, "revenue").customers[["customer_id", "tier"]]
        seg = tiers.rename(columns={"tier": "segment"})
        seg["segment"] = seg["segment"].astype(str)
    else:
        segments = check_dataframe(segments, "segments", func)
        check_columns(segments, ["customer_id", segment_col], name="segments", func=func)
        repeated = segments["customer_id"].duplicated(keep=False)
        if repeated.any():  # the merges below would count such a customer (and their revenue) twice
            raise CRMInputError(f"Column 'customer_id' of 'segments' must list each customer once; "
                                f"{examples_of(pd.unique(segments.loc[repeated, 'customer_id'].astype(str)))} "
                                "appear more than once.")
        seg = pd.DataFrame({"customer_id": segments["customer_id"].to_numpy(),
                            "segment": segments[segment_col].astype(str).to_numpy()})
    ov = ov.merge(seg, on="customer_id", how="inner")
    if ov.empty:
        raise CRMInputError("No customer of 'segments' is in the database; check the customer_id values.")
    tx = tx.merge(seg, on="customer_id", how="inner")
    # windows end at 'at': orders after it must not count as "the last 12 months" (or as recent)
    upto = tx["order_date"] <= at
    last12 = (tx["order_date"] > at - pd.DateOffset(years=1)) & upto
    prev12 = (tx["order_date"] > at - pd.DateOffset(years=2)) & (tx["order_date"] <= at - pd.DateOffset(years=1))
    recent = tx.loc[(tx["order_date"] > at - pd.Timedelta(days=180)) & upto, "customer_id"].unique()
    g = ov.groupby("segment")
    strategy = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum()})
    strategy["share_of_customers"] = strategy["customers"] / strategy["customers"].sum()
    strategy["share_of_revenue"] = strategy["revenue"] / strategy["revenue"].sum()
    strategy["revenue_per_customer"] = strategy["revenue"] / strategy["customers"]
    strategy["active_share"] = ov.assign(a=ov["customer_id"].isin(recent)).groupby("segment")["a"].mean()
    r12 = tx[last12].groupby("segment")["amount"].sum()
    r24 = tx[prev12].groupby("segment")["amount"].sum()
    strategy["growth"] = r12.reindex(strategy.index) / r24.reindex(strategy.index) - 1
    strategy = strategy.sort_values("revenue", ascending=False).reset_index()
    strategy = strategy[["segment", "customers", "share_of_customers", "revenue", "share_of_revenue",
                         "revenue_per_customer", "active_share", "growth"]]
    # value creation
    shipped = tx[tx["channel"] != "store"]
    on_time = (pd.to_datetime(shipped["actual_delivery_date"]) <= pd.to_datetime(shipped["promised_delivery_date"]))
    value = pd.DataFrame({
        "revenue_per_customer": g["revenue"].mean(),
        "contact_cost_per_customer": g["contact_cost"].mean(),
        "on_time_rate": on_time.groupby(shipped["segment"]).mean(),
        "complaints_per_100_orders": 100 * g["complaints"].sum() / g["orders"].sum(),
        "offer_acceptance": g["offers_accepted"].sum() / g["offers_received"].sum().where(g["offers_received"].sum() > 0),
    })
    value.insert(2, "net_value_per_customer", margin * value["revenue_per_customer"] - value["contact_cost_per_customer"])
    value = value.reindex(strategy["segment"]).reset_index()
    # multichannel integration
    contacts = db.table("contacts")
    channels = channel_report(contacts, db.table("campaigns"))
    cust = channel_report(contacts[contacts["purpose"] != "complaint"])
    cust = cust[cust["initiated_by"] == "customer"].set_index("channel")["cost_per_contact"]

    def ratio(a, b):
        return float(cust[a] / cust[b]) if a in cust.index and b in cust.index else np.nan

    cost_ratios = pd.DataFrame([
        {"comparison": "store / contact_centre", "observed": ratio("store", "contact_centre"), "primer": 10.0},
        {"comparison": "contact_centre / web", "observed": ratio("contact_centre", "web"), "primer": 20.0}])
    mix = tx["channel"].astype(str).value_counts(normalize=True).rename("share_of_orders")
    order_mix = mix.rename_axis("channel").reset_index()
    # information management
    information = data_quality_report(db, at=at, duplicates=duplicates)
    # performance assessment
    perf = db.table("monthly_kpis")
    perf["month"] = pd.to_datetime(perf["month"])
    perf = perf[perf["month"] <= at].reset_index(drop=True)
    roll = perf["revenue"].rolling(12).sum()
    perf["revenue_12m_growth"] = roll / roll.shift(12) - 1
    web_share = contacts.loc[contacts["initiated_by"] == "customer", "channel"].astype(str).eq("web").mean()
    headline = pd.DataFrame([
        {"kpi": "revenue share of the largest segment", "value": float(strategy["share_of_revenue"].iloc[0])},
        {"kpi": "on-time delivery rate (value to the customer)", "value": float(on_time.mean())},
        {"kpi": "web self-service share of customer contacts", "value": float(web_share)},
        {"kpi": "customers reachable on no marketing channel",
         "value": float(information.loc[information["check"] == "reachable on no marketing channel", "value"].iloc[0])},
        {"kpi": "revenue growth, last 12 months", "value": float(perf["revenue_12m_growth"].iloc[-1])},
    ])
    headline.insert(0, "process", PAYNE_PROCESSES["process"].to_numpy())
    headline.insert(1, "process_fa", PAYNE_PROCESSES["process_fa"].to_numpy())
    return PayneScorecard(headline, strategy, value, channels, cost_ratios, information, perf, order_mix, at=at)
