"""The four CRM programme types of the primer, estimated from a customer database.

The CRM primer distinguishes four kinds of programme, each with its own rule of thumb:

- **win-back / save** (بازگرداندن مشتری): time-critical — a defector contacted in the
  first week after leaving is about four times as likely to come back as one
  contacted in the fourth week (:func:`winback_weeks`, :func:`winback_effect`);
- **prospecting** (جذب مشتری بالقوه): test an offer on a small cell first and read it at
  90% confidence before the roll-out (:func:`prospecting_report`);
- **loyalty** (وفادارسازی): a churn model must reach at least 70% confidence before the
  programme acts on it (:func:`confidence_rule`);
- **cross-/up-sell** (فروش متقاطع / فروش بیشتر): which second category follows which
  first (:func:`cross_sell_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.transactions import check_transactions
from crm_research.core.validation import check_ci, check_columns, check_dataframe, check_number, examples_of

if TYPE_CHECKING:
    from crm_research.analytics.campaigns import WinbackTimingResult

__all__ = [
    "winback_weeks",
    "winback_effect",
    "prospecting_report",
    "ProspectingResult",
    "confidence_rule",
    "ConfidenceRuleResult",
    "cross_sell_matrix",
    "CrossSellResult",
]


# ----------------------------------------------------------------------------- win-back
def _id_key(ids: pd.Series) -> pd.Series:
    """Customer ids as int64 when they are whole numbers (so Int64 and int64 tables join), else as text."""
    try:
        return pd.Series(ids.astype("int64").to_numpy(), index=ids.index)
    except (TypeError, ValueError):
        return pd.Series(ids.astype(str).to_numpy(dtype=object), index=ids.index)


def winback_weeks(campaigns: pd.DataFrame, transactions: pd.DataFrame, entities: pd.DataFrame | None = None,
                  customer_col: str = "customer_id", date_col: str = "order_date", *,
                  campaign_type: str = "win_back") -> pd.DataFrame:
    """Week since defection of every contacted win-back target, estimated from the orders.

    Parameters
    ----------
    campaigns : pandas.DataFrame
        Campaign rows (``campaign_type``, ``cell``, ``customer_col``, ``contact_date``,
        ``responded``). Not modified.
    transactions : pandas.DataFrame
        Orders (``customer_col``, ``date_col``), checked by
        :func:`~crm_research.core.transactions.check_transactions`. Not modified.
    entities : pandas.DataFrame, optional
        ``customer_col`` -> ``entity_id`` (from :func:`crm.resolve_duplicates`): orders
        placed on a person's duplicate record then count for the person.
    customer_col : str, default "customer_id"
        The customer column of both tables.
    date_col : str, default "order_date"
        The order date of ``transactions``.
    campaign_type : str, default "win_back"

    Returns
    -------
    pandas.DataFrame
        One row per contacted (non-control) target: ``customer_col``, ``contact_date``,
        ``defection_date`` (date of the last order before the contact), ``days``,
        ``week`` (1 = contacted within 7 days of defection) and ``responded`` (0/1).
        Targets without an earlier order are dropped.

    Notes
    -----
    The defection date is not observed; the date of the last purchase before the
    contact is its usual proxy, so week = floor((contact - last order) / 7) + 1.
    """
    func = "winback_weeks"
    campaigns = check_dataframe(campaigns, "campaigns", func)
    transactions = check_dataframe(transactions, "transactions", func)
    check_columns(campaigns, ["campaign_type", "cell", customer_col, "contact_date", "responded"],
                  name="campaigns", func=func,
                  params=["campaigns", "campaigns", "customer_col", "campaigns", "campaigns"])
    orders_log = check_transactions(transactions, customer_col=customer_col, date_col=date_col, func=func)
    wb = campaigns[(campaigns["campaign_type"].astype(str) == campaign_type)
                   & (campaigns["cell"].astype(str) != "control") & campaigns[customer_col].notna()]
    if wb.empty:
        raise CRMInputError(f"'campaigns' has no contacted rows of campaign_type {campaign_type!r}; found types "
                            f"{examples_of(campaigns['campaign_type'].astype(str).unique())}.")
    if not wb["responded"].isin([0, 1, True, False]).all():
        bad = wb["responded"][~wb["responded"].isin([0, 1, True, False])]
        raise CRMInputError(f"Column 'responded' of 'campaigns' must be True/False (or 1/0) for every contacted "
                            f"win-back target; found {examples_of(pd.unique(bad.astype(str)))} "
                            f"(rows {examples_of(bad.index)}).")
    key = _id_key
    # the contacts are a log too (customer, date): read by the same rules as the orders
    contacts = check_transactions(wb, customer_col=customer_col, date_col="contact_date", name="campaigns", func=func)
    targets = pd.DataFrame({"cust": key(contacts[customer_col]).to_numpy(),
                            "contact_date": contacts["contact_date"].to_numpy(),
                            "responded": wb["responded"].astype(float).to_numpy()})
    orders = pd.DataFrame({"cust": key(orders_log[customer_col]).to_numpy(),
                           "order_date": orders_log[date_col].to_numpy()})
    if entities is not None:
        entities = check_dataframe(entities, "entities", func)
        check_columns(entities, [customer_col, "entity_id"], name="entities", func=func,
                      params=["customer_col", "entities"])
        ent = entities.set_index(customer_col)["entity_id"]
        orders["cust"] = key(orders["cust"].map(ent).fillna(orders["cust"]))
        targets["ent"] = key(targets["cust"].map(ent).fillna(targets["cust"]))
    else:
        targets["ent"] = targets["cust"]
    if targets["ent"].dtype != orders["cust"].dtype:  # e.g. number ids in one table, text ids in the other
        targets["ent"], orders["cust"] = targets["ent"].astype(str), orders["cust"].astype(str)
    targets = targets.sort_values("contact_date").reset_index(drop=True)
    orders = orders.rename(columns={"cust": "ent"}).sort_values("order_date")
    # last order strictly before the contact day (the response order comes after it)
    merged = pd.merge_asof(targets, orders.assign(defection_date=orders["order_date"]),
                           left_on="contact_date", right_on="order_date", by="ent",
                           allow_exact_matches=False, direction="backward")
    merged = merged.dropna(subset=["defection_date"])
    days = (merged["contact_date"] - merged["defection_date"]).dt.days
    out = pd.DataFrame({customer_col: merged["cust"].to_numpy(), "contact_date": merged["contact_date"].to_numpy(),
                        "defection_date": merged["defection_date"].to_numpy(), "days": days.to_numpy(),
                        "week": (days // 7 + 1).to_numpy().astype(int),
                        "responded": merged["responded"].astype(int).to_numpy()})
    return out


@positional_options
def winback_effect(campaigns: pd.DataFrame, transactions: pd.DataFrame, entities: pd.DataFrame | None = None,
                   customer_col: str = "customer_id", date_col: str = "order_date", *, first: int = 1,
                   compare: int = 4, max_week: int | None = 8, ci: float = 0.95) -> WinbackTimingResult:
    """Win-back response by week since defection and the week-1 / week-4 ratio.

    Builds the weeks with :func:`winback_weeks` and estimates the rates and their
    ratio with ``crm.winback_timing`` (Wilson intervals; Katz log interval for the
    ratio).

    Parameters
    ----------
    campaigns, transactions, entities, customer_col, date_col
        As in :func:`winback_weeks`.
    first, compare : int, default 1 and 4
        The weeks compared (the primer: first versus fourth).
    max_week : int or None, default 8
        Drop contacts later than this week (late contacts are rare and noisy).
    ci : float, default 0.95

    Returns
    -------
    WinbackTimingResult
        From ``crm.winback_timing``: ``by_week`` and ``ratio``.

    Notes
    -----
    The comparison is causal only if the week of contact was not chosen with the
    customer's chances in mind; in the sample company it was drawn at random.

    References
    ----------
    Griffin, J., & Lowenstein, M. W. (2001). *Customer Winback*. Jossey-Bass.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> res = crm.winback_effect(company.campaigns, company.transactions)
    >>> float(res.ratio["ratio"].iloc[0]) > 1
    True
    """
    from crm_research.analytics.campaigns import winback_timing

    weeks = winback_weeks(campaigns, transactions, entities, customer_col, date_col)
    if max_week is not None:
        weeks = weeks[weeks["week"] <= int(max_week)]
    return winback_timing(weeks, "week", "responded", first=first, compare=compare, ci=ci)


# ----------------------------------------------------------------------------- prospecting
@dataclass(repr=False, eq=False)
class ProspectingResult(Result):
    """Response of a prospecting campaign by cell, read at the primer's 90% confidence.

    Attributes
    ----------
    cells : pandas.DataFrame
        See :func:`prospecting_report`.
    ci : float
    rollout_within_test_ci : bool
        Whether the roll-out rate lies inside the test cell's interval.
    """

    title: ClassVar[str] = "Prospecting: test cell versus roll-out"
    cells: pd.DataFrame
    ci: float
    rollout_within_test_ci: bool = field(init=False)

    def __post_init__(self) -> None:
        test = self.cells.set_index("cell")
        self.rollout_within_test_ci = bool(
            "test" in test.index and "rollout" in test.index
            and test.loc["test", "ci_low"] <= test.loc["rollout", "rate"] <= test.loc["test", "ci_high"])

    def to_frame(self) -> pd.DataFrame:
        return self.cells.copy()

    def _summary_tables(self):
        return [(f"Response by cell ({self.ci:.0%} Wilson intervals)", self.cells)]

    def _summary_notes(self):
        verdict = "inside" if self.rollout_within_test_ci else "outside"
        return [f"The roll-out rate lies {verdict} the test cell's {self.ci:.0%} interval.", *self.warnings]

    def plot(self, ax=None):
        """Response rate per cell with its interval."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        c = self.cells
        x = np.arange(len(c))
        # clipped: at a rate of 0 or 1 the Wilson limit can miss the rate by a rounding error
        yerr = [(c["rate"] - c["ci_low"]).clip(lower=0), (c["ci_high"] - c["rate"]).clip(lower=0)]
        ax.errorbar(x, c["rate"], yerr=yerr, fmt="o", capsize=5)
        ax.set_xticks(x, c["cell"].astype(str))
        ax.set_ylabel("response rate")
        ax.set_title(f"Prospecting response ({self.ci:.0%} intervals)")
        return ax


