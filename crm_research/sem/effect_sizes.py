"""Effect sizes (f²) and collinearity (VIF) of the latent predictors of a structural model.

f² is Cohen's (1988) :math:`(R^2_{incl} - R^2_{excl}) / (1 - R^2_{incl})`, where :math:`R^2_{excl}` is the
outcome's R² when the model is re-estimated by :func:`crm_research.sem` with that one path fixed to zero (the
covariance-based counterpart of re-estimating a PLS model without the predictor, as SmartPLS does).  The VIF
of a predictor is the diagonal of the inverse of the model-implied correlation matrix of the outcome's latent
predictors (lavaan's ``lavInspect(fit, "cor.lv")``).  Both equal a lavaan computation to 1e-5
(``tests/reference/report_structural.R`` → ``tests/reference/report/ecrm_f2_vif.csv``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.validation import check_choice

__all__ = ["sem_effect_sizes", "reduced_model", "latent_vif", "f2_band"]

EFFECT_SIZE_COLUMNS = ["outcome", "predictor", "r2_included", "r2_excluded", "f2", "effect", "vif",
                       "refit_converged"]


def reduced_model(model: str, outcome: str, predictor: str) -> str:
    """The model with the path ``outcome ~ predictor`` fixed to zero (defined parameters left out).

    Defined parameters (``:=``) do not change the fit; they are dropped because they may name the
    label of the removed path.  Constraints that name that label are dropped too.

    Examples
    --------
    >>> print(reduced_model("F =~ a + b + c\\nY ~ x1*F + G\\nind := x1*2", "Y", "F"))
    F =~ a + b + c
    Y ~ 0*F + G
    """
    from crm_research.core.syntax import parse_model

    parsed = parse_model(model)
    lines, dropped = [], set()
    for st in parsed.statements:
        terms = []
        for t in st.terms:
            if st.op == "~" and st.lhs == outcome and t.name == predictor:
                if t.label:
                    dropped.add(t.label)
                terms.append(f"0*{t.name}")
            else:
                terms.append(t.text())
        if st.op == "~1":
            lines.append(f"{st.lhs} ~ 1")
            continue
        lines.append(f"{st.lhs} {st.op} " + " + ".join(terms))
    for c in parsed.constraints:
        if not any(lab in (c.lhs + " " + c.rhs) for lab in dropped):
            lines.append(f"{c.lhs} == {c.rhs}")
    return "\n".join(lines)


def latent_vif(fit, outcome: str) -> pd.Series:
    """VIF of the latent predictors of ``outcome``: the diagonal of the inverse of their implied correlations."""
    est = fit.estimates
    preds = est.loc[(est["op"] == "~") & (est["lhs"] == outcome), "rhs"].tolist()
    names = list(fit.spec.observed) + list(fit.spec.latent)
    C = pd.DataFrame(fit.fit.C, index=names, columns=names).loc[preds, preds].to_numpy()
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    if len(preds) == 1:
        return pd.Series([1.0], index=preds)
    return pd.Series(np.diag(np.linalg.inv(R)), index=preds)


def f2_band(f2: float) -> str:
    """Cohen's (1988) reading of f²: 0.02 small, 0.15 medium, 0.35 large ("none" below 0.02)."""
    if not np.isfinite(f2) or f2 < 0.02:
        return "none"
    return "large" if f2 >= 0.35 else "medium" if f2 >= 0.15 else "small"


def sem_effect_sizes(data, result, *, missing: str | None = None) -> pd.DataFrame:
    """f² and VIF of every path between latent variables of a CB-SEM fit (the SmartPLS-style effect sizes).

    Parameters
    ----------
    data : pandas.DataFrame
        The data the model was fitted to (each reduced model is re-estimated on it).
    result : SEMResult
        A single-group fit of :func:`crm_research.sem` (ML, MLM or MLR: the refits use ML, whose point
        estimates and R² the robust estimators share).
    missing : {"listwise", "fiml"}, optional
        The missing-data treatment of the refits; by default the one of ``result`` (FIML for a FIML fit).

    Returns
    -------
    pandas.DataFrame
        One row per structural path between latent variables: ``outcome``, ``predictor``, ``r2_included``,
        ``r2_excluded`` (the outcome's R² with the path fixed to zero), ``f2``, ``effect`` (Cohen's reading:
        none / small / medium / large), ``vif`` and ``refit_converged``.  A refit that did not converge has an
        empty ``r2_excluded`` and ``f2`` (and warns); empty when the model has no such path.

    Notes
    -----
    Fixing a path to zero lets the other estimates change too, so a path near zero can give a slightly
    negative f².  VIF above 5 indicates probable collinearity, 3 to 5 possible collinearity (Hair, Risher,
    Sarstedt & Ringle, 2019).

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.). Erlbaum.

    Examples
    --------
    >>> import crm_research as crm
    >>> data = crm.load_dataset("political_democracy")
    >>> model = '''
    ...     ind60 =~ x1 + x2 + x3
    ...     dem60 =~ y1 + y2 + y3 + y4
    ...     dem65 =~ y5 + y6 + y7 + y8
    ...     dem60 ~ ind60
    ...     dem65 ~ ind60 + dem60'''
    >>> fit = crm.sem(data, model, progress=False)
    >>> table = sem_effect_sizes(data, fit)
    >>> table[["outcome", "predictor", "effect"]].values.tolist()
    [['dem60', 'ind60', 'medium'], ['dem65', 'ind60', 'small'], ['dem65', 'dem60', 'large']]
    """
    from crm_research.sem.api import sem
    from crm_research.sem.fiml import FIMLResult
    from crm_research.sem.ordinal import OrdinalSEMResult
    from crm_research.sem.result import SEMResult

    func = "sem_effect_sizes"
    if not isinstance(result, SEMResult) or isinstance(result, OrdinalSEMResult):
        raise CRMInputError(f"The 'result' parameter of {func} must be a single-group crm.sem fit with ML, MLM or "
                            f"MLR (its refits are ML). Got {type(result).__name__} instead.")
    if missing is None:
        missing = "fiml" if isinstance(result, FIMLResult) else "listwise"
    missing = check_choice(missing, "missing", ["listwise", "fiml"], func)
    est = result.estimates
    latent = set(result.spec.latent)
    paths = est[(est["op"] == "~") & est["lhs"].isin(latent) & est["rhs"].isin(latent)]
    rows = []
    for outcome in dict.fromkeys(paths["lhs"]):
        vif = latent_vif(result, outcome)
        r2_in = float(result.r2[outcome])
        for pred in paths.loc[paths["lhs"] == outcome, "rhs"]:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                small = sem(data, reduced_model(result.model, outcome, pred), missing=missing, progress=False)
            # a refit that did not converge gives no R² to compare: its f² stays empty
            converged = not any(issubclass(w.category, CRMConvergenceWarning) for w in caught)
            if not converged:
                warnings.warn(f"f² of {outcome} ~ {pred}: the model with this path fixed to zero did not converge; "
                              "its f² is left empty.", CRMConvergenceWarning, stacklevel=2)
            r2_out = float(small.r2[outcome]) if converged else np.nan
            f2 = (r2_in - r2_out) / (1 - r2_in)
            rows.append({"outcome": outcome, "predictor": pred, "r2_included": r2_in, "r2_excluded": r2_out,
                         "f2": f2, "effect": f2_band(f2) if np.isfinite(f2) else "", "vif": float(vif[pred]),
                         "refit_converged": converged})
    return pd.DataFrame(rows, columns=EFFECT_SIZE_COLUMNS)
