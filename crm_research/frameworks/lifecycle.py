"""Kalakota & Robinson's CRM lifecycle: acquire, enhance, retain — measured on order histories.

Kalakota and Robinson (2001) describe CRM as three phases, each with its own focus:
*acquire* new customers (چرخه جذب), *enhance* the profitability of existing ones
(ارتقا) and *retain* the profitable ones (حفظ مشتری).
:func:`lifecycle_phases` puts every customer in one phase from their history at a
date, :func:`lifecycle_kpis` follows the phase KPIs over time, and
:data:`LIFECYCLE_STRATEGIES` lists what the model prescribes in each phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.results import Result
from crm_research.core.transactions import check_date, check_transactions
from crm_research.core.validation import check_choice, check_columns, check_int

__all__ = ["LIFECYCLE_STRATEGIES", "lifecycle_phases", "lifecycle_kpis", "LifecycleResult"]

PHASES = ("acquire", "enhance", "retain")

LIFECYCLE_STRATEGIES = pd.DataFrame(
    {
        "phase": list(PHASES),
        "phase_fa": ["جذب", "ارتقا", "حفظ"],
        "focus": ["win new customers", "grow the value of existing customers", "keep profitable customers"],
        "strategies": [
            "differentiation, innovation, convenience; a good first experience",
            "cross-selling, up-selling, bundling; lower cost to serve (self-service)",
            "adaptation to each customer, listening, service quality, loyalty programmes",
        ],
        "strategies_fa": [
            "تمایز، نوآوری، راحتی؛ تجربه خرید نخست خوب",
            "فروش متقاطع، فروش بیشتر، بسته‌سازی؛ کاهش هزینه خدمت‌رسانی",
            "انطباق با مشتری، شنیدن صدای مشتری، کیفیت خدمت، برنامه وفاداری",
        ],
        "kpi": ["new-customer rate", "share buying a second category", "retention rate"],
    }
)


def _orders(transactions: Any, customer_col: str, date_col: str, amount_col: str, category_col: str, func: str,
            at: Any = None) -> pd.DataFrame:
    """The checked orders (up to ``at``) as columns c (customer), d (date), a (amount), k (category)."""
    clean = check_transactions(transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                               at=at, after_at="exclude", func=func)
    check_columns(transactions, [category_col], name="category_col", func=func)
    return pd.DataFrame({"c": clean[customer_col].to_numpy(), "d": clean[date_col].to_numpy(),
                         "a": clean[amount_col].to_numpy(), "k": clean[category_col].astype(str).to_numpy()})


@positional_options
def lifecycle_phases(transactions: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                     amount_col: str = "amount", category_col: str = "category", *, at: Any,
                     new_days: int = 90, lapse_days: int = 180) -> pd.DataFrame:
    """Assign every customer to a Kalakota lifecycle phase from their history up to ``at``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order, checked by
        :func:`~crm_research.core.transactions.check_transactions` (amounts must
        be >= 0: net returns against their orders first). Not modified.
    customer_col, date_col, amount_col, category_col : str
    at : date
        The date of the assessment, on or after the first order.  Orders after it
        are left out (the phases as they stood on that date).
    new_days : int, default 90
        A customer whose first order is at most this many days before ``at`` is in
        the *acquire* phase (still being won).
    lapse_days : int, default 180
        An established customer without an order in this many days is in the *retain*
        phase (at risk, to be kept or won back); the rest are in *enhance*.

    Returns
    -------
    pandas.DataFrame
        One row per customer with an order up to ``at``: ``customer_col``,
        ``first_order``, ``last_order``, ``orders``, ``revenue``, ``categories``,
        ``tenure_days``, ``recency_days``, ``phase`` (acquire / enhance / retain) and
        ``phase_fa``.

    Notes
    -----
    acquire: tenure <= ``new_days``; retain: tenure > ``new_days`` and recency >
    ``lapse_days``; enhance: otherwise.  The cut-offs are choices the analyst states;
    they should reflect the purchase cycle (here, a typical customer buys every few
    months).

    References
    ----------
    Kalakota, R., & Robinson, M. (2001). *e-Business 2.0: Roadmap for Success*.
    Addison-Wesley, ch. 6.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> phases = crm.lifecycle_phases(company.transactions, at="2024-06-30")
    >>> sorted(phases["phase"].unique())
    ['acquire', 'enhance', 'retain']
    """
    func = "lifecycle_phases"
    at_ts = check_date(at, "at", func)
    tx = _orders(transactions, customer_col, date_col, amount_col, category_col, func, at=at_ts)
    new_days = check_int(new_days, "new_days", func, min_value=1)
    lapse_days = check_int(lapse_days, "lapse_days", func, min_value=1)
    g = tx.groupby("c").agg(first_order=("d", "min"), last_order=("d", "max"), orders=("d", "size"),
                            revenue=("a", "sum"), categories=("k", "nunique"))
    tenure = (at_ts - g["first_order"]).dt.days
    recency = (at_ts - g["last_order"]).dt.days
    phase = np.where(tenure <= new_days, "acquire", np.where(recency > lapse_days, "retain", "enhance"))
    out = g.reset_index().rename(columns={"c": customer_col})
    out["tenure_days"] = tenure.to_numpy()
    out["recency_days"] = recency.to_numpy()
    out["phase"] = pd.Categorical(phase, categories=list(PHASES))
    out["phase_fa"] = out["phase"].map(dict(zip(PHASES, LIFECYCLE_STRATEGIES["phase_fa"], strict=True))).astype(str)
    return out


@dataclass(repr=False, eq=False)
class LifecycleResult(Result):
    """Kalakota lifecycle KPIs per period.

    Attributes
    ----------
    kpis : pandas.DataFrame
        One row per period (see :func:`lifecycle_kpis`).
    freq : str
        The period length: "M", "Q" or "Y".
    """

    title: ClassVar[str] = "Kalakota lifecycle: phase KPIs over time"
    kpis: pd.DataFrame
    freq: str

    def to_frame(self) -> pd.DataFrame:
        return self.kpis.copy()

    def _summary_tables(self):
        return [("Phase KPIs", self.kpis.set_index("period")), ("What each phase calls for", LIFECYCLE_STRATEGIES)]

    def plot(self, ax=None):
        """Three panels: acquire (new-customer rate), enhance (second category), retain (retention)."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, axes = plt.subplots(1, 3, figsize=(12, 3.3))
        else:
            axes, fig = np.atleast_1d(ax), np.atleast_1d(ax)[0].figure
        k = self.kpis
        spec = [("new_customer_rate", "acquire: new-customer rate", "جذب"),
                ("second_category_share", "enhance: share with 2+ categories", "ارتقا"),
                ("retention_rate", "retain: retention rate", "حفظ")]
        for a, (col, title, fa) in zip(axes, spec, strict=False):
            a.plot(k["period"], k[col], marker="o", ms=3)
            a.set_title(f"{title}\n{fa}", fontsize=9)
            a.set_ylim(0, 1)
            a.tick_params(axis="x", rotation=45, labelsize=7)
        fig.tight_layout()
        return fig


