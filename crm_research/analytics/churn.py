"""Churn: define it from inactivity, predict it, and turn predictions into a contact list.

* :func:`define_churn` turns a transaction log into one row per customer with a
  churn flag defined by a stated inactivity window (and, with ``cutoff=``, the
  honest prediction set-up: features before the cutoff, churn after it); the
  table (:class:`ChurnTable`) states its rule.
* :func:`churn_model` fits logistic regression and gradient boosting with
  cross-validated AUC, Brier score, calibration curve, lift and gains, and
  returns a :class:`PropensityResult` whose :meth:`~PropensityResult.contact_list`
  and :meth:`~PropensityResult.threshold_analysis` implement the primer's rule of
  acting only on predictions of at least 70% confidence.
* :func:`gains_table` and :func:`threshold_table` are the arithmetic behind the
  lift/gains chart and the threshold trade-off, usable on any scores.

scikit-learn and matplotlib are imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.threads import single_thread
from crm_research.core.transactions import CustomerTable, check_date, check_transactions
from crm_research.core.validation import (
    _to_number,
    check_choice,
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    check_numeric_columns,
    check_seed,
    examples_of,
    param_error,
)

__all__ = [
    "define_churn",
    "ChurnTable",
    "churn_model",
    "gains_table",
    "threshold_table",
    "PropensityResult",
]

MODELS = ("logistic", "gbm")
MODEL_LABELS = {"logistic": "logistic regression", "gbm": "gradient boosting"}


# ----------------------------------------------------------------------------- transactions


class ChurnTable(CustomerTable):
    """The table of :func:`define_churn`: one row per customer, and the churn rule it applies.

    Attributes
    ----------
    rule : str
        The churn definition in words (report it with the results).
    window : int
        The inactivity window in days.
    analysis_date : pandas.Timestamp
        The end of the observation period (``at``).
    cutoff : pandas.Timestamp or None
        The feature date of the prediction set-up; None for the status definition.
    """

    _metadata: ClassVar[list[str]] = ["rule", "window", "analysis_date", "cutoff"]
    rule: str | None = None
    window: int | None = None
    analysis_date: pd.Timestamp | None = None
    cutoff: pd.Timestamp | None = None


@renamed_arguments(now="at")
@positional_options
def define_churn(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    *,
    window: int = 180,
    at: Any = None,
    cutoff: Any = None,
) -> ChurnTable:
    """Define churn from inactivity: no purchase within ``window`` days.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase. Not modified.
    customer_col, date_col, amount_col : str
        Column names (defaults as in ``crm.rfm`` and the sample company); ``amount_col=None``
        if there are no amounts.
    window : int, default 180
        Inactivity window in days.
    at : date, optional
        End of the observation period, the date of the analysis (called ``now``
        before 0.2). Default: the last transaction date.
    cutoff : date, optional
        Without it (*status* definition): a customer has churned if the last purchase
        is more than ``window`` days before ``at``. With it (*prediction* set-up):
        features use only purchases up to ``cutoff``, and a customer active before the
        cutoff has churned if they buy nothing in ``(cutoff, cutoff + window]``; this
        needs ``cutoff + window <= at``.

    Returns
    -------
    ChurnTable
        A DataFrame with one row per customer (index ``customer_col``) with ``first_purchase``,
        ``last_purchase``, ``recency`` (days from the last purchase to the reference
        date), ``frequency`` (number of purchases), ``monetary`` (mean amount; only
        with amounts), ``tenure`` (days from first purchase to the reference date)
        and ``churned`` (0/1). The reference date is ``cutoff`` if given, else ``at``.
        ``result.rule`` states the rule in words; ``window``, ``analysis_date`` and
        ``cutoff`` record its parts.

    Raises
    ------
    CRMInputError
        For missing customer ids, unreadable or missing dates, negative or missing
        amounts, a customer column mixing types, ``at`` before the first transaction
        or before a later one, or a window that runs past ``at``; the message gives
        the count and examples of the rows.

    Notes
    -----
    The status definition is a description of the current base; it cannot be used to
    *train* a churn model with recency as a feature, because churn is then a function
    of recency (a leak). Use ``cutoff`` for modelling (Neslin et al. 2006).

    References
    ----------
    Neslin, S. A., Gupta, S., Kamakura, W., Lu, J., & Mason, C. H. (2006). Defection
    detection: Measuring and understanding the predictive accuracy of customer churn
    models. *Journal of Marketing Research*, 43(2), 204-211.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "order_date": ["2024-01-05", "2024-06-01", "2024-01-10"],
    ...                    "amount": [10.0, 20.0, 5.0]})
    >>> churn = define_churn(tx, window=90, at="2024-06-30")
    >>> churn["churned"].tolist()
    [0, 1]
    >>> churn.rule
    'churned = last purchase more than 90 days before 2024-06-30'
    """
    func = "define_churn"
    window = check_int(window, "window", func, min_value=1)
    clean = check_transactions(transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                               at=at, func=func)
    tx = pd.DataFrame({"customer": clean[customer_col].to_numpy(), "date": clean[date_col].to_numpy()},
                      index=clean.index)
    if amount_col is not None:
        tx["amount"] = clean[amount_col].to_numpy()
    first, last = tx["date"].min(), tx["date"].max()
    now = last if at is None else check_date(at, "at", func)
    cutoff = None if cutoff is None else check_date(cutoff, "cutoff", func)
    if cutoff is not None:
        if cutoff < first:
            raise CRMInputError(f"The 'cutoff' parameter of define_churn ({cutoff.date()}) is before the first "
                                f"transaction ({first.date()}).")
        if cutoff + pd.Timedelta(days=window) > now:
            raise CRMInputError(
                f"The churn window runs past the data: cutoff {cutoff.date()} + {window} days = "
                f"{(cutoff + pd.Timedelta(days=window)).date()} is after 'at' ({now.date()}). Use an earlier cutoff "
                "or a shorter window, or the churn label would be censored."
            )
        ref = cutoff
        past = tx[tx["date"] <= cutoff]
        future = tx[(tx["date"] > cutoff) & (tx["date"] <= cutoff + pd.Timedelta(days=window))]
        rule = (f"churned = no purchase in the {window} days after the cutoff {cutoff.date()} "
                f"(features use purchases up to the cutoff)")
    else:
        ref, past, future = now, tx, None
        rule = f"churned = last purchase more than {window} days before {now.date()}"
    grouped = past.groupby("customer", sort=True)
    out = pd.DataFrame({"first_purchase": grouped["date"].min(), "last_purchase": grouped["date"].max()})
    out["recency"] = (ref - out["last_purchase"]).dt.days
    out["frequency"] = grouped.size()
    if "amount" in past:
        out["monetary"] = grouped["amount"].mean()
    out["tenure"] = (ref - out["first_purchase"]).dt.days
    if future is None:
        out["churned"] = (out["recency"] > window).astype(int)
    else:
        out["churned"] = (~out.index.isin(pd.unique(future["customer"]))).astype(int)
    out.index.name = customer_col
    return ChurnTable.of(out, rule=rule, window=window, analysis_date=now, cutoff=cutoff)


# ----------------------------------------------------------------------------- scores


def _float_scores(values, name, func) -> np.ndarray:
    """A float array of ``values``; text holding numbers (also Persian digits) is read, other text raises."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        pass
    flat = pd.Series(np.asarray(values, dtype=object).ravel()).map(_to_number)
    bad = flat[flat.map(lambda v: not isinstance(v, float))]
    if len(bad):
        raise CRMInputError(f"'{name}' of {func} must hold numbers. Found {len(bad)} non-numeric value(s), "
                            f"e.g. {examples_of(pd.unique(bad.astype(str)))} (positions {examples_of(bad.index)}).")
    return flat.to_numpy(dtype=float).reshape(np.shape(values))


