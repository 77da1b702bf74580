"""The hypotheses table of a questionnaire thesis, from a fitted SEM."""

from __future__ import annotations

import re

import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_ci, closest_names, param_error

__all__ = ["hypotheses"]

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
        Which interval to report: ``"auto"`` uses the bias-corrected
        bootstrap interval when an SEM fit was bootstrapped (the percentile
        one for PLS, as SmartPLS does; BCa for a PLS fit with
        ``ci_type="bca"``), else the normal-theory (delta-method) one.
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
    # PLS follows SmartPLS's default (percentile); CB-SEM follows lavaan users' habit (bias-corrected).
    auto = ("bca" if getattr(result, "ci_type", "") == "bca" else "percentile") if is_pls else "bc"
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