@positional_options
def prospecting_report(campaigns: pd.DataFrame, *, campaign_type: str = "prospecting", ci: float = 0.90,
                       cost_per_contact: float | None = None) -> ProspectingResult:
    """Response rate of a prospecting campaign per cell, with the primer's 90% confidence intervals.

    Parameters
    ----------
    campaigns : pandas.DataFrame
        Campaign rows (``campaign_type``, ``cell``, ``responded``). Not modified.
    campaign_type : str, default "prospecting"
    ci : float, default 0.90
        The primer asks for 90% confidence before rolling out a prospecting offer.
    cost_per_contact : float, optional
        Adds ``cost_per_acquisition`` = cost per contact / response rate.

    Returns
    -------
    ProspectingResult
        ``cells`` (``cell``, ``targets``, ``responses``, ``rate``, ``ci_low``,
        ``ci_high``, ``half_width``, optionally ``cost_per_acquisition``; a last row
        ``all``) and ``rollout_within_test_ci``.

    Notes
    -----
    Wilson score interval for each rate.  The test cell (about 5% of the targets)
    is read first; the roll-out is justified if the interval clears the break-even
    rate, and the roll-out rate should then fall inside the test's interval.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.
    """
    from statsmodels.stats.proportion import proportion_confint

    func = "prospecting_report"
    campaigns = check_dataframe(campaigns, "campaigns", func)
    check_columns(campaigns, ["campaign_type", "cell", "responded"], name="campaigns", func=func)
    ci = check_ci(ci, func)
    rows = campaigns[campaigns["campaign_type"].astype(str) == campaign_type]
    if rows.empty:
        raise CRMInputError(f"'campaigns' has no rows of campaign_type {campaign_type!r}; found "
                            f"{examples_of(campaigns['campaign_type'].astype(str).unique())}.")
    if not rows["responded"].isin([0, 1, True, False]).all():  # astype(int) failed with a bare ValueError
        bad = rows["responded"][~rows["responded"].isin([0, 1, True, False])]
        raise CRMInputError(f"Column 'responded' of 'campaigns' must be True/False (or 1/0); found "
                            f"{examples_of(pd.unique(bad.astype(str)))} (rows {examples_of(bad.index)}).")
    frame = pd.DataFrame({"cell": rows["cell"].astype(str).to_numpy(), "y": rows["responded"].astype(int).to_numpy()})
    parts = [(c, g["y"]) for c, g in frame.groupby("cell", sort=False)] + [("all", frame["y"])]
    out = []
    for cell, y in parts:
        n, k = len(y), int(y.sum())
        lo, hi = proportion_confint(k, n, alpha=1 - ci, method="wilson")
        out.append({"cell": cell, "targets": n, "responses": k, "rate": k / n, "ci_low": lo, "ci_high": hi,
                    "half_width": (hi - lo) / 2})
    cells = pd.DataFrame(out)
    order = {"test": 0, "rollout": 1, "control": 2, "all": 9}
    cells = cells.sort_values("cell", key=lambda s: s.map(order).fillna(5)).reset_index(drop=True)
    if cost_per_contact is not None:
        cost = check_number(cost_per_contact, "cost_per_contact", func, 0.0)
        cells["cost_per_acquisition"] = cost / cells["rate"].where(cells["rate"] > 0)
    return ProspectingResult(cells, ci)


