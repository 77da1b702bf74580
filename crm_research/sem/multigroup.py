"""Multi-group SEM and measurement invariance (configural, metric, scalar), as lavaan's ``group=``.

A model fitted in several groups (gender, channel, school ...) is one model
with one set of parameters per group; equality constraints across groups turn
it into the invariance sequence of Vandenberg & Lance (2000):

* **configural** -- the same pattern of loadings in every group, all values free;
* **metric** (weak) -- loadings equal across groups (lavaan's
  ``group.equal = "loadings"``);
* **scalar** (strong) -- loadings and item intercepts equal; the latent means
  are then free in every group but the first (lavaan frees them
  automatically), so group differences in the items are carried by the factors.

As in lavaan, a multi-group model has a mean structure: the intercepts of the
observed variables are free (one per group, unless constrained) and the latent
means are 0 (in the first group).  For group ``g`` with ``n_g`` rows, sample
mean ``xbar_g`` and biased covariance ``S_g``, ML minimises

``F = sum_g (n_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p + d_g' Sigma_g^-1 d_g]``,
``d_g = xbar_g - mu_g``, ``mu_g`` the observed part of ``(I - A_g)^-1 m_g``.

``chisq = N F``; standard errors use the expected information
``sum_g (n_g/N) [Delta_g' (Si kron Si) Delta_g + 2 J_g' Si J_g]`` (``J_g`` the
derivative of ``mu_g``).  lavaan's multi-group RMSEA is
``sqrt(G) sqrt(max(chisq - df, 0) / (N df))`` (Steiger, 1998) and its SRMR the
``n_g/N``-weighted mean of the group SRMRs, with mean residuals included.

Invariance holds at a step when the chi-square difference with the previous
step is not significant, or, because that test is very sensitive in large
samples, when CFI drops by no more than .01 (Cheung & Rensvold, 2002).

References
----------
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for
testing measurement invariance. *Structural Equation Modeling*, 9(2), 233-255.
Steiger, J. H. (1998). A note on multiple sample extensions of the RMSEA fit
index. *Structural Equation Modeling*, 5(4), 411-419.
Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the
measurement invariance literature. *Organizational Research Methods*, 3(1), 4-70.
"""

from __future__ import annotations

import copy
import warnings as _warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.optimize import minimize
from crm_research.core.results import Result
from crm_research.core.syntax import evaluate_definition, parse_model
from crm_research.core.threads import single_thread
from crm_research.core.validation import (
    check_bool,
    check_choice,
    check_ci,
    check_columns,
    check_dataframe,
    check_numeric_columns,
    examples_of,
)
from crm_research.sem.estimation import RAM, logdet_inverse
from crm_research.sem.fit import fit_indices
from crm_research.sem.model import build_spec, start_values
from crm_research.sem.result import _std_all, row_values, scaled_inverse

__all__ = ["multigroup_sem", "measurement_invariance", "fit_multigroup", "MultiGroupSEMResult", "InvarianceResult"]

_EQUAL_CHOICES = ("loadings", "intercepts", "regressions", "residuals", "lv.variances", "lv.covariances")


def fit_and_estimate_tables(fit_measures, estimates: pd.DataFrame, estimator: str):
    """The two tables a multi-group style summary prints: the fit measures (robust ones for MLM/MLR)
    and the estimates indexed by 'lhs op rhs'."""
    keys = ["n", "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "aic", "bic", "loglik"]
    if estimator != "ML":
        keys[5:5] = ["chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust",
                     "rmsea_robust"]
    fit = pd.DataFrame({"value": [float(fit_measures[k]) for k in keys]}, index=keys)
    est = estimates.copy()
    est.insert(0, "parameter", est["lhs"] + " " + est["op"] + " " + est["rhs"])
    est = est.drop(columns=["lhs", "op", "rhs"]).set_index("parameter")
    return fit, est

@dataclass(repr=False, eq=False, kw_only=True)
class MultiGroupSEMResult(Result):
    """A model fitted in several groups.

    Attributes
    ----------
    estimates : pandas.DataFrame
        ``lhs, op, rhs, group, label, est, se, z, pvalue, ci_lower, ci_upper, std_all``
        per group, including intercepts (``op == "~1"``) and latent means.
    fit_measures : pandas.Series
        ``npar, chisq, df, pvalue, baseline_chisq, baseline_df, cfi, tli, loglik,
        unrestricted_loglik, aic, bic, n, rmsea, rmsea_ci_lower, rmsea_ci_upper,
        srmr`` as lavaan computes them for several groups.
    groups : list
        Group labels in order of first appearance (lavaan's order).
    group_sizes : list of int
        Complete rows per group.
    group_col : str
        The grouping column.
    group_equal : list of str
        The equality constraints across groups.
    converged : bool
    iterations : int
    n : int
        Total number of rows used.
    estimator : str
        ``"ML"``, ``"MLM"`` or ``"MLR"``; with a robust estimator the standard
        errors are robust and ``fit_measures`` add lavaan's ``chisq_scaled,
        chisq_scaling_factor, cfi_scaled, cfi_robust, rmsea_robust`` ...
    warnings : list of str
    """

    title: ClassVar[str] = "Multi-group structural equation model (ML)"
    estimates: pd.DataFrame
    fit_measures: pd.Series
    groups: list
    group_sizes: list[int]
    group_col: str
    group_equal: list[str]
    converged: bool
    iterations: int
    n: int
    estimator: str = "ML"

    def to_frame(self) -> pd.DataFrame:
        return self.estimates.copy()

    def _summary_tables(self):
        fit, est = fit_and_estimate_tables(self.fit_measures, self.estimates, self.estimator)
        sizes = ", ".join(f"{g}: {n}" for g, n in zip(self.groups, self.group_sizes))
        eq = ", ".join(self.group_equal) if self.group_equal else "none (configural)"
        return [(f"Estimator {self.estimator}; groups by {self.group_col!r} ({sizes}); equal across groups: {eq}; "
                 f"{'converged' if self.converged else 'NOT CONVERGED'}", fit),
                ("Parameter estimates per group", est)]

    def plot(self, ax=None):
        """Standardized loadings per group side by side (a quick visual check of metric invariance)."""
        import matplotlib.pyplot as plt

        load = self.estimates[self.estimates["op"] == "=~"].copy()
        load["item"] = load["lhs"] + " → " + load["rhs"]
        wide = load.pivot(index="item", columns="group", values="std_all").loc[load["item"].unique()]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(wide) + 1.5))
        wide.plot.barh(ax=ax)
        ax.invert_yaxis()
        ax.set_xlabel("standardized loading (std_all)")
        ax.set_title(f"Loadings by {self.group_col}")
        return ax


