"""Winer's (2001) seven-step CRM process: selection, targeting, relationship programmes, metrics.

Steps 1 (database) and 2 (analysis) live in ``crm.CustomerDatabase``, ``crm.segment``,
``crm.discriminant`` and the value functions; step 6 (privacy) in
:mod:`crm_research.data.privacy`.  This module adds:

- step 3, **selection** (انتخاب مشتریان): :func:`select_customers` ranks customers by
  the expected value of contacting them and keeps those worth the cost;
- step 4, **targeting** (هدف‌گیری): :func:`personalised_offers` writes a one-to-one
  offer list on a channel, dropping everyone who has not opted in;
- step 5, **relationship programmes** (برنامه‌های رابطه‌ای): :func:`loyalty_effect`
  estimates what the loyalty programme does to the purchase rate (a before/after
  comparison with controls, and a BG/NBD model with a membership rate multiplier),
  showing why the naive member/non-member comparison misleads;
- step 7, **metrics** (سنجه‌ها): :func:`campaign_metrics` — response, uplift over
  the control cell and revenue per contact of every campaign.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.transactions import CustomerTable, check_transactions
from crm_research.core.validation import (
    check_ci,
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    check_numeric_columns,
    check_seed,
    examples_of,
)

__all__ = ["select_customers", "personalised_offers", "OfferList", "loyalty_effect", "LoyaltyEffectResult",
           "campaign_metrics"]


# ----------------------------------------------------------------------------- step 3: selection
@positional_options
def select_customers(data: pd.DataFrame, value_col: str, response_col: str | None = None,
                     customer_col: str = "customer_id", *, cost_per_contact: float, budget: int | None = None,
                     response_rate: float | None = None) -> pd.DataFrame:
    """Rank customers by the expected profit of contacting them and select those worth it.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer. Not modified.
    value_col : str
        Value of a customer who responds (e.g. CLV, or the margin of the expected order).
    response_col : str, optional
        Column with each customer's response probability.
    customer_col : str, default "customer_id"
    response_rate : float, optional
        One response probability for all customers, instead of ``response_col``
        (before 0.2 it was passed as ``response_col``; a number there still works
        for one release, with a ``FutureWarning``).
    cost_per_contact : float
        Cost of one contact, in the unit of ``value_col``.
    budget : int, optional
        At most this many customers are selected (the most profitable first).

    Returns
    -------
    pandas.DataFrame
        All customers, best first: ``customer_col``, ``value``, ``p_response``,
        ``expected_profit`` = p * value - cost, ``rank``, ``selected`` (expected
        profit > 0 and within the budget), ``cum_expected_profit``.

    Notes
    -----
    Contact customer *i* when :math:`p_i v_i > c`, i.e. when the response
    probability exceeds the break-even rate :math:`c / v_i`.  Winer's third step
    asks which customers to target; the answer is those whose expected long-run
    profit covers the cost of reaching them.

    References
    ----------
    Winer, R. S. (2001). A framework for customer relationship management. *California
    Management Review*, 43(4), 89-105.

    Examples
    --------
    >>> import pandas as pd, crm_research as crm
    >>> d = pd.DataFrame({"customer_id": [1, 2, 3], "clv": [100.0, 20.0, 500.0]})
    >>> crm.select_customers(d, "clv", response_rate=0.1, cost_per_contact=5)["selected"].tolist()
    [True, True, False]
    """
    func = "select_customers"
    data = check_dataframe(data, "data", func)
    check_columns(data, [customer_col], name="customer_col", func=func)
    value = check_numeric_columns(data, [value_col], "data", func, allow_missing=False)[value_col]
    if response_col is not None and not isinstance(response_col, str) and response_rate is None:
        warnings.warn(f"{func}(): pass one response probability for all customers as response_rate=; "
                      "a number as 'response_col' stops working in the next release.", FutureWarning, stacklevel=2)
        response_col, response_rate = None, response_col
    if (response_col is None) == (response_rate is None):
        raise CRMInputError(f"{func} needs exactly one of 'response_col' (a column of response probabilities) and "
                            f"'response_rate' (one probability for all). Got {response_col!r} and {response_rate!r}.")
    if response_col is not None:
        p = check_numeric_columns(data, [response_col], "data", func, allow_missing=False,
                                  scale=(0, 1))[response_col]
    else:
        p = pd.Series(check_number(response_rate, "response_rate", func, 0.0, 1.0), index=data.index)
    cost = check_number(cost_per_contact, "cost_per_contact", func, 0.0)
    out = pd.DataFrame({customer_col: data[customer_col].to_numpy(), "value": value.to_numpy(),
                        "p_response": p.to_numpy()})
    out["expected_profit"] = out["p_response"] * out["value"] - cost
    out = out.sort_values("expected_profit", ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    selected = out["expected_profit"] > 0
    if budget is not None:
        budget = check_int(budget, "budget", func, min_value=0)
        selected &= out["rank"] <= budget
    out["selected"] = selected
    out["cum_expected_profit"] = out["expected_profit"].where(selected, 0.0).cumsum()
    return out


# ----------------------------------------------------------------------------- step 4: targeting
class OfferList(CustomerTable):
    """The table of :func:`personalised_offers`, and how many targets it left out.

    Attributes
    ----------
    dropped_no_consent : int
        Targets left out because they have not opted in to the channel (or have no address).
    dropped_no_offer : int
        Targets left out because no offer was given for them.
    """

    _metadata: ClassVar[list[str]] = ["dropped_no_consent", "dropped_no_offer"]
    dropped_no_consent: int | None = None
    dropped_no_offer: int | None = None


@positional_options
def personalised_offers(selected: pd.DataFrame, customers: pd.DataFrame, offers: pd.DataFrame | pd.Series | str,
                        customer_col: str = "customer_id", offer_col: str = "offer", *,
                        channel: str = "email") -> OfferList:
    """A one-to-one offer list on a channel, keeping only customers who opted in.

    Parameters
    ----------
    selected : pandas.DataFrame
        Customers to target (``customer_col``; a ``selected`` column, if present, is
        honoured), e.g. from :func:`select_customers`.
    customers : pandas.DataFrame
        The customer table with the address and opt-in flag of ``channel``.
    offers : DataFrame, Series or str
        The offer of each customer: a DataFrame with ``customer_col`` and
        ``offer_col``, a Series indexed by customer, or one offer for everybody.
    customer_col, offer_col : str
    channel : {"email", "sms"}

    Returns
    -------
    OfferList
        A DataFrame with ``customer_col``, ``first_name``, the address (``email`` or
        ``phone``), ``offer``; ``dropped_no_consent`` counts targets left out for
        lack of consent and ``dropped_no_offer`` those without an offer.

    Notes
    -----
    Direct, personalised contact (Winer's fourth step) is only legitimate with
    consent (the sixth step): the consent filter is applied here, not left to the
    caller.
    """
    from crm_research.data.privacy import filter_consent

    func = "personalised_offers"
    selected = check_dataframe(selected, "selected", func, min_rows=0)
    check_columns(selected, [customer_col], name="selected", func=func, params=["customer_col"])
    if "selected" in selected.columns:
        selected = selected[selected["selected"].astype(bool)]
    allowed = filter_consent(customers, channel)
    address = "email" if channel == "email" else "phone"
    if isinstance(offers, str):
        offer_map = pd.Series(offers, index=selected[customer_col].unique())
    elif isinstance(offers, pd.Series):
        offer_map = offers
    else:
        offers = check_dataframe(offers, "offers", func)
        check_columns(offers, [customer_col, offer_col], name="offers", func=func,
                      params=["customer_col", "offer_col"])
        offer_map = offers.drop_duplicates(customer_col).set_index(customer_col)[offer_col]
    targets = selected[customer_col].drop_duplicates()
    ok = targets.isin(allowed[customer_col])
    cols = [customer_col] + [c for c in ("first_name",) if c in allowed.columns] + [address]
    out = allowed.loc[allowed[customer_col].isin(targets[ok]), cols].copy()
    out["offer"] = out[customer_col].map(offer_map)
    no_offer = int(out["offer"].isna().sum())
    out = out.dropna(subset=["offer"]).reset_index(drop=True)
    return OfferList.of(out, dropped_no_consent=int((~ok).sum()), dropped_no_offer=no_offer)


# ----------------------------------------------------------------------------- step 5: programmes
@dataclass(repr=False, eq=False)
class LoyaltyEffectResult(Result):
    """Naive and adjusted estimates of the loyalty programme's effect on the purchase rate.

    ``estimates`` (one row per method) and ``groups`` (orders before and after (pseudo)
    joining) as described in :func:`loyalty_effect`; ``window`` in days; ``bootstrap`` and
    ``n_failed``: resamples drawn for the intervals and those whose ratio was undefined
    (a group without orders in the resample); ``seed``.
    """

    title: ClassVar[str] = "Relationship programme: effect of loyalty membership on purchases"
    estimates: pd.DataFrame
    groups: pd.DataFrame
    window: int
    bootstrap: int = 0
    n_failed: int = 0
    seed: int | None = None

    def __post_init__(self):
        if self.n_failed:
            self.warnings.append(f"{self.n_failed} bootstrap ratios were undefined (a group without orders in the "
                                 "resample) and are left out of the intervals.")

    def to_frame(self) -> pd.DataFrame:
        return self.estimates.copy()

    def _summary_tables(self):
        return [("Rate ratio members / non-members", self.estimates),
                (f"Orders {self.window} days before and after (pseudo) joining", self.groups)]

    def plot(self, ax=None):
        """The estimates with their intervals."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3))
        e = self.estimates
        y = np.arange(len(e))
        # clipped: a percentile-bootstrap interval need not contain the estimate, and matplotlib refuses < 0
        xerr = [(e["rate_ratio"] - e["ci_low"]).clip(lower=0), (e["ci_high"] - e["rate_ratio"]).clip(lower=0)]
        ax.errorbar(e["rate_ratio"], y, xerr=xerr,
                    fmt="o", capsize=4)
        ax.set_yticks(y, e["method"])
        ax.axvline(1.0, color="grey", ls=":")
        ax.set_xlabel("rate ratio (members / non-members)")
        ax.set_title("Loyalty programme effect")
        return ax


def _window_counts(tx: pd.DataFrame, anchors: pd.DataFrame, window: int) -> pd.DataFrame:
    o = tx.merge(anchors[["c", "J"]], on="c")
    days = (o["d"] - o["J"]).dt.days
    o = o.assign(pre=((days < 0) & (days >= -window)).astype(int), post=((days >= 0) & (days < window)).astype(int))
    cnt = o.groupby("c")[["pre", "post"]].sum()
    return anchors.merge(cnt, left_on="c", right_index=True, how="left").fillna({"pre": 0, "post": 0})


def _bgnbd_multiplier(tx: pd.DataFrame, join: pd.Series, end: pd.Timestamp, ci: float):
    """BG/NBD of the members with the purchase rate multiplied by theta from the join date on.

    ``tx`` has columns c (customer) and d (date) of the members' organic orders; ``join`` maps
    customer -> join date.  Returns (theta, ci_low, ci_high, n_members).
    """
    from scipy import stats
    from scipy.optimize import minimize
    from scipy.special import betaln, gammaln
    from statsmodels.tools.numdiff import approx_hess3

    o = tx[tx["c"].isin(join.index)].sort_values(["c", "d"])
    first = o.groupby("c")["d"].transform("min")
    t = ((o["d"] - first) / pd.Timedelta(days=365.25)).to_numpy()
    j = ((o["c"].map(join) - first) / pd.Timedelta(days=365.25)).clip(lower=0).to_numpy()
    rank = o.groupby("c").cumcount().to_numpy()
    frame = pd.DataFrame({"c": o["c"].to_numpy(), "t": t, "j": j, "post": (rank > 0) & (t >= j)})
    g = frame.groupby("c").agg(x=("t", "size"), tx=("t", "max"), j=("j", "first"), xp=("post", "sum"))
    first_c = o.groupby("c")["d"].min().reindex(g.index)
    T = ((end - first_c) / pd.Timedelta(days=365.25)).to_numpy()
    x = g["x"].to_numpy(float) - 1.0
    xp = g["xp"].to_numpy(float)
    tx_, jj = g["tx"].to_numpy(), g["j"].to_numpy()

    def optime(time, theta):
        return np.where(time < jj, time, jj + theta * (time - jj))

    def nll(q):
        r, alpha, a, b, theta = np.exp(q)
        t_x, t_end = optime(tx_, theta), optime(T, theta)
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        l1 = betaln(a, b + x) + common - (r + x) * np.log(alpha + t_end)
        l2 = np.where(x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1) + common - (r + x) * np.log(alpha + t_x), -np.inf)
        return -float(np.sum(np.logaddexp(l1, l2) + xp * np.log(theta)))

    best = None
    for start in ([1.0, 1.0, 1.0, 10.0, 1.0], [0.5, 0.1, 1.0, 5.0, 1.5], [2.0, 0.2, 0.5, 20.0, 0.8]):
        fit = minimize(nll, np.log(start), method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-7,
                                                                          "fatol": 1e-7})
        fit = minimize(nll, fit.x, method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 5)
        if best is None or fit.fun < best.fun:
            best = fit
    log_theta = best.x[4]
    try:
        cov = np.linalg.inv(approx_hess3(best.x, nll))
        se = float(np.sqrt(cov[4, 4])) if cov[4, 4] > 0 else np.nan
    except np.linalg.LinAlgError:
        se = np.nan
    z = stats.norm.ppf(0.5 + ci / 2)
    return float(np.exp(log_theta)), float(np.exp(log_theta - z * se)), float(np.exp(log_theta + z * se)), len(g)


