"""Latent interactions (moderation between latent variables) by the product-indicator approach.

``SAT ~ OPR + ANL + OPR:ANL`` -- the ``:`` term is lavaan's notation for a
product in a regression formula; lavaan itself does not read it for latent
variables, so :func:`interaction_sem` expands it before fitting:

1. the indicators of the two factors are multiplied in matched pairs (the
   first indicator of ``OPR`` with the first of ``ANL`` ...), or all pairs
   when ``match=False`` or the factors have different numbers of indicators,
   equal to ``semTools::indProd``:

   * ``method="double_mean"`` (Lin, Wen, Marsh & Lin, 2010): the indicators are
     mean-centred, multiplied, and the products centred again;
   * ``method="residual"`` (Little, Bovaird & Widaman, 2006): each product of
     the raw indicators is replaced by its residual from a regression on all
     first-order indicators, so it is uncorrelated with them;

2. a latent product factor ``OPR_x_ANL`` is measured by the products and
   replaces ``OPR:ANL`` in the regression.  With residual centring it is
   fixed uncorrelated with ``OPR`` and ``ANL`` (``OPR_x_ANL ~~ 0*OPR + 0*ANL``);
   with double-mean-centring it covaries freely.  With all-pairs products, the
   residuals of two products sharing an indicator covary freely.

Simple slopes of the focal predictor at chosen values of the moderator, with
delta-method standard errors, equal ``semTools::probe2WayMC`` (double-mean)
and ``semTools::probe2WayRC`` (residual centring: the slopes are first
transformed back to the uncentred product, as semTools does); the
Johnson-Neyman interval is where the simple slope is significant.

What is approximated, compared with latent moderated structural equations
(LMS; Klein & Moosbrugger, 2000) or quasi-maximum likelihood (QML; Klein &
Muthén, 2007): the product indicators are treated as if multivariate normal
although a product of normal variables is not, so the ML standard errors and
chi-square of the interaction model are approximate (LMS/QML model the
non-normal distribution of the product exactly); the loadings and residual
variances of the product factor are estimated freely instead of being the
nonlinear functions of the first-order parameters that the model implies;
and the choice of pairs (matched, all) is a modelling decision that LMS/QML
do not need.  With reasonably reliable indicators and a few hundred
respondents the interaction estimate is close to LMS's (Marsh, Wen & Hau,
2004); report the approach used.

References
----------
Klein, A., & Moosbrugger, H. (2000). Maximum likelihood estimation of latent
interaction effects with the LMS method. *Psychometrika*, 65(4), 457-474.
Klein, A. G., & Muthén, B. O. (2007). Quasi-maximum likelihood estimation of
structural equation models with multiple interaction and quadratic effects.
*Multivariate Behavioral Research*, 42(4), 647-673.
Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural equation models
of latent interactions: Clarification of orthogonalizing and double-mean-centering
strategies. *Structural Equation Modeling*, 17(3), 374-391.
Little, T. D., Bovaird, J. A., & Widaman, K. F. (2006). On the merits of
orthogonalizing powered and product terms. *Structural Equation Modeling*, 13(4), 497-519.
Marsh, H. W., Wen, Z., & Hau, K.-T. (2004). Structural equation models of latent
interactions: Evaluation of alternative estimation strategies and indicator
construction. *Psychological Methods*, 9(3), 275-300.
Johnson, P. O., & Neyman, J. (1936). Tests of certain linear hypotheses and their
application to some educational problems. *Statistical Research Memoirs*, 1, 57-93.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.syntax import parse_model
from crm_research.core.validation import (
    check_bool,
    check_choice,
    check_ci,
    check_columns,
    check_dataframe,
    check_numeric_columns,
)

__all__ = ["product_indicators", "interaction_sem", "InteractionSEMResult"]

METHODS = ["double_mean", "residual"]
# "A:B" in a regression; ':' not followed by '=' (that is ':=')
_INTERACTION = re.compile(r"([A-Za-z_.\u0600-\u06FF][\w.\u0600-\u06FF]*)\s*:(?!=)\s*([A-Za-z_.\u0600-\u06FF][\w.\u0600-\u06FF]*)")


def _pairs(x_items, z_items, match):
    if match:
        return list(zip(x_items, z_items))
    return [(a, b) for a in x_items for b in z_items]


def product_indicators(data, x_items, z_items, *, method="double_mean", match=True) -> pd.DataFrame:
    """Product indicators of two factors, equal to ``semTools::indProd``.

    Parameters
    ----------
    data : pandas.DataFrame
        Complete rows (missing answers make the centring ambiguous: drop them first).
    x_items, z_items : list of str
        Indicators of the two factors.
    method : {"double_mean", "residual"}, default "double_mean"
        ``"double_mean"``: ``indProd(meanC = TRUE, residualC = FALSE, doubleMC = TRUE)``;
        ``"residual"``: ``indProd(meanC = FALSE, residualC = TRUE, doubleMC = FALSE)``.
    match : bool, default True
        Matched pairs (needs as many ``x_items`` as ``z_items``) or all pairs.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with the products appended, named ``"x.z"`` as semTools does.

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> out = crm.product_indicators(hs, ["x1", "x2", "x3"], ["x4", "x5", "x6"])
    >>> [c for c in out.columns if "." in c]
    ['x1.x4', 'x2.x5', 'x3.x6']
    >>> abs(float(out["x1.x4"].mean())) < 1e-12  # double-mean-centred
    True
    """
    func = "product_indicators"
    data = check_dataframe(data, "data", func, min_rows=3)
    method = check_choice(method, "method", METHODS, func)
    match = check_bool(match, "match", func)
    x_items, z_items = list(x_items), list(z_items)
    check_columns(data, x_items + z_items, name="items", func=func)
    values = check_numeric_columns(data, x_items + z_items, name="data", func=func)
    if values.isna().any().any():
        raise CRMInputError(f"{func}: the items have missing answers; drop incomplete rows first "
                            "(the centring would otherwise differ between items).")
    if match and len(x_items) != len(z_items):
        raise CRMInputError(f"{func}: matched pairs need as many x_items ({len(x_items)}) as z_items "
                            f"({len(z_items)}); use match=False for all pairs.")
    X = values[x_items].to_numpy(float)
    Z = values[z_items].to_numpy(float)
    if method == "double_mean":
        X, Z = X - X.mean(axis=0), Z - Z.mean(axis=0)
    pairs = _pairs(range(len(x_items)), range(len(z_items)), match)
    P = np.column_stack([X[:, i] * Z[:, j] for i, j in pairs])
    if method == "residual":
        design = np.column_stack([np.ones(len(P)), X, Z])
        coef, *_ = np.linalg.lstsq(design, P, rcond=None)
        P = P - design @ coef
    else:
        P = P - P.mean(axis=0)
    out = data.copy()
    for (i, j), col in zip(pairs, P.T):
        out[f"{x_items[i]}.{z_items[j]}"] = col
    return out


@dataclass(repr=False, eq=False)
class InteractionSEMResult(Result):
    """A latent interaction model fitted with product indicators (:func:`interaction_sem`).

    Attributes
    ----------
    fit : SEMResult
        The fitted model (``estimates``, ``fit_measures``, ``summary()`` ...).
    model : str
        The expanded lavaan syntax that was fitted.
    interactions : list of tuple
        ``(outcome, x, z, product_factor)`` for every ``x:z`` term.
    products : dict
        ``product_factor -> list of product indicators``.
    method : str
        ``"double_mean"`` or ``"residual"``.
    n : int
        Complete rows used.
    """

    title: ClassVar[str] = "Latent interaction (product indicators)"
    fit: object
    model: str
    interactions: list
    products: dict
    method: str
    n: int

    def to_frame(self) -> pd.DataFrame:
        return self.fit.estimates.copy()

    def _term(self, outcome, focal, moderator):
        for y, x, z, xz in self.interactions:
            if (outcome in (None, y)) and {focal, moderator} <= {x, z, None}:
                focal = focal or (x if moderator != x else z)
                moderator = moderator or (z if focal == x else x)
                if {focal, moderator} == {x, z}:
                    return y, x, z, xz, focal, moderator
        raise CRMInputError(
            f"No interaction term matches outcome={outcome!r}, focal={focal!r}, moderator={moderator!r}; the "
            f"model has {', '.join(f'{y} ~ {x}:{z}' for y, x, z, _ in self.interactions)}.")

    def _coefficients(self, y, x, z, xz, focal):
        """Focal slope, moderator slope and interaction (as probe2WayMC/RC order them) and their covariance."""
        spec, est = self.fit.spec, self.fit.estimates
        idx = []
        for rhs in (x, z, xz):
            row = next((r for r in spec.rows if r.lhs == y and r.op == "~" and r.rhs == rhs), None)
            if row is None or row.index < 0:
                raise CRMInputError(f"The regression {y} ~ {rhs} is fixed or missing; it must be a free parameter "
                                    "to probe the interaction.")
            idx.append(row.index)
        beta = np.array([est[(est.lhs == y) & (est.op == "~") & (est.rhs == v)]["est"].iloc[0] for v in (x, z, xz)])
        V = self.fit.vcov[np.ix_(idx, idx)]

        def cov(a, b):
            sel = est[(est.op == "~~") & (((est.lhs == a) & (est.rhs == b)) | ((est.lhs == b) & (est.rhs == a)))]
            return float(sel["est"].iloc[0]) if len(sel) else 0.0

        psi = np.array([[cov(a, b) for b in (x, z, xz)] for a in (x, z, xz)])
        if self.method == "residual":
            # probe2WayRC: express the slopes for the uncentred product X*Z (latent means 0 here)
            n = self.n
            res_rc = cov(y, y)
            cov_y = (psi @ beta)[:2]
            var_y = beta @ psi @ beta + res_rc
            vx = psi.copy()
            mean_x = np.array([0.0, 0.0, psi[0, 1]])
            vx[2, 2] = psi[0, 0] * psi[1, 1] + psi[0, 1] ** 2
            vx[0, 2] = vx[2, 0] = 0.0
            vx[1, 2] = vx[2, 1] = 0.0
            b12 = np.linalg.solve(vx[:2, :2], cov_y - vx[:2, 2] * beta[2])
            beta_nc = np.array([b12[0], b12[1], beta[2]])
            intercept = -beta_nc @ mean_x
            b1 = np.concatenate([[intercept], beta_nc])
            m1 = np.concatenate([[1.0], mean_x])
            v0 = np.zeros((4, 4))
            v0[1:, 1:] = vx
            ss_nc = n * (v0 + np.outer(m1, m1))
            res_nc = var_y - b1 @ ss_nc @ b1 / n
            ss_rc = n * psi
            V = (res_nc / res_rc) * (V @ ss_rc @ np.linalg.inv(ss_nc[1:, 1:]))
            beta = beta_nc
        if focal == z:
            order = [1, 0, 2]
            beta, V = beta[order], V[np.ix_(order, order)]
        return beta, V, psi

    def probe(self, values=None, *, outcome=None, focal=None, moderator=None, ci: float = 0.95) -> pd.DataFrame:
        """Simple slopes of the focal predictor at values of the moderator (``semTools::probe2WayMC/RC``).

        Parameters
        ----------
        values : sequence of float, optional
            Moderator values in its latent metric (mean 0); default -1, 0, +1 latent SD.
        outcome, focal, moderator : str, optional
            Which interaction term and which factor moderates (default: the
            first term, its second factor as moderator).
        ci : float, default 0.95

        Returns
        -------
        pandas.DataFrame
            ``moderator, est, se, z, pvalue, ci_low, ci_high``.
        """
        ci = check_ci(ci, "InteractionSEMResult.probe")
        y, x, z, xz, focal, moderator = self._term(outcome, focal, moderator)
        beta, V, psi = self._coefficients(y, x, z, xz, focal)
        if values is None:
            sd = np.sqrt(psi[1, 1] if moderator == z else psi[0, 0])
            values = [-sd, 0.0, sd]
        w = np.asarray(values, dtype=float)
        slope = beta[0] + beta[2] * w
        se = np.sqrt(V[0, 0] + 2 * w * V[0, 2] + w**2 * V[2, 2])
        zval = slope / se
        q = stats.norm.ppf(1 - (1 - ci) / 2)
        return pd.DataFrame({"moderator": w, "est": slope, "se": se, "z": zval,
                             "pvalue": 2 * stats.norm.sf(np.abs(zval)), "ci_low": slope - q * se,
                             "ci_high": slope + q * se})

    def johnson_neyman(self, *, outcome=None, focal=None, moderator=None, level: float = 0.05) -> pd.Series:
        """Moderator values where the simple slope's significance changes (Johnson & Neyman, 1936).

        Solves :math:`(b_1 + b_3 w)^2 = z^2_{1-level/2}(v_{11} + 2 w v_{13} + w^2 v_{33})`.

        Returns
        -------
        pandas.Series
            ``lower`` and ``upper`` bounds (NaN when there is no real bound)
            and ``significant_outside``: True when the slope is significant
            outside [lower, upper], False when inside.
        """
        level = check_ci(level, "InteractionSEMResult.johnson_neyman", name="level")
        y, x, z, xz, focal, moderator = self._term(outcome, focal, moderator)
        (b1, _, b3), V, _ = self._coefficients(y, x, z, xz, focal)
        q2 = stats.norm.ppf(1 - level / 2) ** 2
        a = b3**2 - q2 * V[2, 2]
        b = 2 * (b1 * b3 - q2 * V[0, 2])
        c = b1**2 - q2 * V[0, 0]
        disc = b * b - 4 * a * c
        if a == 0 or disc < 0:
            return pd.Series({"lower": np.nan, "upper": np.nan, "significant_outside": bool(a > 0)},
                             name="johnson_neyman")
        r = sorted([(-b - np.sqrt(disc)) / (2 * a), (-b + np.sqrt(disc)) / (2 * a)])
        return pd.Series({"lower": r[0], "upper": r[1], "significant_outside": bool(a > 0)}, name="johnson_neyman")

    def _summary_tables(self):
        tables = [("Fit", self.fit.fit_measures[["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]]
                   .to_frame("value"))]
        est = self.fit.estimates
        for y, x, z, xz in self.interactions:
            reg = est[(est.lhs == y) & (est.op == "~")].set_index("rhs")[["est", "se", "z", "pvalue", "std_all"]]
            tables.append((f"{y} ~ {x} + {z} + {x}:{z} (product factor {xz})", reg))
            tables.append((f"Simple slopes of {x} on {y} at {z} = -1 SD, mean, +1 SD / شیب‌های ساده",
                           self.probe(outcome=y, focal=x, moderator=z)))
        return tables

    def _summary_notes(self):
        how = ("double-mean-centred (Lin et al., 2010)" if self.method == "double_mean"
               else "residual-centred (Little et al., 2006)")
        return [f"n = {self.n}; product indicators {how}. Standard errors treat the products as normal "
                "(approximate; LMS/QML model their non-normality)."] + super()._summary_notes()

    def plot(self, ax=None, *, outcome=None, focal=None, moderator=None, level: float = 0.05):
        """Simple slope of the focal predictor across the moderator, with its band and the Johnson-Neyman bounds."""
        import matplotlib.pyplot as plt

        y, x, z, xz, focal, moderator = self._term(outcome, focal, moderator)
        _, _, psi = self._coefficients(y, x, z, xz, focal)
        sd = np.sqrt(psi[1, 1] if moderator == z else psi[0, 0])
        w = np.linspace(-3 * sd, 3 * sd, 121)
        tab = self.probe(w, outcome=y, focal=focal, moderator=moderator, ci=1 - level)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        ax.plot(w, tab["est"], color="tab:blue", label=f"slope of {focal}")
        ax.fill_between(w, tab["ci_low"], tab["ci_high"], color="tab:blue", alpha=0.2,
                        label=f"{1 - level:.0%} interval")
        ax.axhline(0, color="grey", lw=0.8)
        jn = self.johnson_neyman(outcome=y, focal=focal, moderator=moderator, level=level)
        for bound in (jn["lower"], jn["upper"]):
            if np.isfinite(bound) and w[0] <= bound <= w[-1]:
                ax.axvline(bound, color="tab:red", ls="--", lw=1)
        ax.set_xlabel(f"{moderator} (latent, mean 0; dashed: Johnson-Neyman bounds)")
        ax.set_ylabel(f"effect of {focal} on {y}")
        ax.set_title(f"Moderation of {focal} → {y} by {moderator}")
        ax.legend(fontsize="small")
        return ax


def _indicators(parsed, factor, func):
    st = [s for s in parsed.statements if s.op == "=~" and s.lhs == factor]
    if not st:
        raise CRMInputError(f"{func}: the interaction uses {factor!r}, which is not a latent variable of the model "
                            "(no '=~' line); product indicators need a measured factor.")
    return [t.name for s in st for t in s.terms]


def _scale_check(values: pd.DataFrame, x, x_items, z, z_items, func):
    """Products of items on different answer scales weight one factor's items more: refuse them.

    Applies to answer scales (whole-number codes such as Likert 1-5); continuous scores are not checked.
    """
    sub = values[x_items + z_items].to_numpy(float)
    if np.any(np.mod(sub, 1) != 0):
        return
    rx = (float(values[x_items].min().min()), float(values[x_items].max().max()))
    rz = (float(values[z_items].min().min()), float(values[z_items].max().max()))
    if rx != rz:
        raise CRMInputError(
            f"{func}: the items of {x!r} run {rx[0]:g}-{rx[1]:g} but those of {z!r} run {rz[0]:g}-{rz[1]:g}; "
            "product indicators need items on the same answer scale. Rescale them first (e.g. to 0-100, POMP "
            "scores) or use items with the same number of categories.")


def interaction_sem(data, model, *, method="double_mean", match=True, ci: float = 0.95,
                    check_scales: bool = True) -> InteractionSEMResult:
    """Fit a structural model with latent interaction terms written ``x:z``.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw answers.
    model : str
        lavaan syntax in which a regression may hold ``x:z`` for two latent
        variables measured in the model, e.g.
        ``"SAT ~ OPR + ANL + OPR:ANL"``.  The term becomes a product factor
        ``OPR_x_ANL`` (see the module docstring); write its main effects too.
    method : {"double_mean", "residual"}, default "double_mean"
        Double-mean-centring or residual centring of the product indicators.
    match : bool, default True
        Matched pairs of indicators (all pairs when the factors have
        different numbers of indicators, or with ``match=False``).
    ci : float, default 0.95
    check_scales : bool, default True
        Refuse items of the two factors on different answer scales (whole-number
        codes with different ranges, e.g. 1-5 and 1-7); continuous scores are
        not checked.

    Returns
    -------
    InteractionSEMResult
        ``fit`` (the :class:`SEMResult`), ``probe()`` (simple slopes),
        ``johnson_neyman()``, ``plot()``, ``summary()``.

    Notes
    -----
    Rows with a missing answer on any model variable are dropped before the
    products are formed (listwise), as the products' centring needs complete
    rows.  The fitted model, products and simple slopes equal lavaan +
    ``semTools::indProd`` / ``probe2WayMC`` / ``probe2WayRC``
    (``tests/reference/sem_interaction.R``); what the product-indicator
    approach approximates compared with LMS/QML is set out in the module
    docstring of :mod:`crm_research.sem.interaction`.

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> model = '''visual =~ x1 + x2 + x3
    ... textual =~ x4 + x5 + x6
    ... speed =~ x7 + x8 + x9
    ... speed ~ visual + textual + visual:textual'''
    >>> res = crm.interaction_sem(hs, model)
    >>> res.probe().round(3)[["moderator", "est", "se"]]
       moderator    est     se
    0     -0.982  0.237  0.105
    1      0.000  0.299  0.078
    2      0.982  0.361  0.112
    """
    from crm_research.sem.api import sem

    func = "interaction_sem"
    data = check_dataframe(data, "data", func, min_rows=3)
    method = check_choice(method, "method", METHODS, func)
    match = check_bool(match, "match", func)
    ci = check_ci(ci, func)
    check_scales = check_bool(check_scales, "check_scales", func)
    if not isinstance(model, str):
        raise CRMInputError(f"The 'model' of {func} must be lavaan syntax as a string.")
    lines = model.split("\n")
    interactions = []
    new_lines = []
    for line in lines:
        code = line.split("#")[0]
        if "~" in code and "=~" not in code and ":=" not in code and _INTERACTION.search(code):
            lhs = code.split("~")[0].strip()

            def repl(m, lhs=lhs):
                x, z = m.group(1), m.group(2)
                name = f"{x}_x_{z}"
                if (lhs, x, z, name) not in interactions:
                    interactions.append((lhs, x, z, name))
                return name

            line = _INTERACTION.sub(repl, code)
        new_lines.append(line)
    if not interactions:
        raise CRMInputError(f"{func}: the model has no interaction term; write one as 'y ~ x + z + x:z'.")
    base = "\n".join(new_lines)
    parsed = parse_model(base)
    names_in_model = {s.lhs for s in parsed.statements} | {t.name for s in parsed.statements for t in s.terms}
    observed = [c for c in data.columns if c in names_in_model]
    values = check_numeric_columns(data, observed, name="data", func=func)
    keep = values.notna().all(axis=1)
    complete = data.loc[keep].reset_index(drop=True)
    if len(complete) < 3:
        raise CRMInputError(f"{func}: fewer than 3 complete rows over the model's variables.")
    extra = []
    products = {}
    all_pairs = False
    for _y, x, z, xz in interactions:
        x_items, z_items = _indicators(parsed, x, func), _indicators(parsed, z, func)
        missing = [v for v in x_items + z_items if v not in data.columns]
        if missing:
            raise CRMInputError(f"{func}: the product indicators of {x}:{z} need observed indicators; "
                                f"{missing} are not columns of the data (second-order factors are not supported).")
        if check_scales:
            _scale_check(values.loc[keep], x, x_items, z, z_items, func)
        use_match = match and len(x_items) == len(z_items)
        all_pairs = all_pairs or (match and not use_match)
        complete = product_indicators(complete, x_items, z_items, method=method, match=use_match)
        prods = [f"{a}.{b}" for a, b in _pairs(x_items, z_items, use_match)]
        products[xz] = prods
        extra.append(f"{xz} =~ " + " + ".join(prods))
        if method == "residual":
            extra.append(f"{xz} ~~ 0*{x} + 0*{z}")
        if not use_match:
            # products sharing an indicator: their residuals covary (Marsh et al., 2004)
            for i, p1 in enumerate(prods):
                for p2 in prods[i + 1:]:
                    if set(p1.split(".")) & set(p2.split(".")):
                        extra.append(f"{p1} ~~ {p2}")
    expanded = base + "\n# product factors (interaction_sem)\n" + "\n".join(extra)
    fit = sem(complete, expanded, ci=ci)
    result = InteractionSEMResult(fit=fit, model=expanded, interactions=interactions, products=products,
                                  method=method, n=int(fit.n))
    result.warnings.extend(fit.warnings)
    if all_pairs:
        result.warnings.append("The two factors have different numbers of indicators: all pairs of indicators "
                               "were multiplied (residuals of products sharing an indicator covary).")
    return result