@dataclass(repr=False, eq=False, kw_only=True)
class InvarianceResult(Result):
    """The configural / metric / scalar (/ strict) sequence.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step: ``npar, chisq, df, pvalue, cfi, tli, rmsea, srmr, aic,
        bic, chisq_diff, df_diff, p_diff, cfi_diff, rmsea_diff, srmr_diff, holds,
        chen_holds`` where the differences compare each step with the previous
        one; ``holds`` is True when the chi-square difference is not significant
        at ``level`` or CFI drops by at most .01, ``chen_holds`` when Chen's
        (2007) criteria do not indicate non-invariance (both missing,
        ``pd.NA``, for the first step).
    fits : dict
        The :class:`MultiGroupSEMResult` of every step.
    comparison : ModelComparison or None
        The :func:`~crm_research.sem.compare.compare_models` result the
        chi-square differences come from (lavaan's ``lavTestLRT`` of the steps).
    """

    title: ClassVar[str] = "Measurement invariance"
    table: pd.DataFrame
    fits: dict[str, MultiGroupSEMResult]
    comparison: object = None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_notes(self):
        return list(self.warnings) + [
            "A step holds when the chi-square difference is not significant or CFI falls by at most .01 "
            "(Cheung & Rensvold, 2002); the chi-square test is strict in large samples. chen_holds: Chen's (2007) "
            "criteria (N > 300: a CFI drop >= .010 with an RMSEA rise >= .015 or an SRMR rise >= .030 for "
            "loadings, >= .010 for intercepts and residuals indicates non-invariance; N <= 300: .005, .010, "
            ".025 / .005). Under MLM/MLR the chi-square difference is the Satorra-Bentler (2001) scaled one and "
            "the CFI/RMSEA criteria read the robust indices.",
        ]

    def plot(self, ax=None):
        """CFI of each step, with the .01 tolerance band below the configural model."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        t = self.table
        ax.plot(range(len(t)), t["cfi"], marker="o")
        ax.axhspan(t["cfi"].iloc[0] - 0.01, t["cfi"].iloc[0], color="tab:green", alpha=0.15,
                   label="within .01 of configural")
        ax.set_xticks(range(len(t)), t.index)
        ax.set_ylabel("CFI")
        ax.legend(loc="lower left")
        ax.set_title("Invariance steps")
        return ax


class _Group:
    """One group's data summary, RAM structure and mean structure."""

    def __init__(self, spec, S, xbar, n):
        self.spec, self.S, self.xbar, self.n = spec, S, xbar, n
        self.ram = RAM(spec)
        self.p = len(spec.observed)
        self.m = self.ram.m
        _, self.logdetS = np.linalg.slogdet(S)
        # mean parameters: one per variable; index -1 = fixed at mean_fixed
        self.mean_index = np.full(self.m, -1)
        self.mean_fixed = np.zeros(self.m)


def _evaluate(groups, theta, N, order=2):
    """F, gradient and expected information summed over groups (F = inf if a Sigma is not PD).

    ``order`` as in :func:`crm_research.core.optimize.minimize`: 0 = F only,
    1 = also the gradient, 2 = also the information.  The fourth item is the
    per-group ``(Sigma, B, C, mu)``.
    """
    q = len(theta)
    F = 0.0
    grad = np.zeros(q) if order >= 1 else None
    info = np.zeros((q, q)) if order >= 2 else None
    parts = []
    for g in groups:
        Sigma, B, C = g.ram.implied(theta)
        pd_parts = logdet_inverse(Sigma) if np.all(np.isfinite(Sigma)) else None
        if pd_parts is None:
            return np.inf, None, None, None
        logdet, Si = pd_parts
        mvec = g.mean_fixed.copy()
        free = g.mean_index >= 0
        mvec[free] = theta[g.mean_index[free]]
        mu_full = B @ mvec
        mu = mu_full[: g.p]
        d = g.xbar - mu
        w = g.n / N
        F += w * (logdet + np.trace(g.S @ Si) - g.logdetS - g.p + d @ Si @ d)
        parts.append((Sigma, B, C, mu))
        if order == 0:
            continue
        Sid = Si @ d
        W = Si @ (Sigma - g.S - np.outer(d, d)) @ Si
        # derivative of mu: paths (mu = B m, dB = B dA B) and mean parameters
        Bo = B[: g.p]
        J = np.zeros((g.p, q))
        if len(g.ram.a_idx):
            cols = Bo[:, g.ram.a_to] * mu_full[g.ram.a_from]
            J += cols @ g.ram.PA.T
        if free.any():
            np.add.at(J.T, g.mean_index[free], Bo[:, free].T)
        grad += w * (g.ram.ml_gradient(B, C, W) - 2 * J.T @ Sid)
        if order >= 2:
            info += w * (g.ram.ml_information(B, C, Si) + 2 * J.T @ Si @ J)
    return F, grad, info, parts