def _check_scores(y, score, func, y_name="y", score_name="score"):
    y = np.asarray(y)
    score = _float_scores(score, score_name, func)
    if y.ndim != 1 or score.ndim != 1 or len(y) != len(score):
        raise CRMInputError(f"'{y_name}' and '{score_name}' of {func} must be 1-D and of equal length; "
                            f"got shapes {y.shape} and {score.shape}.")
    if len(y) == 0:
        raise CRMInputError(f"'{y_name}' of {func} is empty.")
    if np.isnan(score).any():
        raise CRMInputError(f"'{score_name}' of {func} has {int(np.isnan(score).sum())} missing value(s).")
    values = set(pd.unique(pd.Series(y)).tolist())
    if not values <= {0, 1}:
        raise CRMInputError(f"'{y_name}' of {func} must hold 0/1 outcomes. Got values {examples_of(sorted(values, key=str))}.")
    return y.astype(int), score


@positional_options
def gains_table(y: Any, score: Any, *, bins: int = 10) -> pd.DataFrame:
    """Lift and gains by score bin (decile by default), best scores first.

    Parameters
    ----------
    y : array of 0/1
        Observed outcome (churned, responded).
    score : array of float
        Predicted probability or any score; higher means more likely.
    bins : int, default 10
        Number of bins of (as nearly as possible) equal size.

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``bin`` (1 = highest scores), ``n``, ``events``,
        ``event_rate``, ``min_score``, ``max_score``, ``cum_n``, ``cum_share`` (share of
        customers targeted so far), ``cum_events``, ``gain`` (share of all events
        captured so far), ``lift`` (event rate of the bin / overall rate) and
        ``cum_lift`` (gain / cum_share).

    Notes
    -----
    Customers are sorted by score, highest first (ties keep their input order), and
    cut into ``bins`` consecutive groups whose sizes differ by at most one.
    Cumulative lift at depth d is the response rate among the top d divided by the
    overall rate; a model that ranks at random has lift 1 everywhere.

    Examples
    --------
    >>> gains_table([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], bins=2)[["events", "gain", "lift"]].to_numpy().tolist()
    [[1.0, 0.5, 1.0], [1.0, 1.0, 1.0]]
    """
    func = "gains_table"
    y, score = _check_scores(y, score, func)
    bins = check_int(bins, "bins", func, min_value=1, max_value=len(y))
    total = y.sum()
    if total == 0:
        raise CRMInputError("'y' of gains_table has no events (all zeros): lift and gains are undefined.")
    order = np.argsort(-score, kind="stable")
    rows = []
    for b, idx in enumerate(np.array_split(order, bins), start=1):
        rows.append({"bin": b, "n": len(idx), "events": float(y[idx].sum()), "min_score": score[idx].min(),
                     "max_score": score[idx].max()})
    t = pd.DataFrame(rows)
    overall = total / len(y)
    t["event_rate"] = t["events"] / t["n"]
    t["cum_n"] = t["n"].cumsum()
    t["cum_share"] = t["cum_n"] / len(y)
    t["cum_events"] = t["events"].cumsum()
    t["gain"] = t["cum_events"] / total
    t["lift"] = t["event_rate"] / overall
    t["cum_lift"] = t["gain"] / t["cum_share"]
    return t[["bin", "n", "events", "event_rate", "min_score", "max_score", "cum_n", "cum_share", "cum_events",
              "gain", "lift", "cum_lift"]]