# ----------------------------------------------------------------------------- loyalty
@dataclass(repr=False, eq=False)
class ConfidenceRuleResult(Result):
    """The loyalty programme's decision rule: act only where the churn model is confident enough.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`crm.threshold_table` of the scores.
    confidence : float
    threshold : float
        The lowest threshold reaching ``confidence`` (NaN if none).
    ready : bool
    """

    title: ClassVar[str] = "Loyalty: acting on a churn model at a confidence level"
    table: pd.DataFrame
    confidence: float
    threshold: float
    ready: bool

    def __post_init__(self) -> None:
        if not self.ready:
            self.warnings.append(f"No threshold reaches {self.confidence:.0%} precision: the model is not ready to "
                                 "drive the programme.")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_tables(self):
        row = self.table[np.isclose(self.table["threshold"], self.threshold)] if self.ready else self.table.head(0)
        return [("Decision rule", pd.DataFrame([{"confidence": self.confidence, "threshold": self.threshold,
                                                  "ready": self.ready}])),
                ("At the chosen threshold", row), ("All thresholds", self.table)]

    def plot(self, ax=None):
        """Precision and recall against the threshold, with the confidence level."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.5))
        t = self.table
        ax.plot(t["threshold"], t["precision"], marker="o", label="precision (share of contacted who churn)")
        ax.plot(t["threshold"], t["recall"], marker="s", label="recall (share of churners contacted)")
        ax.axhline(self.confidence, color="#C44E52", ls="--", label=f"required confidence {self.confidence:.0%}")
        if self.ready:
            ax.axvline(self.threshold, color="grey", ls=":")
        ax.set_xlabel("threshold on predicted churn probability")
        ax.set_ylim(0, 1)
        ax.legend(fontsize="small")
        ax.set_title("Loyalty: when is the churn model confident enough?")
        return ax


@positional_options
def confidence_rule(y: Any, score: Any, *, confidence: float = 0.70, thresholds: Any = None) -> ConfidenceRuleResult:
    """Turn the primer's "at least 70% confidence before acting" into a decision threshold.

    Parameters
    ----------
    y : array of 0/1
        Observed churn (1 = churned) on hold-out or cross-validated data.
    score : array of float
        Predicted churn probability of the same customers.
    confidence : float, default 0.70
        Required share of true churners among the customers acted on.
    thresholds : iterable of float, optional
        Candidate thresholds (default 0.05, 0.10, ..., 0.95).

    Returns
    -------
    ConfidenceRuleResult
        ``table`` (``crm.threshold_table``: ``threshold``, ``n_contacted``,
        ``coverage``, ``true_positives``, ``precision``, ``recall``, ``mean_score``),
        ``threshold`` (the lowest threshold whose precision is at least
        ``confidence``; NaN if none), ``ready`` (whether one exists).

    Notes
    -----
    The rule contacts customer *i* when :math:`\\hat p_i \\ge t^*` with
    :math:`t^* = \\min\\{t : P(\\text{churn} \\mid \\hat p \\ge t) \\ge c\\}`, estimated by
    the observed precision at each threshold.  The lowest such threshold keeps the
    most churners (recall) while meeting the required confidence.  It is checked
    on data the model was not fitted on.
    """
    from crm_research.analytics.churn import threshold_table

    func = "confidence_rule"
    confidence = check_number(confidence, "confidence", func, 0.0, 1.0, (False, True))
    table = threshold_table(y, score, thresholds=thresholds)
    ok = table[(table["precision"] >= confidence) & (table["n_contacted"] > 0)]
    ready = not ok.empty
    threshold = float(ok["threshold"].min()) if ready else np.nan
    return ConfidenceRuleResult(table, confidence, threshold, ready)


# ----------------------------------------------------------------------------- cross-sell
@dataclass(repr=False, eq=False)
class CrossSellResult(Result):
    """P(category of the second purchase | category of the first).

    Attributes
    ----------
    matrix, counts, suggestions : pandas.DataFrame
        See :func:`cross_sell_matrix`.
    """

    title: ClassVar[str] = "Cross-sell: which second category follows which first"
    matrix: pd.DataFrame
    counts: pd.DataFrame
    suggestions: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        tidy = self.matrix.stack().rename("prob").reset_index()
        tidy.columns = ["first_category", "second_category", "prob"]
        n = self.counts.stack().rename("n").reset_index()
        return tidy.assign(n=n["n"].to_numpy())

    def _summary_tables(self):
        return [("Suggested next category (most likely other category)", self.suggestions),
                ("P(second | first)", self.matrix)]

    def plot(self, ax=None):
        """Heat map of the transition matrix."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 5.5))
        m = self.matrix
        im = ax.imshow(m.to_numpy(), cmap="Blues", vmin=0)
        ax.set_xticks(range(m.shape[1]), m.columns, rotation=45, ha="right")
        ax.set_yticks(range(m.shape[0]), m.index)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, f"{m.iat[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if m.iat[i, j] > 0.5 * m.to_numpy().max() else "black")
        ax.set_xlabel("second purchase")
        ax.set_ylabel("first purchase")
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
        ax.set_title("P(second category | first category)")
        return ax