def _optimize(groups, theta, N, tol=1e-9, max_iter=500):
    """Fisher scoring with the BFGS fall-back (:func:`crm_research.core.optimize.minimize`), as single-group ML."""
    if _evaluate(groups, theta, N, order=0)[3] is None:
        raise CRMInputError("The start values give a non-positive-definite covariance matrix in some group.")
    opt = minimize(lambda x, order: _evaluate(groups, x, N, order)[:3], theta, tol=tol, max_iter=max_iter)
    F, g, H, parts = _evaluate(groups, opt.x, N)
    return opt.x, F, g, H, parts, opt.converged, opt.message, opt.iterations


def _resolve_group_modifiers(parsed, k):
    """Group ``k``'s copy of the parsed model: every ``c(...)`` modifier replaced by its ``k``-th entry.

    Definitions and ``==`` constraints are taken out: they span the groups and are applied by the
    multi-group fit itself.
    """
    out = copy.deepcopy(parsed)
    out.definitions, out.constraints = [], []
    for st in out.statements:
        for t in st.terms:
            if t.group_modifiers is None:
                continue
            kind, value = t.group_modifiers[min(k, len(t.group_modifiers) - 1)]
            t.group_modifiers = None
            if kind == "label":
                t.label = value
            elif kind == "fixed":
                t.fixed = value
            else:
                t.free = True
    return out


def _check_group_syntax(parsed, n_groups, levels, func):
    for st in parsed.statements:
        for t in st.terms:
            if t.group_modifiers is not None and len(t.group_modifiers) != n_groups:
                raise CRMInputError(
                    f"{func}: c(...) for '{st.lhs} {st.op} {t.name}' (line {st.line}) has {len(t.group_modifiers)} "
                    f"entries, but there are {n_groups} groups ({', '.join(map(str, levels))}); give one per group, "
                    "in the order the groups first appear in the data.")


def _check_labels_used(parsed, labels, func):
    """Labels named by ':=' and '==' must exist in some group (build_spec checks one group only)."""
    from crm_research.core.validation import closest_names

    known = set(labels)
    for d in parsed.definitions:
        if d.name in known:
            raise CRMInputError(f"{func}: the defined parameter {d.name!r} (line {d.line}) reuses the name of a label.")
        for nm in d.names:
            if nm not in known:
                hint = closest_names(nm, sorted(known))
                raise CRMInputError(f"{func}: the defined parameter {d.name!r} (line {d.line}) uses {nm!r}, which is "
                                    f"not a label in any group." + (f" Did you mean {hint[0]!r}?" if hint else
                                                                    f" Labels: {examples_of(sorted(known), 10)}."))
        known.add(d.name)
    for c in parsed.constraints:
        for nm in (c.lhs, c.rhs):
            if nm not in labels:
                hint = closest_names(nm, sorted(labels))
                raise CRMInputError(f"{func}: the constraint '{c.lhs} == {c.rhs}' (line {c.line}) names {nm!r}, which "
                                    "is not the label of a free parameter." + (
                                        f" Did you mean {hint[0]!r}?" if hint else
                                        f" Labels: {examples_of(sorted(labels), 10)}."))


def _check_equal(group_equal, func):
    if group_equal is None:
        return []
    if isinstance(group_equal, str):
        group_equal = [group_equal]
    from collections.abc import Iterable, Mapping

    if not isinstance(group_equal, Iterable) or isinstance(group_equal, Mapping):
        raise CRMInputError(f"The 'group_equal' parameter of {func} must be a list such as ['loadings'] or "
                            f"['loadings', 'intercepts']. Got {group_equal!r} instead.")
    out = []
    for item in group_equal:
        if item not in ("loadings", "intercepts", "residuals"):
            allowed = "'loadings', 'intercepts' and 'residuals'"
            if item in _EQUAL_CHOICES:
                raise CRMInputError(f"group_equal={item!r} is not available yet in {func}; {allowed} are.")
            raise CRMInputError(f"The 'group_equal' parameter of {func} lists {item!r}; allowed: {allowed}.")
        out.append(item)
    if "intercepts" in out and "loadings" not in out:
        raise CRMInputError("Equal intercepts without equal loadings is not a standard invariance model; use "
                            "group_equal=['loadings', 'intercepts'] (scalar invariance).")
    return out


def _check_partial(group_partial, spec, func):
    """lavaan's group.partial names -> set of (lhs, op, rhs) freed from the equality constraints."""
    if group_partial is None:
        return set()
    if isinstance(group_partial, str):
        group_partial = [group_partial]
    loadings = {(r.lhs, "=~", r.rhs) for r in spec.rows if r.op == "=~"}
    residuals = {(v, "~~", v) for v in spec.observed}
    intercepts = {(v, "~1", "") for v in spec.observed}
    out = set()
    for name in group_partial:
        text = str(name).strip()
        key = None
        for op in ("=~", "~~", "~1"):
            if op in text:
                lhs, _, rhs = (part.strip() for part in text.partition(op))
                key = (lhs, op, rhs)
                break
        valid = loadings | residuals | intercepts
        if key is None or key not in valid:
            examples = [f"{a} =~ {b}" for a, _, b in sorted(loadings)][:2] + [f"{spec.observed[0]} ~1",
                                                                              f"{spec.observed[0]} ~~ "
                                                                              f"{spec.observed[0]}"]
            raise CRMInputError(
                f"{func}: group_partial names {name!r}, which is not a loading, an item intercept or an item "
                f"residual variance of the model; use lavaan's names such as {', '.join(map(repr, examples))}.")
        out.add(key)
    return out