@positional_options
def threshold_table(y: Any, score: Any, *, thresholds: Any = None) -> pd.DataFrame:
    """Precision / coverage trade-off of acting only on scores at or above a threshold.

    Parameters
    ----------
    y : array of 0/1
        Observed outcome.
    score : array of float
        Predicted probability.
    thresholds : iterable of float, optional
        Default 0.05, 0.10, ..., 0.95.

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``n_contacted`` (score >= threshold),
        ``coverage`` (share of all customers contacted), ``true_positives``,
        ``precision`` (share of contacted who have the event; NaN if none contacted),
        ``recall`` (share of all events that are contacted) and ``mean_score`` among
        the contacted.

    Notes
    -----
    The primer's rule "act only at 70% confidence" reads as threshold = 0.70: only
    customers whose predicted churn probability is at least 0.70 are contacted. A well
    calibrated model then has precision of at least about 0.70 among them; the table
    shows how many customers (coverage) and how many churners (recall) that leaves.
    """
    func = "threshold_table"
    y, score = _check_scores(y, score, func)
    if thresholds is None:
        thresholds = np.round(np.arange(0.05, 0.951, 0.05), 2)
    thresholds = [check_number(t, "thresholds", func, 0.0, 1.0) for t in np.atleast_1d(thresholds)]
    total = y.sum()
    rows = []
    for t in thresholds:
        m = score >= t
        nc = int(m.sum())
        tp = int(y[m].sum())
        rows.append({"threshold": t, "n_contacted": nc, "coverage": nc / len(y), "true_positives": tp,
                     "precision": tp / nc if nc else np.nan, "recall": tp / total if total else np.nan,
                     "mean_score": float(score[m].mean()) if nc else np.nan})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- models