@positional_options
def lifecycle_kpis(transactions: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                   amount_col: str = "amount", category_col: str = "category", *,
                   freq: str = "Q") -> LifecycleResult:
    """The KPIs of the three lifecycle phases, period by period.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order, checked as in :func:`lifecycle_phases`. Not modified.
    customer_col, date_col, amount_col, category_col : str
    freq : {"M", "Q", "Y"}, default "Q"
        Period length: month, quarter or year.

    Returns
    -------
    LifecycleResult
        ``kpis``: one row per period with ``period`` (start date), ``active_customers``
        (customers with an order in the period), ``new_customers`` (first order in the
        period), ``new_customer_rate`` = new / active, ``customers_to_date`` (acquired
        up to the end of the period), ``second_category_share`` (share of them who
        have bought in at least two categories), ``retained`` (customers active in the
        previous period and in this one), ``retention_rate`` = retained / active in
        the previous period (NaN in the first period), ``revenue_acquire`` (revenue of
        new customers), ``revenue_enhance`` (of repeat customers who bought in the
        previous period too), ``revenue_retain`` (of repeat customers returning after
        a period or more without orders), ``revenue``.

    Notes
    -----
    Retention is the period-to-period repeat rate
    :math:`r_t = |A_{t-1} \\cap A_t| / |A_{t-1}|` with :math:`A_t` the customers
    active in period *t*; with purchase cycles longer than the period it is low
    even for loyal customers, so compare it over time, not with other firms.

    References
    ----------
    Kalakota, R., & Robinson, M. (2001). *e-Business 2.0: Roadmap for Success*.
    Addison-Wesley.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> kpis = crm.lifecycle_kpis(company.transactions).kpis
    >>> bool((kpis["new_customer_rate"] <= 1).all())
    True
    """
    func = "lifecycle_kpis"
    tx = _orders(transactions, customer_col, date_col, amount_col, category_col, func)
    freq = check_choice(freq, "freq", ["M", "Q", "Y"], func)
    tx["p"] = tx["d"].dt.to_period(freq)
    first = tx.groupby("c")["d"].transform("min").dt.to_period(freq)
    tx["new"] = tx["p"] == first
    periods = pd.period_range(tx["p"].min(), tx["p"].max(), freq=freq)
    active = {p: set(g) for p, g in tx.groupby("p")["c"]}
    # first period in which each customer reached two categories
    tx_sorted = tx.sort_values("d")
    firsts = tx_sorted.drop_duplicates(["c", "k"])
    second_cat = firsts.groupby("c")["p"].apply(lambda s: s.iloc[1] if len(s) > 1 else pd.NaT)
    first_p = tx.groupby("c")["p"].min()
    rows = []
    prev: set = set()
    for i, p in enumerate(periods):
        act = active.get(p, set())
        in_p = tx[tx["p"] == p]
        new_mask = in_p["new"]
        prev_mask = in_p["c"].isin(prev)
        to_date = int((first_p <= p).sum())
        two = int(second_cat.dropna().le(p).sum()) if second_cat.notna().any() else 0
        retained = len(act & prev)
        rows.append({
            "period": p.start_time, "active_customers": len(act), "new_customers": int(in_p.loc[new_mask, "c"].nunique()),
            "customers_to_date": to_date, "second_category_customers": two, "retained": retained,
            "retention_rate": retained / len(prev) if i and prev else np.nan,
            "revenue_acquire": float(in_p.loc[new_mask, "a"].sum()),
            "revenue_enhance": float(in_p.loc[~new_mask & prev_mask, "a"].sum()),
            "revenue_retain": float(in_p.loc[~new_mask & ~prev_mask, "a"].sum()),
            "revenue": float(in_p["a"].sum()),
        })
        prev = act
    kpis = pd.DataFrame(rows)
    kpis.insert(3, "new_customer_rate", kpis["new_customers"] / kpis["active_customers"].where(kpis["active_customers"] > 0))
    kpis.insert(6, "second_category_share", kpis["second_category_customers"] / kpis["customers_to_date"])
    return LifecycleResult(kpis, freq)