@renamed_arguments(group="group_col")
@positional_options
def multigroup_sem(data, model, group_col, *, group_equal=None, ci: float = 0.95,
                   std_lv: bool = False, group_partial=None, estimator: str = "ML") -> MultiGroupSEMResult:
    """Fit a lavaan-syntax model in every group of a grouping column.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw data with the model's observed variables and the grouping column.
    model : str
        lavaan syntax (``=~``, ``~``, ``~~``, ``:=``, ``==``).  A label used in
        the model (``a*x``) is the same parameter in every group, as in lavaan;
        ``c(am, af)*x`` gives the parameter one label per group (in the order
        the groups first appear in the data), ``c(1, NA)*x`` fixes it in one
        group only.  ``diff := am - af`` is then the group difference of a
        path, with a delta-method standard error, and ``am == af`` constrains
        it to be equal (compare the two fits with a chi-square difference
        test: the lavaan way to test moderation by group).
    group_col : str
        Name of the grouping column (gender, channel, school ...); at least two
        groups, each with more rows than observed variables.  Called ``group``
        before 0.2 (the old name still works, with a ``FutureWarning``).
    group_equal : list of {"loadings", "intercepts", "residuals"}, optional
        Parameters constrained equal across groups (lavaan's ``group.equal``).
        With ``"intercepts"`` the latent means are free in every group but the
        first.
    group_partial : list of str, optional
        Parameters exempted from ``group_equal`` (lavaan's ``group.partial``,
        partial invariance), named as lavaan does: ``"F1 =~ x2"`` (a
        loading), ``"x3 ~1"`` (an item intercept), ``"x3 ~~ x3"`` (an item
        residual variance).  A name that is not such a parameter of the model
        raises :class:`CRMInputError`.
    ci : float, default 0.95
        Level of the confidence intervals.
    std_lv : bool, default False
        Fix latent variances at 1 instead of marker loadings (in every group).
    estimator : {"ML", "MLM", "MLR"}, default "ML"
        ``"MLM"`` (Satorra-Bentler) and ``"MLR"`` (Huber-White standard
        errors, Yuan-Bentler scaled statistic) keep the ML estimates and add
        robust standard errors and lavaan's scaled and robust fit measures
        (:func:`crm_research.sem.robust.multigroup_scaling`).

    Returns
    -------
    MultiGroupSEMResult
        ``estimates`` (with a ``group`` column), ``fit_measures``, ``groups``,
        ``converged``, ``warnings``, ``summary()``, ``plot()``.

    Notes
    -----
    See the module docstring for the discrepancy function and lavaan's
    multi-group RMSEA (scaled by the square root of the number of groups).
    Rows with a missing value in a model variable or in the grouping column
    are dropped (listwise).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> fit = crm.multigroup_sem(hs, "visual =~ x1 + x2 + x3", group_col="school",
    ...                          group_equal=["loadings"])
    >>> fit.fit_measures[["chisq", "df", "cfi"]].round(3).to_dict()
    {'chisq': 0.302, 'df': 2.0, 'cfi': 1.0}
    >>> model = '''visual =~ x1 + x2 + x3
    ... textual =~ x4 + x5 + x6
    ... textual ~ c(bp, bg)*visual
    ... diff := bp - bg'''
    >>> est = crm.multigroup_sem(hs, model, group_col="school").estimates
    >>> d = est.set_index("lhs").loc["diff"]
    >>> print(f"{d['est']:.3f} (SE {d['se']:.3f})")
    -0.293 (SE 0.201)
    """
    return fit_multigroup(data, model, group_col, group_equal=group_equal, ci=ci, std_lv=std_lv,
                          func="multigroup_sem", group_partial=group_partial, estimator=estimator)