def _make_model(name: str, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    # Early stopping off: results then depend only on the seed, not on an internal validation split.
    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                          early_stopping=False, random_state=seed)


def _fit_propensity(data, features, target, models, cv, seed, bins, func, kind):
    data = check_dataframe(data, func=func, min_rows=10)
    features = check_columns(data, features, name="features", func=func)
    check_columns(data, [target], name="target", func=func)
    if target in features:
        raise CRMInputError(f"The 'target' column {target!r} of {func} is also listed in 'features' (a leak).")
    X_df = check_numeric_columns(data, features, func=func, allow_missing=False)
    y_raw = data[target]
    if y_raw.isna().any():
        bad = y_raw.index[y_raw.isna()]
        raise CRMInputError(f"Column {target!r} has {len(bad)} missing value(s) (rows {examples_of(bad)}).")
    vals = set(pd.unique(y_raw).tolist())
    if not vals <= {0, 1}:
        raise CRMInputError(f"Column {target!r} of {func} must be 0/1 (or True/False). "
                            f"Got values {examples_of(sorted(vals, key=str))}.")
    y = y_raw.astype(int).to_numpy()
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if isinstance(models, str):
        models = [models]
    models = [check_choice(m, "models", MODELS, func) for m in models]
    if not models:
        raise param_error("models", f"a non-empty list from {MODELS}", models, func)
    cv = check_int(cv, "cv", func, min_value=2)
    if min(n_pos, n_neg) < cv:
        raise CRMInputError(
            f"Column {target!r} has {n_pos} event(s) and {n_neg} non-event(s); {cv}-fold cross-validation needs "
            f"at least {cv} of each."
        )
    seed = check_seed(seed, func)
    bins = check_int(bins, "bins", func, min_value=2, max_value=len(y))

    # One OpenMP thread: gradient boosting spin-waits on shared cores (see crm_research.analytics.segmentation).
    with single_thread():
        return _fit_models(data, X_df, y, features, target, models, cv, seed, bins, kind, n_pos)


def _fit_models(data, X_df, y, features, target, models, cv, seed, bins, kind, n_pos):
    from sklearn.base import clone
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
    from sklearn.model_selection import StratifiedKFold

    X = X_df.to_numpy(dtype=float)
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(X, y))
    metric_rows, probs, calib, gains, roc, fitted = [], {}, [], [], [], {}
    for name in models:
        oof = np.empty(len(y))
        fold_auc, fold_brier = [], []
        for train, test in folds:
            est = clone(_make_model(name, seed)).fit(X[train], y[train])
            oof[test] = est.predict_proba(X[test])[:, 1]
            fold_auc.append(roc_auc_score(y[test], oof[test]))
            fold_brier.append(brier_score_loss(y[test], oof[test]))
        probs[name] = oof
        metric_rows.append({"model": name, "auc": float(np.mean(fold_auc)), "auc_sd": float(np.std(fold_auc, ddof=1)),
                            "auc_pooled": roc_auc_score(y, oof), "brier": float(np.mean(fold_brier)),
                            "brier_reference": float(y.mean() * (1 - y.mean())), "n": len(y), "events": n_pos})
        frac_pos, mean_pred = calibration_curve(y, oof, n_bins=10, strategy="quantile")
        calib.append(pd.DataFrame({"model": name, "mean_predicted": mean_pred, "observed_rate": frac_pos}))
        gains.append(gains_table(y, oof, bins=bins).assign(model=name))
        fpr, tpr, _ = roc_curve(y, oof)
        roc.append(pd.DataFrame({"model": name, "fpr": fpr, "tpr": tpr}))
        fitted[name] = _make_model(name, seed).fit(X, y)
    return PropensityResult(
        kind=kind, target=target, features=features, metrics=pd.DataFrame(metric_rows),
        probabilities=pd.DataFrame(probs, index=data.index), y=pd.Series(y, index=data.index, name=target),
        calibration=pd.concat(calib, ignore_index=True), gains=pd.concat(gains, ignore_index=True),
        roc=pd.concat(roc, ignore_index=True), models=fitted, cv=cv, seed=seed,
    )


