"""Common-method bias checks for a single-source questionnaire survey.

Three checks a thesis reports when every variable comes from the same
respondents at the same time:

1. **Harman's single-factor test.**  All items go into one unrotated
   analysis; if one factor accounts for the majority (over 50%) of the
   variance, common-method variance is suspected.  ``component_share`` is the
   share of total variance of the first unrotated *principal component*
   (the "% of Variance" SPSS prints for extraction by principal components,
   ``psych::principal(nfactors = 1, rotate = "none")``); ``factor_share`` is
   the share explained by one *principal-axis factor* (``psych::fa(nfactors =
   1, fm = "pa")``), which is always smaller.  The 50% cut-off is a
   convention, not a test: Podsakoff, MacKenzie, Lee & Podsakoff (2003,
   J. Appl. Psychol. 88, 879-903, on "Harman's single-factor test") show that the procedure is
   insensitive -- a single factor is unlikely to emerge, or to account for
   most of the variance, unless the bias is extreme -- and that it controls
   for nothing.  A share below 50% is therefore *not* proof that there is no
   common-method bias.
2. **Kock's (2015) full-collinearity VIFs.**  Each construct score is
   regressed on all the others; a VIF above 3.3 is Kock's (2015,
   Int. J. e-Collaboration 11(4), 1-10) indication of pathological
   collinearity and possible common-method contamination.  Kock computes the
   VIFs from PLS latent-variable scores; here the construct scores are the
   item means (:func:`crm_research.construct_scores`).
3. **The unmeasured latent method factor** (common latent factor, Podsakoff
   et al. 2003, Table 5): the CFA of the constructs is refitted with an extra
   factor on which every item loads (equal loadings, uncorrelated with the
   constructs), and the change in each item's standardized loading is
   reported; with ``marker`` items (Lindell & Whitney 2001), the method
   factor is measured by the marker items instead and also loads on every
   item.  A drop of more than 0.20 is a practitioners' rule of thumb (Gaskin's
   StatWiki), not a published test; read the size of the changes.  When the
   measurement model has residual covariances or fixed loadings, pass it as
   ``model``: the method factor is added to that model, not to a simpler one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_bool, check_columns, check_constructs, check_dataframe
from crm_research.inference.labels import BilingualResult
from crm_research.inference.scores import construct_scores
from crm_research.psychometrics.descriptives import prepare_items

__all__ = ["common_method_bias", "MethodBiasResult"]


def _principal_axis_one(R: np.ndarray, min_err: float = 0.001, max_iter: int = 50) -> np.ndarray:
    """Loadings of one principal-axis factor, iterated as ``psych::fa(fm = "pa")`` (SMC start)."""
    r = R.copy()
    smc = 1 - 1 / np.diag(np.linalg.inv(R))
    np.fill_diagonal(r, smc)
    comm = smc.sum()
    loadings = np.zeros(len(R))
    for _ in range(max_iter):
        values, vectors = np.linalg.eigh(r)
        loadings = np.sqrt(max(values[-1], 0.0)) * vectors[:, -1]
        new = loadings**2
        np.fill_diagonal(r, new)
        err = abs(comm - new.sum())
        comm = new.sum()
        if err <= min_err:
            break
    return loadings


def harman_shares(R: np.ndarray) -> tuple[float, float]:
    """``(component_share, factor_share)`` of a correlation matrix (see the module notes).

    Examples
    --------
    >>> import numpy as np
    >>> from crm_research.inference.method_bias import harman_shares
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> [round(s, 3) for s in harman_shares(R)]
    [0.602, 0.425]
    """
    R = np.asarray(R, dtype=float)
    p = len(R)
    component = float(np.linalg.eigvalsh(R)[-1] / p)
    factor = float(np.sum(_principal_axis_one(R) ** 2) / p)
    return component, factor


@dataclass(repr=False, eq=False)
class MethodBiasResult(BilingualResult):
    """Common-method bias checks (:func:`common_method_bias`).

    Attributes
    ----------
    harman : pandas.DataFrame
        Rows ``component_share`` and ``factor_share``: ``share``,
        ``threshold`` (0.50) and ``flag`` (share above it).
    vif : pandas.DataFrame
        Kock's full-collinearity VIF per construct, ``threshold`` 3.3, ``flag``.
    loadings : pandas.DataFrame or None
        Per item: ``construct, loading`` (standardized, CFA without the method
        factor), ``loading_clf`` (with it), ``delta``; None when
        ``method_factor=False``.
    method_loading : float or None
        The standardized method-factor loading's mean; its square is roughly
        the share of item variance due to the common method (NaN when the
        method factor's variance is negative).
    method_variance : float or None
        The estimated variance of the method factor; a negative value is an
        improper (Heywood) solution: the data hold no common factor beyond the
        constructs, and the loading changes must not be read as a bias estimate.
    n, n_items : int
    """

    title: ClassVar[str] = "Common-method bias"
    title_fa: ClassVar[str] = "سوگیری روش مشترک"
    _caption_fa: ClassVar[dict[str, str]] = {
        "Harman's single-factor test": "آزمون تک‌عاملی هارمن",
        "Full-collinearity VIFs (Kock 2015)": "عامل تورم واریانس هم‌خطی کامل (کاک ۲۰۱۵)",
        "Standardized loadings with and without a common latent factor": "بارهای عاملی با و بدون عامل روش مشترک"}
    harman: pd.DataFrame
    vif: pd.DataFrame
    loadings: pd.DataFrame | None
    method_loading: float | None
    method_variance: float | None
    n: int
    n_items: int

    def __post_init__(self):
        self.warnings.append(
            "Harman's test is weak (Podsakoff et al. 2003): a first factor below 50% does not show that "
            "common-method bias is absent; report it together with the other checks.")
        if self.harman["flag"].any():
            self.warnings.append("One factor accounts for more than 50% of the variance: common-method "
                                 "variance is likely.")
        if self.method_variance is not None and self.method_variance < 0:
            self.warnings.append(
                f"The common latent factor's variance is negative ({self.method_variance:.3f}): an improper "
                "solution (lavaan warns the same); the data show no common method factor beyond the "
                "constructs and the loading changes are not a bias estimate.")
        high = self.vif.index[self.vif["flag"]]
        if len(high):
            self.warnings.append(f"Full-collinearity VIF above 3.3 for {', '.join(high)}: possible common-method "
                                 "contamination or redundant constructs (Kock 2015).")

    def to_frame(self) -> pd.DataFrame:
        return self.harman.copy()

    def _summary_tables(self):
        out = [("Harman's single-factor test", self.harman), ("Full-collinearity VIFs (Kock 2015)", self.vif)]
        if self.loadings is not None:
            out.append(("Standardized loadings with and without a common latent factor", self.loadings))
        return out

    def plot(self, ax=None):
        """Bars of the full-collinearity VIFs with the 3.3 threshold."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.bar(self.vif.index.astype(str), self.vif["vif"], color="tab:blue")
        ax.axhline(3.3, color="tab:red", linestyle="--", label="3.3 (Kock 2015)")
        ax.set_ylabel("VIF")
        ax.legend()
        return ax


def measurement_factors(model: str) -> tuple[dict[str, list[str]], list[str]]:
    """The ``=~`` factors of lavaan syntax (factor -> items) and the operators of its other, non-``~~`` lines.

    Examples
    --------
    >>> measurement_factors("F =~ a + b\\nG =~ c + d\\na ~~ c\\nG ~ F")
    ({'F': ['a', 'b'], 'G': ['c', 'd']}, ['~'])
    """
    from crm_research.core.syntax import parse_model

    factors: dict[str, list[str]] = {}
    other = []
    for st in parse_model(model).statements:
        if st.op == "=~":
            factors.setdefault(st.lhs, []).extend(t.name for t in st.terms)
        elif st.op != "~~":
            other.append(st.op)
    return factors, other


def measures_exactly(factors: dict[str, list[str]], constructs: dict[str, list[str]]) -> bool:
    """Whether ``factors`` are exactly ``constructs`` with the same items (in any order)."""
    return {c: sorted(i) for c, i in factors.items()} == {c: sorted(i) for c, i in constructs.items()}


def _clf_baseline(constructs: dict[str, list[str]], model: str | None, func: str) -> str:
    """The measurement model the common latent factor is added to: ``model`` (checked) or one factor per construct.

    A researcher's measurement model may carry residual covariances (``LOY3 ~~ LOY4``) or fixed loadings; the
    baseline must be that model, or the loading changes compare the method factor with a different model.
    """
    if model is None:
        return "\n".join(f"{c} =~ {' + '.join(items)}" for c, items in constructs.items())
    if not isinstance(model, str):
        raise CRMInputError(f"The 'model' parameter of {func} must be lavaan measurement syntax (a string). "
                            f"Got {type(model).__name__} instead.")
    factors, other = measurement_factors(model)
    if other:
        raise CRMInputError(f"The 'model' parameter of {func} must be a measurement model ('=~' and '~~' "
                            f"lines only); it has {sorted(set(other))} lines.")
    if not measures_exactly(factors, constructs):
        raise CRMInputError(f"The 'model' parameter of {func} must measure exactly the constructs and items of "
                            f"'constructs' ({dict(constructs)}); its factors are {factors}.")
    return model


def _clf(data: pd.DataFrame, constructs: dict[str, list[str]], marker: list[str],
         baseline: str) -> tuple[pd.DataFrame, float]:
    from crm_research.sem import cfa

    items = [i for its in constructs.values() for i in its]
    # the equal method loadings share one label; "clf_m" keeps clear of the researcher's own labels
    loads = " + ".join(marker + [f"clf_m*{i}" for i in items])
    method = f"CMV =~ {loads}\n" + "\n".join(f"CMV ~~ 0*{c}" for c in constructs)
    cols = items + marker
    fit0 = cfa(data[cols], baseline, progress=False)
    fit1 = cfa(data[cols], baseline + "\n" + method, progress=False)
    e0, e1 = fit0.estimates, fit1.estimates
    rows = []
    for c, its in constructs.items():
        for i in its:
            l0 = float(e0.loc[(e0["lhs"] == c) & (e0["op"] == "=~") & (e0["rhs"] == i), "std_all"].iloc[0])
            l1 = float(e1.loc[(e1["lhs"] == c) & (e1["op"] == "=~") & (e1["rhs"] == i), "std_all"].iloc[0])
            rows.append({"item": i, "construct": c, "loading": l0, "loading_clf": l1, "delta": l0 - l1})
    m = e1.loc[(e1["lhs"] == "CMV") & (e1["op"] == "=~") & e1["rhs"].isin(items), "std_all"]
    var = float(e1.loc[(e1["lhs"] == "CMV") & (e1["op"] == "~~") & (e1["rhs"] == "CMV"), "est"].iloc[0])
    return pd.DataFrame(rows).set_index("item"), float(m.mean()), var


def common_method_bias(data, constructs, *, method_factor: bool = True,
                       marker: Sequence[str] | None = None, model: str | None = None) -> MethodBiasResult:
    """Harman's single-factor test, Kock's full-collinearity VIFs and a common-latent-factor CFA.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers (reverse-worded items recoded), one row per respondent;
        respondents with a missing answer are dropped (listwise).
    constructs : dict
        Construct name -> item columns (at least 2 constructs).
    method_factor : bool, default True
        Also fit the CFA with and without an unmeasured common latent factor
        (:func:`crm_research.cfa`) and report the change in standardized loadings.
    marker : list of str, optional
        Marker-variable items, theoretically unrelated to the constructs
        (Lindell & Whitney 2001): they measure the method factor, which then
        also loads on every item.
    model : str, optional
        The lavaan measurement model of the constructs (``=~`` and ``~~`` lines), when it has more than one
        factor per construct: residual covariances (``LOY3 ~~ LOY4``), fixed or equal loadings.  The
        common latent factor is added to this model, and the loading changes are read against it.  Its
        factors and items must be exactly those of ``constructs``.  Default: one factor per construct.

    Returns
    -------
    MethodBiasResult

    Examples
    --------
    >>> import crm_research as crm
    >>> survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> res = crm.common_method_bias(survey, {"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
    ...                                       "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]}, method_factor=False)
    >>> res.harman["share"].round(3).to_dict()
    {'component_share': 0.452, 'factor_share': 0.376}
    """
    func = "common_method_bias"
    data = check_dataframe(data, "data", func)
    constructs = check_constructs(data, constructs, func, min_items=1)
    if len(constructs) < 2:
        raise CRMInputError(f"{func} needs at least 2 constructs; got {list(constructs)}.")
    method_factor = check_bool(method_factor, "method_factor", func)
    marker = [] if marker is None else check_columns(data, list(marker), name="marker", func=func)
    items = [i for its in constructs.values() for i in its]
    overlap = set(marker) & set(items)
    if overlap:
        raise CRMInputError(f"{func}: marker item(s) {sorted(overlap)} also belong to a construct.")
    x, _ = prepare_items(data, items + marker, func)
    R = np.corrcoef(x[items].to_numpy(), rowvar=False)
    component, factor = harman_shares(R)
    harman = pd.DataFrame({"share": [component, factor], "threshold": 0.5}, index=["component_share", "factor_share"])
    harman["flag"] = harman["share"] > 0.5
    scores = construct_scores(x, constructs)
    Rs = np.corrcoef(scores.to_numpy(), rowvar=False)
    vif = pd.DataFrame({"vif": np.diag(np.linalg.inv(Rs)), "threshold": 3.3}, index=list(constructs))
    vif.index.name = "construct"
    vif["flag"] = vif["vif"] > 3.3
    baseline = _clf_baseline(constructs, model, func)
    loadings, m, var = None, None, None
    if method_factor:
        loadings, m, var = _clf(x, constructs, marker, baseline)
    return MethodBiasResult(harman=harman, vif=vif, loadings=loadings, method_loading=m, method_variance=var,
                            n=len(x), n_items=len(items))