def cross_sell_matrix(transactions: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                      category_col: str = "category", exclude_col: str | None = "campaign_id",
                      order_col: str | None = "order_id") -> CrossSellResult:
    """Which category customers buy second, given the first (the cross-sell programme's map).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order. Not modified.
    customer_col, date_col, category_col : str
    exclude_col : str or None, default "campaign_id"
        Orders with a value here (campaign responses) are left out, because the
        campaign, not the customer, chose their category.
    order_col : str or None, default "order_id"
        Breaks ties between orders of the same day.

    Returns
    -------
    CrossSellResult
        ``matrix`` (rows: first category, columns: second category, rows sum to 1),
        ``counts`` (customers per cell), ``suggestions`` (``first_category``,
        ``next_category`` = most likely *other* category, ``prob``, ``repeat_prob`` =
        P(same category again), ``customers``), ``to_frame()`` in long form.

    Notes
    -----
    :math:`\\hat P(j \\mid i) = n_{ij} / n_{i\\cdot}`, with :math:`n_{ij}` the customers
    whose first purchase is in *i* and second in *j*.  The suggested cross-sell offer
    for a first purchase in *i* is :math:`\\arg\\max_{j \\ne i} \\hat P(j \\mid i)`.

    References
    ----------
    Kamakura, W. A., Wedel, M., de Rosa, F., & Mazzon, J. A. (2003). Cross-selling through
    database marketing. *International Journal of Research in Marketing*, 20(1), 45-65.
    """
    func = "cross_sell_matrix"
    clean = check_transactions(transactions, customer_col=customer_col, date_col=date_col, func=func)
    roles = [(category_col, "category_col")] + [(c, p) for c, p in ((exclude_col, "exclude_col"),
                                                                     (order_col, "order_col")) if c]
    check_columns(transactions, [c for c, _ in roles], name="columns", func=func, params=[p for _, p in roles])
    missing = transactions[category_col].isna()
    if missing.any():  # they would become a category "nan" without a word
        raise CRMInputError(f"Column {category_col!r} of 'transactions' has {int(missing.sum())} missing value(s) "
                            f"(rows {examples_of(transactions.index[missing])}); fix or remove these orders first.")
    tx = pd.DataFrame({"c": clean[customer_col].to_numpy(),
                       "d": clean[date_col].to_numpy(),
                       "k": transactions[category_col].astype(str).to_numpy(),
                       "o": (transactions[order_col].to_numpy() if order_col else np.arange(len(transactions)))})
    if exclude_col:
        tx = tx[transactions[exclude_col].isna().to_numpy()]
    tx = tx.sort_values(["c", "d", "o"])
    tx["n"] = tx.groupby("c").cumcount()
    first = tx[tx["n"] == 0].set_index("c")["k"]
    second = tx[tx["n"] == 1].set_index("c")["k"]
    pairs = pd.DataFrame({"first": first.reindex(second.index), "second": second})
    if pairs.empty:
        raise CRMInputError("No customer has two orders; a cross-sell matrix needs repeat buyers.")
    cat = transactions[category_col]
    cats = ([str(c) for c in cat.cat.categories] if isinstance(cat.dtype, pd.CategoricalDtype)
            else sorted(set(tx["k"])))
    counts = pd.crosstab(pairs["first"], pairs["second"]).reindex(index=cats, columns=cats, fill_value=0)
    counts.index.name, counts.columns.name = "first_category", "second_category"
    matrix = counts.div(counts.sum(axis=1).where(counts.sum(axis=1) > 0), axis=0)
    other = matrix.to_numpy().copy()
    np.fill_diagonal(other, -1.0)
    nxt = np.nanargmax(np.where(np.isnan(other), -1.0, other), axis=1)
    suggestions = pd.DataFrame({"first_category": cats, "next_category": [cats[j] for j in nxt],
                                "prob": other[np.arange(len(cats)), nxt], "repeat_prob": np.diag(matrix.to_numpy()),
                                "customers": counts.sum(axis=1).to_numpy()})
    return CrossSellResult(matrix, counts, suggestions)