def fit_multigroup(data, model, group_col, *, group_equal=None, ci: float = 0.95, std_lv: bool = False,
                   func: str = "multigroup_sem", group_partial=None, estimator: str = "ML") -> MultiGroupSEMResult:
    """:func:`multigroup_sem` with the caller's name (``func``) in error messages (``sem``, ``cfa`` ...)."""
    from scipy.stats import chi2, norm

    group = group_col
    data = check_dataframe(data, "data", func, min_rows=3)
    if isinstance(group, (list, tuple, set, dict, pd.Series, pd.Index, np.ndarray)):
        # one grouping column only (a list would otherwise fail deep inside pandas as "unhashable")
        raise CRMInputError(f"The 'group_col' parameter of {func} must be the name of one column, such as 'gender'. "
                            f"Got {type(group).__name__} {group!r} instead.")
    check_columns(data, [group], name="group_col", func=func)
    group_equal = _check_equal(group_equal, func)
    estimator = check_choice(estimator, "estimator", ["ML", "MLM", "MLR"], func)
    ci = check_ci(ci, func)
    std_lv = check_bool(std_lv, "std_lv", func)
    parsed = parse_model(model)
    columns = [c for c in data.columns if c != group]
    base_spec = build_spec(_resolve_group_modifiers(parsed, 0), columns, std_lv=std_lv)
    partial = _check_partial(group_partial, base_spec, func)
    if base_spec.ov_x:
        raise CRMInputError(f"{func} does not yet support observed covariates with fixed.x "
                            f"({examples_of(base_spec.ov_x)}); model them as single-indicator latent variables or "
                            "fit the groups separately.")
    clean = check_numeric_columns(data, base_spec.observed, name="data", func=func, allow_constant=False)
    labels = data[group]
    keep = clean.notna().all(axis=1) & labels.notna()
    clean, labels = clean[keep], labels[keep]
    levels = list(pd.unique(labels))
    if len(levels) < 2:
        raise CRMInputError(f"The grouping column {group!r} has {len(levels)} group(s) after dropping missing "
                            "values; multi-group analysis needs at least two.")
    _check_group_syntax(parsed, len(levels), levels, func)
    p = len(base_spec.observed)
    groups = []
    sizes = []
    raws = []
    local_specs = []
    for k, lev in enumerate(levels):
        X = clean[labels == lev].to_numpy(float)
        if len(X) <= p:
            raise CRMInputError(f"Group {lev!r} of {group!r} has {len(X)} complete rows, not more than the {p} "
                                "observed variables; merge small groups or drop them.")
        S = np.cov(X.T, bias=True)
        sd = np.sqrt(np.clip(np.diag(S), 0, None))
        # scale-free (on the correlation matrix): a Toman-scale variable beside Likert items is not "singular"
        if (sd <= 0).any() or np.linalg.eigvalsh(S / np.outer(sd, sd)).min() <= 1e-10:
            raise CRMInputError(f"The covariance matrix of group {lev!r} is not positive definite (a constant or "
                                "redundant variable within the group).")
        spec = build_spec(_resolve_group_modifiers(parsed, k), columns, std_lv=std_lv) if k else \
            copy.deepcopy(base_spec)
        local_specs.append(copy.deepcopy(spec))
        groups.append(_Group(spec, S, X.mean(axis=0), len(X)))
        raws.append(X)
        sizes.append(len(X))
    N = sum(sizes)

    # -- global parameter vector: group 1's parameters, then each further group's own ------------------------
    q1 = base_spec.n_free
    first_index = {}  # (lhs, op, rhs) -> global index in group 1
    for row in groups[0].spec.rows:
        if row.index >= 0:
            first_index[(row.lhs, row.op, row.rhs)] = row.index
    label_index = {}  # a user label is one parameter in every group that uses it, as in lavaan
    for r in groups[0].spec.rows:
        if r.label and r.index >= 0:
            label_index.setdefault(r.label, r.index)
    n_global = q1
    for k, grp in enumerate(groups):
        if k == 0:
            continue
        local_to_global = {}
        for row in grp.spec.rows:
            if row.index < 0:
                continue
            if row.label:
                if row.label not in label_index:
                    label_index[row.label] = n_global
                    n_global += 1
                row.index = label_index[row.label]
            elif row.op == "=~" and "loadings" in group_equal and (row.lhs, "=~", row.rhs) not in partial:
                row.index = first_index[(row.lhs, row.op, row.rhs)]
            elif (row.op == "~~" and row.lhs == row.rhs and row.lhs in base_spec.observed
                  and "residuals" in group_equal and (row.lhs, "~~", row.rhs) not in partial
                  and (row.lhs, row.op, row.rhs) in first_index):
                row.index = first_index[(row.lhs, row.op, row.rhs)]
            else:
                if row.index not in local_to_global:
                    local_to_global[row.index] = n_global
                    n_global += 1
                row.index = local_to_global[row.index]
        grp.spec.n_free = n_global  # updated below for all groups
    _check_labels_used(parsed, label_index, func)
    if parsed.constraints:
        n_global = _apply_constraints(groups, parsed.constraints, label_index, n_global)
    # mean structure: intercepts of observed variables, latent means
    for k, grp in enumerate(groups):
        for v in range(p):
            if k > 0 and "intercepts" in group_equal and (grp.spec.variables[v], "~1", "") not in partial:
                grp.mean_index[v] = groups[0].mean_index[v]
            else:
                grp.mean_index[v] = n_global
                n_global += 1
        if k > 0 and "intercepts" in group_equal:
            for v in range(p, grp.m):
                grp.mean_index[v] = n_global
                n_global += 1
    for grp in groups:
        grp.spec.n_free = n_global
        grp.ram = RAM(grp.spec)
        grp.m = grp.ram.m

    # start values: each group's own rules, intercepts at the group means
    theta = np.zeros(n_global)
    filled = np.zeros(n_global, dtype=bool)
    for grp, local_spec in zip(groups, local_specs):
        local = start_values(local_spec, grp.S)
        for row_global, row_local in zip(grp.spec.rows, local_spec.rows):
            if row_global.index >= 0 and not filled[row_global.index]:
                theta[row_global.index] = local[row_local.index]
                filled[row_global.index] = True
        for v in range(p):
            if not filled[grp.mean_index[v]]:
                theta[grp.mean_index[v]] = grp.xbar[v]
                filled[grp.mean_index[v]] = True

    with single_thread():
        theta, F, grad, H, parts, converged, message, iterations = _optimize(groups, theta, N)
        rob = None
        if estimator != "ML":
            from crm_research.sem.robust import multigroup_scaling

            def implied(t):
                return [(part[3], part[0]) for part in _evaluate(groups, t, N, order=0)[3]]

            q_free = len(theta)
            df_model = len(groups) * (p * (p + 1) // 2 + p) - q_free
            rob = multigroup_scaling(raws, implied, lambda t: _evaluate(groups, t, N, order=1)[1], theta,
                                     estimator, df_model)
        result = _build(groups, theta, F, H, parts, N, levels, sizes, group, group_equal, ci, converged, message,
                        iterations, chi2, norm, parsed.definitions, rob=rob, estimator=estimator)
    if not converged:
        _warnings.warn(f"{func}: the estimation did not converge ({message}); the estimates are not reliable.",
                       CRMConvergenceWarning, stacklevel=2)
    return result


def _apply_constraints(groups, constraints, label_index, n_global):
    """``a == b``: one free parameter for both labels (lavaan's equality constraint gives the same optimum,
    npar and df).  Returns the new number of free parameters."""
    parent = list(range(n_global))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for c in constraints:
        a, b = find(label_index[c.lhs]), find(label_index[c.rhs])
        if a != b:
            parent[max(a, b)] = min(a, b)
    roots = sorted({find(i) for i in range(n_global)})
    new = {r: k for k, r in enumerate(roots)}
    for grp in groups:
        for row in grp.spec.rows:
            if row.index >= 0:
                row.index = new[find(row.index)]
    for lab in label_index:
        label_index[lab] = new[find(label_index[lab])]
    return len(roots)


def _label_values(groups, thetas_or_values):
    """label -> value of its first occurrence over the groups (labels span groups)."""
    out = {}
    for grp, vals in zip(groups, thetas_or_values):
        for k, row in enumerate(grp.spec.rows):
            if row.label and row.label not in out:
                out[row.label] = vals[k]
    return out


def _defined(definitions, labels):
    values = dict(labels)
    out = []
    for d in definitions:
        try:
            val = float(evaluate_definition(d, values))
        except (ZeroDivisionError, ValueError, OverflowError):
            val = np.nan
        values[d.name] = val
        out.append(val)
    return np.array(out, dtype=float)


def _build(groups, theta, F, H, parts, N, levels, sizes, group_col, group_equal, ci, converged, message, iterations,
           chi2, norm, definitions=(), rob=None, estimator="ML"):
    q = len(theta)
    warnings: list[str] = []
    vcov = np.full((q, q), np.nan)
    try:
        vcov = (2.0 / N) * scaled_inverse(H) if rob is None else rob["vcov"]
    except np.linalg.LinAlgError:
        warnings.append("The information matrix is singular: standard errors cannot be computed (the model may not "
                        "be identified in some group).")
    zcrit = norm.ppf(1 - (1 - ci) / 2)
    rows = []

    def add(lhs, op, rhs, lev, label, est, idx, std):
        se = float(np.sqrt(vcov[idx, idx])) if idx >= 0 and np.isfinite(vcov[idx, idx]) else (0.0 if idx < 0
                                                                                              else np.nan)
        z = est / se if idx >= 0 and se > 0 else np.nan
        rows.append([lhs, op, rhs, lev, label, est, se, z, 2 * norm.sf(abs(z)) if np.isfinite(z) else np.nan,
                     est - zcrit * se if idx >= 0 else est, est + zcrit * se if idx >= 0 else est, std])

    chisq_total = 0.0
    srmr_weighted = 0.0
    group_vals, group_std = [], []
    for grp, lev, (Sigma, _B, C, mu) in zip(groups, levels, parts):
        spec = grp.spec
        vals = row_values(spec, grp.ram, theta)
        A, Smat = grp.ram.matrices(theta)
        std = _std_all(spec, vals, C, Smat)
        for k, row in enumerate(spec.rows):
            add(row.lhs, row.op, row.rhs, lev, row.label, vals[k], row.index, std[k])
        sd_total = np.sqrt(np.abs(np.diag(C)))
        mvec = grp.mean_fixed.copy()
        free = grp.mean_index >= 0
        mvec[free] = theta[grp.mean_index[free]]
        for v, name in enumerate(spec.variables):
            add(name, "~1", "", lev, "", mvec[v], grp.mean_index[v], mvec[v] / sd_total[v])
        group_vals.append(vals)
        group_std.append(std)
        _, ld_sigma = np.linalg.slogdet(Sigma)
        Si = np.linalg.inv(Sigma)
        dvec = grp.xbar - mu
        chisq_total += grp.n * (ld_sigma + np.trace(grp.S @ Si) - grp.logdetS - grp.p + dvec @ Si @ dvec)
        # SRMR with mean residuals (lavaan's srmr for a mean structure), weighted by n_g / N
        sd = np.sqrt(np.diag(grp.S))
        iu = np.triu_indices(grp.p)
        r_cov = ((grp.S - Sigma) / np.outer(sd, sd))[iu]
        r_mean = dvec / sd
        srmr_weighted += grp.n / N * np.sqrt((np.sum(r_cov**2) + np.sum(r_mean**2)) / (len(r_cov) + grp.p))
        lat_var = [spec.variables.index(v) for v in spec.latent]
        if lat_var and np.linalg.eigvalsh(C[np.ix_(lat_var, lat_var)]).min() <= 0:
            warnings.append(f"Group {lev!r}: the latent covariance matrix is not positive definite.")
        for k, row in enumerate(spec.rows):
            if row.op == "~~" and row.lhs == row.rhs and vals[k] < 0:
                warnings.append(f"Group {lev!r}: Heywood case, the variance of {row.lhs!r} is negative "
                                f"({vals[k]:.3f}).")
    if definitions:
        # a defined parameter may combine labels of different groups (diff := am - af): one number, reported
        # with group "" as lavaan's block 0; standardized from each label's own group; delta-method SEs
        # from a central-difference Jacobian over all free parameters
        def at(th):
            return _defined(definitions, _label_values(groups, [row_values(g.spec, g.ram, th) for g in groups]))

        dvals = at(theta)
        J = np.zeros((len(dvals), q))
        for t in range(q):
            h = 1e-6 * max(1.0, abs(theta[t]))
            up, dn = theta.copy(), theta.copy()
            up[t] += h
            dn[t] -= h
            J[:, t] = (at(up) - at(dn)) / (2 * h)
        dse = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, vcov, J), 0, None))
        dstd = _defined(definitions, _label_values(groups, group_std))
        for d, val, se_d, st in zip(definitions, dvals, dse, dstd):
            z = val / se_d if se_d > 0 else np.nan
            rows.append([d.name, ":=", d.expression.replace(" ", ""), "", d.name, val, se_d, z,
                         2 * norm.sf(abs(z)) if np.isfinite(z) else np.nan, val - zcrit * se_d,
                         val + zcrit * se_d, st])
    est = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower",
                                      "ci_upper", "std_all"])

    p = groups[0].p
    G = len(groups)
    npar = q
    df = G * (p * (p + 1) // 2 + p) - npar
    chisq = max(chisq_total, 0.0)
    b_chisq = float(sum(grp.n * (np.sum(np.log(np.diag(grp.S))) - grp.logdetS) for grp in groups))
    b_df = G * (p * (p - 1) // 2)
    uloglik = float(sum(-grp.n / 2 * (p * np.log(2 * np.pi) + grp.logdetS + p) for grp in groups))
    loglik = uloglik - chisq / 2
    fi = fit_indices(chisq, df, b_chisq, b_df, N, groups=G)
    fit_measures = pd.Series({
        "npar": npar, "fmin": F / 2, "chisq": chisq, "df": df, "pvalue": fi["pvalue"],
        "baseline_chisq": b_chisq, "baseline_df": b_df, "baseline_pvalue": fi["baseline_pvalue"],
        **{k: fi[k] for k in ("cfi", "tli", "nfi", "rfi", "ifi", "rni")},
        "loglik": loglik, "unrestricted_loglik": uloglik, "aic": -2 * loglik + 2 * npar,
        "bic": -2 * loglik + npar * np.log(N), "n": N,
        **{k: fi[k] for k in ("rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue")},
        "srmr": srmr_weighted,
    }, dtype=float, name="value")
    if rob is not None:
        from crm_research.sem.robust import robust_measures

        extra = robust_measures(fit_measures, rob["c"], rob["c_null"], N, groups=G)
        fit_measures = pd.concat([fit_measures, pd.Series(extra, dtype=float)])
        fit_measures.name = "value"
    if not converged:
        warnings.insert(0, f"NOT CONVERGED ({message}): do not report these estimates.")
    return MultiGroupSEMResult(estimates=est, fit_measures=fit_measures, groups=levels, group_sizes=sizes,
                               group_col=group_col, group_equal=list(group_equal), converged=converged,
                               iterations=iterations, n=N, warnings=warnings, estimator=estimator)


# Chen (2007, abstract, p. 464): non-invariance is indicated by a CFI drop of at least .010 together with an
# RMSEA rise of at least .015 or an SRMR rise of at least .030 (loadings) / .010 (intercepts, residuals) when the
# total N > 300; with N <= 300 by a CFI drop of at least .005 with an RMSEA rise of at least .010 or an SRMR rise
# of at least .025 (loadings) / .005 (intercepts, residuals)
_CHEN = {"large": {"cfi": 0.010, "rmsea": 0.015, "srmr": {"metric": 0.030, "scalar": 0.010, "strict": 0.010}},
         "small": {"cfi": 0.005, "rmsea": 0.010, "srmr": {"metric": 0.025, "scalar": 0.005, "strict": 0.005}}}


@renamed_arguments(group="group_col")
@positional_options
def measurement_invariance(data, model, group_col, *, ci: float = 0.95, std_lv: bool = False,
                           level: float = 0.05, group_partial=None, strict: bool = False,
                           estimator: str = "ML") -> InvarianceResult:
    """Configural, metric, scalar (and strict) invariance of a measurement model across groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw data with the items and the grouping column.
    model : str
        The measurement model in lavaan syntax (usually only ``=~`` lines).
    group_col : str
        The grouping column, e.g. ``"gender"`` or ``"preferred_channel"``
        (``group`` before 0.2; the old name still works, with a ``FutureWarning``).
    level : float, default 0.05
        Significance level of the chi-square difference test: a step "holds" by
        that criterion when ``p_diff >= level`` (before 0.2 the threshold was
        ``1 - ci``; with the defaults both are 0.05).
    ci : float, default 0.95
        Level of the fits' confidence intervals.
    std_lv : bool, default False
        Identify factors by unit variances instead of marker loadings.
    group_partial : list of str, optional
        Partial invariance: parameters left free across groups at every step
        that would constrain them (lavaan's ``group.partial``), e.g.
        ``["visual =~ x2", "x3 ~1"]``; an unknown name raises
        :class:`CRMInputError`.
    strict : bool, default False
        Add the strict step (equal item residual variances as well).
    estimator : {"ML", "MLM", "MLR"}, default "ML"
        ``"MLR"`` or ``"MLM"`` for Likert items: every step is fitted with
        robust standard errors and a scaled statistic, the steps are compared
        by the Satorra-Bentler (2001) scaled chi-square difference and the
        CFI/RMSEA criteria use lavaan's robust indices.

    Returns
    -------
    InvarianceResult
        ``table`` indexed by step (``configural``, ``metric``, ``scalar``
        [, ``strict``]) with ``npar, chisq, df, pvalue, cfi, tli, rmsea, srmr,
        aic, bic, chisq_diff, df_diff, p_diff, cfi_diff, rmsea_diff,
        srmr_diff, holds, chen_holds`` (the booleans missing for the
        configural step); for MLM/MLR also ``chisq_scaled,
        chisq_scaling_factor, pvalue_scaled, cfi_robust, tli_robust,
        rmsea_robust, cfi_robust_diff, rmsea_robust_diff``; ``fits`` with
        every model and ``comparison`` (the :func:`~crm_research.sem.compare.compare_models`
        table the differences come from).

    Notes
    -----
    Each step is compared with the previous one by
    :func:`crm_research.sem.compare.compare_models` (lavaan's ``lavTestLRT``):
    the likelihood-ratio test for ML, the scaled difference of Satorra &
    Bentler (2001) for MLM/MLR (``chisq_diff`` is then the scaled statistic,
    as lavaan prints it).  ``cfi_diff = CFI(step) - CFI(previous)`` and
    likewise for RMSEA and SRMR (for MLM/MLR, ``holds`` and ``chen_holds``
    read ``cfi_robust_diff`` and ``rmsea_robust_diff``).  ``holds`` is True
    when ``p_diff >= level`` or the CFI drop is at most .01 (Cheung &
    Rensvold, 2002).  ``chen_holds`` applies Chen's (2007, p. 464) criteria:
    with total N > 300, non-invariance is indicated when CFI drops by .010
    or more *and* RMSEA rises by .015 or more or SRMR by .030 or more
    (metric step) / .010 or more (scalar and strict steps); with N <= 300
    the cut-offs are .005 (CFI), .010 (RMSEA) and .025 / .005 (SRMR).  The
    fits equal lavaan's ``cfa(group.equal = ..., group.partial = ...,
    estimator = ...)``, which are the models ``semTools::measEq.syntax``
    writes (except that measEq.syntax's default marker identification
    ignores a freed marker intercept; ``tests/reference/sem_invariance.R``).

    References
    ----------
    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of
    measurement invariance. *Structural Equation Modeling*, 14(3), 464-504.
    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes
    for testing measurement invariance. *Structural Equation Modeling*, 9(2), 233-255.
    Byrne, B. M., Shavelson, R. J., & Muthén, B. (1989). Testing for the
    equivalence of factor covariance and mean structures: The issue of partial
    measurement invariance. *Psychological Bulletin*, 105(3), 456-466.
    Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test
    statistic for moment structure analysis. *Psychometrika*, 66(4), 507-514.
    Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the
    measurement invariance literature. *Organizational Research Methods*, 3(1), 4-70.

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> inv = crm.measurement_invariance(hs, "visual =~ x1 + x2 + x3 + x9", "school")
    >>> inv.table["holds"].tolist()
    [<NA>, True, False]
    >>> partial = crm.measurement_invariance(hs, "visual =~ x1 + x2 + x3 + x9", "school",
    ...                                      group_partial=["x3 ~1"])
    >>> int(partial.table.loc["scalar", "df_diff"])
    2
    >>> robust = crm.measurement_invariance(hs, "visual =~ x1 + x2 + x3 + x9", "school", estimator="MLR")
    >>> robust.table.loc["scalar", ["chisq_diff", "p_diff", "cfi_robust_diff"]].astype(float).round(3).tolist()
    [23.656, 0.0, -0.112]
    """
    from crm_research.sem.compare import compare_models

    func = "measurement_invariance"
    ci = check_ci(ci, func)
    level = check_ci(level, func, name="level")
    strict = check_bool(strict, "strict", func)
    estimator = check_choice(estimator, "estimator", ["ML", "MLM", "MLR"], func)
    steps = {"configural": [], "metric": ["loadings"], "scalar": ["loadings", "intercepts"]}
    if strict:
        steps["strict"] = ["loadings", "intercepts", "residuals"]
    fits = {name: fit_multigroup(data, model, group_col, group_equal=eq, ci=ci, std_lv=std_lv, func=func,
                                 group_partial=group_partial, estimator=estimator)
            for name, eq in steps.items()}
    robust = estimator != "ML"
    names = list(steps)
    comparison = compare_models(*fits.values(), names=names)
    cmp = comparison.table
    n = fits["configural"].n
    chen = _CHEN["large" if n > 300 else "small"]
    cfi_key, rmsea_key = ("cfi_robust", "rmsea_robust") if robust else ("cfi", "rmsea")
    rows = []
    prev = None
    for name, fit in fits.items():
        fm = fit.fit_measures
        row = {k: fm[k] for k in ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]}
        if robust:
            row.update({k: fm[k] for k in ["chisq_scaled", "chisq_scaling_factor", "pvalue_scaled", "cfi_robust",
                                           "tli_robust", "rmsea_robust"]})
        if prev is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, p_diff=np.nan, cfi_diff=np.nan, rmsea_diff=np.nan,
                       srmr_diff=np.nan, holds=pd.NA, chen_holds=pd.NA)
            if robust:
                row.update(cfi_robust_diff=np.nan, rmsea_robust_diff=np.nan)
        else:
            pfm = prev.fit_measures
            diffs = {k: fm[k] - pfm[k] for k in ("cfi", "rmsea", "srmr", "cfi_robust", "rmsea_robust")
                     if k in fm.index}
            pdiff = float(cmp.loc[name, "pvalue"])
            # rounded to 1e-12 so that a change of exactly the cut-off counts as reaching it
            dcfi, drmsea = round(diffs[cfi_key], 12), round(diffs[rmsea_key], 12)
            chen_bad = dcfi <= -chen["cfi"] and (drmsea >= chen["rmsea"]
                                                 or round(diffs["srmr"], 12) >= chen["srmr"][name])
            row.update(chisq_diff=float(cmp.loc[name, "chisq_diff"]), df_diff=float(cmp.loc[name, "df_diff"]),
                       p_diff=pdiff, cfi_diff=diffs["cfi"], rmsea_diff=diffs["rmsea"], srmr_diff=diffs["srmr"],
                       holds=bool(pdiff >= level or dcfi >= -0.01), chen_holds=not chen_bad)
            if robust:
                row.update(cfi_robust_diff=diffs["cfi_robust"], rmsea_robust_diff=diffs["rmsea_robust"])
        rows.append(row)
        prev = fit
    table = pd.DataFrame(rows, index=names)
    table["holds"] = table["holds"].astype("boolean")
    table["chen_holds"] = table["chen_holds"].astype("boolean")
    warnings = [w for fit in fits.values() for w in fit.warnings]
    if n <= 300:
        warnings.append(f"Total N = {n} <= 300: chen_holds uses the cut-offs Chen (2007) recommends for small "
                        "samples (CFI drop .005, RMSEA rise .010, SRMR rise .025 for loadings / .005 otherwise).")
    return InvarianceResult(table=table, fits=fits, warnings=warnings, comparison=comparison)
