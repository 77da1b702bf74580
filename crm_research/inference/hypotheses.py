"""The hypotheses table of a questionnaire thesis, from a fitted SEM."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_ci, closest_names, param_error

__all__ = ["hypotheses", "mediation_type", "mediation_effects", "MEDIATION_TYPES"]

_PATH = re.compile(r"^\s*([^\s~=]+)\s*(=~|~~|~)\s*([^\s~=]+)\s*$")


def _find_row(est: pd.DataFrame, spec: str, hyp: str) -> int:
    m = _PATH.match(spec)
    if m:
        lhs, op, rhs = m.groups()
        hit = est.index[(est["lhs"] == lhs) & (est["op"] == op) & (est["rhs"] == rhs)]
        if op == "~" and not len(hit) and "*" in rhs:  # a PLS interaction written 'X*M' (estimates say 'X:M')
            hit = est.index[(est["lhs"] == lhs) & (est["op"] == op) & (est["rhs"] == rhs.replace("*", ":"))]
        if op == "~~" and not len(hit):
            hit = est.index[(est["lhs"] == rhs) & (est["op"] == op) & (est["rhs"] == lhs)]
        if len(hit):
            return int(hit[0])
        known = (est["lhs"] + " " + est["op"] + " " + est["rhs"]).tolist()
        hint = closest_names(f"{lhs} {op} {rhs}", known)
        raise CRMInputError(f"Hypothesis {hyp!r}: the path '{lhs} {op} {rhs}' is not in the model."
                            + (f" Did you mean {' or '.join(map(repr, hint))}?" if hint else ""))
    name = spec.strip()
    hit = est.index[(est["op"] == ":=") & (est["lhs"] == name)]
    if not len(hit):
        hit = est.index[est["label"] == name]
    if len(hit):
        return int(hit[0])
    known = est.loc[est["op"] == ":=", "lhs"].tolist() + [lab for lab in est["label"] if lab]
    hint = closest_names(name, known)
    raise CRMInputError(f"Hypothesis {hyp!r}: {name!r} is neither a path such as 'SAT ~ OPR' nor a label or "
                        "defined parameter (':=') of the model."
                        + (f" Did you mean {' or '.join(map(repr, hint))}?" if hint else ""))


@positional_options
def hypotheses(result, hypotheses, *, ci: float = 0.95, interval: str = "auto") -> pd.DataFrame:
    """Test each hypothesis of a thesis against a fitted model: the usual results table.

    Parameters
    ----------
    result : SEMResult or PLSResult
        A fit from :func:`crm_research.sem` (with ``bootstrap=B`` for
        bootstrap intervals of indirect effects), or from
        :func:`crm_research.pls_sem` with ``bootstrap=B`` (PLS has no standard
        errors without a bootstrap).
    hypotheses : dict
        Hypothesis name -> path (``"SAT ~ OPR"``, ``"F =~ x1"``,
        ``"a ~~ b"``), a parameter label, or a defined parameter (``"ind"``
        for ``ind := a*b``).
    ci : float, default 0.95
        Confidence level; a hypothesis is supported when ``p < 1 - ci``
        and the interval excludes zero.
    interval : {"auto", "delta", "bc", "percentile", "bca"}
        Which interval to report: ``"auto"`` uses the percentile bootstrap
        interval when the fit was bootstrapped (CB-SEM and PLS, as SmartPLS
        does; BCa for a PLS fit with ``ci_type="bca"``), else the
        normal-theory (delta-method) one.  The bias-corrected interval
        (``"bc"``) is available but not the default: its Type I error rate for
        indirect effects is inflated (Fritz, Taylor & MacKinnon, 2012).
        A PLS interaction path is written ``"Y ~ X:M"`` (or ``"Y ~ X*M"``).

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis: ``hypothesis, path, est, beta`` (standardized,
        std_all), ``se, z, pvalue, ci_low, ci_high, interval, supported``
        (bool).

    Notes
    -----
    ``z = est / se`` (lavaan reports z, which many theses label t); for a
    defined parameter such as an indirect effect ``a*b`` the standard error
    is the delta-method (Sobel) one, whose normal interval is known to be
    too narrow or too wide for products; prefer the bootstrap interval
    (Preacher & Hayes, 2008).

    References
    ----------
    Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies
    for assessing and comparing indirect effects in multiple mediator models.
    *Behavior Research Methods*, 40(3), 879-891.
    Fritz, M. S., Taylor, A. B., & MacKinnon, D. P. (2012). Explanation of two
    anomalous results in statistical mediation analysis. *Multivariate
    Behavioral Research*, 47(1), 61-87.
    """
    from crm_research.pls import PLSResult
    from crm_research.sem.result import SEMResult

    if not isinstance(result, (SEMResult, PLSResult)):
        raise param_error("result", "an SEMResult from crm.sem/crm.cfa or a PLSResult from crm.pls_sem",
                          type(result).__name__, "hypotheses")
    is_pls = isinstance(result, PLSResult)
    if is_pls and not result.n_boot:
        raise CRMInputError("A PLS-SEM fit has no standard errors or p values without a bootstrap: "
                            "refit with crm.pls_sem(..., bootstrap=5000) before calling hypotheses.")
    if not isinstance(hypotheses, dict) or not hypotheses:
        raise param_error("hypotheses", "a non-empty dict such as {'H1': 'SAT ~ OPR', 'H2': 'ind'}",
                          type(hypotheses).__name__, "hypotheses")
    ci = check_ci(ci, "hypotheses")
    if interval not in ("auto", "delta", "bc", "percentile", "bca"):
        raise param_error("interval", "one of 'auto', 'delta', 'bc', 'percentile', 'bca'", interval, "hypotheses")
    if interval == "bca" and "bca_lower" not in result.estimates.columns:
        raise CRMInputError("interval='bca' needs a PLS fit with BCa intervals: crm.pls_sem(..., bootstrap=5000, "
                            "ci_type='bca').")
    est = result.estimates
    has_boot = "bc_lower" in est.columns
    if interval in ("bc", "percentile") and not has_boot:
        raise CRMInputError(f"interval={interval!r} needs a bootstrapped fit: crm.sem(..., bootstrap=2000).")
    # percentile for both (BCa when a PLS fit asked for it): SmartPLS's default, and the bias-corrected
    # interval inflates the Type I error of indirect effects (Fritz, Taylor & MacKinnon, 2012)
    auto = "bca" if is_pls and getattr(result, "ci_type", "") == "bca" else "percentile"
    kind = (auto if has_boot else "delta") if interval == "auto" else interval
    if has_boot and kind != "delta" and abs(getattr(result, "boot_ci", ci) - ci) > 1e-12:
        raise CRMInputError(f"The bootstrap intervals were computed at ci={result.boot_ci}; refit with ci={ci} or "
                            f"pass ci={result.boot_ci}.")
    from scipy.stats import norm

    zcrit = norm.ppf(1 - (1 - ci) / 2)
    rows = []
    for hyp, spec in hypotheses.items():
        if not isinstance(spec, str):
            raise CRMInputError(f"Hypothesis {hyp!r} must be given as text such as 'SAT ~ OPR'. Got {spec!r}.")
        k = _find_row(est, spec, str(hyp))
        r = est.loc[k]
        if r["op"] == ":=":
            path = f"{r['lhs']} := {r['rhs']}"
        else:
            path = f"{r['lhs']} {r['op']} {r['rhs']}"
        if kind == "delta":
            lo, hi = r["est"] - zcrit * r["se"], r["est"] + zcrit * r["se"]
        elif kind == "bc":
            lo, hi = r["bc_lower"], r["bc_upper"]
        elif kind == "bca":
            lo, hi = r["bca_lower"], r["bca_upper"]
        else:
            lo, hi = r["perc_lower"], r["perc_upper"]
        fixed = not (r["se"] > 0)
        supported = (not fixed) and bool(r["pvalue"] < 1 - ci) and bool(lo > 0 or hi < 0)
        rows.append({"hypothesis": str(hyp), "path": path, "est": r["est"], "beta": r["std_all"], "se": r["se"],
                     "z": r["z"], "pvalue": r["pvalue"], "ci_low": lo, "ci_high": hi,
                     "interval": {"delta": "normal", "bc": "bootstrap BC", "percentile": "bootstrap percentile",
                                  "bca": "bootstrap BCa"}[kind],
                     "supported": supported})
    return pd.DataFrame(rows)


#: Zhao, Lynch & Chen's (2010) five outcomes of a mediation analysis, with their English and Persian names.
MEDIATION_TYPES: dict[str, tuple[str, str]] = {
    "complementary": ("complementary (partial) mediation", "میانجی‌گری مکمل (جزئی)"),
    "competitive": ("competitive (partial) mediation", "میانجی‌گری رقابتی (جزئی)"),
    "indirect-only": ("indirect-only (full) mediation", "میانجی‌گری فقط غیرمستقیم (کامل)"),
    "direct-only": ("direct-only non-mediation", "بدون میانجی‌گری (فقط اثر مستقیم)"),
    "no-effect": ("no-effect non-mediation", "بدون میانجی‌گری و بدون اثر"),
}


def mediation_type(indirect: float, direct: float | None, *, indirect_significant: bool,
                   direct_significant: bool) -> str:
    """Classify a mediation by Zhao, Lynch and Chen's (2010) typology.

    Parameters
    ----------
    indirect : float
        The indirect effect (e.g. ``a*b``).
    direct : float or None
        The direct effect of the same predictor on the same outcome (``c'``);
        None when the model has no direct path (then it cannot be significant).
    indirect_significant, direct_significant : bool
        Whether each effect is significant (for the indirect effect: its
        bootstrap interval excludes zero, Zhao et al.'s test).

    Returns
    -------
    str
        ``"complementary"`` (both significant, same sign: partial mediation),
        ``"competitive"`` (both significant, opposite signs), ``"indirect-only"``
        (full mediation), ``"direct-only"`` or ``"no-effect"`` (no mediation).
        :data:`MEDIATION_TYPES` holds their English and Persian names.

    References
    ----------
    Zhao, X., Lynch, J. G., & Chen, Q. (2010). Reconsidering Baron and Kenny:
    Myths and truths about mediation analysis. *Journal of Consumer Research*,
    37(2), 197-206. https://doi.org/10.1086/651257

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.mediation_type(0.12, 0.30, indirect_significant=True, direct_significant=True)
    'complementary'
    >>> crm.mediation_type(0.12, -0.30, indirect_significant=True, direct_significant=True)
    'competitive'
    >>> crm.mediation_type(0.12, 0.02, indirect_significant=True, direct_significant=False)
    'indirect-only'
    """
    for name, value in (("indirect_significant", indirect_significant), ("direct_significant", direct_significant)):
        if not isinstance(value, (bool, np.bool_)):
            raise param_error(name, "True or False", value, "mediation_type")
    if direct is None or (isinstance(direct, float) and np.isnan(direct)):
        if direct_significant:
            raise CRMInputError("mediation_type: 'direct_significant' is True but no direct effect was given.")
        direct = 0.0
    if indirect_significant and direct_significant:
        return "complementary" if float(indirect) * float(direct) > 0 else "competitive"
    if indirect_significant:
        return "indirect-only"
    return "direct-only" if direct_significant else "no-effect"


def _product_labels(expression: str) -> list[str] | None:
    """The labels of a pure product such as 'a1*b1' (None for anything else)."""
    import ast

    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    names: list[str] = []

    def walk(n) -> bool:
        if isinstance(n, ast.Name):
            names.append(n.id)
            return True
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
            return walk(n.left) and walk(n.right)
        return False

    return names if walk(node) and len(names) >= 2 else None


def _sum_terms(expression: str) -> list[str] | None:
    """The terms of a sum such as 'c1 + a1*b1' as texts (None when it is not a sum of products)."""
    import ast

    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    terms = []

    def walk(n) -> bool:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            return walk(n.left) and walk(n.right)
        terms.append(ast.unparse(n).replace(" ", ""))
        return True

    walk(node)
    return terms if len(terms) >= 2 else None


def _chain(labels, paths: pd.DataFrame) -> list[str] | None:
    """Variables along the regression paths named by ``labels`` (predictor first), or None."""
    edges = []
    for lab in labels:
        hit = paths[paths["label"] == lab]
        if len(hit) != 1:
            return None
        edges.append((hit["rhs"].iloc[0], hit["lhs"].iloc[0]))
    heads = {b for _, b in edges}
    starts = [a for a, _ in edges if a not in heads]
    if len(starts) != 1:
        return None
    nxt = dict(edges)
    if len(nxt) != len(edges):
        return None
    chain = [starts[0]]
    while chain[-1] in nxt and len(chain) <= len(edges):
        chain.append(nxt[chain[-1]])
    return chain if len(chain) == len(edges) + 1 else None


def mediation_effects(result, *, ci: float = 0.95, interval: str = "auto") -> pd.DataFrame:
    """Every indirect effect of a fitted model with its direct and total effect and its mediation type.

    An indirect effect is a defined parameter that is a product of path
    labels (``ind_OPR := a1*b1`` with ``SAT ~ a1*OPR`` and ``LOY ~ b1*SAT``);
    its chain is written ``OPR → SAT → LOY``.  The direct effect is the
    path ``LOY ~ OPR`` if the model has it; the total effect is a defined
    parameter that adds the direct path's label and the same product
    (``total_OPR := c1 + a1*b1``), if the model defines one.

    Parameters
    ----------
    result : SEMResult or PLSResult
        A fit from :func:`crm_research.sem` (bootstrapped for bootstrap
        intervals) or a bootstrapped :func:`crm_research.pls_sem` fit.
    ci : float, default 0.95
    interval : {"auto", "delta", "bc", "percentile"}
        As in :func:`hypotheses`, which judges each effect (p < 1 - ci and the
        interval excludes zero).

    Returns
    -------
    pandas.DataFrame
        One row per indirect effect: ``effect`` (its name), ``chain``
        (``"OPR → SAT → LOY"``), ``est, beta, pvalue, ci_low, ci_high,
        significant``; ``direct_est, direct_beta, direct_pvalue,
        direct_ci_low, direct_ci_high, direct_significant`` (NaN/False
        without a direct path); ``total`` (name of the total effect or ""),
        ``total_est, total_beta, total_pvalue, total_ci_low, total_ci_high``;
        ``interval`` and ``mediation`` (:func:`mediation_type`).

    References
    ----------
    Zhao, X., Lynch, J. G., & Chen, Q. (2010). Reconsidering Baron and Kenny:
    Myths and truths about mediation analysis. *Journal of Consumer Research*,
    37(2), 197-206.

    Examples
    --------
    >>> import crm_research as crm
    >>> df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> model = open(crm.dataset_path("ecrm_survey_model.lav")).read()
    >>> fit = crm.sem(df.dropna(), model, progress=False)
    >>> crm.mediation_effects(fit)[["chain", "mediation"]]
                 chain      mediation
    0  OPR → SAT → LOY  indirect-only
    1  ANL → SAT → LOY  indirect-only
    2  EMP → SAT → LOY    direct-only
    """
    from crm_research.pls import PLSResult
    from crm_research.sem.result import SEMResult

    if not isinstance(result, (SEMResult, PLSResult)):
        raise param_error("result", "an SEMResult from crm.sem or a bootstrapped PLSResult from crm.pls_sem",
                          type(result).__name__, "mediation_effects")
    est = result.estimates
    paths = est[est["op"] == "~"]
    defined = est[est["op"] == ":="]
    rows = []
    for _, d in defined.iterrows():
        labels = _product_labels(d["rhs"])
        chain = _chain(labels, paths) if labels else None
        if chain is None:
            continue
        ind = hypotheses(result, {"ind": d["lhs"]}, ci=ci, interval=interval).iloc[0]
        row = {"effect": d["lhs"], "chain": " → ".join(chain), "est": ind["est"], "beta": ind["beta"],
               "pvalue": ind["pvalue"], "ci_low": ind["ci_low"], "ci_high": ind["ci_high"],
               "significant": bool(ind["supported"])}
        direct = paths[(paths["lhs"] == chain[-1]) & (paths["rhs"] == chain[0])]
        if len(direct):
            dr = hypotheses(result, {"c": f"{chain[-1]} ~ {chain[0]}"}, ci=ci, interval=interval).iloc[0]
            row.update(direct_est=dr["est"], direct_beta=dr["beta"], direct_pvalue=dr["pvalue"],
                       direct_ci_low=dr["ci_low"], direct_ci_high=dr["ci_high"],
                       direct_significant=bool(dr["supported"]))
        else:
            row.update(direct_est=np.nan, direct_beta=np.nan, direct_pvalue=np.nan, direct_ci_low=np.nan,
                       direct_ci_high=np.nan, direct_significant=False)
        product = "*".join(labels)
        total_name = ""
        if len(direct) and direct["label"].iloc[0]:
            want = {direct["label"].iloc[0], product}
            for _, t in defined.iterrows():
                terms = _sum_terms(t["rhs"])
                if terms and set(terms) == want:
                    total_name = t["lhs"]
                    break
        row["total"] = total_name
        if total_name:
            tr_ = hypotheses(result, {"t": total_name}, ci=ci, interval=interval).iloc[0]
            row.update(total_est=tr_["est"], total_beta=tr_["beta"], total_pvalue=tr_["pvalue"],
                       total_ci_low=tr_["ci_low"], total_ci_high=tr_["ci_high"])
        else:
            row.update(total_est=np.nan, total_beta=np.nan, total_pvalue=np.nan, total_ci_low=np.nan,
                       total_ci_high=np.nan)
        row["interval"] = ind["interval"]
        row["mediation"] = mediation_type(row["est"], row["direct_est"], indirect_significant=row["significant"],
                                          direct_significant=row["direct_significant"])
        rows.append(row)
    columns = ["effect", "chain", "est", "beta", "pvalue", "ci_low", "ci_high", "significant", "direct_est",
               "direct_beta", "direct_pvalue", "direct_ci_low", "direct_ci_high", "direct_significant", "total",
               "total_est", "total_beta", "total_pvalue", "total_ci_low", "total_ci_high", "interval", "mediation"]
    return pd.DataFrame(rows, columns=columns)
