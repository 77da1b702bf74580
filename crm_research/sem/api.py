"""``crm.cfa`` and ``crm.sem``: fit a model written in lavaan syntax."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.syntax import parse_model
from crm_research.core.threads import single_thread
from crm_research.core.validation import (
    check_bool,
    check_choice,
    check_ci,
    check_dataframe,
    check_int,
    check_numeric_columns,
    check_seed,
    examples_of,
    param_error,
)
from crm_research.sem.estimation import RAM, _NonConvergence, fit_ml
from crm_research.sem.means import MeanStructureResult, fit_mean_structure, has_structured_means
from crm_research.sem.model import build_spec, start_values
from crm_research.sem.multigroup import MultiGroupSEMResult
from crm_research.sem.result import SEMResult, build_result

__all__ = ["cfa", "sem"]


def _matrix_input(sample_cov, sample_cor, sample_sd, func):
    """A labelled covariance matrix from ``sample_cov`` or ``sample_cor`` + ``sample_sd``."""
    if sample_cov is not None and sample_cor is not None:
        raise CRMInputError(f"Give either 'sample_cov' or 'sample_cor' (with 'sample_sd') to {func}, not both.")
    if sample_cov is not None:
        mat, name = sample_cov, "sample_cov"
    else:
        mat, name = sample_cor, "sample_cor"
    if not isinstance(mat, pd.DataFrame):
        raise param_error(name, "a pandas DataFrame whose index and columns name the variables", type(mat).__name__,
                          func)
    if list(map(str, mat.index)) != list(map(str, mat.columns)):
        raise CRMInputError(f"The '{name}' parameter of {func} must have the same variable names, in the same "
                            f"order, as row index and columns. Got rows {examples_of(list(mat.index))} and columns "
                            f"{examples_of(list(mat.columns))}.")
    repeated = pd.Index(list(map(str, mat.columns)))
    repeated = repeated[repeated.duplicated()].unique().tolist()
    if repeated:
        # the model would silently use the first row/column of that name
        raise CRMInputError(f"The '{name}' parameter of {func} names variable(s) {examples_of(repeated)} more than "
                            "once; every variable needs one row and one column.")
    try:
        values = mat.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise CRMInputError(f"The '{name}' parameter of {func} must hold numbers only.") from None
    if not np.all(np.isfinite(values)):
        raise CRMInputError(f"The '{name}' parameter of {func} contains missing or infinite values.")
    if not np.allclose(values, values.T, atol=1e-8 * max(1.0, np.abs(values).max())):
        i, j = np.unravel_index(np.argmax(np.abs(values - values.T)), values.shape)
        raise CRMInputError(f"The '{name}' parameter of {func} is not symmetric: entry ({mat.index[i]!r}, "
                            f"{mat.columns[j]!r}) is {values[i, j]} but ({mat.index[j]!r}, {mat.columns[i]!r}) is "
                            f"{values[j, i]}.")
    names = [str(c) for c in mat.columns]
    if sample_cor is not None:
        if not np.allclose(np.diag(values), 1.0, atol=1e-6):
            raise CRMInputError(f"The 'sample_cor' parameter of {func} must have ones on its diagonal "
                                "(a correlation matrix); pass a covariance matrix as 'sample_cov' instead.")
        off = np.abs(values - np.diag(np.diag(values)))
        if off.max() > 1:
            i, j = np.unravel_index(np.argmax(off), off.shape)
            raise CRMInputError(f"The 'sample_cor' parameter of {func} has a correlation of {values[i, j]} between "
                                f"{names[i]!r} and {names[j]!r}; correlations lie between -1 and 1 (a typing "
                                "error?).")
        if sample_sd is None:
            raise CRMInputError(f"'sample_cor' needs 'sample_sd' (the standard deviations) in {func}; without them "
                                "only a standardized model can be fitted. Pass sample_sd=[1]*p to fit the "
                                "correlations as covariances.")
        sd = sample_sd
        if isinstance(sd, dict):
            sd = pd.Series(sd)
        if isinstance(sd, pd.Series):
            missing = [n for n in names if n not in sd.index]
            if missing:
                raise CRMInputError(f"'sample_sd' has no standard deviation for {examples_of(missing)}.")
            sd = sd.loc[names].to_numpy()
        try:
            sd = np.asarray(sd, dtype=float)
        except (TypeError, ValueError):
            raise param_error("sample_sd", f"{len(names)} positive standard deviations (one per variable)",
                              sample_sd, func) from None
        if sd.shape != (len(names),) or not np.all(np.isfinite(sd)) or np.any(sd <= 0):
            raise param_error("sample_sd", f"{len(names)} positive standard deviations (one per variable)",
                              _first_values(sd), func)
        values = values * np.outer(sd, sd)
    elif sample_sd is not None:
        raise CRMInputError(f"'sample_sd' is only used with 'sample_cor' in {func}.")
    return names, values


def _first_values(x):
    arr = np.asarray(x).ravel()
    return arr[:6].tolist()


def _check_pd(S, names, what):
    # judged on the correlation matrix, so the check is scale-free: a spend in Tomans (variance ~1e12)
    # beside Likert items (variance ~1) made every Likert eigenvalue look "zero" relative to the largest
    S = np.asarray(S, dtype=float)
    d = np.diag(S)
    flat = [n for n, v in zip(names, d) if not v > 0]
    if flat:
        raise CRMInputError(
            f"The {what} of the model variables is not positive definite: {examples_of(flat, 12)} "
            "has no variance (a constant variable). Remove it or check the data.")
    scale = 1 / np.sqrt(d)
    eig = np.linalg.eigvalsh(S * np.outer(scale, scale))
    if eig.min() <= 1e-10:
        raise CRMInputError(
            f"The {what} of the model variables {examples_of(names, 12)} is not positive definite (smallest "
            f"eigenvalue {eig.min():.3g}): some variable is constant or a linear combination of others, or the "
            "matrix was mistyped. Remove redundant variables or check the matrix.")


def _fit(data, model, func, estimator, missing, bootstrap, ci, seed, std_lv, sample_cov, sample_cor, sample_sd,
         sample_nobs, n_jobs, progress, group_col=None, group_equal=None, meanstructure=False, group_partial=None):
    estimator = check_choice(estimator, "estimator", ["ML", "MLM", "MLR", "DWLS", "WLSMV"], func)
    missing = check_choice(missing, "missing", ["listwise", "fiml", "ml"], func)
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    if 0 < bootstrap < 10:
        raise param_error("bootstrap", "0 (no bootstrap) or at least 10 resamples", bootstrap, func)
    ci = check_ci(ci, func)
    seed = check_seed(seed, func)
    std_lv = check_bool(std_lv, "std_lv", func)
    # checked up front: a bad value used to fail only after the fit, inside the bootstrap, as int('two')
    n_jobs = 2 if n_jobs is None else check_int(n_jobs, "n_jobs", func, min_value=1)
    progress = check_bool(progress, "progress", func)
    meanstructure = check_bool(meanstructure, "meanstructure", func)
    if group_col is not None:
        # several groups: multigroup.py (ML, MLM or MLR, complete cases, raw data)
        if estimator not in ("ML", "MLM", "MLR") or missing != "listwise" or bootstrap:
            raise CRMInputError(f"{func}: a multi-group model (group_col={group_col!r}) is fitted by ML, MLM or MLR on "
                                f"complete cases without bootstrap; got estimator={estimator!r}, "
                                f"missing={missing!r}, bootstrap={bootstrap}.")
        if sample_cov is not None or sample_cor is not None or data is None:
            raise CRMInputError(f"{func}: a multi-group model needs the raw data with the grouping column.")
        from crm_research.sem.multigroup import fit_multigroup

        return fit_multigroup(data, model, group_col, group_equal=group_equal, ci=ci, std_lv=std_lv, func=func,
                              group_partial=group_partial, estimator=estimator)
    if group_equal is not None:
        raise CRMInputError(f"'group_equal' needs 'group_col' (the grouping column) in {func}.")
    if group_partial is not None:
        raise CRMInputError(f"'group_partial' needs 'group_col' (the grouping column) and 'group_equal' in {func}.")
    robust = estimator if estimator in ("MLM", "MLR") else None
    if robust:
        # robust ML needs the casewise data (fourth moments, casewise scores), never a matrix
        if sample_cov is not None or sample_cor is not None or data is None:
            raise CRMInputError(f"{func}: estimator='{robust}' needs the raw data ('data'): the robust standard "
                                "errors and the scaled chi-square use the fourth moments of the answers, which a "
                                "covariance or correlation matrix does not contain. Use estimator='ML' with a "
                                "matrix.")
        if robust == "MLM" and missing != "listwise":
            raise CRMInputError(f"{func}: estimator='MLM' (Satorra-Bentler) is for complete data; with "
                                "missing='fiml' use estimator='MLR', as in lavaan.")
        estimator = "ML"
    if estimator in ("DWLS", "WLSMV") or missing in ("fiml", "ml"):
        # ordinal items (DWLS on polychoric correlations, ordinal.py) and FIML (fiml.py) have their own
        # engines; they need raw data and do not bootstrap yet
        what = f"estimator='{estimator}'" if estimator != "ML" else f"missing='{missing}'"
        if estimator != "ML" and missing != "listwise":
            raise CRMInputError(f"{func}: estimator='{estimator}' works on complete cases only (missing='listwise'); "
                                "full-information ML is for continuous data (estimator='ML').")
        if sample_cov is not None or sample_cor is not None or data is None:
            raise CRMInputError(f"{func}: {what} needs the raw data ('data'), not a matrix.")
        if bootstrap and estimator != "ML":
            raise CRMInputError(f"{func}: bootstrap is not available with {what} yet.")
        if estimator != "ML":
            from crm_research.sem.ordinal import fit_ordinal

            return fit_ordinal(data, model, std_lv=std_lv, ci=ci, func=func)
        from crm_research.sem.fiml import fit_fiml

        fiml = fit_fiml(data, model, std_lv=std_lv, ci=ci, func=func)
        with single_thread():
            if robust:
                from crm_research.sem.robust import robust_fiml

                fiml = robust_fiml(fiml)
            if bootstrap:
                from crm_research.sem.bootstrap import run_bootstrap

                run_bootstrap(fiml, fiml.ram, fiml.raw, bootstrap, ci=ci, seed=seed, n_jobs=n_jobs,
                              progress=progress)
        return fiml
    parsed = parse_model(model)
    matrix_given = sample_cov is not None or sample_cor is not None
    raw = None
    if matrix_given:
        if data is not None:
            raise CRMInputError(f"Give either 'data' or a matrix ('sample_cov' / 'sample_cor') to {func}, not both.")
        if bootstrap:
            raise CRMInputError(f"bootstrap needs raw data; {func} was given a matrix.")
        names, full = _matrix_input(sample_cov, sample_cor, sample_sd, func)
        n = check_int(sample_nobs, "sample_nobs", func, min_value=2)
        if meanstructure or any(st.op == "~1" for st in parsed.statements):
            raise CRMInputError(f"{func}: a mean structure (intercepts, meanstructure=True) needs the raw data; a "
                                "covariance matrix has no means.")
        spec = build_spec(parsed, names, std_lv=std_lv)
        idx = [names.index(v) for v in spec.observed]
        # like lavaan (sample.cov.rescale=TRUE): a published matrix is the unbiased one; ML needs divisor N
        S = full[np.ix_(idx, idx)] * (n - 1) / n
        _check_pd(S, spec.observed, "covariance matrix")
        source = "covariance matrix" if sample_cov is not None else "correlations and standard deviations"
    else:
        if sample_nobs is not None or sample_sd is not None:
            raise CRMInputError(f"'sample_nobs' and 'sample_sd' go with 'sample_cov'/'sample_cor' in {func}, "
                                "not with 'data'.")
        data = check_dataframe(data, "data", func, min_rows=3)
        spec = build_spec(parsed, data.columns, std_lv=std_lv, allow_means=True, structured_means=True)
        clean = check_numeric_columns(data, spec.observed, name="data", func=func, allow_constant=False)
        complete = clean.dropna()
        dropped = len(clean) - len(complete)
        n = len(complete)
        if n < 3:
            raise CRMInputError(f"Only {n} complete row(s) remain in 'data' after listwise deletion of missing "
                                f"values; {func} needs more.")
        raw = complete.to_numpy(float)
        S = np.cov(raw.T, bias=True)
        _check_pd(S, spec.observed, "sample covariance matrix")
        source = "raw data" + (f" ({dropped} incomplete row(s) dropped listwise)" if dropped else "")
    if has_structured_means(spec):
        # fixed/equal intercepts or latent means: the mean structure is part of the model (sem/means.py)
        if bootstrap or spec.ov_x:
            what = "bootstrap" if bootstrap else f"observed predictors (fixed.x) {examples_of(spec.ov_x)}"
            raise CRMInputError(f"{func}: a restricted mean structure (fixed or equal intercepts, latent means) "
                                f"with {what} is not available; free the intercepts or drop the option.")
        return fit_mean_structure(spec, raw, estimator=robust or "ML", ci=ci, func=func, model=model)
    p = len(spec.observed)
    nx = len(spec.ov_x)
    moments = p * (p + 1) // 2 - nx * (nx + 1) // 2
    df = moments - spec.n_free
    if df < 0:
        raise CRMInputError(
            f"The model is not identified: it has {spec.n_free} free parameters but only {moments} observed "
            f"variances and covariances, so the degrees of freedom would be {df}. Fix some parameters, add "
            "indicators, or remove paths.")
    if spec.n_free == 0:
        raise CRMInputError("The model has no free parameters to estimate.")
    ram = RAM(spec)
    ram.set_exo(_full_exo(S, spec))
    with single_thread():
        try:
            fit = fit_ml(ram, S, start_values(spec, S))
        except _NonConvergence as exc:
            raise CRMInputError(f"{func} could not start the estimation: {exc}. Check the model and the data.") \
                from None
        result = build_result(spec, ram, fit, S, n, ci=ci, raw=raw, source=source, func=func, model_text=model)
    if not fit.converged:
        warnings.warn(f"{func}: the estimation did not converge ({fit.message}); the estimates are not reliable.",
                      CRMConvergenceWarning, stacklevel=3)
    if robust:
        from crm_research.sem.robust import robust_fit

        with single_thread():
            result = robust_fit(result, robust)
    if meanstructure or spec.means:
        from crm_research.sem.result import add_intercepts

        if spec.ov_x:
            raise CRMInputError(f"{func}: a mean structure with observed predictors (fixed.x) "
                                f"{examples_of(spec.ov_x)} is not supported yet.")
        if bootstrap:
            raise CRMInputError(f"{func}: bootstrap with a mean structure (complete data) is not available yet; "
                                "drop meanstructure/'~ 1' or use missing='fiml'.")
        add_intercepts(result)
    if bootstrap:
        from crm_research.sem.bootstrap import run_bootstrap

        with single_thread():
            run_bootstrap(result, ram, raw, bootstrap, ci=ci, seed=seed, n_jobs=n_jobs, progress=progress)
    return result


def _full_exo(S, spec):
    """S padded to all RAM variables so fixed.x cells can be read by (i, j)."""
    m = len(spec.observed) + len(spec.latent)
    out = np.zeros((m, m))
    p = len(spec.observed)
    out[:p, :p] = S
    return out


@renamed_arguments(group="group_col")
@positional_options
def sem(data=None, model=None, *, estimator="ML", missing="listwise", bootstrap=0, ci=0.95, seed=None,
        std_lv=False, sample_cov=None, sample_cor=None, sample_sd=None, sample_nobs=None, group_col=None,
        group_equal=None, n_jobs=2, progress=True, meanstructure=False,
        group_partial=None) -> SEMResult | MultiGroupSEMResult | MeanStructureResult:
    """Fit a structural equation model written in lavaan syntax, with lavaan's results.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per respondent; the model's observed variables are columns.
        Text cells with Persian digits are read as numbers.  Omit it when
        fitting from a published matrix (``sample_cov`` / ``sample_cor``).
    model : str
        lavaan model syntax: ``=~`` (measured by), ``~`` (regressed on),
        ``~~`` (covariance), ``:=`` (defined parameter such as ``ind := a*b``),
        with modifiers ``a*x`` (label), ``1*x`` (fixed) and ``NA*x`` (free).
    estimator : {"ML", "MLM", "MLR", "DWLS", "WLSMV"}
        ``"ML"``: maximum likelihood for continuous data.  ``"MLM"``
        (Satorra-Bentler) and ``"MLR"`` (Huber-White standard errors,
        Yuan-Bentler scaled chi-square; also with ``missing="fiml"``): the ML
        estimates with robust standard errors and lavaan's scaled and robust
        fit indices, for non-normal (e.g. Likert) answers
        (:mod:`crm_research.sem.robust`; raw data needed).  ``"DWLS"`` (alias
        ``"WLSMV"``): ordinal (Likert) items, diagonally weighted least squares
        on polychoric correlations with robust standard errors and the scaled
        chi-square, equal to lavaan's ``WLSMV`` (see
        :func:`crm_research.sem.ordinal.fit_ordinal` for what is and is not provided).
    missing : {"listwise", "fiml", "ml"}
        ``"listwise"`` drops rows with a missing value in a model variable;
        ``"fiml"`` (or ``"ml"``) uses every observed value by full-information
        ML, equal to lavaan's ``missing = "ml"``
        (:func:`crm_research.sem.fiml.fit_fiml`).
    bootstrap : int, default 0
        Number of bootstrap resamples (0 = none).  With ``B > 0`` the result
        carries percentile and bias-corrected intervals for every parameter,
        including defined ones.  Also with ``missing="fiml"`` (each resample
        refitted by FIML, intercepts included) and ``estimator="MLM"/"MLR"``
        (the resamples are ML fits; the scaled test stays the robust one).
    ci : float, default 0.95
        Confidence level of the intervals.
    seed : int, optional
        Seed of the bootstrap, for reproducible intervals.
    std_lv : bool, default False
        Identify latent variables by fixing their variances at 1 instead of
        the first loading (lavaan's ``std.lv``).
    sample_cov : pandas.DataFrame, optional
        A covariance matrix (unbiased, divisor N - 1, as published), labelled
        by variable names.  Needs ``sample_nobs``.
    sample_cor, sample_sd : pandas.DataFrame and sequence, optional
        A correlation matrix and the standard deviations, as printed in a
        paper's table; converted to a covariance matrix.
    sample_nobs : int, optional
        Number of observations behind ``sample_cov`` / ``sample_cor``.
    group_col : str, optional
        A grouping column (gender, channel ...): the model is fitted in every
        group and a :class:`~crm_research.sem.multigroup.MultiGroupSEMResult`
        is returned (see :func:`crm_research.sem.multigroup.multigroup_sem`).
        Called ``group`` before 0.2 (the old name still works, with a
        ``FutureWarning``).
    group_equal : list of {"loadings", "intercepts", "residuals"}, optional
        Parameters held equal across groups (lavaan's ``group.equal``).
        With ``group_col``, ``estimator`` may be ``"ML"``, ``"MLM"`` or
        ``"MLR"``.
    group_partial : list of str, optional
        With ``group_equal``: parameters exempted from the equality
        constraints (lavaan's ``group.partial``, partial invariance), named as
        lavaan does: ``"F1 =~ x2"``, ``"x3 ~1"``, ``"x3 ~~ x3"``.
    n_jobs : int, default 2
        Processes for the bootstrap (``None`` means the default).
    progress : bool, default True
        Show a progress bar during the bootstrap.
    meanstructure : bool, default False
        Add the intercepts of the observed variables (op ``"~1"``, latent
        means fixed at 0), as lavaan's ``meanstructure = TRUE``; also switched
        on by an intercept in the syntax (``x1 ~ 1``, ``x1 ~ i1*1``).  The
        intercepts are free (a saturated mean structure: they equal the
        sample means), so chi-square and df do not change; ``npar``,
        AIC/BIC and the SRMR (averaged over the zero mean residuals too)
        do, as in lavaan.  Needs raw data.  Fixed or equal intercepts
        (``x1 ~ 0*1``, ``x1 ~ i*1; x2 ~ i*1``) and latent means (``F ~ 1``,
        identified by a fixed intercept of one indicator) make the mean
        structure part of the model: complete data with ``estimator="ML"``,
        ``"MLM"`` or ``"MLR"`` is then fitted by
        :func:`crm_research.sem.means.fit_mean_structure` and returns a
        :class:`~crm_research.sem.means.MeanStructureResult` (equal to
        lavaan; ``tests/reference/sem_means.R``).

    Returns
    -------
    SEMResult or MultiGroupSEMResult or MeanStructureResult
        ``estimates`` (columns ``lhs, op, rhs, label, est, se, z, pvalue,
        ci_lower, ci_upper, std_all``), ``fit_measures`` (``chisq, df,
        pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper,
        rmsea_pvalue, srmr, aic, bic, loglik, n`` and more), ``r2``,
        ``converged``, ``warnings``, ``modification_indices()``,
        ``summary()`` and ``plot()``.  With ``missing="fiml"`` a
        ``FIMLResult`` and with ``estimator="DWLS"`` an
        ``OrdinalSEMResult`` (both subclasses, with intercept/threshold rows);
        with ``group_col=`` a ``MultiGroupSEMResult``; with fixed or equal
        intercepts or latent means in the syntax a ``MeanStructureResult``.

    Raises
    ------
    CRMInputError
        For a syntax error (line, position and caret), an unknown variable
        (with the closest column names), a model that is not identified
        (negative degrees of freedom), or a non-positive-definite matrix.

    Notes
    -----
    The estimator minimises the ML discrepancy
    ``F = log|Sigma(theta)| + tr(S Sigma(theta)^-1) - log|S| - p`` where ``S``
    is the covariance matrix with divisor ``N``; ``chisq = N F``.  Standard
    errors come from the expected information matrix; defined parameters get
    theirs by the delta method.  Defaults are lavaan's (marker variables,
    free residual variances, covarying exogenous latent variables,
    ``fixed.x=TRUE``), so the numbers equal lavaan's to the printed
    precision.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.

    Examples
    --------
    >>> import crm_research as crm
    >>> pd_data = crm.load_dataset("political_democracy")
    >>> fit = crm.sem(pd_data, '''
    ...     ind60 =~ x1 + x2 + x3
    ...     dem60 =~ y1 + y2 + y3 + y4
    ...     dem60 ~ ind60''')
    >>> fit.fit_measures[["chisq", "df", "cfi", "rmsea"]].round(3)
    chisq    23.738
    df       13.000
    cfi       0.972
    rmsea     0.105
    Name: value, dtype: float64
    """
    if model is None:
        raise CRMInputError("The 'model' parameter of sem is required: lavaan syntax such as 'f =~ x1 + x2 + x3'.")
    return _fit(data, model, "sem", estimator, missing, bootstrap, ci, seed, std_lv, sample_cov, sample_cor,
                sample_sd, sample_nobs, n_jobs, progress, group_col=group_col, group_equal=group_equal,
                meanstructure=meanstructure, group_partial=group_partial)


@renamed_arguments(group="group_col")
def cfa(data=None, model=None, *, estimator="ML", missing="listwise", bootstrap=0, ci=0.95, seed=None,
        std_lv=False, sample_cov=None, sample_cor=None, sample_sd=None, sample_nobs=None, group_col=None,
        group_equal=None, n_jobs=2, progress=True, meanstructure=False, group_partial=None,
        **unknown) -> SEMResult | MultiGroupSEMResult | MeanStructureResult:
    """Confirmatory factor analysis: :func:`sem` for a measurement model.

    Takes the same arguments as :func:`sem` and applies the same lavaan
    defaults (in lavaan, too, ``cfa()`` and ``sem()`` differ only in name).
    The result's ``estimates`` hold the loadings (``op == "=~"``) with their
    standardized values in ``std_all``, which the reliability functions use
    for composite reliability and AVE.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Item responses, one column per item.
    model : str
        lavaan syntax, e.g. ``"SAT =~ sat1 + sat2 + sat3"``.
    estimator, missing, bootstrap, ci, seed, std_lv : optional
        As in :func:`sem`.
    sample_cov, sample_cor, sample_sd, sample_nobs : optional
        As in :func:`sem`.
    group_col, group_equal, group_partial, n_jobs, progress : optional
        As in :func:`sem` (``group_col`` was ``group`` before 0.2).
    meanstructure : bool, default False
        As in :func:`sem`.
    **unknown
        Caught only to name a misspelt option in a clear error.

    Returns
    -------
    SEMResult or MultiGroupSEMResult or MeanStructureResult
        See :func:`sem`.

    Notes
    -----
    See :func:`sem` for the estimator and its formulas.

    References
    ----------
    Brown, T. A. (2015). *Confirmatory Factor Analysis for Applied Research*
    (2nd ed.). Guilford.

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> fit = crm.cfa(hs, "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    >>> fit.estimates.query("op == '=~'")[["lhs", "rhs", "est", "std_all"]].round(3)
           lhs rhs    est  std_all
    0   visual  x1  1.000    0.778
    1   visual  x2  0.559    0.431
    2   visual  x3  0.708    0.568
    3  textual  x4  1.000    0.852
    4  textual  x5  1.111    0.854
    5  textual  x6  0.925    0.838
    """
    if model is None:
        raise CRMInputError("The 'model' parameter of cfa is required: lavaan syntax such as 'f =~ x1 + x2 + x3'.")
    if unknown:
        allowed = [name for name in inspect.signature(cfa).parameters if name not in ("data", "model", "unknown")]
        raise CRMInputError(f"cfa got unknown option(s) {sorted(unknown)}; allowed: {allowed}.")
    return _fit(data, model, "cfa", estimator, missing, bootstrap, ci, seed, std_lv, sample_cov, sample_cor,
                sample_sd, sample_nobs, n_jobs, progress, group_col=group_col, group_equal=group_equal,
                meanstructure=meanstructure, group_partial=group_partial)