@renamed_arguments(n_boot="bootstrap")
@positional_options
def loyalty_effect(customers: pd.DataFrame, transactions: pd.DataFrame, *, window: int = 180,
                   customer_col: str = "customer_id", member_col: str = "loyalty_member",
                   join_col: str = "loyalty_join_date", date_col: str = "order_date",
                   exclude_col: str | None = "campaign_id", bootstrap: int | None = None, ci: float = 0.95,
                   seed: int | None = 0, n_jobs: int | None = 1, progress: bool = False) -> LoyaltyEffectResult:
    """Effect of a loyalty programme on the purchase rate: naive versus before/after with controls.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer with the membership flag and join date. Not modified.
    transactions : pandas.DataFrame
        One row per order. Not modified.
    window : int, default 180
        Days before and after joining compared.
    customer_col, member_col, join_col, date_col : str
    exclude_col : str or None, default "campaign_id"
        Orders with a value here (campaign responses) are left out.
    bootstrap : int, optional
        Bootstrap replicates (customers resampled) for the percentile intervals of the naive
        and before/after estimates; default 200 (50 in fast mode), 0 for none.  (Called
        ``n_boot`` before 0.2; the old name still works, with a warning.)
    ci : float, default 0.95
    seed : int, optional
        Seed of the pseudo-join dates and the bootstrap (:mod:`crm_research.core.resampling`;
        the resamples continue the stream of the pseudo-join draws).
    n_jobs : int, default 1
        Processes for the bootstrap (the intervals do not depend on it).
    progress : bool, default False
        Show a progress bar during the bootstrap.

    Returns
    -------
    LoyaltyEffectResult
        ``estimates`` (one row per method — naive, before/after with pseudo-join
        controls, BG/NBD rate multiplier: ``method``, ``rate_ratio``, ``ci_low``,
        ``ci_high``, ``n_members``, ``n_controls``) and ``groups`` (orders before and
        after (pseudo) joining by group).

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> res = crm.loyalty_effect(company.customers, company.transactions, bootstrap=0)
    >>> bool(res.estimates["rate_ratio"].iloc[0] > res.estimates["rate_ratio"].iloc[2])  # naive > adjusted
    True

    Notes
    -----
    *Naive*: orders per day of members over non-members, from the programme's
    launch (first join date) to the last order.  Members self-select — heavy buyers
    join — so this mixes the programme's effect with who joins.

    *Before/after with controls* (difference in differences on the log scale):
    every member is compared :math:`w` days before and after joining; every
    non-member gets a pseudo-join date drawn from the members' join dates.  Only
    customers acquired at least :math:`w` days before and observed :math:`w` days
    after the date are used.  With :math:`B` and :math:`A` the summed orders before
    and after,

    .. math:: \\widehat{RR} = \\frac{A_{m} / B_{m}}{A_{n} / B_{n}},

    so each group is its own baseline and the controls absorb trends common to
    everybody.  A bias remains: members were necessarily still active when they
    joined, while some controls had already lapsed at their pseudo-date, which
    pushes the estimate up.

    *BG/NBD rate multiplier* (members only): each member's organic orders follow
    the BG/NBD process — purchase rate :math:`\\lambda \\sim \\mathrm{Gamma}(r, \\alpha)`
    while active, dropout probability :math:`p \\sim \\mathrm{Beta}(a, b)` after each
    repeat purchase — with the rate multiplied by :math:`\\theta` from the join date
    :math:`J` on.  In operational time :math:`\\tau(t) = t` for :math:`t < J` and
    :math:`J + \\theta (t - J)` after, the process is an ordinary BG/NBD, so the
    likelihood is that of Fader, Hardie & Lee (2005, eq. 6) evaluated at
    :math:`(x, \\tau(t_x), \\tau(T))`, times :math:`\\theta^{x_{post}}` for the repeat
    purchases made after joining.  Every member is compared with their own
    pre-join rate, so self-selection on :math:`\\lambda` drops out.  The interval is a
    Wald interval from the numerical Hessian of the log-likelihood and assumes the
    model; it does not reflect that members were still active when they joined,
    which biases :math:`\\hat\\theta` slightly upward.  On the sample company (true
    :math:`\\theta` = 1.25) it gives about 1.32, the before/after comparison about
    1.4-1.6 depending on the pseudo-join draw, and the naive comparison 2.7.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: An alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

    Leenheer, J., van Heerde, H. J., Bijmolt, T. H. A., & Smidts, A. (2007). Do loyalty
    programs really enhance behavioral loyalty? An empirical analysis accounting for
    self-selecting members. *International Journal of Research in Marketing*, 24(1), 31-47.
    """
    from crm_research.core.fastmode import fast_mode
    from crm_research.core.resampling import bootstrap_map, percentile_interval

    func = "loyalty_effect"
    customers = check_dataframe(customers, "customers", func)
    transactions = check_dataframe(transactions, "transactions", func)
    check_columns(customers, [customer_col, member_col, join_col], name="customers", func=func)
    if exclude_col:
        check_columns(transactions, [exclude_col], name="transactions", func=func)
    transactions = check_transactions(transactions, customer_col=customer_col, date_col=date_col, func=func)
    window = check_int(window, "window", func, min_value=7)
    if bootstrap is None:
        bootstrap = 50 if fast_mode() else 200
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    ci = check_ci(ci, func)
    seed = check_seed(seed, func)
    try:
        # The pseudo-join draws and the bootstrap follow the customers' order: fix it by id, so
        # that a fixed seed gives the same estimates however the table happens to be sorted.
        customers = customers.sort_values(customer_col, kind="stable")
    except TypeError:
        pass  # ids of mixed types cannot be sorted; keep the given order
    flags = customers[member_col]
    if not (pd.api.types.is_bool_dtype(flags) or flags.dropna().isin([0, 1, True, False]).all()):
        raise CRMInputError(f"Column {member_col!r} of 'customers' must be True/False (member or not); found "
                            f"{examples_of(pd.unique(flags.dropna().astype(str)))}.")
    member = flags.fillna(False).astype(bool).to_numpy()
    # the members' joins are dated events read by the rules of the order dates (every member needs one)
    joins = check_transactions(customers[member], customer_col=customer_col, date_col=join_col, name="customers",
                               func=func)
    join = pd.Series(pd.NaT, index=customers.index, dtype="datetime64[ns]")
    join[member] = joins[join_col].to_numpy()
    if member.sum() < 10 or (~member).sum() < 10:
        raise CRMInputError(f"Column {member_col!r} must mark at least 10 members and 10 non-members; got "
                            f"{int(member.sum())} and {int((~member).sum())}.")
    tx = transactions if exclude_col is None else transactions[transactions[exclude_col].isna()]
    tx = pd.DataFrame({"c": tx[customer_col].to_numpy(), "d": tx[date_col].to_numpy()})
    end = tx["d"].max()
    first = tx.groupby("c")["d"].min()
    rng = np.random.default_rng(seed)
    ids = customers[customer_col].to_numpy()
    # naive comparison from the launch of the programme
    launch = join[member].min()
    since = tx[tx["d"] >= launch]
    n_orders = since.groupby("c").size().reindex(ids, fill_value=0).to_numpy()
    start = np.maximum(first.reindex(ids).to_numpy(dtype="datetime64[ns]"), np.datetime64(launch, "ns"))
    exposure = np.maximum((np.datetime64(end, "ns") - start) / np.timedelta64(1, "D"), 1.0)
    valid = ~np.isnan(exposure)
    rate = n_orders / exposure

    def naive(idx):
        m, r = member[idx], rate[idx]
        return r[m].mean() / r[~m].mean()

    # before/after with pseudo-join dates for controls
    anchors = pd.DataFrame({"c": ids, "m": member.astype(int), "J": join.to_numpy()})
    n_ctrl = int((~member).sum())
    anchors.loc[~member, "J"] = rng.choice(join[member].to_numpy(), n_ctrl)
    anchors["first"] = anchors["c"].map(first)
    w = pd.Timedelta(days=window)
    anchors = anchors[(anchors["first"] <= anchors["J"] - w) & (anchors["J"] + w <= end)]
    counts = _window_counts(tx, anchors, window)
    if counts["m"].sum() < 5 or (1 - counts["m"]).sum() < 5:
        raise CRMInputError(f"Too few customers observed {window} days before and after joining; lower 'window'.")
    cm = counts[["m", "pre", "post"]].to_numpy(dtype=float)

    def did(rows):
        x = cm[rows]
        m = x[:, 0] == 1
        bm, am, bn, an = x[m, 1].sum(), x[m, 2].sum(), x[~m, 1].sum(), x[~m, 2].sum()
        return (am / bm) / (an / bn) if min(bm, bn, an) > 0 else np.nan

    est_naive = naive(np.flatnonzero(valid))
    est_did = did(np.arange(len(cm)))
    lo_n = hi_n = lo_d = hi_d = np.nan
    n_failed = 0
    if bootstrap:
        vi = np.flatnonzero(valid)
        # customers are resampled within each comparison; both runs continue the pseudo-join stream
        runs = [bootstrap_map(stat, size, bootstrap=bootstrap, seed=rng, n_jobs=n_jobs, progress=progress,
                              desc=f"loyalty bootstrap ({name})")
                for name, stat, size in (("naive", lambda idx: naive(vi[idx]), len(vi)), ("before/after", did, len(cm)))]
        (lo_n, hi_n), (lo_d, hi_d) = (percentile_interval(run.replicates, ci) for run in runs)
        n_failed = sum(int((~np.isfinite(run.replicates)).sum()) + run.n_failed for run in runs)
    join_m = pd.Series(join[member].to_numpy(), index=ids[member])
    theta, lo_t, hi_t, n_fit = _bgnbd_multiplier(tx, join_m, end, ci)
    estimates = pd.DataFrame([
        {"method": "naive: members vs non-members", "rate_ratio": est_naive, "ci_low": lo_n, "ci_high": hi_n,
         "n_members": int(member[valid].sum()), "n_controls": int((~member[valid]).sum())},
        {"method": "before/after with pseudo-join controls", "rate_ratio": est_did, "ci_low": lo_d, "ci_high": hi_d,
         "n_members": int(counts["m"].sum()), "n_controls": int((1 - counts["m"]).sum())},
        {"method": "BG/NBD rate multiplier: members before/after joining", "rate_ratio": theta, "ci_low": lo_t,
         "ci_high": hi_t, "n_members": n_fit, "n_controls": 0},
    ])
    groups = (counts.assign(group=np.where(counts["m"] == 1, "members", "controls"))
              .groupby("group")[["pre", "post"]].agg(["sum", "mean"]))
    groups.columns = ["orders_before", "mean_before", "orders_after", "mean_after"]
    groups["ratio_after_before"] = groups["orders_after"] / groups["orders_before"]
    return LoyaltyEffectResult(estimates, groups.reset_index(), window, bootstrap=bootstrap, n_failed=n_failed,
                               seed=seed)