@renamed_arguments(target="target_col")
@positional_options
def churn_model(
    data: pd.DataFrame,
    features: Any,
    target_col: str = "churned",
    *,
    models: Any = ("logistic", "gbm"),
    cv: int = 5,
    seed: int | None = None,
    bins: int = 10,
) -> PropensityResult:
    """Predict churn with logistic regression and gradient boosting, judged by cross-validation.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer (e.g. from :func:`define_churn` with ``cutoff=``). Not modified.
    features : list of str
        Numeric predictor columns; no missing values.
    target_col : str, default "churned"
        0/1 column: 1 = churned (called ``target`` before 0.2).
    models : str or list, default ("logistic", "gbm")
        ``"logistic"`` (standardized features, scikit-learn ``LogisticRegression``, L2
        penalty C=1) and/or ``"gbm"`` (``HistGradientBoostingClassifier``, 200 trees,
        learning rate 0.05, 15 leaves).
    cv : int, default 5
        Folds of stratified cross-validation.
    seed : int, optional
        Seed of the folds and of the boosting model.
    bins : int, default 10
        Bins of the gains table (deciles).

    Returns
    -------
    PropensityResult
        ``metrics`` (one row per model: ``model``, ``auc`` mean over folds, ``auc_sd``,
        ``auc_pooled`` on all out-of-fold predictions, ``brier`` mean over folds,
        ``brier_reference`` = p(1-p) of always predicting the base rate, ``n``, ``events``),
        ``probabilities`` (out-of-fold predicted churn probability per customer and
        model), ``calibration`` (``model``, ``mean_predicted``, ``observed_rate`` by
        probability decile), ``gains`` (:func:`gains_table` per model), ``roc``, and the
        methods :meth:`~PropensityResult.threshold_analysis`,
        :meth:`~PropensityResult.contact_list`, :meth:`~PropensityResult.predict`.

    Notes
    -----
    All reported metrics use out-of-fold predictions: every customer's probability
    comes from a model that did not see that customer. AUC is the probability that a
    random churner gets a higher score than a random non-churner (0.5 = no skill);
    the Brier score is :math:`\\frac{1}{n}\\sum (p_i - y_i)^2` (lower is better; compare
    with ``brier_reference``). The models used by ``predict`` and ``contact_list`` are
    refitted on all customers.

    References
    ----------
    Neslin, S. A., et al. (2006). Defection detection. *Journal of Marketing Research*, 43(2), 204-211.

    Brier, G. W. (1950). Verification of forecasts expressed in terms of probability.
    *Monthly Weather Review*, 78(1), 1-3.

    Niculescu-Mizil, A., & Caruana, R. (2005). Predicting good probabilities with
    supervised learning. *Proceedings of ICML*, 625-632.
    """
    return _fit_propensity(data, features, target_col, models, cv, seed, bins, "churn_model", "churn")


