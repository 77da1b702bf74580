"""Assessment tables of a PLS-SEM result that a thesis chapter 4 reports beyond the basic fit.

Formative measurement (weights, loadings for non-significant weights, VIF, redundancy analysis), blindfolding
Q² (cross-validated redundancy), the GoF index (reported with its caveat), and the rules of thumb examiners
read R², f² and Q² against, each with its source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError

__all__ = ["formative_assessment", "redundancy_analysis", "blindfolding", "gof", "conventions"]


def formative_assessment(result, *, level: float = 0.05) -> pd.DataFrame:
    """Every formative (``<~``) indicator: weight and its significance, loading, VIF, and the decision.

    Hair et al. (2022, ch. 5; Hair et al., 2021, ch. 5): keep an indicator whose weight is significant; if not,
    keep it when its loading is at least 0.50 (absolutely important); if the loading is below 0.50 but
    significant, consider removing it (content validity decides); if neither, delete it unless theory insists.
    VIF of 5 or more is critical collinearity, 3-5 possible collinearity.
    """
    if not result.n_boot:
        raise CRMInputError("The formative assessment needs bootstrap p values of the weights and loadings: refit "
                            "with crm.pls_sem(..., bootstrap=5000).")
    o = result.outer[result.outer["mode"] == "B"]
    if not len(o):
        raise CRMInputError("The model has no formative ('<~') construct.")
    rows = []
    for _, r in o.iterrows():
        w_sig = bool(r["weight_pvalue"] < level)
        l_sig = bool(r["loading_pvalue"] < level)
        if w_sig:
            decision = "keep (significant weight)"
        elif r["loading"] >= 0.5:
            decision = "keep (loading >= 0.50: absolutely important)"
        elif l_sig:
            decision = "consider removal (loading < 0.50 but significant; content validity decides)"
        else:
            decision = "delete (weight and loading not significant), unless theory insists"
        vif = r["vif"]
        rows.append({"construct": r["construct"], "item": r["item"], "weight": r["weight"],
                     "weight_pvalue": r["weight_pvalue"], "weight_ci_low": r["weight_ci_low"],
                     "weight_ci_high": r["weight_ci_high"], "loading": r["loading"],
                     "loading_pvalue": r["loading_pvalue"], "vif": vif,
                     "collinearity": "critical" if vif >= 5 else ("possible" if vif >= 3 else "none"),
                     "decision": decision})
    return pd.DataFrame(rows)


def redundancy_analysis(result, data: pd.DataFrame, construct: str, global_item: str) -> str:
    """The model of a redundancy analysis: a formative construct -> its global single item (Chin, 1998).

    Returns the model text that :meth:`PLSResult.redundancy` estimates with the fit's options; the path should
    be at least 0.708 (the construct explains at least half of the global item's variance, Hair et al., 2022,
    ch. 5; Cheah et al., 2018).
    """
    spec = result.spec
    if construct not in spec.constructs or spec.modes.get(construct) != "B":
        formative = [c for c, m in spec.modes.items() if m == "B"]
        raise CRMInputError(f"The 'construct' parameter of redundancy must be a formative construct of the model "
                            f"({formative}). Got {construct!r} instead.")
    if not isinstance(data, pd.DataFrame) or global_item not in data.columns:
        raise CRMInputError(f"The 'global_item' {global_item!r} must be a column of 'data' (a single item that "
                            "summarises the construct, e.g. 'qual_global').")
    name = f"{construct}_G"
    while name in spec.names:
        name += "_"
    return (f"{construct} <~ {' + '.join(spec.constructs[construct])}\n{name} =~ {global_item}\n"
            f"{name} ~ {construct}")


def _kernel(result):
    from crm_research.pls.bootstrap import CorrPLS

    spec = result.spec
    if spec.interactions or spec.higher_order or result.consistent:
        raise CRMInputError("Blindfolding needs a model of first-order composites estimated with PLS (no "
                            "interaction terms, higher-order constructs or consistent=True).")
    kernel = CorrPLS.from_model(result.engine_model)
    kernel.mean_replace = True  # omitted data points are replaced by the item mean (SmartPLS's blindfolding)
    return kernel


def blindfolding(result, omission_distance: int = 7) -> pd.DataFrame:
    """Stone-Geisser Q² by blindfolding: the cross-validated redundancy of each endogenous construct.

    For each endogenous construct and each of the ``D`` rounds, every D-th data point of its indicators
    (counted row by row) is omitted and replaced by the item mean, the model re-estimated, and each omitted
    point predicted from the construct's predecessors: :math:`\\hat x = \\lambda \\sum_j b_j \\hat\\xi_j` in
    standardized units.  :math:`Q^2 = 1 - \\sum SSE / \\sum SSO` (Hair et al., 2017, ch. 6; Tenenhaus et al.,
    2005).  ``D`` between 5 and 12, and the number of observations divided by ``D`` must not be an integer
    (otherwise the same respondents' points are omitted round after round).
    """
    from crm_research.core.validation import check_int

    d = check_int(omission_distance, "omission_distance", "blindfolding", min_value=5)
    if d > 12:
        raise CRMInputError(f"The 'omission_distance' parameter of blindfolding must be between 5 and 12 (Hair et "
                            f"al., 2017). Got {d} instead.")
    kernel = _kernel(result)
    values = np.asarray(result.engine_model.rawdata.values, dtype=float)
    n = values.shape[0]
    if n % d == 0:
        raise CRMInputError(f"The number of observations ({n}) divided by the omission distance {d} is an integer "
                            f"({n // d}); choose another omission distance between 5 and 12 (e.g. {d + 1}).")
    names = list(result.engine_model.constructs)
    rows = []
    for c in result.spec.endogenous():
        j = names.index(c)
        block = kernel.blocks[j]  # item positions (kernel order) of c
        cols = [kernel.perm[b] for b in block]  # data columns of c's items
        preds = kernel.pred[j]
        sse = sso = 0.0
        for rnd in range(d):
            x = values.copy()
            number = np.arange(n)[:, None] * len(cols) + np.arange(len(cols))[None, :]
            omit = number % d == rnd
            sub = x[:, cols]
            sub[omit] = np.nan
            x[:, cols] = sub
            out = kernel.fit(x)
            if out is None:
                raise CRMInputError(f"Blindfolding round {rnd + 1} of {c!r} could not be estimated (an item "
                                    "became constant).")
            paths, loadings, w, _, _ = out
            xk = x[:, kernel.perm]
            xk = np.where(np.isnan(xk), np.nanmean(xk, axis=0), xk)
            mean, sd = xk.mean(axis=0), xk.std(axis=0, ddof=1)
            scores = ((xk - mean) / sd) @ w
            yhat = scores[:, preds] @ paths[preds, j]
            for m, b in enumerate(block):
                rows_o = omit[:, m] & ~np.isnan(values[:, cols[m]])  # a missing answer has nothing to predict
                obs = (values[rows_o, cols[m]] - mean[b]) / sd[b]
                pred = loadings[b, j] * yhat[rows_o]
                sse += float(np.sum((obs - pred) ** 2))
                sso += float(np.sum(obs**2))
        q2 = 1 - sse / sso
        rows.append({"construct": c, "sso": sso, "sse": sse, "q2": q2,
                     "predictive_relevance": "none" if q2 <= 0 else
                     ("small" if q2 < 0.25 else ("medium" if q2 < 0.5 else "large"))})
    return pd.DataFrame(rows)


def gof(result) -> dict:
    """The GoF index of Tenenhaus et al. (2005): sqrt(mean communality x mean R²), with its caveat.

    Mean communality: the squared loadings averaged over the indicators of the mode A constructs with two or
    more indicators (each block weighted by its size); mean R²: over the endogenous constructs.  Henseler &
    Sarstedt (2013) show that GoF cannot tell a valid from an invalid model: report it if asked, never as
    evidence of model fit.
    """
    rel = result.reliability
    blocks = rel[(rel["mode"] == "A") & (rel["n_items"] > 1) & rel["construct"].isin(result.spec.constructs)]
    o = result.outer[result.outer["construct"].isin(blocks["construct"])]
    communality = float((o["loading"] ** 2).mean())
    r2 = float(result.r2["r2"].mean())
    return {"gof": float(np.sqrt(communality * r2)), "mean_communality": communality, "mean_r2": r2,
            "caveat": "GoF is not a goodness-of-fit index: it cannot separate valid from invalid models "
                      "(Henseler & Sarstedt, 2013). Report SRMR-type fit or, better, predictive assessment."}


def _band(value, cuts, labels):
    for cut, lab in zip(cuts[::-1], labels[::-1]):
        if value >= cut:
            return lab
    return "below " + labels[0] if value >= 0 else "none"


def conventions(result, *, omission_distance: int | None = 7) -> pd.DataFrame:
    """R², f² and Q² read against the rules of thumb examiners expect, each with its source.

    * R²: Chin (1998, p. 323): 0.67 substantial, 0.33 moderate, 0.19 weak; Hair, Ringle & Sarstedt (2011,
      marketing): 0.75 / 0.50 / 0.25.
    * f²: Cohen (1988): 0.02 small, 0.15 medium, 0.35 large.
    * Q² (blindfolding): Hair et al. (2019): above 0 predictive relevance; 0.25 and 0.50 medium and large.
      (0.02 / 0.15 / 0.35 are the thresholds of the q² *effect size*, the change in Q² when a predictor is
      left out, not of Q² itself.)  ``omission_distance=None`` leaves Q² out.
    """
    rows = []
    for _, r in result.r2.iterrows():
        rows.append({"statistic": "R2", "where": r["construct"], "value": r["r2"],
                     "verdict": _band(r["r2"], [0.19, 0.33, 0.67], ["weak", "moderate", "substantial"]),
                     "thresholds": "0.19 / 0.33 / 0.67", "source": "Chin (1998)"})
        rows.append({"statistic": "R2", "where": r["construct"], "value": r["r2"],
                     "verdict": _band(r["r2"], [0.25, 0.50, 0.75], ["weak", "moderate", "substantial"]),
                     "thresholds": "0.25 / 0.50 / 0.75", "source": "Hair, Ringle & Sarstedt (2011)"})
    for _, p in result.paths.iterrows():
        rows.append({"statistic": "f2", "where": f"{p['from']} -> {p['to']}", "value": p["f2"],
                     "verdict": "no effect" if p["f2"] < 0.02 else _band(p["f2"], [0.02, 0.15, 0.35],
                                                                         ["small", "medium", "large"]),
                     "thresholds": "0.02 / 0.15 / 0.35", "source": "Cohen (1988)"})
    if omission_distance is not None:
        for _, q in blindfolding(result, omission_distance).iterrows():
            rows.append({"statistic": "Q2 (blindfolding)", "where": q["construct"], "value": q["q2"],
                         "verdict": q["predictive_relevance"], "thresholds": "0 / 0.25 / 0.50",
                         "source": "Hair, Risher, Sarstedt & Ringle (2019)"})
    return pd.DataFrame(rows)