# ----------------------------------------------------------------------------- step 7: metrics
@positional_options
def campaign_metrics(campaigns: pd.DataFrame, *, cost_per_contact: float | dict | None = None) -> pd.DataFrame:
    """Response, uplift over the control cell and revenue per contact of every campaign.

    Parameters
    ----------
    campaigns : pandas.DataFrame
        Campaign rows (``campaign_id``, ``campaign_name``, ``campaign_type``, ``cell``,
        ``responded``, ``revenue``). Not modified.
    cost_per_contact : float or dict, optional
        One cost, or a dict campaign type -> cost; adds ``cost`` and ``roi``.

    Returns
    -------
    pandas.DataFrame
        One row per campaign: ``campaign_id``, ``campaign_name``, ``campaign_type``,
        ``contacted``, ``controls``, ``response_rate`` (contacted), ``control_rate``,
        ``uplift`` = response_rate - control_rate (NaN without a control cell),
        ``uplift_ci_low``, ``uplift_ci_high`` (95% Wald), ``revenue_per_contact``,
        ``incremental_responses`` = uplift * contacted.

    Notes
    -----
    Winer's last step measures the programme.  Response rates alone flatter a
    campaign: customers who would have bought anyway respond too.  The control
    cell's rate is what would have happened without the contact, so the uplift is
    the campaign's effect (Radcliffe & Surry, 1999).
    """
    func = "campaign_metrics"
    campaigns = check_dataframe(campaigns, "campaigns", func)
    check_columns(campaigns, ["campaign_id", "campaign_name", "campaign_type", "cell", "responded", "revenue"],
                  name="campaigns", func=func)
    responded = campaigns["responded"]
    if not responded.isin([0, 1, True, False]).all():  # a missing response is not a "no"
        bad = responded[~responded.isin([0, 1, True, False])]
        raise CRMInputError(f"Column 'responded' of 'campaigns' must be True/False (or 1/0) on every row; found "
                            f"{examples_of(pd.unique(bad.astype(str)))} (rows {examples_of(bad.index)}).")
    revenue = check_numeric_columns(campaigns, ["revenue"], "campaigns", func)["revenue"]
    campaigns = campaigns.assign(responded=responded.astype(float), revenue=revenue)
    rows = []
    for (cid, name, ctype), g in campaigns.groupby(["campaign_id", "campaign_name", "campaign_type"], observed=True,
                                                   sort=True):
        cell = g["cell"].astype(str)
        y = g["responded"].astype(float)
        t, c = y[cell != "control"], y[cell == "control"]
        p1 = t.mean() if len(t) else np.nan
        p0 = c.mean() if len(c) else np.nan
        se = np.sqrt(p1 * (1 - p1) / len(t) + p0 * (1 - p0) / len(c)) if len(t) and len(c) else np.nan
        up = p1 - p0
        rows.append({"campaign_id": cid, "campaign_name": name, "campaign_type": str(ctype), "contacted": len(t),
                     "controls": len(c), "response_rate": p1, "control_rate": p0, "uplift": up,
                     "uplift_ci_low": up - 1.959964 * se, "uplift_ci_high": up + 1.959964 * se,
                     "revenue_per_contact": g.loc[cell != "control", "revenue"].sum() / max(len(t), 1),
                     "incremental_responses": up * len(t)})
    out = pd.DataFrame(rows)
    if cost_per_contact is not None:
        if isinstance(cost_per_contact, dict):
            unknown = set(out["campaign_type"]) - set(cost_per_contact)
            if unknown:
                raise CRMInputError(f"The 'cost_per_contact' parameter of {func} lacks campaign type(s) "
                                    f"{examples_of(sorted(unknown))}.")
            cost = out["campaign_type"].map(cost_per_contact).astype(float)
        else:
            cost = check_number(cost_per_contact, "cost_per_contact", func, 0.0)
        out["cost"] = cost * out["contacted"]
        out["roi"] = (out["revenue_per_contact"] * out["contacted"] - out["cost"]) / out["cost"]
    return out