@dataclass(repr=False, eq=False)
class PropensityResult(Result):
    """Cross-validated propensity models (churn or response) and what to do with their scores.

    Attributes
    ----------
    kind : {"churn", "response"}
    target : str
        The 0/1 outcome column.
    features : list of str
    metrics, probabilities, calibration, gains, roc : pandas.DataFrame
        See :func:`churn_model`.
    y : pandas.Series
        The observed outcome.
    models : dict
        Model name -> estimator refitted on all customers.
    cv : int
    seed : int or None
    best_model : str
        The model with the best cross-validated AUC.
    """

    kind: str
    target: str
    features: list[str]
    metrics: pd.DataFrame
    probabilities: pd.DataFrame
    y: pd.Series
    calibration: pd.DataFrame
    gains: pd.DataFrame
    roc: pd.DataFrame
    models: dict
    cv: int
    seed: int | None
    best_model: str = field(init=False)

    def __post_init__(self) -> None:
        self.best_model = str(self.metrics.sort_values("auc", ascending=False, kind="stable")["model"].iloc[0])

    @property
    def title(self) -> str:  # type: ignore[override]
        return "Churn model" if self.kind == "churn" else "Response model"

    def _model(self, model):
        if model is None:
            return self.best_model
        return check_choice(model, "model", list(self.models), "PropensityResult")

    def to_frame(self) -> pd.DataFrame:
        """The model comparison table (``metrics``)."""
        return self.metrics.copy()

    def _summary_tables(self):
        g = self.gains[self.gains["model"] == self.best_model].set_index("bin")
        return [
            (f"Cross-validated performance ({self.cv} folds)", self.metrics.set_index("model")),
            (f"Gains and lift by decile ({self.best_model})",
             g[["n", "events", "event_rate", "gain", "lift", "cum_lift"]]),
        ]

    def _summary_notes(self):
        return [f"Best model by cross-validated AUC: {MODEL_LABELS[self.best_model]}."] + list(self.warnings)

    def threshold_analysis(self, thresholds=None, model: str | None = None) -> pd.DataFrame:
        """:func:`threshold_table` on the out-of-fold probabilities of ``model`` (default: the best)."""
        model = self._model(model)
        return threshold_table(self.y.to_numpy(), self.probabilities[model].to_numpy(), thresholds=thresholds)

    def predict(self, data: pd.DataFrame, model: str | None = None) -> pd.Series:
        """Predicted probabilities for new customers from the model refitted on all data."""
        model = self._model(model)
        data = check_dataframe(data, func="predict")
        X = check_numeric_columns(data, self.features, func="predict", allow_missing=False)
        return pd.Series(self.models[model].predict_proba(X.to_numpy(dtype=float))[:, 1], index=data.index,
                         name="probability")

    @positional_options
    def contact_list(self, threshold: float = 0.7, data: pd.DataFrame | None = None, model: str | None = None, *,
                     top: int | None = None) -> pd.DataFrame:
        """Customers to contact: predicted probability at or above ``threshold``, highest first.

        Parameters
        ----------
        threshold : float, default 0.7
            Cut on the predicted probability.  The primer's 70% rule is a
            different quantity (precision >= 0.70 among the customers contacted):
            :func:`crm_research.frameworks.programmes.confidence_rule` finds the
            threshold that meets it.
        data : DataFrame, optional
            Customers to score with the refitted model; default: the modelling data,
            scored out-of-fold (honest probabilities for the customers already seen).
        model : str, optional
            Default: the model with the best cross-validated AUC.
        top : int, optional
            Keep at most this many customers (a budget).

        Returns
        -------
        pandas.DataFrame
            ``rank``, ``probability`` (index: the customers), best first.
        """
        threshold = check_number(threshold, "threshold", "contact_list", 0.0, 1.0)
        model = self._model(model)
        if data is None:
            p = self.probabilities[model].rename("probability")
        else:
            p = self.predict(data, model)
        chosen = p[p >= threshold].sort_values(ascending=False, kind="stable")
        if top is not None:
            chosen = chosen.iloc[: check_int(top, "top", "contact_list", min_value=1)]
        out = chosen.to_frame()
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out

    @positional_options
    def plot(self, ax=None, *, kind: str = "all", lang: str = "en"):
        """Plot the cross-validated diagnostics: ROC, calibration, gains or the threshold trade-off.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw one panel (not with ``kind="all"``); a new figure when omitted.
        kind : {"all", "roc", "calibration", "gains", "threshold"}, default "all"
            The panel; "all" draws the four side by side (no ``ax``).
        lang : {"en", "fa"}, default "en"
            Language of the titles, axis labels and legends; "fa" writes them in Persian,
            with Persian digits on the axes (model names stay as they are).

        Returns
        -------
        matplotlib.figure.Figure or matplotlib.axes.Axes
            The figure for ``kind="all"``, otherwise the axes.
        """
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, number, persian_ticks

        kind = check_choice(kind, "kind", ("all", "roc", "calibration", "gains", "threshold"), "PropensityResult.plot")
        lang = check_lang(lang, "lang", "PropensityResult.plot")
        with _plot_style(lang):
            if kind == "all":
                if ax is not None:
                    raise CRMInputError("plot(kind='all') draws four panels and takes no 'ax'; pass kind= for one panel.")
                fig, axes = plt.subplots(1, 4, figsize=(18, 4))
                for a, kd in zip(axes, ("roc", "calibration", "gains", "threshold")):
                    self.plot(ax=a, kind=kd, lang=lang)
                fig.tight_layout()
                return fig
            if ax is None:
                _, ax = plt.subplots(figsize=(5, 4))
            if kind == "roc":
                for name, g in self.roc.groupby("model", sort=False):
                    auc = self.metrics.set_index("model").loc[name, "auc"]
                    ax.plot(g["fpr"], g["tpr"], label=f"{name} (AUC {number(f'{auc:.3f}', lang)})")
                ax.plot([0, 1], [0, 1], ":", color="grey", label=label("no skill", "حدس تصادفی", lang))
                ax.set_xlabel(label("false positive rate", "نرخ مثبت کاذب", lang))
                ax.set_ylabel(label("true positive rate", "نرخ مثبت درست", lang))
                ax.set_title(label("ROC curve (out-of-fold)", "منحنی ROC (خارج از بخش)", lang))
            elif kind == "calibration":
                for name, g in self.calibration.groupby("model", sort=False):
                    ax.plot(g["mean_predicted"], g["observed_rate"], "o-", label=name)
                ax.plot([0, 1], [0, 1], ":", color="grey", label=label("perfect calibration", "کالیبراسیون کامل", lang))
                ax.set_xlabel(label("mean predicted probability", "میانگین احتمال پیش‌بینی‌شده", lang))
                ax.set_ylabel(label("observed rate", "نرخ مشاهده‌شده", lang))
                ax.set_title(label("Calibration (probability deciles)", "کالیبراسیون (دهک‌های احتمال)", lang))
            elif kind == "gains":
                for name, g in self.gains.groupby("model", sort=False):
                    ax.plot(np.r_[0, g["cum_share"]], np.r_[0, g["gain"]], "o-", label=name)
                ax.plot([0, 1], [0, 1], ":", color="grey", label=label("random", "انتخاب تصادفی", lang))
                ax.set_xlabel(label("share of customers contacted (best scores first)",
                                    "سهم مشتریان تماس‌گرفته‌شده (بالاترین امتیازها نخست)", lang))
                events = "ریزش‌کنندگان" if self.kind == "churn" else "پاسخ‌دهندگان"
                ax.set_ylabel(label(f"share of all {self.target} captured", f"سهم یافته‌شده از همهٔ {events}", lang))
                ax.set_title(label("Cumulative gains", "دستاورد تجمعی", lang))
            else:
                t = self.threshold_analysis()
                ax.plot(t["threshold"], t["precision"], "o-", label=label("precision", "دقت", lang))
                ax.plot(t["threshold"], t["coverage"], "s-",
                        label=label("coverage (share contacted)", "پوشش (سهم تماس‌گرفته‌شدگان)", lang))
                ax.plot(t["threshold"], t["recall"], "^-",
                        label=label("recall (share of events reached)", "بازیابی (سهم رویدادهای دست‌یافته)", lang))
                ax.axvline(0.7, color="grey", lw=1, ls="--")
                ax.set_xlabel(label("probability threshold", "آستانهٔ احتمال", lang))
                ax.set_title(label(f"Acting only above a threshold ({self.best_model})",
                                   f"اقدام تنها بالای یک آستانه ({self.best_model})", lang))
            ax.legend(fontsize=8)
            persian_ticks(ax, lang)
        return ax


def _plot_style(lang: str):
    """The house style for a Persian figure (Persian font first); English figures are drawn as they always were."""
    import contextlib

    from crm_research.core.plotting import style

    return style(lang) if lang == "fa" else contextlib.nullcontext()
